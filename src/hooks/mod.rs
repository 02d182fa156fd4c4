//! Reusable behaviour for pages, as leptos-use shapes it: `use_x` and `use_x_with_options`, an
//! options struct with documented defaults, and a returned struct of signals.

pub mod abortable;
pub mod first_table;
pub mod report_download;
pub mod report_polling;
pub mod usage_data;
