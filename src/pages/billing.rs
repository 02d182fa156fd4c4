//! The Billing page: what each account's usage costs per month.

use crate::api::ApiClient;
use crate::api::billing::monthly;
use crate::components::error_view::ErrorView;
use crate::format;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use usage_api::billing::{MonthlyPage, MonthlyUsage};

pub use usage_portal_core::money::totals_by_currency;

/// The portal URL showing the API page behind `href` (a `_links` entry).
fn portal_href(href: &str) -> String {
    crate::config::href(&format!(
        "/billing?{}",
        href.split_once('?').map_or("", |(_, q)| q)
    ))
}

fn account_tables(page: &MonthlyPage) -> impl IntoView + use<> {
    let mut accounts: Vec<String> = page
        .embedded
        .usage
        .iter()
        .map(|u| u.account_id.clone())
        .collect();
    accounts.dedup();
    accounts
        .into_iter()
        .map(|account| {
            let items: Vec<&MonthlyUsage> = page.embedded.usage.iter().filter(|u| u.account_id == account).collect();
            let rows = items
                .iter()
                .map(|u| {
                    view! {
                        <tr>
                            <td>{u.month.clone()}</td>
                            <th scope="row">{u.description.clone()}</th>
                            <td>{u.product_id.clone()}</td>
                            <td class="num">{format::quantity_text(&u.number_of_units)} " " {u.unit.clone()}</td>
                            <td class="num">{u.price.clone()} " " {u.currency.clone()}</td>
                            <td class="num">{format::money(&u.total_amount, &u.currency)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let totals = match totals_by_currency(&items) {
                Ok(totals) => totals
                    .into_iter()
                    .map(|(currency, total)| {
                        view! {
                            <tr class="up-total-row">
                                <th scope="row" colspan="5">{format!("Total on this page in {currency}")}</th>
                                <td class="num">{format::money(&total.to_string(), &currency)}</td>
                            </tr>
                        }
                    })
                    .collect_view()
                    .into_any(),
                Err(e) => view! {
                    <tr class="up-total-row">
                        <th scope="row" colspan="5">"Total on this page"</th>
                        <td class="num">{format!("Not computed: {e}.")}</td>
                    </tr>
                }
                .into_any(),
            };
            view! {
                <div class="up-table-wrap" tabindex="0" role="region" aria-label=format!("Usage of {account}")>
                    <table class="up-table up-billing" data-account=account.clone()>
                        <caption>{format!("Account {account}")}</caption>
                        <thead><tr>
                            <th scope="col">"Month"</th>
                            <th scope="col">"Product"</th>
                            <th scope="col">"Product id"</th>
                            <th scope="col" class="num">"Units"</th>
                            <th scope="col" class="num">"Price"</th>
                            <th scope="col" class="num">"Amount"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                        <tfoot>{totals}</tfoot>
                    </table>
                </div>
            }
        })
        .collect_view()
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
                    all.into_iter()
                        .map(|(id, name)| {
                            let (a, b) = (id.clone(), id.clone());
                            view! {
                                <label class="up-toggle">
                                    <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&a))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            chosen.update(|c| { c.retain(|x| *x != b); if on { c.push(b.clone()); } });
                                        } />
                                    {format!("{name} ({id})")}
                                </label>
                            }
                        })
                        .collect_view()
                        .into_any()
                }
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            }
        })
    };
    let pager_link = |label: &'static str, rel: &'static str, href: Option<String>| match href {
        Some(h) => {
            view! { <A href=portal_href(&h) attr:rel=rel attr:class="up-pager-link">{label}</A> }
                .into_any()
        }
        None => {
            view! { <span class="up-pager-link" aria-disabled="true">{label}</span> }.into_any()
        }
    };
    view! {
        <section class="up-page" aria-labelledby="billing-title">
            <h1 id="billing-title">"Billing"</h1>
            <form class="up-filters" on:submit=on_submit aria-label="Billing filters">
                <fieldset class="up-fieldset up-inline">
                    <legend>"Accounts (none chosen: your organization)"</legend>
                    <Transition fallback=|| view! { <span class="up-status" role="status">"Loading accounts…"</span> }>{account_boxes}</Transition>
                </fieldset>
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
                                <nav class="up-pager" aria-label="Pages">
                                    {pager_link("« First", "first", (p.page > 1).then(|| links.first.href.clone()))}
                                    {pager_link("‹ Previous", "prev", links.prev.map(|l| l.href))}
                                    <span class="up-pager-status">{format!("Page {} of {} · {} rows", p.page, p.total_pages, format::count(p.total))}</span>
                                    {pager_link("Next ›", "next", links.next.map(|l| l.href))}
                                    {pager_link("Last »", "last", (p.page < p.total_pages).then(|| links.last.href.clone()))}
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
