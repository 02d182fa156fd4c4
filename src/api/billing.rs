//! Monthly usage per account, and recording usage.

use super::{ApiClient, ApiError};
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

/// Records usage (`POST /usages`); `body` is sent as [`NewUsage::trimmed`] gives it.
pub async fn record_usage(client: &ApiClient, body: &NewUsage) -> Result<UsageRecord, ApiError> {
    client.post_json(&client.url("/usages", &[]), body).await
}
