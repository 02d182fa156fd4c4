//! The Usage Portal's logic that needs no DOM, so that it builds and is tested on the host
//! (`cargo test -p usage-portal-core`); the portal crate (wasm) composes it with the browser.
//! Nothing here may depend on `web-sys`, `js-sys` or Leptos.

pub mod budgets;
pub mod chart;
pub mod compare;
pub mod drill;
pub mod freshness;
pub mod html;
pub mod i18n;
pub mod labels;
pub mod money;
pub mod number;
pub mod paging;
pub mod polling;
pub mod record;
pub mod reports;
pub mod saved_views;
pub mod sort;
pub mod totals;
pub mod url_state;
pub mod usage_view;

/// What the unit tests of several modules share.
#[cfg(test)]
mod testing {
    use usage_api::usage::{QueryKind, UsageQuery};

    /// The page query of a URL query string; panics when it is not valid.
    pub fn query(s: &str) -> UsageQuery {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(s).unwrap();
        UsageQuery::from_pairs(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            QueryKind::Page,
        )
        .unwrap()
    }
}
