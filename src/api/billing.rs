//! Monthly usage per account, and recording usage.

use super::{ApiClient, ApiError};
use serde::Serialize;
use usage_api::billing::MonthlyPage;
use usage_api::usages::{NewUsage, UsageRecord};

/// A page of monthly usage for the API query string `query` (as in the API's `_links`).
pub async fn monthly(client: &ApiClient, query: &str) -> Result<MonthlyPage, ApiError> {
    let mut url = client.url("/express/usage/month", &[]);
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    client.get_json(&url, None).await
}

/// The JSON body of `POST /usages` for a validated form: blank fields left out, the rest trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    quantity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    project_hrn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    billing_tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_id: Option<String>,
    accept_partial_quantity: bool,
}

impl RecordBody {
    /// The body for a validated form.
    pub fn from_form(input: &NewUsage) -> Self {
        let put = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        RecordBody {
            id: put(&input.id),
            subscription_id: put(&input.subscription_id),
            quantity: put(&input.quantity),
            usage_time: put(&input.usage_time),
            app_id: put(&input.app_id),
            project_hrn: put(&input.project_hrn),
            billing_tag: put(&input.billing_tag),
            resource: put(&input.resource),
            channel_id: put(&input.channel_id),
            accept_partial_quantity: input.accept_partial_quantity,
        }
    }
}

/// Records usage; `body` is the JSON of `POST /usages`.
pub async fn record_usage(client: &ApiClient, body: &RecordBody) -> Result<UsageRecord, ApiError> {
    client.post_json(&client.url("/usages", &[]), body).await
}
