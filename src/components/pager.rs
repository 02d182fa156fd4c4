//! Page navigation for paged API results: one look and one set of links for every list.

use leptos::prelude::*;
use leptos_router::components::A;
use usage_portal_core::paging::PagerTargets;

/// Where a pager's links go; `None` shows that link disabled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagerHrefs {
    /// The first page.
    pub first: Option<String>,
    /// The page before.
    pub prev: Option<String>,
    /// The page after.
    pub next: Option<String>,
    /// The last page.
    pub last: Option<String>,
}

/// First, previous, next and last links around a status ("page x of y").
///
/// Links rather than buttons: each page has a URL, so it can be opened, shared and reached
/// with back and forward.
#[component]
pub fn PagerNav(
    /// Where each link goes.
    hrefs: PagerHrefs,
    /// What the status says, such as `Page 2 of 7 · 640 records`.
    #[prop(into)]
    status: String,
) -> impl IntoView {
    let link = |label: &'static str, rel: &'static str, href: Option<String>| match href {
        Some(h) => {
            view! { <A href=h attr:rel=rel attr:class="up-pager-link">{label}</A> }.into_any()
        }
        None => {
            view! { <span class="up-pager-link" aria-disabled="true">{label}</span> }.into_any()
        }
    };
    view! {
        <nav class="up-pager" aria-label="Pages">
            {link("« First", "first", hrefs.first)}
            {link("‹ Previous", "prev", hrefs.prev)}
            <span class="up-pager-status" aria-live="polite">{status}</span>
            {link("Next ›", "next", hrefs.next)}
            {link("Last »", "last", hrefs.last)}
        </nav>
    }
}

/// A [`PagerNav`] for a result paged by number (`offset` is a page number, from 0).
#[component]
pub fn Pager(
    /// The current page number (0-based).
    #[prop(into)]
    offset: Signal<u32>,
    /// The last page number (0-based).
    #[prop(into)]
    last_offset: Signal<u32>,
    /// Records in the whole result.
    #[prop(into)]
    total: Signal<u64>,
    /// The href of page `n`.
    href: Callback<u32, String>,
) -> impl IntoView {
    move || {
        let (offset, last_offset) = (offset.get(), last_offset.get());
        let t = PagerTargets::new(offset, last_offset);
        let to = |n: Option<u32>| n.map(|n| href.run(n));
        let hrefs = PagerHrefs {
            first: to(t.first),
            prev: to(t.prev),
            next: to(t.next),
            last: to(t.last),
        };
        let status = format!(
            "Page {} of {} · {} records",
            u64::from(offset) + 1,
            u64::from(last_offset) + 1,
            crate::format::count(total.get())
        );
        view! { <PagerNav hrefs status /> }
    }
}
