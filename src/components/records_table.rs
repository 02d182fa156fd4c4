//! The records behind a number: their table, and the sentence that says whether they add up to
//! the figure the user came from.

use crate::format;
use leptos::prelude::*;
use usage_api::Quantity;
use usage_api::usage::RecordItem;
use usage_portal_core::drill::{Check, Figure, check};

fn cell(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The records, one row each (written as one HTML string: a page may hold 100).
pub fn records_table(items: &[RecordItem]) -> impl IntoView + use<> {
    let rows = usage_portal_core::html::rows(
        items
            .iter()
            .map(|r| {
                vec![
                    ("", r.id.clone()),
                    ("", format::time_utc(r.usage_time)),
                    ("", r.billing_subscription_id.clone()),
                    ("", r.name.clone()),
                    ("num", format::quantity(r.requested_quantity)),
                    ("num", format::quantity(r.quantity)),
                    ("", r.value_driver.clone()),
                    ("", cell(&r.app_id)),
                    ("", cell(&r.project_hrn)),
                    ("", cell(&r.billing_tag)),
                    ("", cell(&r.resource)),
                    (
                        "",
                        r.channel_id
                            .map(format::channel)
                            .unwrap_or_default()
                            .to_owned(),
                    ),
                    ("", format::time_utc(r.created_time)),
                ]
            })
            .collect::<Vec<_>>()
            .iter()
            .map(|row| row.iter().map(|(c, t)| (*c, t.as_str())).collect()),
    );
    let heads = [
        "Id",
        "Time (UTC)",
        "Subscription",
        "Charge item",
        "Requested",
        "Accepted",
        "Unit",
        "App",
        "Project",
        "Billing tag",
        "Resource",
        "Channel",
        "Recorded (UTC)",
    ];
    let head = heads
        .iter()
        .map(|h| {
            let class = if matches!(*h, "Requested" | "Accepted") {
                "num"
            } else {
                ""
            };
            view! { <th scope="col" class=class>{*h}</th> }
        })
        .collect_view();
    view! {
        <div class="up-table-wrap" tabindex="0" role="region" aria-label="Records behind this number">
            <table class="up-table up-records-behind">
                <caption class="up-visually-hidden">"Records behind this number, newest first"</caption>
                <thead><tr>{head}</tr></thead>
                <tbody inner_html=rows></tbody>
            </table>
        </div>
    }
}

/// The sentence under the table: the records' sums against the row's figure.
pub fn sum_line(figure: &Figure, total: u64, sums: Option<(Quantity, Quantity)>) -> String {
    let unit = figure
        .unit
        .clone()
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let Some((requested, accepted)) = sums else {
        return format!(
            "{} records: too many to add up here; the first pages are shown.",
            format::count(total)
        );
    };
    let amounts = format!(
        "{}{unit} requested, {}{unit} billable",
        format::quantity(requested),
        format::quantity(accepted)
    );
    let n = format::count(total);
    match check(figure, requested, accepted) {
        Check::Equal => format!("These {n} records add up to {amounts}: the figure you came from."),
        Check::NoFigure => format!("These {n} records add up to {amounts}."),
        Check::Differs => format!(
            "These {n} records add up to {amounts}, not the {}{unit} you came from: usage was recorded since that figure was read.",
            figure.usage.map(format::quantity).unwrap_or_default()
        ),
    }
}
