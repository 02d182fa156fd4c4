//! `GET /orgs/me`: the caller's org and its sub-accounts (the portal's account picker).

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::store;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use usage_api::reports::Org;

/// The org routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/orgs/me", get(me))
}

#[utoipa::path(get, path = "/orgs/me", tag = "orgs", operation_id = "getMyOrg",
    summary = "The caller's org, its sub-accounts and the token's scopes",
    responses((status = 200, description = "The org.", body = usage_api::reports::Org),
        crate::openapi::AccountReadErrors),
    security(("bearer" = ["usage:read"]), ("bearer" = ["express-accounts-usage:read"])))]
async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Org>, AppError> {
    // Any one read scope: the portal's pickers serve both the usage and the billing pages.
    caller.require_any(&["usage:read", "express-accounts-usage:read"])?;
    let org = state
        .db(move |conn| -> Result<Org, AppError> {
            Ok(Org {
                name: store::orgs::name(conn, &caller.realm_id)?,
                sub_accounts: store::orgs::sub_accounts(conn, &caller.realm_id)?,
                realm_id: caller.realm_id,
                scopes: caller.scopes,
            })
        })
        .await?;
    Ok(Json(org))
}
