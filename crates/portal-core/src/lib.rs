//! The Usage Portal's logic that needs no DOM, so that it builds and is tested on the host
//! (`cargo test -p usage-portal-core`); the portal crate (wasm) composes it with the browser.
//! Nothing here may depend on `web-sys`, `js-sys` or Leptos.

pub mod chart;
pub mod compare;
pub mod drill;
pub mod freshness;
pub mod html;
pub mod labels;
pub mod money;
pub mod number;
pub mod paging;
pub mod polling;
pub mod record;
pub mod reports;
pub mod sort;
pub mod totals;
pub mod url_state;
pub mod usage_view;
