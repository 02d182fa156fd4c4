//! The realm's subscriptions to pick from (Record usage, Budgets): an `<input list>` with a
//! `<datalist>`, so typing any part of a charge item, unit or id narrows the choice by keyboard,
//! and an id can still be typed whole.

use crate::api::ApiError;
use crate::components::error_view::ErrorView;
use crate::components::field::error_id;
use crate::format;
use leptos::prelude::*;
use usage_api::subscriptions::SubscriptionItem;
use usage_portal_core::record::{Headroom, picked, subscription_label};

/// The realm's subscriptions as loaded: none while loading.
pub type Subscriptions = Signal<Option<Result<Vec<SubscriptionItem>, ApiError>>>;

/// A labelled subscription field with its list, its error, and a line naming the picked
/// subscription's charge item and unit.
#[component]
pub fn SubscriptionPicker(
    /// The input's element id; its list is `<id>-list`, its error `<id>-error` and the line
    /// about the picked subscription `<id>-picked`.
    #[prop(into)]
    id: String,
    /// The label's words.
    #[prop(into)]
    label: String,
    /// The id typed or picked.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the input's text at each change.
    on_input: Callback<String>,
    /// The realm's subscriptions.
    subscriptions: Subscriptions,
    /// The error to show, empty for none.
    #[prop(into, optional)]
    error: Signal<String>,
) -> impl IntoView {
    let (list_id, err_id, picked_id) =
        (format!("{id}-list"), error_id(&id), format!("{id}-picked"));
    let options = move || {
        subscriptions.with(|s| match s {
            Some(Ok(items)) => items
                .iter()
                .map(|i| {
                    view! { <option value=i.billing_subscription_id.clone()>{subscription_label(i)}</option> }
                })
                .collect_view()
                .into_any(),
            _ => ().into_any(),
        })
    };
    let picked_line = move || {
        let typed = value.get();
        subscriptions.with(|s| match s {
            None => "Loading the subscriptions…".to_owned(),
            Some(Err(_)) => String::new(),
            Some(Ok(items)) => match picked(items, &typed) {
                Some(i) => format!("{}, in {} ({})", i.name, i.value_driver, i.category),
                None if typed.trim().is_empty() => format!(
                    "{} subscriptions: type part of a charge item, unit or id to find one.",
                    items.len()
                ),
                None => "No subscription of this realm has this id.".to_owned(),
            },
        })
    };
    let load_error = move || {
        subscriptions.with(|s| match s {
            Some(Err(e)) => Some(view! {
                <p class="up-field-hint">"The list of subscriptions could not be loaded; an id can still be typed."</p>
                <ErrorView error=e.clone() />
            }),
            _ => None,
        })
    };
    let describedby = format!("{err_id} {picked_id}");
    view! {
        <div class="up-field up-subscription-picker">
            <label for=id.clone()>{label}</label>
            <input id=id.clone() type="text" list=list_id.clone() autocomplete="off" spellcheck="false"
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
                aria-invalid=move || (!error.get().is_empty()).to_string()
                aria-describedby=describedby />
            <datalist id=list_id>{options}</datalist>
            <span class="up-field-hint" id=picked_id aria-live="polite">{picked_line}</span>
            <span class="up-field-error" id=err_id role="alert">{move || error.get()}</span>
            {load_error}
        </div>
    }
}

/// What the picked subscription leaves under its monthly limit this month, and, for a quantity
/// over it, what "accept what fits" would record.
#[component]
pub fn HeadroomNote(
    /// Where the quantity typed stands; none when no subscription is picked.
    #[prop(into)]
    headroom: Signal<Option<(Headroom, String)>>,
    /// Whether "accept what fits" is chosen.
    #[prop(into)]
    accept_partial: Signal<bool>,
) -> impl IntoView {
    move || {
        headroom.get().map(|(h, unit)| {
            let q = |q| format!("{} {unit}", format::quantity(q));
            match h {
                Headroom::NoLimit { used } => view! {
                    <p class="up-headroom" id="r-headroom" role="status">
                        "No monthly limit. Used this month (UTC): " {q(used)} "."
                    </p>
                }
                .into_any(),
                Headroom::Within { limit, used, remaining } => view! {
                    <p class="up-headroom" id="r-headroom" role="status">
                        "Remaining this month (UTC): " <strong class="up-remaining">{q(remaining)}</strong>
                        " of the monthly limit of " {q(limit)} " (" {q(used)} " used)."
                    </p>
                }
                .into_any(),
                Headroom::Over { limit, remaining, requested, fits } => {
                    let partial = accept_partial.get();
                    view! {
                        <div class="up-headroom up-headroom-over" id="r-headroom" role="status">
                            <p>
                                <strong>"Over the monthly limit: "</strong> {q(requested)} " is more than the "
                                <strong class="up-remaining">{q(remaining)}</strong> " that remains of " {q(limit)} " this month (UTC)."
                            </p>
                            <p>
                                {if partial { "With “Accept what fits”, this records " } else { "“Accept what fits” would record " }}
                                <strong class="up-fits">{q(fits)}</strong>
                                {if partial { "." } else { "; without it the service refuses the whole quantity." }}
                            </p>
                        </div>
                    }
                    .into_any()
                }
            }
        })
    }
}
