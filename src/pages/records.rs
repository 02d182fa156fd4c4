//! "Records behind this number" (contract section 9): the raw usage records behind a row of
//! the Usage page, paged, with a line that says whether they add up to the row's figure. Its
//! URL holds the records query and the figure, so it can be shared; back returns to the row.

use crate::api::usage::{record_sums, records_page};
use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use crate::components::pager::Pager;
use crate::components::records_table::{records_table, sum_line};
use crate::config::Realm;
use crate::format;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use usage_api::usage::QueryKind;
use usage_portal_core::drill::records_from_url;

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
                let total = record_sums(&client, &realm, &page, &q).await?;
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
