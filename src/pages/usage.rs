//! The Usage page: every query of the usage API, with the view state in the URL.

#[cfg(not(portal_split))]
use crate::components::filter_bar::FilterBar;
#[cfg(not(portal_split))]
use crate::components::saved_views::SavedViews;
use crate::components::usage_results::UsageResults;
#[cfg(not(portal_split))]
use crate::components::usage_summary::UsageSummary;
use crate::hooks::first_table::{AfterFirstTable, use_after_first_answer};
use crate::hooks::usage_data::{includes_now, use_comparison, use_usage_data};
// The release build fetches the saved views' code when the menu is first opened (lazy).
#[cfg(portal_split)]
use crate::lazy::LazySavedViews as SavedViews;
// The filter bar's and the summary's while the first table is on its way.
#[cfg(portal_split)]
use crate::lazy::{LazyFilterBar as FilterBar, LazyUsageSummary as UsageSummary};
use crate::state::{query_string, today_utc, view_of, view_url};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use usage_api::usage::UsageQuery;
use usage_portal_core::compare::Compare;
use usage_portal_core::usage_view::chart_query;

/// The Usage page: the filters, the range and what it is compared with, the saved views, the
/// summary, the freshness of the figures and the rows.
#[component]
pub fn UsagePage() -> impl IntoView {
    let location = use_location();
    let navigate = use_navigate();
    let today = today_utc();

    let parsed = Memo::new(move |_| {
        // The router's raw query, parsed once, not its `use_query_map`: that map decodes each
        // value twice (URLSearchParams, then decodeURIComponent), so a filter typed as `%41`
        // would come back as `A`. serde_urlencoded keeps repeated keys in order, so a
        // repeated parameter is seen and reported.
        location.search.with(|s| view_of(s, today))
    });
    let query = Memo::new(move |_| parsed.with(|(q, _, _)| q.clone()));
    let compare = Memo::new(move |_| parsed.with(|(_, c, _)| *c));
    // The totals and the chart do not depend on the page number.
    let unpaged = Memo::new(move |_| UsageQuery {
        offset: 0,
        ..query.get()
    });
    let data = use_usage_data(query, unpaged);
    // Before the comparison, which waits for it too.
    provide_context(AfterFirstTable(use_after_first_answer(data.page)));
    let comparison = use_comparison(query, compare);

    let url_for =
        move |q: &UsageQuery, c: Compare| view_url(&location.pathname.get_untracked(), q, c);
    let href = Callback::new(move |n: u32| {
        let q = UsageQuery {
            offset: n,
            ..query.get_untracked()
        };
        url_for(&q, compare.get_untracked())
    });
    // The URL is already complete (its path includes any base path).
    let go = move |url: String| {
        navigate(
            &url,
            NavigateOptions {
                resolve: false,
                ..NavigateOptions::default()
            },
        )
    };
    let on_apply = {
        let go = go.clone();
        Callback::new(move |q: UsageQuery| go(url_for(&q, compare.get_untracked())))
    };
    let open_records = {
        let go = go.clone();
        Callback::new(move |url: String| go(url))
    };
    let on_compare = move |ev: leptos::ev::Event| {
        let c = Compare::parse(&event_target_value(&ev)).unwrap_or_default();
        go(url_for(
            &UsageQuery {
                offset: 0,
                ..query.get_untracked()
            },
            c,
        ));
    };
    let base = expect_context::<crate::config::BasePath>();
    // The records behind a chart value: its bucket and subscription, the chart's filters.
    let chart_records = Callback::new(move |item: usage_api::usage::UsageItem| {
        let q = chart_query(&unpaged.get_untracked());
        usage_portal_core::drill::records_pairs(&q, &item)
            .map(|pairs| format!("{}{}", base.href("/records"), query_string(&pairs)))
    });
    let compare_field = move || {
        let c = compare.get();
        let options = Compare::ALL
            .into_iter()
            .map(|o| view! { <option value=o.as_str() selected=o == c>{o.label()}</option> })
            .collect_view();
        let earlier_text = (c != Compare::None).then(|| {
            view! { <span class="up-field-hint">{move || comparison.earlier.with(crate::format::range_text)}</span> }
        });
        view! {
            <div class="up-field up-compare">
                <label for="f-compare">"Compare with"</label>
                <select id="f-compare" on:change=on_compare.clone()>{options}</select>
                {earlier_text}
            </div>
        }
    };

    // The saved views: their code and list are fetched when the menu is first opened, and
    // kept while the page is.
    let views_menu = NodeRef::<leptos::html::Details>::new();
    let views_opened = RwSignal::new(false);
    let on_views_toggle = move |_| {
        if views_menu.get().is_some_and(|d| d.open()) {
            views_opened.set(true);
        }
    };

    let url_notice = move || {
        parsed.with(|(_, _, errors)| {
            (!errors.is_empty()).then(|| {
                let text = errors.iter().map(|e| format!("{} {}", e.name, e.description)).collect::<Vec<_>>().join("; ");
                view! { <p class="up-notice" role="status">"Some settings in the link were not valid and were reset: " {text} "."</p> }
            })
        })
    };
    let (as_of, live) = (data.as_of, data.live);

    view! {
        <section class="up-page up-usage" aria-labelledby="usage-title">
            <h1 id="usage-title">"Usage"</h1>
            // Its place is kept while its code arrives, so the table drawn first does not jump.
            <div class="up-filters-slot"><FilterBar query today on_apply /></div>
            {url_notice}
            <div class="up-toolbar">
                <p class="up-range">{move || query.with(crate::format::range_text)}</p>
                {compare_field}
            </div>
            <details class="up-views-menu" node_ref=views_menu on:toggle=on_views_toggle>
                <summary>"Saved views: save this one, open another"</summary>
                {move || views_opened.get().then(|| view! { <SavedViews query /> })}
            </details>
            // Its place is kept while its code and figures arrive (style: .up-summary-slot).
            <div class="up-summary-slot">
                <UsageSummary query data comparison records_href=chart_records on_open=open_records />
            </div>
            <div class="up-freshness">
                {move || as_of.get().map(|t| {
                    let zone = query.with_untracked(|q| q.time_zone.name().to_owned());
                    view! { <p class="up-asof" role="status">"Data as of " {crate::format::instant_in(t, &zone)}</p> }
                })}
                {move || query.with(includes_now).then(|| view! {
                    <label class="up-toggle">
                        <input type="checkbox" id="f-live" prop:checked=move || live.get()
                            on:change=move |ev| live.set(event_target_checked(&ev)) />
                        " Refresh every 30 seconds"
                    </label>
                })}
            </div>
            <UsageResults query data comparison href />
        </section>
    }
}
