//! `GET /usage/realms/{realmId}`.

use super::{ApiClient, ApiError};
use usage_api::usage::{QueryKind, UsagePage, UsageQuery};

/// The path of a realm's usage.
pub fn usage_path(realm: &str) -> String {
    format!("/usage/realms/{realm}")
}

/// One page of usage records.
pub async fn usage_page(
    client: &ApiClient,
    realm: &str,
    query: &UsageQuery,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<UsagePage, ApiError> {
    let url = client.url(&usage_path(realm), &query.to_pairs(QueryKind::Page));
    client.get_json(&url, signal).await
}
