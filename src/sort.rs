//! Stable sorting (in the core, tested on the host).

pub use usage_portal_core::sort::*;
