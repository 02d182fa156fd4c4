//! Reusable components.

pub mod billing_tables;
pub mod canvas_backend;
pub mod checkbox_list;
pub mod csv_download;
pub mod download_progress;
pub mod error_view;
pub mod field;
pub mod filter_bar;
pub mod pager;
pub mod record_result;
pub mod report_row;
pub mod saved_views;
pub mod subscription_picker;
pub mod totals;
pub mod usage_chart;
pub mod usage_table;
