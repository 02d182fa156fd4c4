//! A set of checkboxes choosing some of a list (accounts, sub-accounts).

use leptos::prelude::*;

/// One checkbox per option inside a `<fieldset>` with `legend`; `chosen` holds the ids checked,
/// in the order they were checked.
#[component]
pub fn CheckboxList(
    /// What the choice is, read first by a screen reader.
    #[prop(into)]
    legend: String,
    /// `(id, label)` of each option, in the order shown.
    options: Vec<(String, String)>,
    /// The ids checked.
    chosen: RwSignal<Vec<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="up-fieldset up-inline">
            <legend>{legend}</legend>
            {options
                .into_iter()
                .map(|(id, label)| {
                    let (a, b) = (id.clone(), id);
                    view! {
                        <label class="up-toggle">
                            <input type="checkbox"
                                prop:checked=move || chosen.with(|c| c.contains(&a))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen.update(|c| {
                                        c.retain(|x| *x != b);
                                        if on { c.push(b.clone()); }
                                    });
                                } />
                            {label}
                        </label>
                    }
                })
                .collect_view()}
        </fieldset>
    }
}
