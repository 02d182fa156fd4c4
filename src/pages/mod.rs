//! One routed page a module.

pub mod billing;
pub mod budgets;
pub mod record;
pub mod records;
pub mod reports;
pub mod usage;

use crate::api::{ApiClient, ApiError};
use leptos::prelude::LocalResource;
use usage_api::reports::Org;

/// The caller's org and its sub-accounts, loaded when a page opens.
// Shared by the pages that offer sub-accounts, so the resource is compiled once.
fn org_resource(client: ApiClient) -> LocalResource<Result<Org, ApiError>> {
    LocalResource::new(move || {
        let client = client.clone();
        async move { crate::api::reports::org(&client).await }
    })
}
