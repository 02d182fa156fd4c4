//! What the Record usage page says once the service has stored a record.

use crate::format;
use leptos::prelude::*;
use usage_api::usages::UsageRecord;

/// What was recorded: the record's id, subscription and time, and the quantity requested and
/// accepted (less when clipped to the monthly limit).
#[component]
pub fn RecordResult(
    /// The record the service stored.
    record: UsageRecord,
) -> impl IntoView {
    let rec = record;
    view! {
        <div class="up-notice up-record-result" role="status">
            <p>{format!("Recorded {} for {} at {} UTC.", rec.id, rec.subscription_id, rec.usage_time)}</p>
            <p>"Requested " <strong class="up-requested">{format::quantity(rec.requested_quantity)}</strong>
               ", accepted " <strong class="up-accepted">{format::quantity(rec.quantity)}</strong>
               {(rec.quantity != rec.requested_quantity).then_some(" (clipped to the monthly limit)")}</p>
        </div>
    }
}
