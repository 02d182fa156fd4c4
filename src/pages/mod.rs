//! One routed page a module.

pub mod billing;
pub mod record;
pub mod reports;
pub mod usage;
