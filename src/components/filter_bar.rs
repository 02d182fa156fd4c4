//! Every filter of the usage query, validated with usage-api before anything is sent.

use crate::components::checkbox_list::{CheckboxList, CheckboxOption};
use crate::components::field::Field;
use crate::state::{Draft, Preset, field_for};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use usage_api::FieldError;
use usage_api::usage::{Channel, DetailLevel, GroupDim, QueryKind, UsageField, UsageQuery};

/// Page sizes offered.
const PAGE_SIZES: [u32; 4] = [10, 25, 50, 100];

fn detail_label(d: DetailLevel) -> &'static str {
    match d {
        DetailLevel::Summarized => "Summarized",
        DetailLevel::Hour => "By hour",
        DetailLevel::Day => "By day",
        DetailLevel::Month => "By month",
    }
}

fn group_label(g: GroupDim) -> &'static str {
    usage_portal_core::labels::column_label(usage_api::usage::Column::Group(g))
}

/// The time-zone chooser: UTC, the browser's own zone, then every zone the browser knows
/// (`Intl.supportedValuesOf`). The browser formats the dates; the server cuts the buckets, so
/// the portal ships no zone data.
#[component]
fn ZoneSelect(
    /// The form; its `time_zone` is what this edits.
    draft: RwSignal<Draft>,
    /// The server's or the form's words about the zone, if any.
    #[prop(into)]
    error: Signal<String>,
    /// Called after the zone changed.
    on_change: Callback<()>,
) -> impl IntoView {
    let current = draft.with_untracked(|d| d.time_zone.clone());
    let browser = crate::format::browser_zone().filter(|z| z != "UTC");
    let mut zones: Vec<(String, String)> = vec![("UTC".to_owned(), "UTC".to_owned())];
    if let Some(b) = &browser {
        zones.push((
            b.clone(),
            format!("Your time zone ({})", b.replace('_', " ")),
        ));
    }
    let rest = crate::format::browser_zones();
    if current != "UTC" && browser.as_deref() != Some(current.as_str()) && !rest.contains(&current)
    {
        zones.push((current.clone(), current.replace('_', " ")));
    }
    zones.extend(
        rest.into_iter()
            .filter(|z| z != "UTC" && browser.as_deref() != Some(z.as_str()))
            .map(|z| (z.clone(), z.replace('_', " "))),
    );
    let options = zones
        .into_iter()
        .map(|(value, label)| {
            let selected = value == current;
            view! { <option value=value selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <Field id="f-timeZone" label="Time zone" error error_id="timeZone-error".to_owned()>
            <select
                id="f-timeZone"
                aria-describedby="timeZone-error"
                aria-invalid=move || (!error.get().is_empty()).to_string()
                prop:value=move || draft.with(|d| d.time_zone.clone())
                on:change=move |ev| {
                    draft.update(|d| d.time_zone = event_target_value(&ev));
                    on_change.run(());
                }
            >
                {options}
            </select>
        </Field>
    }
}

/// The filter bar: the answer's shape first, in one compact bar (date range with presets and
/// zone, detail level, groupBy toggles), then the rest behind "More filters" with a count of
/// the active ones (text filters, channel, page size, columns).
///
/// The form edits a [`Draft`]; a change is applied only when usage-api accepts the whole
/// draft, otherwise each problem is shown at its field and nothing is sent.
#[component]
pub fn FilterBar(
    /// The query the page shows now (from the URL).
    #[prop(into)]
    query: Signal<UsageQuery>,
    /// Today (UTC), for the presets.
    today: chrono::NaiveDate,
    /// Called with a valid query to show.
    on_apply: Callback<UsageQuery>,
    /// The endpoint the query is for: a report offers no page size and no hourly detail.
    #[prop(default = QueryKind::Page)]
    kind: QueryKind,
    /// The submit button's words.
    #[prop(default = "Apply")]
    submit_label: &'static str,
    /// Apply at once when a preset, list or toggle changes (a view), or only on submit
    /// (a report request).
    #[prop(default = true)]
    auto_apply: bool,
) -> impl IntoView {
    let draft = RwSignal::new(Draft::from_query(&query.get_untracked()));
    // The two lists the checkboxes edit, copied into the draft after each click.
    let lists = |d: &Draft| (d.group_by.clone(), d.fields.clone());
    let (g, f) = draft.with_untracked(lists);
    let (group_by, fields) = (RwSignal::new(g), RwSignal::new(f));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // Back, forward or a link change the URL: the form follows.
    Effect::new(move |_| {
        let d = Draft::from_query(&query.get());
        let (g, f) = lists(&d);
        group_by.set(g);
        fields.set(f);
        draft.set(d);
        errors.set(Vec::new());
    });

    let submit = move || match draft.with_untracked(|d| d.validate_as(kind)) {
        Ok(q) => {
            errors.set(Vec::new());
            on_apply.run(q);
        }
        Err(e) => errors.set(e),
    };
    let apply = move || {
        if auto_apply {
            submit();
        }
    };
    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            errors.with(|es| {
                es.iter()
                    .filter(|e| field_for(&e.name) == field)
                    .map(|e| e.description.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        })
    };

    // A labelled input whose error is shown beside it and announced.
    let input_field = move |kind: &'static str,
                            id: &'static str,
                            label: &'static str,
                            get: fn(&Draft) -> &String,
                            set: fn(&mut Draft, String)| {
        let error = error_for(id);
        let described = format!("{id}-error");
        view! {
            <Field id=format!("f-{id}") label error error_id=described.clone()>
                <input
                    id=format!("f-{id}")
                    type=kind
                    autocomplete="off"
                    prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
                    aria-invalid=move || (!error.get().is_empty()).to_string()
                    aria-describedby=described.clone()
                />
            </Field>
        }
    };
    let text_field = move |id, label, get, set| input_field("text", id, label, get, set);
    let date_field = move |id, label, get, set| input_field("date", id, label, get, set);

    // Presets count days in the chosen zone: "today" in Kolkata may be tomorrow in UTC.
    let today_for = move || {
        let zone = draft.with_untracked(|d| d.time_zone.clone());
        if zone == "UTC" {
            today
        } else {
            crate::format::today_in(&zone).unwrap_or(today)
        }
    };
    let presets = Preset::ALL
        .into_iter()
        .map(|p| {
            view! {
                <button type="button" class="up-button up-button-subtle" on:click=move |_| {
                    let (start, end) = p.range(today_for());
                    draft.update(|d| {
                        let shown = Draft::from_query(&UsageQuery { start, end, ..query.get_untracked() });
                        d.from = shown.from;
                        d.to = shown.to;
                    });
                    apply();
                }>{p.label()}</button>
            }
        })
        .collect_view();

    let lists_changed = Callback::new(move |()| {
        draft.update(|d| {
            d.group_by = group_by.get_untracked();
            d.fields = fields.get_untracked();
        });
        apply();
    });
    let group_options = GroupDim::ALL
        .iter()
        .map(|g| CheckboxOption {
            value: *g,
            id: Some(format!("g-{}", g.as_str())),
            label: group_label(*g).to_owned(),
        })
        .collect::<Vec<_>>();
    let column_options = UsageField::ALL
        .iter()
        .map(|f| CheckboxOption {
            value: *f,
            id: Some(format!("c-{}", f.as_str())),
            label: usage_portal_core::labels::column_label(usage_api::usage::Column::Field(*f))
                .to_owned(),
        })
        .collect::<Vec<_>>();
    let columns_error = error_for("usageFields");

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit();
    };
    let details = DetailLevel::ALL
        .iter()
        .copied()
        .filter(move |d| kind != QueryKind::Report || *d != DetailLevel::Hour);
    let paged = kind == QueryKind::Page;

    // The filters behind "More filters": how many are set in the view shown, and whether one
    // has an error (then it opens, so the error is seen at its field).
    let active = move || {
        query.with(|q| {
            let f = &q.filters;
            [
                &f.feature_id,
                &f.category,
                &f.app_id,
                &f.project_hrn,
                &f.billing_tag,
            ]
            .iter()
            .filter(|v| v.is_some())
            .count()
                + usize::from(f.channel_id.is_some())
        })
    };
    let more_error = move || {
        errors.with(|es| {
            es.iter().any(|e| {
                !matches!(
                    field_for(&e.name),
                    "from" | "to" | "timeZone" | "detailLevel" | "groupBy"
                )
            })
        })
    };
    let more = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if more_error()
            && let Some(d) = more.get()
        {
            d.set_open(true);
        }
    });
    let more_label = move || match active() {
        0 => "More filters".to_owned(),
        n => format!("More filters ({n} active)"),
    };

    view! {
        <form class="up-filters" on:submit=on_submit aria-label="Usage filters" novalidate>
            <div class="up-bar">
                <fieldset class="up-fieldset up-range-set">
                    <legend>"Date range"</legend>
                    <div class="up-presets" role="group" aria-label="Presets">{presets}</div>
                    <div class="up-row">
                        {date_field("from", "From", |d| &d.from, |d, v| d.from = v)}
                        {date_field("to", "To (included)", |d| &d.to, |d, v| d.to = v)}
                        <ZoneSelect draft error=error_for("timeZone") on_change=Callback::new(move |()| apply()) />
                    </div>
                </fieldset>
                <div class="up-row up-bar-view">
                    <div class="up-field">
                        <label for="f-detailLevel">"Detail"</label>
                        <select id="f-detailLevel" on:change=move |ev| {
                            if let Some(d) = DetailLevel::parse(&event_target_value(&ev)) {
                                draft.update(|x| x.detail = d);
                                apply();
                            }
                        }>
                            {details.map(|d| {
                                view! { <option value=d.as_str() selected=move || draft.with(|x| x.detail == d)>{detail_label(d)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <CheckboxList legend="Group by" options=group_options chosen=group_by on_change=lists_changed />
                    <div class="up-actions">
                        <button type="submit" class="up-button">{submit_label}</button>
                    </div>
                </div>
            </div>
            <details class="up-more" node_ref=more>
                <summary>{more_label}</summary>
                <fieldset class="up-fieldset">
                    <legend>"Filters"</legend>
                    <div class="up-row">
                        {text_field("featureId", "Feature", |d| &d.feature_id, |d, v| d.feature_id = v)}
                        {text_field("category", "Category", |d| &d.category, |d, v| d.category = v)}
                        {text_field("appId", "App", |d| &d.app_id, |d, v| d.app_id = v)}
                        {text_field("projectHrn", "Project HRN", |d| &d.project_hrn, |d, v| d.project_hrn = v)}
                        {text_field("billingTag", "Billing tag", |d| &d.billing_tag, |d, v| d.billing_tag = v)}
                        <Field id="f-channelId" label="Channel">
                            <select id="f-channelId" aria-describedby="f-channelId-error" on:change=move |ev| { draft.update(|d| d.channel = event_target_value(&ev)); apply(); }>
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
                                    apply();
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
            </details>
        </form>
    }
}
