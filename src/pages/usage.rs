//! The Usage page: every query of the usage API, with the view state in the URL.

use crate::api::ApiClient;
use crate::api::usage::{all_items, csv_url, page_url, usage_csv, usage_page};
use crate::components::csv_download::CsvDownload;
use crate::components::error_view::ErrorView;
use crate::components::filter_bar::FilterBar;
use crate::components::pager::Pager;
use crate::components::totals::{BiggestChanges, UnitTotals, totals_by_unit};
#[cfg(not(portal_split))]
use crate::components::usage_chart::UsageChart;
// The release build fetches the chart's code when it is first drawn (pages::lazy).
#[cfg(not(portal_split))]
use crate::components::saved_views::SavedViews;
use crate::components::usage_table::UsageTable;
use crate::config::Realm;
use crate::hooks::abortable::{
    AbortableOptions, use_abortable_resource, use_abortable_resource_with_options,
};
#[cfg(portal_split)]
use crate::pages::lazy::{LazySavedViews as SavedViews, LazyUsageChart as UsageChart};
use crate::state::{page_query_from_url, query_string, today_utc};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};
use usage_api::usage::UsageQuery;
use usage_portal_core::compare::{
    Change, Compare, Earlier, biggest_changes, earlier_csv_query, earlier_points, earlier_query,
    take_compare, totals_against,
};
use usage_portal_core::usage_view::{
    chart_points, chart_points_of, chart_query, parse_csv, totals_query,
};

/// The query the address's `search` part asks for, and what in it was reset.
fn query_of(search: &str, today: NaiveDate) -> (UsageQuery, Vec<usage_api::FieldError>) {
    let (q, _, errors) = view_of(search, today);
    (q, errors)
}

/// The query, what it is compared with (the portal's own `compare` parameter) and what in the
/// address was reset.
fn view_of(search: &str, today: NaiveDate) -> (UsageQuery, Compare, Vec<usage_api::FieldError>) {
    let mut pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(search.trim_start_matches('?')).unwrap_or_default();
    let (compare, bad_compare) = take_compare(&mut pairs);
    // The default range is the last 30 days of the chosen zone's calendar.
    let today = pairs
        .iter()
        .find(|(k, _)| k == "timeZone")
        .and_then(|(_, z)| crate::format::today_in(z))
        .unwrap_or(today);
    let (q, mut errors) = page_query_from_url(&pairs, today);
    if bad_compare.is_some() {
        errors.push(usage_api::FieldError::new(
            "compare",
            "must be previous or year",
        ));
    }
    (q, compare, errors)
}

/// The page's URL for `q` compared with `compare`.
fn view_url(path: &str, q: &UsageQuery, compare: Compare) -> String {
    let mut pairs = crate::state::page_pairs(q);
    if compare != Compare::None {
        pairs.push(("compare", compare.as_str().to_owned()));
    }
    format!("{path}{}", query_string(&pairs))
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
        location.search.with(|s| view_of(s, today))
    });
    let query = Memo::new(move |_| parsed.with(|(q, _, _)| q.clone()));
    let compare = Memo::new(move |_| parsed.with(|(_, c, _)| *c));
    // The earlier period, when compared: its totals and its rows (one CSV, as the chart's).
    let earlier = Memo::new(move |_| {
        let q = UsageQuery {
            offset: 0,
            ..query.get()
        };
        earlier_query(&q, compare.get()).unwrap_or(q)
    });
    // The totals and the chart do not depend on the page number.
    let unpaged = Memo::new(move |_| UsageQuery {
        offset: 0,
        ..query.get()
    });

    // Live: while the range includes now, the figures refresh by themselves every 30 s
    // while the tab is visible; a switch turns it off. An unchanged answer draws nothing again.
    let live = RwSignal::new(true);
    let tick = RwSignal::new(0_u64);
    let includes_now = move |q: &UsageQuery| {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        crate::format::local_of(now, q.time_zone.name())
            .is_some_and(|n| q.start.naive() <= n && n < q.end.naive())
    };
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let visible = !document().hidden();
            if visible && live.get_untracked() && query.with_untracked(includes_now) {
                tick.update(|t| *t += 1);
            }
        },
        std::time::Duration::from_secs(usage_portal_core::freshness::LIVE_REFRESH_SECS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let refresh = AbortableOptions {
        refresh: Some(tick.into()),
    };
    // When the page was read: kept apart from the page, so that a refresh that changes only
    // this redraws only the line that says it.
    let as_of = RwSignal::new(None::<usage_api::Timestamp>);
    let page = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource_with_options(
            query,
            move |q, signal| {
                let (client, realm) = (client.clone(), realm.clone());
                async move {
                    usage_page(&client, &realm, &q, signal.as_ref())
                        .await
                        .map(|mut p| {
                            as_of.try_set(p.as_of.take());
                            p
                        })
                }
            },
            refresh,
        )
    };
    let totals = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource_with_options(
            unpaged,
            move |q, signal| {
                let (client, realm) = (client.clone(), realm.clone());
                async move {
                    all_items(&client, &realm, totals_query(&q), signal.as_ref())
                        .await
                        .map(|i| (totals_by_unit(&i), i))
                }
            },
            refresh,
        )
    };
    let chart = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource_with_options(
            unpaged,
            move |q, signal| {
                let (client, realm) = (client.clone(), realm.clone());
                async move {
                    usage_csv(&client, &realm, &chart_query(&q), signal.as_ref())
                        .await
                        .map(|csv| (chart_points(&csv), q.detail))
                }
            },
            refresh,
        )
    };

    let href = Callback::new(move |n: u32| {
        let q = UsageQuery {
            offset: n,
            ..query.get_untracked()
        };
        view_url(
            &location.pathname.get_untracked(),
            &q,
            compare.get_untracked(),
        )
    });
    let go = {
        let navigate = navigate.clone();
        move |url: String| {
            // The URL is already complete (its path includes any base path).
            navigate(
                &url,
                NavigateOptions {
                    resolve: false,
                    ..NavigateOptions::default()
                },
            );
        }
    };
    let on_apply = {
        let go = go.clone();
        Callback::new(move |q: UsageQuery| {
            go(view_url(
                &location.pathname.get_untracked(),
                &q,
                compare.get_untracked(),
            ));
        })
    };
    let open_records = {
        let go = go.clone();
        Callback::new(move |url: String| go(url))
    };
    let on_compare = move |ev: leptos::ev::Event| {
        let c = Compare::parse(&event_target_value(&ev)).unwrap_or_default();
        let q = UsageQuery {
            offset: 0,
            ..query.get_untracked()
        };
        go(view_url(&location.pathname.get_untracked(), &q, c));
    };
    let earlier_totals = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource(earlier, move |q, signal| {
            let (client, realm) = (client.clone(), realm.clone());
            let compared = compare.get_untracked() != Compare::None;
            async move {
                if !compared {
                    return Ok(None);
                }
                all_items(&client, &realm, totals_query(&q), signal.as_ref())
                    .await
                    .map(Some)
            }
        })
    };
    // The earlier period's rows (for the table) and chart values (moved onto this period's
    // buckets), from one CSV.
    let earlier_rows = {
        let (client, realm) = (client.clone(), realm.clone());
        use_abortable_resource(earlier, move |q, signal| {
            let (client, realm) = (client.clone(), realm.clone());
            let compared = compare.get_untracked();
            let current = query.get_untracked();
            async move {
                if compared == Compare::None {
                    return Ok(None);
                }
                usage_csv(&client, &realm, &earlier_csv_query(&q), signal.as_ref())
                    .await
                    .map(|csv| {
                        let rows = parse_csv(&csv);
                        let points = chart_points_of(&rows);
                        Some(std::rc::Rc::new((
                            Earlier::from_csv(&rows, &current, compared),
                            earlier_points(&points, &current, compared),
                        )))
                    })
            }
        })
    };
    let base = expect_context::<crate::config::BasePath>();
    // The records behind a chart value: its bucket and subscription, the chart's filters.
    let chart_records = Callback::new({
        let base = base.clone();
        move |item: usage_api::usage::UsageItem| {
            let q = chart_query(&unpaged.get_untracked());
            usage_portal_core::drill::records_pairs(&q, &item)
                .map(|pairs| format!("{}{}", base.href("/records"), query_string(&pairs)))
        }
    });
    let compare_field = move || {
        let c = compare.get();
        let options = Compare::ALL
            .into_iter()
            .map(|o| view! { <option value=o.as_str() selected=o == c>{o.label()}</option> })
            .collect_view();
        let earlier_text = (c != Compare::None).then(|| {
            view! { <span class="up-field-hint">{move || earlier.with(crate::format::range_text)}</span> }
        });
        view! {
            <div class="up-field up-compare">
                <label for="f-compare">"Compare with"</label>
                <select id="f-compare" on:change=on_compare.clone()>{options}</select>
                {earlier_text}
            </div>
        }
    };

    // The saved views: their code and list are fetched when the menu is first opened, and
    // kept while the page is.
    let views_menu = NodeRef::<leptos::html::Details>::new();
    let views_opened = RwSignal::new(false);
    let on_views_toggle = move |_| {
        if views_menu.get().is_some_and(|d| d.open()) {
            views_opened.set(true);
        }
    };

    let url_notice = move || {
        parsed.with(|(_, _, errors)| {
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
            <div class="up-toolbar">
                <p class="up-range">
                    {move || query.with(crate::format::range_text)}
                </p>
                {compare_field}
            </div>
            <details class="up-views-menu" node_ref=views_menu on:toggle=on_views_toggle>
                <summary>"Saved views: save this one, open another"</summary>
                {move || views_opened.get().then(|| view! { <SavedViews query /> })}
            </details>
            <div class="up-summary">
                {move || totals.with(|t| match t {
                    None => view! { <p class="up-status" role="status">"Loading totals…"</p> }.into_any(),
                    Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
                    Some(Ok((t, _))) if t.is_empty() => ().into_any(),
                    Some(Ok((t, _))) => {
                        let against = earlier_totals.with(|e| match e {
                            Some(Ok(Some(before))) => Some(totals_against(t, &totals_by_unit(before)).into_iter().map(|(_, c)| c).collect()),
                            _ => None,
                        });
                        view! { <UnitTotals totals=t.clone() against /> }.into_any()
                    }
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
                        // The first bucket that ends after now, by the browser's clock.
                        let now = crate::format::local_of((js_sys::Date::now() / 1000.0) as i64, &zone);
                        let filling_from = now.and_then(|now| query.with_untracked(|q| {
                            points
                                .iter()
                                .filter_map(|p| p.bucket)
                                .filter(|b| usage_portal_core::freshness::still_filling(*detail, Some(b.local.naive()), q.end.naive(), now))
                                .map(|b| b.unix())
                                .min()
                        })).filter(|_| *detail != usage_api::usage::DetailLevel::Summarized);
                        let (before, earlier_label) = match earlier_rows.get() {
                            Some(Ok(Some(e))) => (Some(e.1.clone()), Some(format!("the earlier period, {}", earlier.with(crate::format::range_text)))),
                            _ => (None, None),
                        };
                        view! { <UsageChart points=points.clone() detail=*detail zone filling_from earlier=before earlier_label records_href=Some(chart_records) on_open=Some(open_records) /> }.into_any()
                    }
                })}
            </div>
            {move || earlier_totals.with(|e| match e {
                Some(Ok(Some(before))) if before.is_empty() => view! {
                    <p class="up-notice" role="status">"No usage in the earlier period (" {earlier.with(crate::format::range_text)} "): nothing to compare with."</p>
                }.into_any(),
                Some(Ok(Some(before))) => totals.with(|t| match t {
                    Some(Ok((_, now))) => view! { <BiggestChanges changes=biggest_changes(now, before, 8) /> }.into_any(),
                    _ => ().into_any(),
                }),
                Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
                None if compare.get() != Compare::None => view! {
                    <p class="up-status" role="status">"Loading the earlier period (" {earlier.with(crate::format::range_text)} ")…"</p>
                }.into_any(),
                _ => ().into_any(),
            })}
            <div class="up-freshness">
                {move || as_of.get().map(|t| {
                    let zone = query.with_untracked(|q| q.time_zone.name().to_owned());
                    view! { <p class="up-asof" role="status">"Data as of " {crate::format::instant_in(t, &zone)}</p> }
                })}
                {move || query.with(includes_now).then(|| view! {
                    <label class="up-toggle">
                        <input type="checkbox" id="f-live" prop:checked=move || live.get()
                            on:change=move |ev| live.set(event_target_checked(&ev)) />
                        " Refresh every 30 seconds"
                    </label>
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
                    let filling = as_of.get_untracked().and_then(|t| crate::format::local_of(t.unix(), &zone)).map(|as_of| {
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
                    // Each row against its earlier self, once the earlier rows are here.
                    let changes = earlier_rows.with(|e| match e {
                        Some(Ok(Some(earlier))) => query.with_untracked(|q| {
                            Some(p.items.iter().map(|i| Change::of(i.usage_value.unwrap_or(usage_api::Quantity(0)), earlier.0.before(q, i))).collect::<Vec<_>>())
                        }),
                        _ => None,
                    });
                    let earlier_error = earlier_rows.with(|e| match e {
                        Some(Err(e)) if e.status == 400 => Some(view! {
                            <p class="up-notice" role="status">"The earlier period has too many records to compare row by row. Choose a coarser detail level or a shorter range."</p>
                        }.into_any()),
                        Some(Err(e)) => Some(view! { <ErrorView error=e.clone() /> }.into_any()),
                        _ => None,
                    });

                    view! {
                        {earlier_error}
                        <CsvDownload query=unpaged total=p.total />
                        <UsageTable columns items=p.items.clone() detail caption="Usage records" zone record_links filling=filling.unwrap_or_default() changes />
                        <Pager offset=p.offset last_offset=p.last_offset total=p.total href />
                    }.into_any()
                }
            })}
        </section>
    }
}
