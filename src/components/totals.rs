//! Totals of the whole result, per unit: quantities of different units are never added.

use crate::format;
use leptos::prelude::*;
use usage_api::Quantity;
use usage_api::usage::UsageItem;

/// The sums of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTotal {
    /// The unit (`valueDriver`).
    pub unit: String,
    /// Sum of `usageValue`.
    pub usage: Quantity,
    /// Sum of `billableValue`.
    pub billable: Quantity,
}

/// Sums records per unit, exactly, in the units' alphabetical order.
pub fn totals_by_unit(items: &[UsageItem]) -> Vec<UnitTotal> {
    let mut out: Vec<UnitTotal> = Vec::new();
    for item in items {
        let unit = item.value_driver.clone().unwrap_or_default();
        let i = match out.iter().position(|t| t.unit == unit) {
            Some(i) => i,
            None => {
                out.push(UnitTotal {
                    unit,
                    usage: Quantity(0),
                    billable: Quantity(0),
                });
                out.len() - 1
            }
        };
        out[i].usage.0 += item.usage_value.map_or(0, Quantity::milli);
        out[i].billable.0 += item.billable_value.map_or(0, Quantity::milli);
    }
    crate::sort::sort_by(&mut out, |a, b| a.unit.cmp(&b.unit));
    out
}

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
