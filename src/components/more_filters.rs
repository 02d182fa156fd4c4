//! The filter bar's "More filters": the text filters, the channel, the page size and the
//! columns shown. Written when the section is first opened; in the release build its code is
//! fetched then ([`crate::lazy`]).

use crate::components::checkbox_list::{CheckboxList, CheckboxOption};
use crate::components::field::Field;
use crate::components::filter_bar::{DraftInput, errors_at};
use crate::state::Draft;
use leptos::prelude::*;
use usage_api::FieldError;
use usage_api::usage::{Channel, UsageField};

/// Page sizes offered.
const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

/// The fields behind "More filters", editing the filter bar's draft.
#[component]
pub fn MoreFilters(
    /// The filter bar's form.
    draft: RwSignal<Draft>,
    /// The problems to show at their fields.
    errors: RwSignal<Vec<FieldError>>,
    /// The columns chosen (copied into the draft by `lists_changed`).
    fields: RwSignal<Vec<UsageField>>,
    /// Whether the query is paged (a report has no page size).
    paged: bool,
    /// Called after the columns changed.
    lists_changed: Callback<()>,
    /// Applies the draft, when the bar applies at once.
    apply: Callback<()>,
) -> impl IntoView {
    let text_field = move |id: &'static str,
                           label: &'static str,
                           get: fn(&Draft) -> &String,
                           set: fn(&mut Draft, String)| {
        view! { <DraftInput kind="text" id label draft error=errors_at(errors, id) get set /> }
    };
    let column_options = UsageField::ALL
        .iter()
        .map(|f| CheckboxOption {
            value: *f,
            id: Some(format!("c-{}", f.as_str())),
            label: usage_portal_core::labels::column_label(usage_api::usage::Column::Field(*f))
                .to_owned(),
        })
        .collect::<Vec<_>>();
    let columns_error = errors_at(errors, "usageFields");
    view! {
        <fieldset class="up-fieldset">
            <legend>"Filters"</legend>
            <div class="up-row">
                {text_field("featureId", "Feature", |d| &d.feature_id, |d, v| d.feature_id = v)}
                {text_field("category", "Category", |d| &d.category, |d, v| d.category = v)}
                {text_field("appId", "App", |d| &d.app_id, |d, v| d.app_id = v)}
                {text_field("projectHrn", "Project HRN", |d| &d.project_hrn, |d, v| d.project_hrn = v)}
                {text_field("billingTag", "Billing tag", |d| &d.billing_tag, |d, v| d.billing_tag = v)}
                <Field id="f-channelId" label="Channel">
                    <select id="f-channelId" aria-describedby="f-channelId-error" on:change=move |ev| { draft.update(|d| d.channel = event_target_value(&ev)); apply.run(()); }>
                        <option value="" selected=move || draft.with(|d| d.channel.is_empty())>"Any"</option>
                        {Channel::ALL.iter().map(|c| {
                            let c = *c;
                            view! { <option value=c.as_str() selected=move || draft.with(|d| d.channel == c.as_str())>{crate::format::channel(c)}</option> }
                        }).collect_view()}
                    </select>
                </Field>
            </div>
        </fieldset>
        <fieldset class="up-fieldset">
            <legend>"Table"</legend>
            <div class="up-row">
                <div class="up-field" hidden=!paged>
                    <label for="f-limit">"Rows per page"</label>
                    <select id="f-limit" on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).parse() {
                            draft.update(|x| x.limit = n);
                            apply.run(());
                        }
                    }>
                        {PAGE_SIZES.iter().map(|n| {
                            let n = *n;
                            view! { <option value=n.to_string() selected=move || draft.with(|x| x.limit == n)>{n.to_string()}</option> }
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <details class="up-columns">
                <summary>"Columns"</summary>
                <CheckboxList legend="Columns shown" legend_hidden=true described_by="usageFields-error"
                    options=column_options chosen=fields on_change=lists_changed />
                <span class="up-field-error" id="usageFields-error" role="alert">{move || columns_error.get()}</span>
            </details>
        </fieldset>
    }
}
