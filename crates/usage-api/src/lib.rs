//! The Usage API contract (`shared/api-contract.md`) as Rust types, limits and validation.
//!
//! Pure functions, no I/O: the portal (wasm32) validates with exactly the code the server
//! enforces with, so a user sees the same words at the field as in a 400's `fields`.

pub mod billing;
pub mod budgets;
pub mod error;
pub mod limits;
pub mod quantity;
pub mod reports;
pub mod subscriptions;
pub mod time;
pub mod usage;
pub mod usages;
pub mod views;
pub mod zone;

pub use error::{ErrorBody, ErrorCode, FieldError};
pub use quantity::Quantity;
pub use time::Timestamp;
pub use zone::{TimeZone, ZonedTime};
