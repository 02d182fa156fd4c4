//! The Billing page's tables: one per account, its months' charges and totals per currency.

use crate::format;
use leptos::prelude::*;
use usage_api::billing::{MonthlyPage, MonthlyUsage};
use usage_portal_core::money::totals_by_currency;

/// A table per account of `page`, in the order the accounts first appear.
pub fn account_tables(page: &MonthlyPage) -> impl IntoView + use<> {
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
                                <th scope="row" colspan="5">"Total on this page in " <span translate="no">{currency.clone()}</span></th>
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
                <div class="up-table-wrap" tabindex="0" role="region" aria-label=format!("Usage of “{account}”")>
                    <table class="up-table up-billing" data-account=account.clone()>
                        <caption>"Account " <span translate="no">{account.clone()}</span></caption>
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
