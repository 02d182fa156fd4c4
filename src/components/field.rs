//! A form field: its label, its control, and the error under it.

use leptos::prelude::*;

/// A labelled control with its error (announced as it appears) and an optional hint. The
/// control is the child; give it `id`, and `aria-describedby` set to the error's id.
#[component]
pub fn Field(
    /// The control's element id; the label points at it and the error is `<id>-error`.
    #[prop(into)]
    id: String,
    /// The label's words.
    #[prop(into)]
    label: String,
    /// The error to show, empty for none.
    #[prop(into, optional)]
    error: Signal<String>,
    /// Words under the control that help fill it in.
    #[prop(into, optional)]
    hint: MaybeProp<String>,
    /// The error's element id, when not [`error_id`] of `id` (a form whose ids predate this).
    #[prop(into, optional)]
    error_id: Option<String>,
    /// The control.
    children: Children,
) -> impl IntoView {
    let error_id = error_id.unwrap_or_else(|| self::error_id(&id));
    view! {
        <div class="up-field">
            <label for=id>{label}</label>
            {children()}
            {move || hint.get().map(|h| view! { <span class="up-field-hint">{h}</span> })}
            <span class="up-field-error" id=error_id role="alert">{move || error.get()}</span>
        </div>
    }
}

/// The id of the error under the control `id` (for its `aria-describedby`).
pub fn error_id(id: &str) -> String {
    format!("{id}-error")
}
