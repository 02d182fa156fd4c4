//! Totals of the whole result, per unit: quantities of different units are never added.

use crate::format;
use leptos::prelude::*;

pub use usage_portal_core::totals::{UnitTotal, totals_by_unit};

/// A table of totals per unit.
#[component]
pub fn UnitTotals(
    /// The totals to show.
    totals: Vec<UnitTotal>,
) -> impl IntoView {
    let rows = totals
        .into_iter()
        .map(|t| {
            view! {
                <tr>
                    <th scope="row">{t.unit}</th>
                    <td class="num">{format::quantity(t.usage)}</td>
                    <td class="num">{format::quantity(t.billable)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="up-table up-totals">
            <caption>"Totals for the whole range, per unit"</caption>
            <thead>
                <tr>
                    <th scope="col">"Unit"</th>
                    <th scope="col" class="num">"Usage"</th>
                    <th scope="col" class="num">"Billable"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
