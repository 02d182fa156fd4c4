//! Totals of the whole result, per unit: quantities of different units are never added.

use crate::format;
use leptos::prelude::*;

use usage_portal_core::compare::{Change, ItemChange};
pub use usage_portal_core::totals::{UnitTotal, totals_by_unit};

/// A table of totals per unit.
#[component]
pub fn UnitTotals(
    /// The totals to show.
    totals: Vec<UnitTotal>,
    /// Each total's usage against the compared period's, in the same order: adds "Before"
    /// and "Change %" columns when given.
    #[prop(default = None)]
    against: Option<Vec<Change>>,
) -> impl IntoView {
    let compared = against.is_some();
    let rows = totals
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let c = against.as_ref().and_then(|a| a.get(i).copied());
            view! {
                <tr>
                    <th scope="row">{t.unit}</th>
                    <td class="num">{format::quantity(t.usage)}</td>
                    <td class="num">{format::quantity(t.billable)}</td>
                    {c.map(|c| view! {
                        <td class="num">{format::quantity(c.before)}</td>
                        <td class="num">{c.percent_text()}</td>
                    })}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="up-scroll" tabindex="0" role="region" aria-label="Totals per unit">
        <table class="up-table up-totals">
            <caption>"Totals for the whole range, per unit"</caption>
            <thead>
                <tr>
                    <th scope="col">"Unit"</th>
                    <th scope="col" class="num">"Usage"</th>
                    <th scope="col" class="num">"Billable"</th>
                    {compared.then(|| view! {
                        <th scope="col" class="num">"Usage before"</th>
                        <th scope="col" class="num">"Change %"</th>
                    })}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
}

/// "Biggest changes": the charge items whose usage moved most against the compared period,
/// each in its own unit.
#[component]
pub fn BiggestChanges(
    /// The changes, biggest first.
    changes: Vec<ItemChange>,
) -> impl IntoView {
    if changes.is_empty() {
        return view! { <p class="up-status" role="status">"No charge item changed against the earlier period."</p> }.into_any();
    }
    // Grouped by app or billing tag: each line names its group.
    let grouped = changes.iter().any(|c| !c.group.is_empty());
    let rows = changes
        .into_iter()
        .map(|c| {
            let group = grouped.then(|| {
                let text = c
                    .group
                    .iter()
                    .map(|(d, v)| {
                        let label = usage_portal_core::labels::column_label(
                            usage_api::usage::Column::Group(*d),
                        );
                        format!("{label}: {}", if v.is_empty() { "(none)" } else { v })
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                view! { <td>{text}</td> }
            });
            view! {
                <tr>
                    <th scope="row">{c.name}</th>
                    {group}
                    <td>{c.unit}</td>
                    <td class="num">{format::quantity(c.change.before)}</td>
                    <td class="num">{format::quantity(c.now)}</td>
                    <td class="num">{format::signed_quantity(c.change.delta)}</td>
                    <td class="num">{c.change.percent_text()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="up-scroll" tabindex="0" role="region" aria-label="Biggest changes">
        <table class="up-table up-changes">
            <caption>"Biggest changes against the earlier period"</caption>
            <thead>
                <tr>
                    <th scope="col">"Charge item"</th>
                    {grouped.then(|| view! { <th scope="col">"Group"</th> })}
                    <th scope="col">"Unit"</th>
                    <th scope="col" class="num">"Before"</th>
                    <th scope="col" class="num">"Now"</th>
                    <th scope="col" class="num">"Change"</th>
                    <th scope="col" class="num">"Change %"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        </div>
    }
    .into_any()
}
