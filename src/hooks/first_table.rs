//! The Usage page's first table before anything else: the code the page loads on demand (its
//! filter bar, totals, chart, comparison) waits until that table is on screen, or until the
//! table has kept it waiting long enough.

use crate::hooks::usage_data::Answer;
use leptos::prelude::*;

/// Provided by a page that wants its first table on screen before any code it loads on demand
/// is fetched: those parts (`crate::lazy`) wait until this is true, so their fetch, compile and
/// first drawing never delay that table or its first frame.
#[derive(Clone, Copy)]
pub struct AfterFirstTable(pub Signal<bool>);

/// How long the parts wait for a first answer that has not come: a slow or stuck request must
/// not keep the filter bar (the way to ask for less) from a person.
pub const FIRST_TABLE_WAIT_MS: u64 = 1_000;

/// True from the frame after the one that shows `page`'s first answer (its table, or why there
/// is none), or after [`FIRST_TABLE_WAIT_MS`] without one.
pub fn use_after_first_answer<T: 'static>(page: Answer<T>) -> Signal<bool> {
    let shown = RwSignal::new(false);
    // Set once: setting it again would notify the parts again, and they would load anew.
    let show = move || {
        if shown.try_get_untracked() == Some(false) {
            shown.set(true);
        }
    };
    if let Ok(handle) =
        set_timeout_with_handle(show, std::time::Duration::from_millis(FIRST_TABLE_WAIT_MS))
    {
        on_cleanup(move || handle.clear());
    }
    Effect::new(move |asked: Option<bool>| {
        if asked == Some(true) || page.with(Option::is_none) {
            return asked.unwrap_or(false);
        }
        // A frame callback runs before that frame is painted; a task queued from it, after.
        request_animation_frame(move || {
            set_timeout(show, std::time::Duration::ZERO);
        });
        true
    });
    shown.into()
}
