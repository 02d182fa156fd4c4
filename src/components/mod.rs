//! Reusable components.

pub mod error_view;
pub mod pager;
pub mod usage_table;
