//! The Reports page: request a report, follow its status live, and save it to disk.

use crate::api::download::{Progress, Saved, choose_target, click_link, stream_to};
use crate::api::reports::{create_report, download_url, list_reports, report_status};
use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use crate::components::filter_bar::FilterBar;
use crate::config::Realm;
use crate::format;
use crate::host::{HostEvents, REPORT_READY};
use crate::js::object;
use crate::state::{default_range, today_utc};
use crate::timer::use_sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use usage_api::reports::{Report, ReportStatus};
use usage_api::usage::{QueryKind, UsageQuery};
use wasm_bindgen::JsValue;

pub use usage_portal_core::polling::next_delay_ms;

fn bytes(n: u64) -> String {
    let (v, unit) = match n {
        n if n >= 1 << 30 => (n as f64 / f64::from(1u32 << 30), "GB"),
        n if n >= 1 << 20 => (n as f64 / f64::from(1u32 << 20), "MB"),
        n if n >= 1 << 10 => (n as f64 / 1024.0, "KB"),
        n => return format!("{} bytes", format::count(n)),
    };
    format!("{} {unit}", format::one_decimal(v))
}

/// Tells the host page that a report the user is watching has completed.
fn report_ready(events: Option<&HostEvents>, id: &str, realm: &str) {
    if let Some(events) = events {
        events.emit(
            REPORT_READY,
            &object(&[
                ("reportId", JsValue::from_str(id)),
                ("realmId", JsValue::from_str(realm)),
            ]),
        );
    }
}

/// True when `r` completed since `old` (the list as it was) had it in progress, or, for the
/// report just `created`, when it completed before the list ever showed it.
fn newly_completed(old: &[Report], r: &Report, created: Option<&str>) -> bool {
    r.status == ReportStatus::Completed
        && match old.iter().find(|o| o.id == r.id) {
            Some(o) => o.status == ReportStatus::InProgress,
            None => created == Some(r.id.as_str()),
        }
}

/// A download under way (its abort controller is kept apart: it cannot live in a signal).
#[derive(Clone, PartialEq)]
struct Active {
    id: String,
    progress: Option<Progress>,
}

/// The Reports page.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let reports = RwSignal::new(Vec::<Report>::new());
    let loaded = RwSignal::new(false);
    let list_error = RwSignal::new(None::<ApiError>);
    let create_error = RwSignal::new(None::<ApiError>);
    let selected_subs = RwSignal::new(Vec::<String>::new());
    let active = RwSignal::new(None::<Active>);
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    let notice = RwSignal::new(None::<String>);
    let download_error = RwSignal::new(None::<ApiError>);

    // Polling stops when the page is left: the wait ends at once and the loop checks this flag.
    let alive = Arc::new(AtomicBool::new(true));
    let sleep = use_sleep();
    let events = use_context::<HostEvents>();
    let polling = Arc::new(AtomicBool::new(false));
    {
        let alive = alive.clone();
        on_cleanup(move || {
            alive.store(false, Ordering::Relaxed);
            controller.try_with_value(|c| {
                if let Some(c) = c {
                    c.abort();
                }
            });
        });
    }
    let ensure_polling = {
        let (client, realm, events) = (client.clone(), realm.clone(), events.clone());
        move || {
            if polling.swap(true, Ordering::Relaxed) {
                return;
            }
            let (client, realm, alive, polling, sleep, events) = (
                client.clone(),
                realm.clone(),
                alive.clone(),
                polling.clone(),
                sleep.clone(),
                events.clone(),
            );
            spawn_local(async move {
                let (mut delay, mut failures) = (next_delay_ms(None, 0, js_sys::Math::random()), 0);
                'poll: loop {
                    sleep.ms(delay).await;
                    let pending: Vec<String> = reports
                        .try_with_untracked(|r| {
                            r.iter()
                                .filter(|r| r.status == ReportStatus::InProgress)
                                .map(|r| r.id.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    if !alive.load(Ordering::Relaxed) || pending.is_empty() {
                        break;
                    }
                    let mut retry = None;
                    for id in pending {
                        let answer = report_status(&client, &realm, &id).await;
                        // The page may have been left while the request was under way.
                        if !alive.load(Ordering::Relaxed) {
                            break 'poll;
                        }
                        match answer {
                            Ok((r, after)) => {
                                failures = 0;
                                retry = retry.min(after).or(after);
                                let ready = reports
                                    .try_with_untracked(|old| newly_completed(old, &r, None))
                                    .unwrap_or(false);
                                if ready {
                                    report_ready(events.as_ref(), &r.id, &realm);
                                }
                                reports.try_update(|list| {
                                    if let Some(x) = list.iter_mut().find(|x| x.id == r.id) {
                                        *x = r;
                                    }
                                });
                            }
                            // Signed out: said on the page (and to the host), and polling
                            // stops rather than asking for a token every few seconds.
                            Err(e) if e.is_signed_out() => {
                                list_error.try_set(Some(e));
                                break 'poll;
                            }
                            Err(_) => failures += 1,
                        }
                    }
                    delay = next_delay_ms(
                        if failures > 0 { None } else { retry },
                        failures,
                        js_sys::Math::random(),
                    );
                }
                polling.store(false, Ordering::Relaxed);
            });
        }
    };
    {
        let (client, realm, ensure_polling) =
            (client.clone(), realm.clone(), ensure_polling.clone());
        spawn_local(async move {
            match list_reports(&client, &realm).await {
                Ok(list) => {
                    reports.try_set(list.items);
                    ensure_polling();
                }
                Err(e) => {
                    list_error.try_set(Some(e));
                }
            }
            loaded.try_set(true);
        });
    }
    let org = super::org_resource(client.clone());

    let today = today_utc();
    let (start, end) = default_range(today);
    let initial = UsageQuery::from_pairs(
        [
            ("startDate", start.to_string().as_str()),
            ("endDate", end.to_string().as_str()),
        ],
        QueryKind::Report,
    )
    .ok();
    let form_query = Signal::stored(initial.unwrap_or_else(|| unreachable_query(start, end)));
    let on_create = {
        let (client, realm, events) = (client.clone(), realm.clone(), events.clone());
        Callback::new(move |q: UsageQuery| {
            let (client, realm, ensure_polling, events) = (
                client.clone(),
                realm.clone(),
                ensure_polling.clone(),
                events.clone(),
            );
            let subs = selected_subs.get_untracked();
            create_error.set(None);
            spawn_local(async move {
                let subs = (!subs.is_empty()).then_some(subs);
                match create_report(&client, &realm, &q, subs).await {
                    Ok(created) => match list_reports(&client, &realm).await {
                        Ok(list) => {
                            // A small report may be done before the first poll, and
                            // others may have completed since the last one.
                            let ready: Vec<String> = reports
                                .try_with_untracked(|old| {
                                    list.items
                                        .iter()
                                        .filter(|r| newly_completed(old, r, Some(&created.id)))
                                        .map(|r| r.id.clone())
                                        .collect()
                                })
                                .unwrap_or_default();
                            for id in &ready {
                                report_ready(events.as_ref(), id, &realm);
                            }
                            reports.try_set(list.items);
                            ensure_polling();
                        }
                        Err(e) => {
                            list_error.try_set(Some(e));
                        }
                    },
                    Err(e) => {
                        create_error.try_set(Some(e));
                    }
                }
            });
        })
    };

    let download = {
        let (client, realm) = (client.clone(), realm.clone());
        move |report: Report| {
            let (client, realm) = (client.clone(), realm.clone());
            notice.set(None);
            download_error.set(None);
            spawn_local(async move {
                let name = format!("{}.csv", report.id);
                match choose_target(&name).await {
                    Ok(None) => {}
                    Ok(Some(target)) => {
                        let Ok(c) = web_sys::AbortController::new() else {
                            return;
                        };
                        let signal = c.signal();
                        controller.set_value(Some(c));
                        active.set(Some(Active {
                            id: report.id.clone(),
                            progress: None,
                        }));
                        let url = download_url(&client, &realm, &report.id);
                        let result = stream_to(&client, &url, target, &signal, |p| {
                            active.try_update(|a| {
                                if let Some(a) = a {
                                    a.progress = Some(p);
                                }
                            });
                        })
                        .await;
                        let last = active
                            .try_with_untracked(|a| a.as_ref().and_then(|a| a.progress))
                            .flatten();
                        active.try_set(None);
                        controller.try_set_value(None);
                        let how = last
                            .map(|p| {
                                format!(
                                    " ({} in {} s, {}/s)",
                                    bytes(p.bytes),
                                    format::one_decimal(p.elapsed_ms / 1000.0),
                                    bytes(p.rate() as u64)
                                )
                            })
                            .unwrap_or_default();
                        match result {
                            Ok(Saved::ToChosenFile) => {
                                notice.try_set(Some(format!("Saved {name}{how}.")));
                            }
                            Ok(Saved::ThroughBrowser) => {
                                notice.try_set(Some(format!(
                                    "{name} was handed to the browser's downloads."
                                )));
                            }
                            Err(e) if e.is_aborted() => {
                                notice.try_set(Some(
                                    "Download cancelled; the partial file was removed.".to_owned(),
                                ));
                            }
                            Err(e) => {
                                download_error.try_set(Some(e));
                            }
                        }
                    }
                    // No way to stream here: the signed link downloads without the token.
                    Err(_) => match report.download_url {
                        Some(u) => click_link(&format!("{}{u}", client.base()), &name),
                        None => {
                            download_error.try_set(Some(ApiError::local(
                                "This browser cannot save the report.",
                                String::new(),
                                None,
                            )));
                        }
                    },
                }
            });
        }
    };

    let sub_picker = move || {
        Suspend::new(async move {
            match org.await {
                Ok(o) if !o.sub_accounts.is_empty() => {
                    let boxes = o
                        .sub_accounts
                        .into_iter()
                        .map(|s| {
                            let id = s.realm_id.clone();
                            let id2 = id.clone();
                            view! {
                                <label class="up-toggle">
                                    <input type="checkbox"
                                        prop:checked=move || selected_subs.with(|v| v.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            selected_subs.update(|v| {
                                                v.retain(|x| *x != id2);
                                                if on { v.push(id2.clone()); }
                                            });
                                        } />
                                    {format!("{} ({})", s.name, s.realm_id)}
                                </label>
                            }
                        })
                        .collect_view();
                    view! {
                        <fieldset class="up-fieldset up-inline">
                            <legend>"Sub-accounts (none chosen: this organization)"</legend>
                            {boxes}
                        </fieldset>
                    }
                    .into_any()
                }
                Ok(_) => ().into_any(),
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            }
        })
    };

    let rows = move || {
        let download = download.clone();
        reports.with(|list| {
            list.iter()
                .cloned()
                .map(|r| {
                    let download = download.clone();
                    let status = match r.status {
                        ReportStatus::InProgress => "In progress".to_owned(),
                        ReportStatus::Completed if r.truncated == Some(true) => "Completed (truncated at 1,000,000 records)".to_owned(),
                        ReportStatus::Completed => "Completed".to_owned(),
                        ReportStatus::Failed => format!("Failed: {}", r.error.clone().unwrap_or_default()),
                    };
                    let params = r.parameters.query.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
                    let subs = r.parameters.sub_accounts.clone().map(|s| format!(" · sub-accounts: {}", s.join(", "))).unwrap_or_default();
                    let can_download = r.status == ReportStatus::Completed;
                    let label = format!("Download {}", r.id);
                    view! {
                        <tr>
                            <th scope="row">{r.id.clone()}</th>
                            <td>{format::bucket(r.created, usage_api::usage::DetailLevel::Hour)}</td>
                            <td class="up-report-status" data-status=r.status.as_str()>{status}</td>
                            <td class="num">{r.row_count.map(format::count).unwrap_or_default()}</td>
                            <td class="num">{r.byte_size.map(bytes).unwrap_or_default()}</td>
                            <td class="up-params">{params}{subs}</td>
                            <td>
                                <button type="button" class="up-button up-button-subtle" aria-label=label
                                    disabled=move || !can_download || active.with(|a| a.is_some())
                                    on:click=move |_| download(r.clone())>"Download"</button>
                            </td>
                        </tr>
                    }
                    .into_any()
                })
                .collect_view()
        })
    };

    view! {
        <section class="up-page" aria-labelledby="reports-title">
            <h1 id="reports-title">"Reports"</h1>
            <p class="up-help">"Large exports are generated in the background; follow them here and save them straight to disk."</p>
            <Transition fallback=|| view! { <p class="up-status" role="status">"Loading accounts…"</p> }>{sub_picker}</Transition>
            <FilterBar query=form_query today on_apply=on_create kind=QueryKind::Report submit_label="Create report" auto_apply=false />
            {move || create_error.get().map(|e| view! { <ErrorView error=e /> })}
            <h2>"Your reports"</h2>
            {move || active.get().map(|a| {
                let p = a.progress;
                let text = match p {
                    Some(p) => format!(
                        "{}: {}{}{} · {}/s",
                        a.id,
                        bytes(p.bytes),
                        p.total.map(|t| format!(" of {}", bytes(t))).unwrap_or_default(),
                        p.percent().map(|x| format!(" ({}%)", x.round() as u64)).unwrap_or_default(),
                        bytes(p.rate() as u64)
                    ),
                    None => format!("{}: starting…", a.id),
                };
                // Whole percents: an f64 attribute would link float formatting into the wasm.
                let percent = p.and_then(|p| p.percent()).map_or(0, |x| x.round() as u32);
                view! {
                    <div class="up-download-progress" role="status">
                        <progress max="100" value=percent aria-label="Download progress"></progress>
                        <span>{text}</span>
                        <button type="button" class="up-button up-button-subtle" on:click=move |_| controller.with_value(|c| if let Some(c) = c { c.abort() })>"Cancel download"</button>
                    </div>
                }
            })}
            {move || notice.get().map(|n| view! { <p class="up-notice" role="status">{n}</p> })}
            {move || download_error.get().map(|e| view! { <ErrorView error=e /> })}
            {move || list_error.get().map(|e| view! { <ErrorView error=e /> })}
            {move || {
                if !loaded.get() {
                    return view! { <p class="up-status" role="status">"Loading reports…"</p> }.into_any();
                }
                if reports.with(|r| r.is_empty()) {
                    // A list that failed to load is not an empty one: the error above says so.
                    if list_error.with(Option::is_some) {
                        return ().into_any();
                    }
                    return view! { <p class="up-empty" role="status">"No reports yet. Create one above."</p> }.into_any();
                }
                view! {
                    <div class="up-table-wrap" tabindex="0" role="region" aria-label="Reports">
                        <table class="up-table up-reports">
                            <caption class="up-visually-hidden">"Reports, newest first"</caption>
                            <thead><tr>
                                <th scope="col">"Report"</th>
                                <th scope="col">"Requested (UTC)"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Records"</th>
                                <th scope="col" class="num">"Size"</th>
                                <th scope="col">"Parameters"</th>
                                <th scope="col">"File"</th>
                            </tr></thead>
                            <tbody>{rows()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// The default range always validates; this only keeps the code free of a panic path.
fn unreachable_query(start: usage_api::Timestamp, end: usage_api::Timestamp) -> UsageQuery {
    UsageQuery {
        start,
        end,
        filters: Default::default(),
        detail: Default::default(),
        group_by: QueryKind::Report.default_group_by(),
        fields: None,
        limit: usage_api::limits::PAGE_LIMIT_DEFAULT,
        offset: 0,
    }
}
