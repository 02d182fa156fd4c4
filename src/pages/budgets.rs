//! The Budgets page (contract section 10): the realm's budgets for this month, each with its
//! progress, forecast and alert levels and its state in words; a form creates or edits one
//! (checked at the field by the contract crate's rules), and each can be deleted.

use crate::api::budgets::{delete_budget, list_budgets, put_budget};
use crate::api::subscriptions::all_subscriptions;
use crate::api::{ApiClient, ApiError};
use crate::components::budget_bar::{BudgetBar, BudgetStateBadge};
use crate::components::error_view::ErrorView;
use crate::components::field::{Field, error_id};
use crate::components::subscription_picker::SubscriptionPicker;
use crate::config::Realm;
use crate::format;
use leptos::prelude::*;
use usage_api::FieldError;
use usage_api::budgets::{Budget, BudgetInput, amount_text};
use usage_portal_core::budgets::{
    BudgetDraft, BudgetKind, default_levels_text, highest_crossed, id_in_use,
};
use usage_portal_core::record::{errors_of, picked};

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

/// The Budgets page.
#[component]
pub fn BudgetsPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let budgets = {
        let (client, realm) = (client.clone(), realm.clone());
        LocalResource::new(move || {
            let (client, realm) = (client.clone(), realm.clone());
            async move { list_budgets(&client, &realm).await }
        })
    };
    let subscriptions = {
        let (client, realm) = (client.clone(), realm.clone());
        LocalResource::new(move || {
            let (client, realm) = (client.clone(), realm.clone());
            async move { all_subscriptions(&client, &realm).await }
        })
    };
    let subscription_list = Signal::derive(move || subscriptions.get());

    let draft = RwSignal::new(BudgetDraft {
        alert_at: default_levels_text(),
        ..BudgetDraft::default()
    });
    // The id of the budget being edited; none while creating one.
    let editing = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let status = RwSignal::new(String::new());
    let name_ref = NodeRef::<leptos::html::Input>::new();
    let reset = move || {
        draft.set(BudgetDraft {
            alert_at: default_levels_text(),
            ..BudgetDraft::default()
        });
        editing.set(None);
        errors.set(Vec::new());
    };

    let save = {
        let (client, realm) = (client.clone(), realm.clone());
        Action::new_local(move |(id, input): &(String, BudgetInput)| {
            let (client, realm, id, input) =
                (client.clone(), realm.clone(), id.clone(), input.clone());
            async move { put_budget(&client, &realm, &id, &input).await }
        })
    };
    let remove = {
        let (client, realm) = (client.clone(), realm.clone());
        Action::new_local(move |b: &Budget| {
            let (client, realm, b) = (client.clone(), realm.clone(), b.clone());
            async move { delete_budget(&client, &realm, &b.id).await.map(|()| b) }
        })
    };
    Effect::new(move |_| match save.value().get() {
        Some(Ok((b, created))) => {
            status.set(if created {
                format!("Created the budget “{}”.", b.name)
            } else {
                format!("Saved the budget “{}”.", b.name)
            });
            reset();
            budgets.refetch();
        }
        Some(Err(e)) => {
            status.set(String::new());
            errors.set(e.fields);
        }
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(b)) => {
            status.set(format!("Deleted the budget “{}”.", b.name));
            if editing.get_untracked().as_deref() == Some(b.id.as_str()) {
                reset();
            }
            budgets.refetch();
        }
        Some(Err(_)) => status.set(String::new()),
        None => {}
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        let d = draft.get_untracked();
        let mut checked = d.to_input();
        // A new budget must not take an existing one's id (a PUT would replace it).
        if editing.get_untracked().is_none() {
            let taken = budgets.with_untracked(|b| match b {
                Some(Ok(list)) => id_in_use(&list.items, &d.budget_id()),
                _ => None,
            });
            if let Some(e) = taken {
                checked = match checked {
                    Ok(_) => Err(vec![e]),
                    Err(mut all) => {
                        all.retain(|f| f.name != "budgetId");
                        all.insert(0, e);
                        Err(all)
                    }
                };
            }
        }
        match checked {
            Err(e) => {
                errors.set(e);
                status.set(String::new());
            }
            Ok(body) => {
                errors.set(Vec::new());
                save.dispatch(body);
            }
        }
    };
    let error_of =
        move |name: &'static str| Signal::derive(move || errors.with(|e| errors_of(e, name)));
    let invalid = move |name: &'static str| {
        move || errors.with(|e| !errors_of(e, name).is_empty()).to_string()
    };
    let set = move |f: fn(&mut BudgetDraft, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| f(d, v));
        }
    };
    let kind = Signal::derive(move || draft.with(|d| d.kind));
    let threshold_hint = Signal::derive(move || {
        let d = draft.get();
        Some(match d.kind {
            BudgetKind::Quantity => subscriptions.with(|s| match s {
                Some(Ok(items)) => picked(items, &d.subscription).map_or_else(
                    || "A quantity in the subscription's unit.".to_owned(),
                    |i| format!("In “{}”, for the calendar month (UTC).", i.value_driver),
                ),
                _ => "A quantity in the subscription's unit.".to_owned(),
            }),
            BudgetKind::Amount if !d.currency.trim().is_empty() => format!(
                "An amount in “{}”, with at most {} decimals, for the calendar month (UTC).",
                d.currency.trim(),
                usage_api::billing::minor_units(d.currency.trim())
            ),
            BudgetKind::Amount => "An amount in the currency chosen.".to_owned(),
        })
    });
    let currencies = move || {
        subscriptions.with(|s| {
            let mut c: Vec<String> = match s {
                Some(Ok(items)) => items.iter().map(|i| i.currency.clone()).collect(),
                _ => Vec::new(),
            };
            c.sort();
            c.dedup();
            c.into_iter()
                .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                .collect_view()
        })
    };
    let on_edit = move |b: Budget| {
        draft.set(BudgetDraft::from_budget(&b));
        editing.set(Some(b.id));
        errors.set(Vec::new());
        status.set(String::new());
        if let Some(input) = name_ref.get() {
            let _ = input.focus();
        }
    };

    let list = move || {
        budgets.with(|b| match b {
            None => view! { <p class="up-status" role="status">"Loading the budgets…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
            Some(Ok(list)) if list.items.is_empty() => view! {
                <p class="up-empty" role="status">"No budgets yet. Create one below."</p>
            }
            .into_any(),
            Some(Ok(list)) => {
                let items = list.items.clone();
                let as_of = list.as_of;
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
                                <For each=move || items.clone() key=|b| (b.id.clone(), b.updated, b.used.clone()) let:b>
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
                                                    <button type="button" class="up-button up-button-subtle" aria-label=edit_label on:click=move |_| on_edit(edit_b.clone())>"Edit"</button>
                                                    <button type="button" class="up-button up-button-subtle" aria-label=del_label disabled=move || remove.pending().get()
                                                        on:click=move |_| { remove.dispatch(del_b.clone()); }>"Delete"</button>
                                                </td>
                                            </tr>
                                        }
                                    }
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <p class="up-asof">"Figures of this month (UTC) as of " {format::time_utc(as_of)} " UTC."</p>
                }
                .into_any()
            }
        })
    };
    let other_error = move || {
        let save_err = save.value().with(|v| match v {
            Some(Err(e)) if e.fields.is_empty() => Some(e.clone()),
            _ => None,
        });
        let remove_err: Option<ApiError> = remove.value().with(|v| match v {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        });
        save_err
            .or(remove_err)
            .map(|e| view! { <ErrorView error=e /> })
    };

    view! {
        <section class="up-page" aria-labelledby="budgets-title">
            <h1 id="budgets-title">"Budgets"</h1>
            <p class="up-field-hint">"Each budget counts the calendar month in UTC: a subscription's usage in its unit, or the amounts of every subscription in one currency."</p>
            {list}
            <p class="up-status" role="status">{move || status.get()}</p>
            {other_error}
            <h2 id="budget-form-title">
                {move || match editing.get() {
                    Some(id) => format!("Edit the budget {id}"),
                    None => "Create a budget".to_owned(),
                }}
            </h2>
            <form class="up-filters up-budget-form" on:submit=on_submit aria-labelledby="budget-form-title" novalidate>
                <div class="up-row">
                    <Field id="b-name" label="Name" error=error_of("name")>
                        <input id="b-name" type="text" autocomplete="off" maxlength="100" node_ref=name_ref
                            prop:value=move || draft.with(|d| d.name.clone()) on:input=set(|d, v| d.name = v)
                            aria-invalid=invalid("name") aria-describedby=error_id("b-name") />
                    </Field>
                    <Field id="b-id" label="Budget id" error=error_of("budgetId")
                        hint=Signal::derive(move || Some(if editing.get().is_some() { "The id of the budget being edited.".to_owned() } else { "Letters, digits, _ or -; left empty, it is made from the name.".to_owned() }))>
                        <input id="b-id" type="text" autocomplete="off" maxlength="64" spellcheck="false"
                            prop:value=move || draft.with(|d| d.id.clone()) on:input=set(|d, v| d.id = v)
                            readonly=move || editing.get().is_some()
                            aria-invalid=invalid("budgetId") aria-describedby=error_id("b-id") />
                    </Field>
                </div>
                <fieldset class="up-fieldset">
                    <legend>"What it counts"</legend>
                    <label class="up-toggle">
                        <input type="radio" name="b-kind" id="b-kind-quantity" prop:checked=move || kind.get() == BudgetKind::Quantity
                            on:change=move |_| draft.update(|d| d.kind = BudgetKind::Quantity) />
                        " One subscription's usage (a quantity)"
                    </label>
                    <label class="up-toggle">
                        <input type="radio" name="b-kind" id="b-kind-amount" prop:checked=move || kind.get() == BudgetKind::Amount
                            on:change=move |_| draft.update(|d| d.kind = BudgetKind::Amount) />
                        " The amounts of every subscription in one currency"
                    </label>
                    <div class="up-row">
                        {move || match kind.get() {
                            BudgetKind::Quantity => view! {
                                <SubscriptionPicker id="b-billingSubscriptionId" label="Subscription" error=error_of("billingSubscriptionId")
                                    value=Signal::derive(move || draft.with(|d| d.subscription.clone()))
                                    on_input=Callback::new(move |v: String| draft.update(|d| d.subscription = v))
                                    subscriptions=subscription_list />
                            }
                            .into_any(),
                            BudgetKind::Amount => view! {
                                <Field id="b-currency" label="Currency (ISO 4217, such as EUR)" error=error_of("currency")>
                                    <input id="b-currency" type="text" list="b-currency-list" autocomplete="off" maxlength="3" spellcheck="false"
                                        prop:value=move || draft.with(|d| d.currency.clone()) on:input=set(|d, v| d.currency = v)
                                        aria-invalid=invalid("currency") aria-describedby=error_id("b-currency") />
                                    <datalist id="b-currency-list">{currencies}</datalist>
                                </Field>
                            }
                            .into_any(),
                        }}
                    </div>
                </fieldset>
                <div class="up-row">
                    <Field id="b-threshold" label="Threshold" error=error_of("threshold") hint=threshold_hint>
                        <input id="b-threshold" type="text" inputmode="decimal" autocomplete="off"
                            prop:value=move || draft.with(|d| d.threshold.clone()) on:input=set(|d, v| d.threshold = v)
                            aria-invalid=invalid("threshold") aria-describedby=error_id("b-threshold") />
                    </Field>
                    <Field id="b-alertAt" label="Alert levels (% of the threshold)" error=error_of("alertAt")
                        hint="Whole percents from 1 to 1000, at most 5, separated by commas.".to_owned()>
                        <input id="b-alertAt" type="text" autocomplete="off"
                            prop:value=move || draft.with(|d| d.alert_at.clone()) on:input=set(|d, v| d.alert_at = v)
                            aria-invalid=invalid("alertAt") aria-describedby=error_id("b-alertAt") />
                    </Field>
                </div>
                <div class="up-actions">
                    <button type="submit" class="up-button" disabled=move || save.pending().get()>
                        {move || match (save.pending().get(), editing.get().is_some()) {
                            (true, _) => "Saving…",
                            (false, true) => "Save changes",
                            (false, false) => "Create budget",
                        }}
                    </button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" class="up-button up-button-subtle" on:click=move |_| reset()>"Cancel editing"</button>
                    })}
                </div>
            </form>
        </section>
    }
}
