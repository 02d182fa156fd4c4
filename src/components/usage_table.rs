//! Usage records in a real table.

use crate::format;
use leptos::prelude::*;
use usage_api::usage::{Column, DetailLevel, UsageField, UsageItem};

/// A table of usage records with one column per [`Column`].
#[component]
pub fn UsageTable(
    /// The columns, in order.
    columns: Vec<Column>,
    /// The records.
    items: Vec<UsageItem>,
    /// The detail level, for formatting the time column.
    #[prop(optional)]
    detail: Option<DetailLevel>,
    /// Describes the table for screen readers.
    #[prop(into)]
    caption: String,
    /// The IANA zone the buckets are in; `UTC` when not given.
    #[prop(optional, into)]
    zone: Option<String>,
    /// Per record, where "Records behind this number" is (`None` for a row that cannot be
    /// traced); no such column when not given.
    #[prop(optional)]
    record_links: Option<Vec<Option<String>>>,
    /// Per record, whether its bucket is still filling (section 8); none marked when not given.
    #[prop(optional)]
    filling: Option<Vec<bool>>,
    /// Per record, its usage against the compared period's: adds "Before", "Change" and
    /// "Change %" columns when given.
    #[prop(default = None)]
    changes: Option<Vec<usage_portal_core::compare::Change>>,
) -> impl IntoView {
    let zone = zone.unwrap_or_else(|| "UTC".to_owned());
    let head = columns
        .iter()
        .map(|c| {
            let class = if c.is_quantity() { "num" } else { "" };
            let label = match c {
                Column::UsageDateTime => usage_portal_core::labels::time_label(&zone),
                _ => usage_portal_core::labels::column_label(*c).to_owned(),
            };
            view! { <th scope="col" class=class>{label}</th> }
        })
        .collect_view();
    let compare_head = changes.is_some().then(|| {
        view! {
            <th scope="col" class="num">"Before"</th>
            <th scope="col" class="num">"Change"</th>
            <th scope="col" class="num">"Change %"</th>
        }
    });
    let links_head = record_links
        .is_some()
        .then(|| view! { <th scope="col">"Records"</th> });
    // One piece of HTML for the rows (texts escaped in the core): a page is hundreds of
    // cells, and creating each from wasm cost the first paint tens of milliseconds.
    let texts: Vec<Vec<(&'static str, String)>> = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let filling = filling
                .as_ref()
                .and_then(|f| f.get(i).copied())
                .unwrap_or(false);
            columns
                .iter()
                .map(|c| match c {
                    Column::Field(UsageField::UsageValue) => {
                        ("num", item.usage_value.map(format::quantity))
                    }
                    Column::Field(UsageField::BillableValue) => {
                        ("num", item.billable_value.map(format::quantity))
                    }
                    Column::UsageDateTime => (
                        if filling { "up-filling" } else { "" },
                        item.usage_date_time.map(|t| {
                            let text =
                                format::bucket(t, detail.unwrap_or(DetailLevel::Hour), &zone);
                            if filling {
                                text + " (still filling)"
                            } else {
                                text
                            }
                        }),
                    ),
                    _ => ("", Some(item.cell(*c))),
                })
                .map(|(class, text)| (class, text.unwrap_or_default()))
                .chain(
                    changes
                        .as_ref()
                        .and_then(|c| c.get(i))
                        .into_iter()
                        .flat_map(|c| {
                            [
                                ("num", format::quantity(c.before)),
                                ("num", format::signed_quantity(c.delta)),
                                ("num", c.percent_text()),
                            ]
                        }),
                )
                .collect()
        })
        .collect();
    let cells = texts.iter().map(|row| {
        row.iter()
            .map(|(class, text)| (*class, text.as_str()))
            .collect::<Vec<_>>()
    });
    let rows = match &record_links {
        None => usage_portal_core::html::rows(cells),
        Some(links) => usage_portal_core::html::rows_with_links(cells.enumerate().map(|(i, c)| {
            let link = links
                .get(i)
                .cloned()
                .flatten()
                .map(|href| (href, "Records", format!("behind row {}", i + 1)));
            (c, link)
        })),
    };
    let label = caption.clone();
    view! {
        <div class="up-table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="up-table up-records">
                <caption class="up-visually-hidden">{caption}</caption>
                <thead><tr>{head}{compare_head}{links_head}</tr></thead>
                <tbody inner_html=rows></tbody>
            </table>
        </div>
    }
}
