//! `GET /usage/realms/{realmId}` and its CSV.

use super::{ApiClient, ApiError};
use usage_api::Quantity;
use usage_api::usage::{QueryKind, RecordItem, RecordPage, UsagePage, UsageQuery};

/// The path of a realm's usage.
pub fn usage_path(realm: &str) -> String {
    format!("/usage/realms/{realm}")
}

/// The URL of one page of usage records.
pub fn page_url(client: &ApiClient, realm: &str, query: &UsageQuery) -> String {
    client.url(&usage_path(realm), &query.to_pairs(QueryKind::Page))
}

/// The URL of the whole result as CSV.
pub fn csv_url(client: &ApiClient, realm: &str, query: &UsageQuery) -> String {
    client.url(
        &format!("{}/csv", usage_path(realm)),
        &query.to_pairs(QueryKind::Csv),
    )
}

/// One page of the raw records behind a figure (section 9), newest first.
pub async fn records_page(
    client: &ApiClient,
    realm: &str,
    query: &UsageQuery,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<usage_api::usage::RecordPage, ApiError> {
    let url = client.url(
        &format!("{}/records", usage_path(realm)),
        &query.to_pairs(QueryKind::Records),
    );
    client.get_json(&url, signal).await
}

/// One page of usage records.
pub async fn usage_page(
    client: &ApiClient,
    realm: &str,
    query: &UsageQuery,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<UsagePage, ApiError> {
    client
        .get_json(&page_url(client, realm, query), signal)
        .await
}

/// The whole result as CSV (at most 20,000 records; the server refuses more).
pub async fn usage_csv(
    client: &ApiClient,
    realm: &str,
    query: &UsageQuery,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<String, ApiError> {
    client
        .get_text(&csv_url(client, realm, query), signal)
        .await
}

pub use usage_portal_core::usage_view::parse_csv;

/// Every record of a (small) query, walking its pages.
pub async fn all_items(
    client: &ApiClient,
    realm: &str,
    mut q: UsageQuery,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Vec<usage_api::usage::UsageItem>, ApiError> {
    let mut items = Vec::new();
    loop {
        let page = usage_page(client, realm, &q, signal).await?;
        items.extend(page.items);
        match page.next_offset {
            Some(n) => q.offset = n,
            None => return Ok(items),
        }
    }
}

/// Records summed at most to check a figure: ten pages; more is said rather than fetched.
const CHECK_MAX: u64 = 1_000;

/// Adds the requested and accepted quantities of `items` to `sums` (milli-units).
fn add(sums: &mut (i64, i64), items: &[RecordItem]) {
    for r in items {
        sums.0 = sums.0.saturating_add(r.requested_quantity.milli());
        sums.1 = sums.1.saturating_add(r.quantity.milli());
    }
}

/// The sum of every record of `q` (walking its pages), when there are at most [`CHECK_MAX`];
/// `first` is the page already read, enough by itself when it holds them all.
pub async fn record_sums(
    client: &ApiClient,
    realm: &str,
    first: &RecordPage,
    q: &UsageQuery,
) -> Result<Option<(Quantity, Quantity)>, ApiError> {
    if first.total > CHECK_MAX {
        return Ok(None);
    }
    let mut total = (0_i64, 0_i64);
    if first.offset == 0 && first.next_offset.is_none() {
        add(&mut total, &first.items);
        return Ok(Some((Quantity(total.0), Quantity(total.1))));
    }
    let mut q = UsageQuery {
        limit: usage_api::limits::PAGE_LIMIT_MAX,
        offset: 0,
        ..q.clone()
    };
    loop {
        let page = records_page(client, realm, &q, None).await?;
        add(&mut total, &page.items);
        match page.next_offset {
            Some(n) => q.offset = n,
            None => return Ok(Some((Quantity(total.0), Quantity(total.1)))),
        }
    }
}

/// The URLs of the three requests the page starts first for the address's `search`, exactly as
/// the page makes them: the standalone app starts them as soon as config.json is read, while
/// it is still building the page ([`ApiClient::start_early`]).
pub fn first_request_urls(
    client: &ApiClient,
    realm: &str,
    search: &str,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let (q, _) = crate::state::query_of(search, today);
    let unpaged = UsageQuery {
        offset: 0,
        ..q.clone()
    };
    vec![
        page_url(client, realm, &q),
        page_url(
            client,
            realm,
            &usage_portal_core::usage_view::totals_query(&unpaged),
        ),
        csv_url(
            client,
            realm,
            &usage_portal_core::usage_view::chart_query(&unpaged),
        ),
    ]
}
