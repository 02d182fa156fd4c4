//! `GET /usage/realms/{realmId}/subscriptions` (contract section 12): what the pickers of the
//! Record usage and Budgets pages choose from.

use super::{ApiClient, ApiError};
use usage_api::subscriptions::{SubscriptionItem, SubscriptionPage};

/// One page of the realm's subscriptions (page number `offset`, 100 a page).
pub async fn subscriptions_page(
    client: &ApiClient,
    realm: &str,
    offset: u32,
) -> Result<SubscriptionPage, ApiError> {
    let url = client.url(
        &format!("/usage/realms/{realm}/subscriptions"),
        &[("limit", "100".to_owned()), ("offset", offset.to_string())],
    );
    client.get_json(&url, None).await
}

/// Every subscription of the realm, by `billingSubscriptionId`, walking the pages.
pub async fn all_subscriptions(
    client: &ApiClient,
    realm: &str,
) -> Result<Vec<SubscriptionItem>, ApiError> {
    let mut items = Vec::new();
    let mut offset = 0;
    loop {
        let page = subscriptions_page(client, realm, offset).await?;
        items.extend(page.items);
        match page.next_offset {
            Some(n) if n > offset => offset = n,
            _ => return Ok(items),
        }
    }
}
