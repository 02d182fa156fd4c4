//! The Billing page: what each account's usage costs per month.

use crate::api::ApiClient;
use crate::api::billing::monthly;
use crate::components::billing_tables::account_tables;
use crate::components::checkbox_list::{CheckboxList, options_of};
use crate::components::error_view::ErrorView;
use crate::components::pager::{PagerHrefs, PagerNav};
use crate::format;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};

pub use usage_portal_core::money::totals_by_currency;

/// The portal URL showing the API page behind `href` (a `_links` entry).
fn portal_href(href: &str) -> String {
    crate::config::href(&format!(
        "/billing?{}",
        href.split_once('?').map_or("", |(_, q)| q)
    ))
}

/// The Billing page.
#[component]
pub fn BillingPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let location = use_location();
    let navigate = use_navigate();
    let base = expect_context::<crate::config::BasePath>();
    let query = Memo::new(move |_| location.search.get().trim_start_matches('?').to_owned());
    let page = {
        let client = client.clone();
        LocalResource::new(move || {
            let (client, q) = (client.clone(), query.get());
            async move { monthly(&client, &q).await }
        })
    };
    let org = super::org_resource(client.clone());
    let params = move || -> Vec<(String, String)> {
        serde_urlencoded::from_str(&query.get()).unwrap_or_default()
    };
    let param = move |k: &str| {
        params()
            .into_iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v)
            .unwrap_or_default()
    };
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        from.set(param("from"));
        to.set(param("to"));
        chosen.set(
            param("accounts")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        );
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let accounts = chosen.get_untracked();
        if !accounts.is_empty() {
            pairs.push(("accounts", accounts.join(",")));
        }
        for (k, v) in [("from", from.get_untracked()), ("to", to.get_untracked())] {
            if !v.is_empty() {
                pairs.push((k, v));
            }
        }
        navigate(
            &base.href(&format!(
                "/billing?{}",
                serde_urlencoded::to_string(&pairs).unwrap_or_default()
            )),
            NavigateOptions {
                resolve: false,
                ..NavigateOptions::default()
            },
        );
    };
    let account_boxes = move || {
        Suspend::new(async move {
            match org.await {
                Ok(o) => {
                    let mut all = vec![(o.realm_id.clone(), o.name.clone())];
                    all.extend(o.sub_accounts.into_iter().map(|s| (s.realm_id, s.name)));
                    let options = all
                        .into_iter()
                        .map(|(id, name)| (id.clone(), format!("{name} ({id})")))
                        .collect();
                    view! { <CheckboxList legend="Accounts (none chosen: your organization)" options=options_of(options) chosen /> }.into_any()
                }
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            }
        })
    };
    view! {
        <section class="up-page" aria-labelledby="billing-title">
            <h1 id="billing-title">"Billing"</h1>
            <form class="up-filters" on:submit=on_submit aria-label="Billing filters">
                <Transition fallback=|| view! { <span class="up-status" role="status">"Loading accounts…"</span> }>{account_boxes}</Transition>
                <div class="up-row">
                    <div class="up-field">
                        <label for="b-from">"From month"</label>
                        <input id="b-from" type="month" prop:value=move || from.get() on:input=move |ev| from.set(event_target_value(&ev)) />
                    </div>
                    <div class="up-field">
                        <label for="b-to">"To month (included)"</label>
                        <input id="b-to" type="month" prop:value=move || to.get() on:input=move |ev| to.set(event_target_value(&ev)) />
                    </div>
                </div>
                <div class="up-actions"><button type="submit" class="up-button">"Show"</button></div>
            </form>
            <Transition fallback=|| view! { <p class="up-status" role="status">"Loading billing…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(e) => view! { <ErrorView error=e /> }.into_any(),
                        Ok(p) if p.embedded.usage.is_empty() => view! {
                            <p class="up-empty" role="status">"No billable usage for these accounts and months."</p>
                        }.into_any(),
                        Ok(p) => {
                            let links = p.links.clone();
                            view! {
                                {account_tables(&p)}
                                <PagerNav hrefs=PagerHrefs {
                                    first: (p.page > 1).then(|| portal_href(&links.first.href)),
                                    prev: links.prev.map(|l| portal_href(&l.href)),
                                    next: links.next.map(|l| portal_href(&l.href)),
                                    last: (p.page < p.total_pages).then(|| portal_href(&links.last.href)),
                                } status=format!("Page {} of {} · {} rows", p.page, p.total_pages, format::count(p.total)) />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
