//! The realm's reports, loaded once and kept up to date while any is in progress.

use crate::api::reports::{list_reports, report_status};
use crate::api::{ApiClient, ApiError};
use crate::host::{HostEvents, REPORT_READY};
use crate::js::object;
use crate::timer::use_sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use usage_api::reports::Report;
use usage_portal_core::polling::next_delay_ms;
use usage_portal_core::reports::{in_progress, newly_completed};
use wasm_bindgen::JsValue;

/// Options of [`use_report_polling_with_options`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPollingOptions {
    /// Load the list when the hook starts (default `true`); else only [`ReportPolling::reload`]
    /// loads it.
    pub immediate: bool,
    /// Tell the host page (the `usage-portal:report-ready` event) when a report the user is
    /// watching completes (default `true`).
    pub notify_host: bool,
}

impl Default for ReportPollingOptions {
    fn default() -> Self {
        Self {
            immediate: true,
            notify_host: true,
        }
    }
}

/// What [`use_report_polling`] returns.
#[derive(Clone, Copy)]
pub struct ReportPolling {
    /// The realm's reports, newest first, as last heard.
    pub reports: ReadSignal<Vec<Report>>,
    /// False until the first list arrived (or failed).
    pub loaded: Signal<bool>,
    /// Why the list could not be loaded or kept up to date (signed out stops polling).
    pub error: Signal<Option<ApiError>>,
    /// Loads the list again; `created` is a report just requested, so that one already done
    /// by the time the list shows it still counts as newly completed. Polls while any report
    /// is in progress.
    pub reload: Callback<Option<String>>,
}

/// The reports of `realm`, polled with the server's `Retry-After` (or a back-off with jitter
/// when it sends none or a poll fails) until none is in progress; polling stops when the
/// owner is disposed, at once.
pub fn use_report_polling(client: ApiClient, realm: String) -> ReportPolling {
    use_report_polling_with_options(client, realm, ReportPollingOptions::default())
}

/// [`use_report_polling`] with options.
pub fn use_report_polling_with_options(
    client: ApiClient,
    realm: String,
    options: ReportPollingOptions,
) -> ReportPolling {
    let (reports, set_reports) = signal(Vec::<Report>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    // Polling stops when the owner goes: the wait ends at once and the loop checks this flag.
    let alive = Arc::new(AtomicBool::new(true));
    let polling = Arc::new(AtomicBool::new(false));
    let sleep = use_sleep();
    let events = options
        .notify_host
        .then(use_context::<HostEvents>)
        .flatten();
    {
        let alive = alive.clone();
        on_cleanup(move || alive.store(false, Ordering::Relaxed));
    }
    let ready = move |events: Option<&HostEvents>, id: &str, realm: &str| {
        if let Some(events) = events {
            events.emit(
                REPORT_READY,
                &object(&[
                    ("reportId", JsValue::from_str(id)),
                    ("realmId", JsValue::from_str(realm)),
                ]),
            );
        }
    };
    let ensure_polling = {
        let (client, realm, events, alive) =
            (client.clone(), realm.clone(), events.clone(), alive.clone());
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
                    let pending = reports
                        .try_with_untracked(|r| in_progress(r))
                        .unwrap_or_default();
                    if !alive.load(Ordering::Relaxed) || pending.is_empty() {
                        break;
                    }
                    let mut retry = None;
                    for id in pending {
                        // A failed poll is retried, not shown: only the one shown is reported.
                        let answer = report_status(&client.unreported(), &realm, &id).await;
                        // The owner may have gone while the request was under way.
                        if !alive.load(Ordering::Relaxed) {
                            break 'poll;
                        }
                        match answer {
                            Ok((r, after)) => {
                                failures = 0;
                                retry = retry.min(after).or(after);
                                if reports
                                    .try_with_untracked(|old| newly_completed(old, &r, None))
                                    .unwrap_or(false)
                                {
                                    ready(events.as_ref(), &r.id, &realm);
                                }
                                set_reports.try_update(|list| {
                                    if let Some(x) = list.iter_mut().find(|x| x.id == r.id) {
                                        *x = r;
                                    }
                                });
                            }
                            // Signed out: said on the page (and to the host), and polling
                            // stops rather than asking for a token every few seconds.
                            Err(e) if e.is_signed_out() => {
                                client.report(&e);
                                error.try_set(Some(e));
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
    let reload = Callback::new(move |created: Option<String>| {
        let (client, realm, events, ensure_polling) = (
            client.clone(),
            realm.clone(),
            events.clone(),
            ensure_polling.clone(),
        );
        spawn_local(async move {
            match list_reports(&client, &realm).await {
                Ok(list) => {
                    // A small report may be done before the first poll, and others may have
                    // completed since the last one.
                    let done: Vec<String> = reports
                        .try_with_untracked(|old| {
                            list.items
                                .iter()
                                .filter(|r| {
                                    created.is_some() && newly_completed(old, r, created.as_deref())
                                })
                                .map(|r| r.id.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    for id in &done {
                        ready(events.as_ref(), id, &realm);
                    }
                    set_reports.try_set(list.items);
                    // An earlier failure to list is over once a list arrives.
                    error.try_set(None);
                    ensure_polling();
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
            loaded.try_set(true);
        });
    });
    if options.immediate {
        reload.run(None);
    }
    ReportPolling {
        reports,
        loaded: loaded.into(),
        error: error.into(),
        reload,
    }
}
