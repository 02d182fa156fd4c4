//! One routed page a module.

pub mod usage;
