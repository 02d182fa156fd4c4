//! The Record usage page: an admin records usage against a subscription.
//!
//! Each submission carries an `id` made when the form is filled in and kept until the server
//! has answered, so a double click or a retry after a network error records the usage once.

use crate::api::billing::record_usage;
use crate::api::subscriptions::all_subscriptions;
use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use crate::components::field::{Field, error_id};
use crate::components::record_result::RecordResult;
use crate::components::subscription_picker::{HeadroomNote, SubscriptionPicker};
use crate::config::Realm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use usage_api::usage::Channel;
use usage_api::usages::{NewUsage, UsageRecord};
use usage_portal_core::record::{errors_of, headroom, picked, quantity_error_text};

fn new_submission_id() -> String {
    let mut s = String::from("portal-");
    for _ in 0..3 {
        s.push_str(&format!(
            "{:08x}",
            (js_sys::Math::random() * 4_294_967_296.0) as u32
        ));
    }
    s
}

/// The Record usage page.
#[component]
pub fn RecordPage() -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let form = RwSignal::new(NewUsage::default());
    let submission_id = RwSignal::new(new_submission_id());
    let errors = RwSignal::new(Vec::<usage_api::FieldError>::new());
    let pending = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<UsageRecord, ApiError>>);

    // The realm's subscriptions to pick from, with what remains under their limits; read
    // again after each recording.
    let subscriptions = {
        let client = client.clone();
        LocalResource::new(move || {
            let (client, realm) = (client.clone(), realm.clone());
            async move { all_subscriptions(&client, &realm).await }
        })
    };
    let subscription_list = Signal::derive(move || subscriptions.get());
    let headroom_now = Signal::derive(move || {
        let (id, quantity) = form.with(|f| {
            (
                f.subscription_id.clone().unwrap_or_default(),
                f.quantity.clone().unwrap_or_default(),
            )
        });
        subscriptions.with(|s| match s {
            Some(Ok(items)) => {
                picked(items, &id).map(|i| (headroom(i, &quantity), i.value_driver.clone()))
            }
            _ => None,
        })
    });
    let accept_partial = Signal::derive(move || form.with(|f| f.accept_partial_quantity));
    let on_subscription = Callback::new(move |v: String| {
        form.update(|f| f.subscription_id = Some(v).filter(|v| !v.is_empty()));
        submission_id.set(new_submission_id());
        result.set(None);
    });

    let edit = move |f: fn(&mut NewUsage, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            form.update(|d| f(d, v));
            // A changed form is a new submission.
            submission_id.set(new_submission_id());
            result.set(None);
        }
    };
    let quantity_error = Signal::derive(move || {
        let q = form.with(|f| f.quantity.clone()).unwrap_or_default();
        errors.with(|e| quantity_error_text(&q, e))
    });
    let error_of =
        move |name: &'static str| Signal::derive(move || errors.with(|e| errors_of(e, name)));

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let mut input = form.get_untracked();
        input.id = Some(submission_id.get_untracked());
        // The form's time is a UTC wall-clock time without seconds.
        if let Some(t) = input.usage_time.as_mut().filter(|t| t.len() == 16) {
            t.push_str(":00");
        }
        match input.validate() {
            Err(e) => errors.set(e),
            Ok(_) => {
                errors.set(Vec::new());
                pending.set(true);
                let client = client.clone();
                let body = input.trimmed();
                spawn_local(async move {
                    let r = record_usage(&client, &body).await;
                    if r.is_ok() {
                        submission_id.try_set(new_submission_id());
                        subscriptions.refetch();
                    } else if let Err(e) = &r {
                        errors.try_set(e.fields.clone());
                    }
                    result.try_set(Some(r));
                    pending.try_set(false);
                });
            }
        }
    };

    let field = move |id: &'static str,
                      label: &'static str,
                      get: fn(&NewUsage) -> Option<String>,
                      set: fn(&mut NewUsage, String)| {
        let (error, html_id) = (error_of(id), format!("r-{id}"));
        view! {
            <Field id=html_id.clone() label error>
                <input id=html_id.clone() type="text" prop:value=move || form.with(|f| get(f).unwrap_or_default()) on:input=edit(set)
                    aria-invalid=move || (!error.get().is_empty()).to_string() aria-describedby=error_id(&html_id) />
            </Field>
        }
    };

    view! {
        <section class="up-page" aria-labelledby="record-title">
            <h1 id="record-title">"Record usage"</h1>
            <form class="up-filters" on:submit=submit aria-label="Usage record" novalidate>
                <fieldset class="up-fieldset">
                    <legend>"Usage"</legend>
                    <div class="up-row">
                        <SubscriptionPicker id="r-subscriptionId" label="Subscription" error=error_of("subscriptionId")
                            value=Signal::derive(move || form.with(|f| f.subscription_id.clone().unwrap_or_default()))
                            on_input=on_subscription subscriptions=subscription_list />
                        <Field id="r-quantity" label="Quantity" error=quantity_error>
                            <input id="r-quantity" type="text" inputmode="decimal" autocomplete="off"
                                prop:value=move || form.with(|f| f.quantity.clone().unwrap_or_default())
                                on:input=edit(|f, v| f.quantity = Some(v).filter(|v| !v.is_empty()))
                                aria-invalid=move || (!quantity_error.get().is_empty()).to_string()
                                aria-describedby="r-quantity-error r-headroom" />
                        </Field>
                        <Field id="r-usageTime" label="Time (UTC; empty for now)" error=error_of("usageTime")>
                            <input id="r-usageTime" type="datetime-local"
                                prop:value=move || form.with(|f| f.usage_time.clone().unwrap_or_default())
                                on:input=edit(|f, v| f.usage_time = Some(v).filter(|v| !v.is_empty()))
                                aria-describedby="r-usageTime-error" />
                        </Field>
                    </div>
                    <HeadroomNote headroom=headroom_now accept_partial />
                </fieldset>
                <fieldset class="up-fieldset">
                    <legend>"Dimensions (optional)"</legend>
                    <div class="up-row">
                        {field("appId", "App", |f| f.app_id.clone(), |f, v| f.app_id = Some(v).filter(|v| !v.is_empty()))}
                        {field("projectHrn", "Project HRN", |f| f.project_hrn.clone(), |f, v| f.project_hrn = Some(v).filter(|v| !v.is_empty()))}
                        {field("billingTag", "Billing tag", |f| f.billing_tag.clone(), |f, v| f.billing_tag = Some(v).filter(|v| !v.is_empty()))}
                        {field("resource", "Resource", |f| f.resource.clone(), |f, v| f.resource = Some(v).filter(|v| !v.is_empty()))}
                        <Field id="r-channelId" label="Channel" error=error_of("channelId")>
                            <select id="r-channelId" on:change=edit(|f, v| f.channel_id = Some(v).filter(|v| !v.is_empty()))
                                aria-describedby="r-channelId-error">
                                <option value="">"None"</option>
                                {Channel::ALL.iter().map(|c| view! { <option value=c.as_str()>{crate::format::channel(*c)}</option> }).collect_view()}
                            </select>
                        </Field>
                    </div>
                    <label class="up-toggle">
                        <input id="r-partial" type="checkbox" prop:checked=move || form.with(|f| f.accept_partial_quantity)
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.update(|f| f.accept_partial_quantity = on);
                                submission_id.set(new_submission_id());
                            } />
                        "Accept what fits under the monthly limit"
                    </label>
                </fieldset>
                <div class="up-actions">
                    <button type="submit" class="up-button" disabled=move || pending.get()>
                        {move || if pending.get() { "Recording…" } else { "Record usage" }}
                    </button>
                </div>
            </form>
            {move || result.get().map(|r| match r {
                Ok(rec) => view! { <RecordResult record=rec /> }.into_any(),
                Err(e) => view! { <ErrorView error=e /> }.into_any(),
            })}
        </section>
    }
}
