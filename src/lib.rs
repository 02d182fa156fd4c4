//! Usage Portal: explore, chart, export and record metered usage.

pub mod api;
pub mod app;
pub mod components;
pub mod config;
pub mod embed;
pub mod format;
pub mod hooks;
pub mod host;
pub mod i18n;
pub mod js;
// The pages and parts fetched on demand in the release build.
#[cfg(portal_split)]
pub mod lazy;
pub mod pages;
pub mod sort;
pub mod state;
pub mod timer;

/// Once per page: panics are reported on the console with their message.
pub(crate) fn init() {
    console_error_panic_hook::set_once();
}

/// Starts the standalone portal when the page is index.html (its `<body>` has the class
/// `up-standalone`). On a host page nothing starts by itself: the host calls
/// [`embed::mount`], or uses the `<usage-portal>` element of `embed.js`.
pub fn start() {
    let standalone = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.class_list().contains("up-standalone"));
    if standalone {
        init();
        leptos::mount::mount_to_body(app::App);
    }
}
