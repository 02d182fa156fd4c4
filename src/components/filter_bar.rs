//! Every filter of the usage query, validated with usage-api before anything is sent.

use crate::components::checkbox_list::{CheckboxList, CheckboxOption};
use crate::components::field::Field;
#[cfg(not(portal_split))]
use crate::components::more_filters::MoreFilters;
#[cfg(portal_split)]
use crate::lazy::LazyMoreFilters as MoreFilters;
use crate::state::{Draft, Preset, field_for};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use usage_api::FieldError;
use usage_api::usage::{DetailLevel, GroupDim, QueryKind, UsageQuery};

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
    let error_for = move |field: &'static str| errors_at(errors, field);
    let date_field = move |id: &'static str,
                           label: &'static str,
                           get: fn(&Draft) -> &String,
                           set: fn(&mut Draft, String)| {
        view! { <DraftInput kind="date" id label draft error=error_for(id) get set /> }
    };

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
    // Its fields are written (and, in the release build, their code fetched) when it is
    // first opened: most visits never open it.
    let more_opened = RwSignal::new(false);
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
            <details class="up-more" node_ref=more on:toggle=move |_| {
                if more.get().is_some_and(|d| d.open()) {
                    more_opened.set(true);
                }
            }>
                <summary>{more_label}</summary>
                {move || more_opened.get().then(|| view! {
                    <MoreFilters draft errors fields paged lists_changed apply=Callback::new(move |()| apply()) />
                })}
            </details>
        </form>
    }
}

/// A labelled input of the filter form, editing one text of the [`Draft`]; its error is shown
/// beside it and announced.
#[component]
pub fn DraftInput(
    /// The input's type: `text` or `date`.
    kind: &'static str,
    /// The query parameter it edits (its id is `f-<id>`, its error `<id>-error`).
    id: &'static str,
    /// The label's words.
    label: &'static str,
    /// The form.
    draft: RwSignal<Draft>,
    /// The error to show, empty for none.
    error: Signal<String>,
    /// Reads its text from the draft.
    get: fn(&Draft) -> &String,
    /// Writes its text into the draft.
    set: fn(&mut Draft, String),
) -> impl IntoView {
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
}

/// The errors of `errors` at the form's field `field`, in one line.
pub fn errors_at(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> Signal<String> {
    Signal::derive(move || {
        errors.with(|es| {
            es.iter()
                .filter(|e| field_for(&e.name) == field)
                .map(|e| e.description.clone())
                .collect::<Vec<_>>()
                .join("; ")
        })
    })
}
