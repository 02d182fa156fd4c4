//! The SQL the route handlers need, one file per resource: plain functions over a
//! connection (or a transaction, which derefs to one) with typed arguments and results.
//!
//! Handlers parse, authorize and answer; what they read or write goes through here, so a
//! second backend has one place per resource to implement.

pub mod billing;
pub mod budgets;
pub mod orgs;
pub mod records;
pub mod reports;
pub mod rollups;
pub mod sql;
pub mod subscriptions;
pub mod tokens;
pub mod views;
