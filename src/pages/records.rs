//! "Records behind this number" (contract section 9): the raw usage records behind a row of
//! the Usage page, paged, with a line that says whether they add up to the row's figure. Its
//! URL holds the records query and the figure, so it can be shared; back returns to the row.

use crate::api::usage::records_page;
use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use crate::components::pager::Pager;
use crate::config::Realm;
use crate::format;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use usage_api::Quantity;
use usage_api::usage::{QueryKind, RecordItem, RecordPage, UsageQuery};
use usage_portal_core::drill::{Check, Figure, check, records_from_url};

/// Records summed at most to check a figure: ten pages; more is said rather than fetched.
const CHECK_MAX: u64 = 1_000;

/// Adds the requested and accepted quantities of `items` to `sums` (milli-units).
fn add(sums: &mut (i64, i64), items: &[RecordItem]) {
    for r in items {
        sums.0 = sums.0.saturating_add(r.requested_quantity.milli());
        sums.1 = sums.1.saturating_add(r.quantity.milli());
    }
}

/// The sum of every record of `q` (walking its pages), when there are at most [`CHECK_MAX`];
/// `first` is the page already read, enough by itself when it holds them all.
async fn sums(
    client: &ApiClient,
    realm: &str,
    first: &RecordPage,
    q: &UsageQuery,
) -> Result<Option<(Quantity, Quantity)>, ApiError> {
    if first.total > CHECK_MAX {
        return Ok(None);
    }
    let mut total = (0_i64, 0_i64);
    if first.offset == 0 && first.next_offset.is_none() {
        add(&mut total, &first.items);
        return Ok(Some((Quantity(total.0), Quantity(total.1))));
    }
    let mut q = UsageQuery {
        limit: usage_api::limits::PAGE_LIMIT_MAX,
        offset: 0,
        ..q.clone()
    };
    loop {
        let page = records_page(client, realm, &q, None).await?;
        add(&mut total, &page.items);
        match page.next_offset {
            Some(n) => q.offset = n,
            None => return Ok(Some((Quantity(total.0), Quantity(total.1)))),
        }
    }
}

fn cell(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn records_table(items: &[RecordItem]) -> impl IntoView + use<> {
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
fn sum_line(figure: &Figure, total: u64, sums: Option<(Quantity, Quantity)>) -> String {
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

/// The records page.
#[component]
pub fn RecordsPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let location = use_location();
    let parsed = Memo::new(move |_| {
        location.search.with(|s| {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(s.trim_start_matches('?')).unwrap_or_default();
            records_from_url(&pairs)
        })
    });
    let data = {
        let (client, realm) = (client.clone(), realm.clone());
        LocalResource::new(move || {
            let (client, realm) = (client.clone(), realm.clone());
            let (q, figure) = parsed.get();
            async move {
                let q = q.map_err(|fields| {
                    ApiError::local(
                        "This link does not name records.",
                        fields
                            .iter()
                            .map(|f| format!("{} {}", f.name, f.description))
                            .collect::<Vec<_>>()
                            .join("; "),
                        None,
                    )
                })?;
                let page = records_page(&client, &realm, &q, None).await?;
                let total = sums(&client, &realm, &page, &q).await?;
                Ok::<_, ApiError>((q, figure, page, total))
            }
        })
    };
    let href = Callback::new(move |n: u32| {
        let pairs: Vec<(String, String)> = location.search.with_untracked(|s| {
            serde_urlencoded::from_str(s.trim_start_matches('?')).unwrap_or_default()
        });
        let mut pairs: Vec<(String, String)> =
            pairs.into_iter().filter(|(k, _)| k != "offset").collect();
        if n > 0 {
            pairs.push(("offset".to_owned(), n.to_string()));
        }
        format!(
            "{}?{}",
            location.pathname.get_untracked(),
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let back = move |_| {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ = h.back();
        }
    };
    view! {
        <section class="up-page" aria-labelledby="records-title">
            <h1 id="records-title">"Records behind this number"</h1>
            <p><button type="button" class="up-button up-button-subtle" on:click=back>"‹ Back to usage"</button></p>
            {move || data.with(|d| match d {
                None => view! { <p class="up-status" role="status">"Loading records…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
                Some(Ok((q, figure, page, sums))) => {
                    let filters: Vec<(String, String)> = q
                        .to_pairs(QueryKind::Records)
                        .into_iter()
                        .filter(|(k, _)| !matches!(*k, "startDate" | "endDate" | "timeZone" | "limit" | "offset"))
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect();
                    let line = sum_line(figure, page.total, *sums);
                    view! {
                        <p class="up-range">{format::range_text(q)}</p>
                        <ul class="up-drill-filters" aria-label="Filters">
                            {filters.into_iter().map(|(k, v)| view! { <li><code>{k}</code> " " {v}</li> }).collect_view()}
                        </ul>
                        {if page.total == 0 {
                            view! { <p class="up-empty" role="status">"No records match: nothing was recorded behind this number, or the link names another range or subscription."</p> }.into_any()
                        } else {
                            view! {
                                <p class="up-drill-sum" role="status">{line}</p>
                                {records_table(&page.items)}
                                <Pager offset=page.offset last_offset=page.last_offset total=page.total href />
                            }.into_any()
                        }}
                    }.into_any()
                }
            })}
        </section>
    }
}
