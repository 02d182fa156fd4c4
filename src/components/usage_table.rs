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
    // One piece of HTML for the rows (texts escaped in the core): a page is hundreds of
    // cells, and creating each from wasm cost the first paint tens of milliseconds.
    let texts: Vec<Vec<(&'static str, String)>> = items
        .iter()
        .map(|item| {
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
                        "",
                        item.usage_date_time
                            .map(|t| format::bucket(t, detail.unwrap_or(DetailLevel::Hour), &zone)),
                    ),
                    _ => ("", Some(item.cell(*c))),
                })
                .map(|(class, text)| (class, text.unwrap_or_default()))
                .collect()
        })
        .collect();
    let rows = usage_portal_core::html::rows(texts.iter().map(|row| {
        row.iter()
            .map(|(class, text)| (*class, text.as_str()))
            .collect()
    }));
    let label = caption.clone();
    view! {
        <div class="up-table-wrap" tabindex="0" role="region" aria-label=label>
            <table class="up-table up-records">
                <caption class="up-visually-hidden">{caption}</caption>
                <thead><tr>{head}</tr></thead>
                <tbody inner_html=rows></tbody>
            </table>
        </div>
    }
}
