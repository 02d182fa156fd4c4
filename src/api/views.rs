//! Saved views (contract section 11): `GET`/`POST /usage/realms/{realmId}/views` and
//! `DELETE …/views/{viewId}`.

use super::{ApiClient, ApiError};
use usage_api::views::{SavedView, ViewInput, ViewList};

fn views_path(realm: &str) -> String {
    format!("/usage/realms/{realm}/views")
}

/// The realm's saved views, by name.
pub async fn list_views(client: &ApiClient, realm: &str) -> Result<ViewList, ApiError> {
    client
        .get_json(&client.url(&views_path(realm), &[]), None)
        .await
}

/// Saves the view `query` (a section 1 query string without paging) as `name`: 201 with the
/// view; 409 when the realm has a view of that name; 400 naming `name` or `query.<param>`.
pub async fn create_view(
    client: &ApiClient,
    realm: &str,
    name: &str,
    query: &str,
) -> Result<SavedView, ApiError> {
    let body = ViewInput {
        name: Some(name.to_owned()),
        query: Some(query.to_owned()),
    };
    client
        .post_json(&client.url(&views_path(realm), &[]), &body)
        .await
}

/// Deletes the view `id` (204).
pub async fn delete_view(client: &ApiClient, realm: &str, id: &str) -> Result<(), ApiError> {
    let url = client.url(&format!("{}/{}", views_path(realm), encode(id)), &[]);
    client.delete(&url).await
}

/// `s` as one path segment.
pub(crate) fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}
