//! Saving a completed report to disk: straight to a file the user chooses where the browser can
//! stream, else through its downloads; with progress, cancel and a notice when done.

use crate::api::download::{Progress, Saved, choose_target, click_link, stream_to};
use crate::api::reports::download_url;
use crate::api::{ApiClient, ApiError};
use crate::format;
use leptos::prelude::*;
use leptos::task::spawn_local;
use usage_api::reports::Report;

/// A download under way.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActiveDownload {
    /// Bytes so far, the total when known, and the time taken; `None` until the first bytes.
    pub progress: Option<Progress>,
}

/// What [`use_report_download`] returns.
#[derive(Clone, Copy)]
pub struct ReportDownload {
    /// The report being saved and how far it is, while one is.
    pub active: Signal<Option<(String, ActiveDownload)>>,
    /// What the last download ended with, in words.
    pub notice: Signal<Option<String>>,
    /// Why the last download failed.
    pub error: Signal<Option<ApiError>>,
    /// Starts saving a report.
    pub start: Callback<Report>,
    /// Cancels the download under way (the partial file is removed).
    pub cancel: Callback<()>,
}

/// Downloads of `realm`'s reports through `client`; one at a time, cancelled when the owner
/// is disposed.
pub fn use_report_download(client: ApiClient, realm: String) -> ReportDownload {
    let active = RwSignal::new(None::<(String, ActiveDownload)>);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    // The abort controller cannot live in a signal: it is not `Send`.
    let controller = StoredValue::new_local(None::<web_sys::AbortController>);
    let abort = move || {
        controller.try_with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        });
    };
    let cancel = Callback::new(move |()| abort());
    on_cleanup(abort);
    let start = Callback::new(move |report: Report| {
        let (client, realm) = (client.clone(), realm.clone());
        notice.set(None);
        error.set(None);
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
                    active.set(Some((report.id.clone(), ActiveDownload { progress: None })));
                    let url = download_url(&client, &realm, &report.id);
                    let result = stream_to(&client, &url, target, &signal, |p| {
                        active.try_update(|a| {
                            if let Some((_, a)) = a {
                                a.progress = Some(p);
                            }
                        });
                    })
                    .await;
                    let last = active
                        .try_with_untracked(|a| a.as_ref().and_then(|(_, a)| a.progress))
                        .flatten();
                    active.try_set(None);
                    controller.try_set_value(None);
                    let how = last
                        .map(|p| {
                            format!(
                                " ({} in {} s, {}/s)",
                                format::bytes(p.bytes),
                                format::one_decimal(p.elapsed_ms / 1000.0),
                                format::bytes(p.rate() as u64)
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
                            // The client reported its own (HTTP, network); a file that could
                            // not be written is the portal's.
                            if e.kind == crate::api::ErrorKind::Local {
                                client.report(&e);
                            }
                            error.try_set(Some(e));
                        }
                    }
                }
                // No way to stream here: the signed link downloads without the token.
                Err(_) => match report.download_url {
                    Some(u) => click_link(&format!("{}{u}", client.base()), &name),
                    None => {
                        let e = ApiError::local(
                            "This browser cannot save the report.",
                            String::new(),
                            None,
                        );
                        client.report(&e);
                        error.try_set(Some(e));
                    }
                },
            }
        });
    });
    ReportDownload {
        active: active.into(),
        notice: notice.into(),
        error: error.into(),
        start,
        cancel,
    }
}
