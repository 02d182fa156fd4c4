//! The table of a realm's budgets: each with what it counts, its use, threshold, progress,
//! forecast and state in words, and its edit and delete buttons.

use crate::components::budget_bar::{BudgetBar, BudgetStateBadge};
use crate::format;
use leptos::prelude::*;
use usage_api::budgets::{Budget, amount_text};
use usage_portal_core::budgets::highest_crossed;

/// `used` or `threshold` of `b` for people: a quantity in its unit, or an amount.
fn figure(b: &Budget, exact: &str) -> String {
    match &b.currency {
        Some(c) => match usage_api::Quantity::parse(exact) {
            Ok(q) => format::money(&amount_text(q, c), c),
            Err(_) => format::money(exact, c),
        },
        None => format!(
            "{} {}",
            format::quantity_text(exact),
            b.value_driver.clone().unwrap_or_default()
        ),
    }
}

/// The budgets of this month, one row each, keyed by id and last change.
#[component]
pub fn BudgetTable(
    /// The budgets.
    budgets: Vec<Budget>,
    /// Called with the budget whose "Edit" was pressed.
    on_edit: Callback<Budget>,
    /// Called with the budget whose "Delete" was pressed.
    on_delete: Callback<Budget>,
    /// True while a deletion is under way: the delete buttons wait.
    #[prop(into)]
    deleting: Signal<bool>,
) -> impl IntoView {
    view! {
        <div class="up-table-wrap" tabindex="0" role="region" aria-label="Budgets">
            <table class="up-table up-budgets">
                <caption class="up-visually-hidden">"Budgets this month"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Budget"</th>
                        <th scope="col">"Counts"</th>
                        <th scope="col">"Used"</th>
                        <th scope="col">"Threshold"</th>
                        <th scope="col">"This month"</th>
                        <th scope="col">"Forecast"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || budgets.clone() key=|b| (b.id.clone(), b.updated, b.used.clone()) let:b>
                        {
                            // The currency in an element of its own: the words around it translate.
                            let counts = match (&b.billing_subscription_id, &b.currency) {
                                (Some(s), _) => format!("{s} ({})", b.value_driver.clone().unwrap_or_default()).into_any(),
                                (None, Some(c)) => view! { "Amounts in " <span translate="no">{c.clone()}</span> }.into_any(),
                                _ => ().into_any(),
                            };
                            let crossed = highest_crossed(&b).and_then(|l| {
                                b.crossed_at.get(&l.to_string()).map(|t| format!("{l} % reached {} UTC", format::time_utc(*t)))
                            });
                            let (edit_b, del_b) = (b.clone(), b.clone());
                            let (edit_label, del_label) = (format!("Edit the budget “{}”", b.name), format!("Delete the budget “{}”", b.name));
                            view! {
                                <tr class=format!("up-budget-row up-budget-row-{}", b.state.as_str()) data-budget-id=b.id.clone()>
                                    <th scope="row">{b.name.clone()}<br /><code class="up-budget-id">{b.id.clone()}</code></th>
                                    <td>{counts}</td>
                                    <td class="up-num up-budget-used">{figure(&b, &b.used)}</td>
                                    <td class="up-num up-budget-threshold">{figure(&b, &b.threshold)}</td>
                                    <td class="up-budget-cell"><BudgetBar budget=b.clone() /></td>
                                    <td class="up-num up-budget-forecast">{b.forecast.as_deref().map_or_else(|| "Not yet (after the month's first day)".to_owned(), |f| figure(&b, f))}</td>
                                    <td class="up-budget-state-cell"><BudgetStateBadge state=b.state />{crossed.map(|c| view! { <br /><span class="up-field-hint">{c}</span> })}</td>
                                    <td class="up-budget-actions">
                                        <button type="button" class="up-button up-button-subtle" aria-label=edit_label on:click=move |_| on_edit.run(edit_b.clone())>"Edit"</button>
                                        <button type="button" class="up-button up-button-subtle" aria-label=del_label disabled=move || deleting.get()
                                            on:click=move |_| on_delete.run(del_b.clone())>"Delete"</button>
                                    </td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </div>
    }
}
