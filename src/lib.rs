//! Usage Portal: explore, chart, export and record metered usage.

pub mod api;
pub mod app;
pub mod components;
pub mod config;
pub mod format;
pub mod pages;
pub mod sort;
pub mod state;

/// Starts the portal in the page's `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
