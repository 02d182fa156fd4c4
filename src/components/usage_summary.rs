//! The Usage page's summary: the totals per unit and the chart, each against the earlier period
//! when one is compared, and the biggest changes.

use crate::components::error_view::ErrorView;
#[cfg(not(portal_split))]
use crate::components::totals::BiggestChanges;
use crate::components::totals::{UnitTotals, totals_by_unit};
#[cfg(not(portal_split))]
use crate::components::usage_chart::UsageChart;
use crate::hooks::usage_data::{Comparison, SummaryData, UsageData, use_summary_data};
// The release build fetches the chart's code when it is first drawn (lazy).
#[cfg(portal_split)]
use crate::lazy::{LazyBiggestChanges, LazyUsageChart as UsageChart};
use leptos::prelude::*;
use usage_api::usage::{DetailLevel, UsageItem, UsageQuery};
use usage_portal_core::compare::{Compare, totals_against};

/// The totals per unit and the chart of `data`, compared as `comparison` says.
#[component]
pub fn UsageSummary(
    /// The query shown.
    query: Memo<UsageQuery>,
    /// Its page's figures, which the totals and the chart follow.
    data: UsageData,
    /// The earlier period, if compared.
    comparison: Comparison,
    /// The address of the records behind a chart value, if they can be listed.
    records_href: Callback<UsageItem, Option<String>>,
    /// Goes to an address of `records_href`.
    on_open: Callback<String>,
) -> impl IntoView {
    let SummaryData { totals, chart } = use_summary_data(data);
    let earlier_text = move || comparison.earlier.with(crate::format::range_text);
    let totals_view = move || {
        totals.with(|t| match t {
            None => view! { <p class="up-status" role="status">"Loading totals…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
            Some(Ok((t, _))) if t.is_empty() => ().into_any(),
            Some(Ok((t, _))) => {
                let against = comparison.totals.with(|e| match e {
                    Some(Ok(Some(before))) => Some(
                        totals_against(t, &totals_by_unit(before))
                            .into_iter()
                            .map(|(_, c)| c)
                            .collect(),
                    ),
                    _ => None,
                });
                view! { <UnitTotals totals=t.clone() against /> }.into_any()
            }
        })
    };
    let chart_view = move || {
        chart.with(|c| match c {
            None => view! { <p class="up-status" role="status">"Loading chart…"</p> }.into_any(),
            Some(Err(e)) if e.status == 400 => view! {
                <p class="up-notice" role="status">"Too many points to chart. Choose a coarser detail level or a shorter range."</p>
            }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
            Some(Ok((points, _))) if points.is_empty() => ().into_any(),
            Some(Ok((points, detail))) => {
                let zone = query.with_untracked(|q| q.time_zone.name().to_owned());
                // The first bucket that ends after now, by the browser's clock.
                let now = crate::format::local_of((js_sys::Date::now() / 1000.0) as i64, &zone);
                let filling_from = now
                    .and_then(|now| {
                        query.with_untracked(|q| {
                            points
                                .iter()
                                .filter_map(|p| p.bucket)
                                .filter(|b| usage_portal_core::freshness::still_filling(*detail, Some(b.local.naive()), q.end.naive(), now))
                                .map(|b| b.unix())
                                .min()
                        })
                    })
                    .filter(|_| *detail != DetailLevel::Summarized);
                let (earlier, earlier_label) = match comparison.rows.get() {
                    Some(Ok(Some(e))) => (Some(e.1.clone()), Some(format!("the earlier period, {}", earlier_text()))),
                    _ => (None, None),
                };
                view! {
                    <UsageChart points=points.clone() detail=*detail zone filling_from earlier earlier_label
                        records_href=Some(records_href) on_open=Some(on_open) />
                }
                .into_any()
            }
        })
    };
    let changes_view = move || {
        comparison.totals.with(|e| match e {
            Some(Ok(Some(before))) if before.is_empty() => view! {
                <p class="up-notice" role="status">"No usage in the earlier period (" {earlier_text()} "): nothing to compare with."</p>
            }.into_any(),
            Some(Ok(Some(before))) => totals.with(|t| match t {
                Some(Ok((_, now))) => biggest_changes(now.clone(), before.clone()),
                _ => ().into_any(),
            }),
            Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
            None if comparison.compare.get() != Compare::None => view! {
                <p class="up-status" role="status">"Loading the earlier period (" {earlier_text()} ")…"</p>
            }.into_any(),
            _ => ().into_any(),
        })
    };
    view! {
        <div class="up-summary">
            {totals_view}
            {chart_view}
        </div>
        {changes_view}
    }
}

/// The biggest changes of `now` against `before`; in the release build, code fetched when first
/// shown.
fn biggest_changes(now: Vec<UsageItem>, before: Vec<UsageItem>) -> AnyView {
    #[cfg(portal_split)]
    return view! { <LazyBiggestChanges now before /> }.into_any();
    #[cfg(not(portal_split))]
    view! { <BiggestChanges changes=usage_portal_core::compare::biggest_changes(&now, &before, 8) /> }
        .into_any()
}
