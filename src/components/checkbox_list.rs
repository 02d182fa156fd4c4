//! A set of checkboxes choosing some of a list: accounts, sub-accounts, groupBy dimensions,
//! columns.

use leptos::prelude::*;

/// One option of a [`CheckboxList`].
#[derive(Debug, Clone)]
pub struct CheckboxOption<T> {
    /// What checking it chooses.
    pub value: T,
    /// The input's `id`, when something (a test, a label elsewhere) refers to it.
    pub id: Option<String>,
    /// Its words.
    pub label: String,
}

/// One checkbox per option inside a `<fieldset>` with `legend`. `chosen` holds the values
/// checked, in the order they were checked; `on_change` runs after each click has updated it.
#[component]
pub fn CheckboxList<T>(
    /// What the choice is, read first by a screen reader.
    #[prop(into)]
    legend: String,
    /// Hides the legend on screen (a heading nearby already says it); screen readers keep it.
    #[prop(optional)]
    legend_hidden: bool,
    /// The id of the element describing the set (its error message).
    #[prop(optional, into)]
    described_by: Option<String>,
    /// The options, in the order shown.
    options: Vec<CheckboxOption<T>>,
    /// The values checked.
    chosen: RwSignal<Vec<T>>,
    /// Runs after a click changed `chosen` (to apply a filter at once).
    #[prop(optional, into)]
    on_change: Option<Callback<()>>,
) -> impl IntoView
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    view! {
        <fieldset class="up-fieldset up-inline" aria-describedby=described_by>
            <legend class:up-visually-hidden=legend_hidden>{legend}</legend>
            {options
                .into_iter()
                .map(|CheckboxOption { value, id, label }| {
                    let shown = value.clone();
                    view! {
                        <label class="up-toggle">
                            <input type="checkbox" id=id
                                prop:checked=move || chosen.with(|c| c.contains(&shown))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|x| *x != value);
                                        if on { c.push(value.clone()); }
                                    });
                                    if let Some(f) = on_change { f.run(()); }
                                } />
                            {label}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}

/// Options without input ids, from `(value, label)` pairs.
pub fn options_of(pairs: Vec<(String, String)>) -> Vec<CheckboxOption<String>> {
    pairs
        .into_iter()
        .map(|(value, label)| CheckboxOption {
            value,
            id: None,
            label,
        })
        .collect()
}
