//! Budgets (contract section 10): `GET /usage/realms/{realmId}/budgets`, `PUT` and `DELETE
//! …/budgets/{budgetId}`.

use super::views::encode;
use super::{ApiClient, ApiError};
use usage_api::budgets::{Budget, BudgetInput, BudgetList};

fn budgets_path(realm: &str) -> String {
    format!("/usage/realms/{realm}/budgets")
}

/// The realm's budgets with this month's figures.
pub async fn list_budgets(client: &ApiClient, realm: &str) -> Result<BudgetList, ApiError> {
    client
        .get_json(&client.url(&budgets_path(realm), &[]), None)
        .await
}

/// Creates or replaces the budget `id`: the budget, and true when it was created (201) rather
/// than replaced (200).
pub async fn put_budget(
    client: &ApiClient,
    realm: &str,
    id: &str,
    input: &BudgetInput,
) -> Result<(Budget, bool), ApiError> {
    let url = client.url(&format!("{}/{}", budgets_path(realm), encode(id)), &[]);
    let (budget, status) = client.put_json(&url, input).await?;
    Ok((budget, status == 201))
}

/// Deletes the budget `id` (204).
pub async fn delete_budget(client: &ApiClient, realm: &str, id: &str) -> Result<(), ApiError> {
    let url = client.url(&format!("{}/{}", budgets_path(realm), encode(id)), &[]);
    client.delete(&url).await
}
