//! The Usage page: every query of the usage API, with the view state in the URL.

use crate::api::ApiClient;
use crate::api::usage::{all_items, csv_url, page_url, usage_csv, usage_page};
use crate::components::csv_download::CsvDownload;
use crate::components::error_view::ErrorView;
use crate::components::filter_bar::FilterBar;
use crate::components::pager::Pager;
use crate::components::totals::{UnitTotals, totals_by_unit};
use crate::components::usage_chart::UsageChart;
use crate::components::usage_table::UsageTable;
use crate::config::Realm;
use crate::hooks::abortable::use_abortable_resource;
use crate::state::{query_from_url, query_string, today_utc};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use usage_api::usage::{QueryKind, UsageQuery};
use usage_portal_core::usage_view::{chart_points, chart_query, totals_query};

/// The query the address's `search` part asks for, and what in it was reset.
fn query_of(search: &str, today: NaiveDate) -> (UsageQuery, Vec<usage_api::FieldError>) {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap_or_default();
    // The default range is the last 30 days of the chosen zone's calendar.
    let today = pairs
        .iter()
        .find(|(k, _)| k == "timeZone")
        .and_then(|(_, z)| crate::format::today_in(z))
        .unwrap_or(today);
    query_from_url(&pairs, today)
}

/// The URLs of the three requests the page starts first for the address's `search`, exactly as
/// the page makes them: the standalone app starts them as soon as config.json is read, while
/// it is still building the page ([`ApiClient::start_early`]).
pub fn first_request_urls(
    client: &ApiClient,
    realm: &str,
    search: &str,
    today: NaiveDate,
) -> Vec<String> {
    let (q, _) = query_of(search, today);
    let unpaged = UsageQuery {
        offset: 0,
        ..q.clone()
    };
    vec![
        page_url(client, realm, &q),
        page_url(client, realm, &totals_query(&unpaged)),
        csv_url(client, realm, &chart_query(&unpaged)),
    ]
}

/// The Usage page.
#[component]
pub fn UsagePage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let location = use_location();
    let navigate = use_navigate();
    let today = today_utc();

    let parsed = Memo::new(move |_| {
        // The router's raw query, parsed once, not its `use_query_map`: that map decodes each
        // value twice (URLSearchParams, then decodeURIComponent), so a filter typed as `%41`
        // would come back as `A`. serde_urlencoded keeps repeated keys in order, so a
        // repeated parameter is seen and reported.
        location.search.with(|s| query_of(s, today))
    });
    let query = Memo::new(move |_| parsed.with(|(q, _)| q.clone()));
    // The totals and the chart do not depend on the page number.
    let unpaged = Memo::new(move |_| UsageQuery {
        offset: 0,
        ..query.get()
    });

    let page = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource(query, move |q, signal| {
            let (client, realm) = (client.clone(), realm.clone());
            async move { usage_page(&client, &realm, &q, signal.as_ref()).await }
        })
    };
    let totals = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource(unpaged, move |q, signal| {
            let (client, realm) = (client.clone(), realm.clone());
            async move {
                all_items(&client, &realm, totals_query(&q), signal.as_ref())
                    .await
                    .map(|i| totals_by_unit(&i))
            }
        })
    };
    let chart = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource(unpaged, move |q, signal| {
            let (client, realm) = (client.clone(), realm.clone());
            async move {
                usage_csv(&client, &realm, &chart_query(&q), signal.as_ref())
                    .await
                    .map(|csv| (chart_points(&csv), q.detail))
            }
        })
    };

    let href = Callback::new(move |n: u32| {
        let q = UsageQuery {
            offset: n,
            ..query.get_untracked()
        };
        format!(
            "{}{}",
            location.pathname.get_untracked(),
            query_string(&q.to_pairs(QueryKind::Page))
        )
    });
    let on_apply = Callback::new(move |q: UsageQuery| {
        let url = format!(
            "{}{}",
            location.pathname.get_untracked(),
            query_string(&q.to_pairs(QueryKind::Page))
        );
        // The URL is already complete (its path includes any base path).
        navigate(
            &url,
            NavigateOptions {
                resolve: false,
                ..NavigateOptions::default()
            },
        );
    });

    let url_notice = move || {
        parsed.with(|(_, errors)| {
            (!errors.is_empty()).then(|| {
                let text = errors.iter().map(|e| format!("{} {}", e.name, e.description)).collect::<Vec<_>>().join("; ");
                view! { <p class="up-notice" role="status">"Some settings in the link were not valid and were reset: " {text} "."</p> }
            })
        })
    };

    view! {
        <section class="up-page" aria-labelledby="usage-title">
            <h1 id="usage-title">"Usage"</h1>
            <FilterBar query today on_apply />
            {url_notice}
            <p class="up-range">
                {move || query.with(crate::format::range_text)}
            </p>
            <div class="up-summary">
                {move || totals.with(|t| match t {
                    None => view! { <p class="up-status" role="status">"Loading totals…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
                    Some(Ok(t)) if t.is_empty() => ().into_any(),
                    Some(Ok(t)) => view! { <UnitTotals totals=t.clone() /> }.into_any(),
                })}
                {move || chart.with(|c| match c {
                    None => view! { <p class="up-status" role="status">"Loading chart…"</p> }.into_any(),
                    Some(Err(e)) if e.status == 400 => view! {
                        <p class="up-notice" role="status">"Too many points to chart. Choose a coarser detail level or a shorter range."</p>
                    }.into_any(),
                    Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
                    Some(Ok((points, _))) if points.is_empty() => ().into_any(),
                    Some(Ok((points, detail))) => {
                        let zone = query.with_untracked(|q| q.time_zone.name().to_owned());
                        view! { <UsageChart points=points.clone() detail=*detail zone /> }.into_any()
                    }
                })}
            </div>
            {move || page.with(|p| match p {
                None => view! { <p class="up-status" role="status">"Loading usage…"</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => {
                    let (offset, last_offset, total) = (p.offset, p.last_offset, p.total);
                    view! {
                        <p class="up-empty" role="status">
                            {if total == 0 { "No usage in this range. Try a wider date range or fewer filters." } else { "This page is past the last page of results." }}
                        </p>
                        {(total > 0).then(|| view! { <Pager offset last_offset total href /> })}
                    }.into_any()
                }
                Some(Ok(p)) => {
                    let (columns, detail) = query.with_untracked(|q| (q.columns(), q.detail));
                    let zone = query.with_untracked(|q| q.time_zone.name().to_owned());
                    let unpaged = unpaged.get_untracked();
                    let base = expect_context::<crate::config::BasePath>();
                    let record_links = query.with_untracked(|q| {
                        p.items
                            .iter()
                            .map(|item| {
                                usage_portal_core::drill::records_pairs(q, item)
                                    .map(|pairs| format!("{}{}", base.href("/records"), query_string(&pairs)))
                            })
                            .collect::<Vec<_>>()
                    });
                    // Which rows may still grow: their bucket ends after the answer was read.
                    let filling = p.as_of.and_then(|t| crate::format::local_of(t.unix(), &zone)).map(|as_of| {
                        query.with_untracked(|q| {
                            p.items
                                .iter()
                                .map(|i| usage_portal_core::freshness::still_filling(
                                    q.detail,
                                    i.usage_date_time.map(|b| b.local.naive()),
                                    q.end.naive(),
                                    as_of,
                                ))
                                .collect::<Vec<_>>()
                        })
                    });
                    let filling = filling.filter(|_| detail != usage_api::usage::DetailLevel::Summarized);
                    let as_of = p.as_of.map(|t| view! {
                        <p class="up-asof" role="status">"Data as of " {crate::format::instant_in(t, &zone)}</p>
                    });
                    view! {
                        {as_of}
                        <CsvDownload query=unpaged total=p.total />
                        <UsageTable columns items=p.items.clone() detail caption="Usage records" zone record_links filling=filling.unwrap_or_default() />
                        <Pager offset=p.offset last_offset=p.last_offset total=p.total href />
                    }.into_any()
                }
            })}
        </section>
    }
}
