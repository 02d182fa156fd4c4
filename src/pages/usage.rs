//! The Usage page: a realm's usage records, paged, with the view state in the URL.

use crate::api::{ApiClient, usage::usage_page};
use crate::components::error_view::ErrorView;
use crate::components::pager::Pager;
use crate::components::usage_table::UsageTable;
use crate::config::Realm;
use crate::state::{query_from_url, query_string, today_utc};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use usage_api::usage::{QueryKind, UsageQuery};

/// Aborts the previous request when a new one starts, so a slow answer to an old query can
/// never replace a newer one (and the network is not kept busy with it).
#[derive(Default)]
struct Inflight(Option<web_sys::AbortController>);

impl Inflight {
    fn next(&mut self) -> Option<web_sys::AbortSignal> {
        if let Some(old) = self.0.take() {
            old.abort();
        }
        let controller = web_sys::AbortController::new().ok()?;
        let signal = controller.signal();
        self.0 = Some(controller);
        Some(signal)
    }
}

/// The Usage page.
#[component]
pub fn UsagePage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let location = use_location();
    let today = today_utc();

    let parsed = Memo::new(move |_| {
        // The raw query, not a map, so that a repeated parameter is seen and reported.
        let pairs: Vec<(String, String)> = location
            .search
            .with(|s| serde_urlencoded::from_str(s.trim_start_matches('?')).unwrap_or_default());
        query_from_url(&pairs, today)
    });
    let query = Memo::new(move |_| parsed.with(|(q, _)| q.clone()));

    let inflight = StoredValue::new_local(Inflight::default());
    let page = {
        let realm = realm.clone();
        LocalResource::new(move || {
            let q = query.get();
            let signal = inflight.try_update_value(|i| i.next()).flatten();
            let (client, realm) = (client.clone(), realm.clone());
            async move { usage_page(&client, &realm, &q, signal.as_ref()).await }
        })
    };
    on_cleanup(move || {
        inflight.try_update_value(|i| {
            if let Some(c) = i.0.take() {
                c.abort();
            }
        });
    });

    let href = Callback::new(move |n: u32| {
        let mut q: UsageQuery = query.get_untracked();
        q.offset = n;
        format!(
            "{}{}",
            location.pathname.get_untracked(),
            query_string(&q.to_pairs(QueryKind::Page))
        )
    });

    let url_notice = move || {
        parsed.with(|(_, errors)| {
            (!errors.is_empty()).then(|| {
                let text = errors
                    .iter()
                    .map(|e| format!("{} {}", e.name, e.description))
                    .collect::<Vec<_>>()
                    .join("; ");
                view! { <p class="up-notice" role="status">"Some settings in the link were not valid and were reset: " {text} "."</p> }
            })
        })
    };

    view! {
        <section class="up-page" aria-labelledby="usage-title">
            <h1 id="usage-title">"Usage"</h1>
            <p class="up-range">
                {move || query.with(|q| format!("From {} to {} (UTC)", q.start, q.end))}
            </p>
            {url_notice}
            <Transition fallback=|| view! { <p class="up-status" role="status">"Loading usage…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) if e.is_aborted() => ().into_any(),
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <p class="up-empty" role="status">
                                {if p.total == 0 { "No usage in this range. Try a wider date range or fewer filters." } else { "This page is past the last page of results." }}
                            </p>
                            <Show when=move || { p.total > 0 }>
                                <Pager offset=p.offset last_offset=p.last_offset total=p.total href />
                            </Show>
                        }.into_any(),
                        Ok(p) => {
                            let columns = query.with_untracked(|q| q.columns());
                            view! {
                                <UsageTable columns items=p.items caption="Usage records" />
                                <Pager offset=p.offset last_offset=p.last_offset total=p.total href />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
