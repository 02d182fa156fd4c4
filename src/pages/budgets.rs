//! The Budgets page (contract section 10): the realm's budgets for this month, each with its
//! progress, forecast and alert levels and its state in words; a form creates or edits one
//! (checked at the field by the contract crate's rules), and each can be deleted.

use crate::api::budgets::{delete_budget, list_budgets, put_budget};
use crate::api::subscriptions::all_subscriptions;
use crate::api::{ApiClient, ApiError};
use crate::components::budget_form::BudgetForm;
use crate::components::budget_table::BudgetTable;
use crate::components::error_view::ErrorView;
use crate::config::Realm;
use crate::format;
use leptos::prelude::*;
use usage_api::FieldError;
use usage_api::budgets::{Budget, BudgetInput};
use usage_portal_core::budgets::{BudgetDraft, default_levels_text, id_in_use};

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
    let on_edit = Callback::new(move |b: Budget| {
        draft.set(BudgetDraft::from_budget(&b));
        editing.set(Some(b.id));
        errors.set(Vec::new());
        status.set(String::new());
        if let Some(input) = name_ref.get() {
            let _ = input.focus();
        }
    });

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
                    <BudgetTable budgets=items on_edit on_delete=Callback::new(move |b| { remove.dispatch(b); }) deleting=remove.pending() />
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
            <BudgetForm draft editing errors subscriptions=subscription_list saving=save.pending() name_ref
                on_submit=Callback::new(on_submit) on_cancel=Callback::new(move |()| reset()) />
        </section>
    }
}
