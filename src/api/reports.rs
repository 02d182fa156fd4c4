//! Usage reports and the caller's org.

use super::{ApiClient, ApiError};
use usage_api::reports::{CreateReport, Org, Report, ReportCreated, ReportList};
use usage_api::usage::{QueryKind, UsageQuery};

fn reports_path(realm: &str) -> String {
    format!("/usage/realms/{realm}/reports")
}

/// Requests a report of `query`, for `sub_accounts` when given.
pub async fn create_report(
    client: &ApiClient,
    realm: &str,
    query: &UsageQuery,
    sub_accounts: Option<Vec<String>>,
) -> Result<ReportCreated, ApiError> {
    let url = client.url(&reports_path(realm), &query.to_pairs(QueryKind::Report));
    client.post_json(&url, &CreateReport { sub_accounts }).await
}

/// The realm's reports, newest first (first page).
pub async fn list_reports(client: &ApiClient, realm: &str) -> Result<ReportList, ApiError> {
    client
        .get_json(
            &client.url(&reports_path(realm), &[("limit", "100".to_owned())]),
            None,
        )
        .await
}

/// A report's status, with the seconds the server asks to wait before asking again.
pub async fn report_status(
    client: &ApiClient,
    realm: &str,
    id: &str,
) -> Result<(Report, Option<u32>), ApiError> {
    let url = client.url(&format!("{}/{id}/output", reports_path(realm)), &[]);
    let (resp, request_id) = client.get(&url, None).await?;
    let retry_after = resp.headers().get("retry-after").and_then(|v| {
        let now = (js_sys::Date::now() / 1000.0) as i64;
        usage_portal_core::polling::retry_after_secs(&v, now)
    });
    let status = resp.status();
    let Ok(text) = resp.text().await else {
        return Err(ApiError::unreadable(status, request_id));
    };
    let report = super::decode(&text, status, request_id)?;
    Ok((report, retry_after))
}

/// The download URL of a report (needs the bearer token).
pub fn download_url(client: &ApiClient, realm: &str, id: &str) -> String {
    client.url(&format!("{}/{id}/download", reports_path(realm)), &[])
}

/// The caller's org and its sub-accounts.
pub async fn org(client: &ApiClient) -> Result<Org, ApiError> {
    client.get_json(&client.url("/orgs/me", &[]), None).await
}
