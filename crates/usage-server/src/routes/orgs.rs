//! `GET /orgs/me`: the caller's org and its sub-accounts (the portal's account picker).

use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use usage_api::reports::{Org, OrgRef};

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
    let pool = state.pool.clone();
    let org = tokio::task::spawn_blocking(move || -> Result<Org, AppError> {
        let conn = pool.get()?;
        let name: String = conn.query_row(
            "SELECT name FROM orgs WHERE realm_id = ?1",
            [&caller.realm_id],
            |r| r.get(0),
        )?;
        let mut stmt = conn.prepare_cached(
            "SELECT realm_id, name FROM orgs WHERE parent_realm_id = ?1 ORDER BY realm_id",
        )?;
        let sub_accounts = stmt
            .query_map([&caller.realm_id], |r| {
                Ok(OrgRef {
                    realm_id: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Org {
            realm_id: caller.realm_id.clone(),
            name,
            sub_accounts,
            scopes: caller.scopes.clone(),
        })
    })
    .await??;
    Ok(Json(org))
}
