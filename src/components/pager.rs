//! Page navigation for paged API results (`offset` is a page number).

use leptos::prelude::*;
use leptos_router::components::A;
use usage_portal_core::paging::PagerTargets;

/// First, previous, next and last links, "page x of y" and the record count.
///
/// Links rather than buttons: each page has a URL, so it can be opened, shared and reached
/// with back and forward.
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
    let link = move |label: &'static str, target: Signal<Option<u32>>, rel: &'static str| {
        move || match target.get() {
            Some(n) => {
                view! { <A href=href.run(n) attr:rel=rel attr:class="up-pager-link">{label}</A> }
                    .into_any()
            }
            None => {
                view! { <span class="up-pager-link" aria-disabled="true">{label}</span> }.into_any()
            }
        }
    };
    let targets = Memo::new(move |_| PagerTargets::new(offset.get(), last_offset.get()));
    let first = Signal::derive(move || targets.get().first);
    let prev = Signal::derive(move || targets.get().prev);
    let next = Signal::derive(move || targets.get().next);
    let last = Signal::derive(move || targets.get().last);
    view! {
        <nav class="up-pager" aria-label="Pages">
            {link("« First", first, "first")}
            {link("‹ Previous", prev, "prev")}
            <span class="up-pager-status" aria-live="polite">
                "Page " {move || (offset.get() + 1).to_string()} " of " {move || (last_offset.get() + 1).to_string()}
                " · " {move || crate::format::count(total.get())} " records"
            </span>
            {link("Next ›", next, "next")}
            {link("Last »", last, "last")}
        </nav>
    }
}
