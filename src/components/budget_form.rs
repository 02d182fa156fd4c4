//! The form that creates or edits a budget: name and id, what it counts (one subscription's
//! quantity or every amount in a currency), threshold and alert levels, each error at its field.

use crate::components::field::{Field, error_id};
use crate::components::subscription_picker::{SubscriptionPicker, Subscriptions};
use leptos::prelude::*;
use usage_api::FieldError;
use usage_portal_core::budgets::{BudgetDraft, BudgetKind};
use usage_portal_core::record::{errors_of, picked};

/// The budget form; the page checks and sends what it holds.
#[component]
pub fn BudgetForm(
    /// What the form holds.
    draft: RwSignal<BudgetDraft>,
    /// The id of the budget being edited; none while creating one.
    editing: RwSignal<Option<String>>,
    /// The problems to show at their fields.
    errors: RwSignal<Vec<FieldError>>,
    /// The realm's subscriptions, for the picker, the threshold's unit and the currencies.
    subscriptions: Subscriptions,
    /// True while the budget is being saved.
    #[prop(into)]
    saving: Signal<bool>,
    /// The name field, focused when a budget is opened for editing.
    name_ref: NodeRef<leptos::html::Input>,
    /// Called when the form is sent.
    on_submit: Callback<leptos::ev::SubmitEvent>,
    /// Called by "Cancel editing".
    on_cancel: Callback<()>,
) -> impl IntoView {
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
    view! {
    <form class="up-filters up-budget-form" on:submit=move |ev| on_submit.run(ev) aria-labelledby="budget-form-title" novalidate>
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
                            subscriptions />
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
            <button type="submit" class="up-button" disabled=move || saving.get()>
                {move || match (saving.get(), editing.get().is_some()) {
                    (true, _) => "Saving…",
                    (false, true) => "Save changes",
                    (false, false) => "Create budget",
                }}
            </button>
            {move || editing.get().is_some().then(|| view! {
                <button type="button" class="up-button up-button-subtle" on:click=move |_| on_cancel.run(())>"Cancel editing"</button>
            })}
        </div>
    </form>
    }
}
