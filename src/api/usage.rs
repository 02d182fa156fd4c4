//! `GET /usage/realms/{realmId}` and its CSV.

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

/// The whole result as CSV (at most 20,000 records; the server refuses more).
pub async fn usage_csv(
    client: &ApiClient,
    realm: &str,
    query: &UsageQuery,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<String, ApiError> {
    let url = client.url(
        &format!("{}/csv", usage_path(realm)),
        &query.to_pairs(QueryKind::Csv),
    );
    client.get_text(&url, signal).await
}

/// Splits CSV text into records (RFC 4180: quoted fields, doubled quotes, CRLF).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}
