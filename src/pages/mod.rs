//! One routed page a module.

pub mod reports;
pub mod usage;
