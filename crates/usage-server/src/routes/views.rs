//! Saved views (contract section 11): `GET`/`POST /usage/realms/{realmId}/views` and
//! `DELETE …/views/{viewId}`.

use super::json_object;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{AppError, json_or_unspecified};
use crate::store;
use crate::store::sql::TxKind;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete as delete_route, get};
use axum::{Json, Router};
use rand::RngCore;
use usage_api::FieldError;
use usage_api::Timestamp;
use usage_api::usage::validate_realm_id;
use usage_api::views::{
    SavedView, VIEW_QUERY_MAX, VIEWS_PER_REALM, ViewInput, ViewList, check_query, check_view_name,
};

/// The view routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/usage/realms/{realm_id}/views", get(list).post(create))
        .route(
            "/usage/realms/{realm_id}/views/{view_id}",
            delete_route(delete),
        )
}

fn realm_checked(realm: &str) -> Result<(), AppError> {
    validate_realm_id(realm).map_err(|e| AppError::Validation(vec![e]))
}

fn saved(v: store::views::ViewRow) -> SavedView {
    SavedView {
        id: v.id,
        name: v.name,
        query: v.query,
        created: Timestamp::from_unix(v.created)
            .unwrap_or_else(|| Timestamp::start_of(chrono::NaiveDate::MIN)),
    }
}

#[utoipa::path(get, path = "/usage/realms/{realmId}/views", tag = "views", operation_id = "listViews",
    summary = "The realm's saved views, by name (section 11)",
    params(crate::openapi::RealmPath),
    responses((status = 200, description = "Every view of the realm.", body = usage_api::views::ViewList),
        crate::openapi::RealmReadErrors),
    security(("bearer" = ["usage:read"])))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
) -> Result<Json<ViewList>, AppError> {
    realm_checked(&realm)?;
    caller.require("usage:read")?;
    let items = state
        .db(move |conn| -> Result<Vec<SavedView>, AppError> {
            caller.check_realm(conn, &realm)?;
            Ok(store::views::list(conn, &realm)?
                .into_iter()
                .map(saved)
                .collect())
        })
        .await?;
    Ok(Json(ViewList { items }))
}

/// Reads the body into a [`ViewInput`] and the fields of the wrong type, which it leaves out.
fn parse(body: &Bytes) -> Result<(ViewInput, Vec<FieldError>), Vec<FieldError>> {
    let map = json_object(body)?;
    let mut out = ViewInput::default();
    let mut errors = Vec::new();
    for (k, raw) in &map {
        let slot = match k.as_str() {
            "name" => &mut out.name,
            "query" => &mut out.query,
            // What GET answers may be sent back: the server sets these.
            "id" | "created" => continue,
            _ => {
                errors.push(FieldError::new(k, "is not a field of a view"));
                continue;
            }
        };
        match serde_json::from_str::<String>(raw.get()) {
            Ok(s) => *slot = Some(s),
            Err(_) => errors.push(FieldError::new(k, "must be a string")),
        }
    }
    Ok((out, errors))
}

/// The view's name and query, checked; every problem named.
fn validate(
    input: &ViewInput,
    today: chrono::NaiveDate,
) -> Result<(String, String), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = check_view_name(input.name.as_deref())
        .map_err(|e| errors.push(e))
        .ok();
    let query = match input.query.as_deref() {
        None => {
            errors.push(FieldError::new("query", "is required"));
            None
        }
        Some(q) if q.len() > VIEW_QUERY_MAX => {
            errors.push(FieldError::new(
                "query",
                format!("must be at most {VIEW_QUERY_MAX} bytes"),
            ));
            None
        }
        Some(q) => {
            let q = q.strip_prefix('?').unwrap_or(q);
            match super::query_pairs(Some(q)) {
                Err(_) => {
                    errors.push(FieldError::new(
                        "query",
                        "must be a URL query string such as range=last30d&detailLevel=day",
                    ));
                    None
                }
                Ok(pairs) => {
                    let refs: Vec<(&str, &str)> = pairs
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    match check_query(&refs, today) {
                        Ok(()) => Some(q.to_owned()),
                        Err(e) => {
                            errors.extend(e);
                            None
                        }
                    }
                }
            }
        }
    };
    match (name, query) {
        (Some(n), Some(q)) if errors.is_empty() => Ok((n, q)),
        _ => Err(errors),
    }
}

#[utoipa::path(post, path = "/usage/realms/{realmId}/views", tag = "views", operation_id = "createView",
    summary = "Save a view: a name and a section 1 query without paging (section 11)",
    params(crate::openapi::RealmPath),
    request_body(content = usage_api::views::ViewInput),
    responses((status = 201, description = "Saved.", body = usage_api::views::SavedView,
            headers(("Location" = String, description = "The view's URL."))),
        crate::openapi::RealmWriteErrors),
    security(("bearer" = ["reports:write"])))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(realm): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    if !json_or_unspecified(&headers) {
        return Err(AppError::UnsupportedMediaType);
    }
    let mut errors: Vec<FieldError> = validate_realm_id(&realm).err().into_iter().collect();
    let today = chrono::Utc::now().date_naive();
    let valid = parse(&body).and_then(|(input, bad)| super::merged(bad, validate(&input, today)));
    let (name, query) = match valid {
        Ok(v) if errors.is_empty() => v,
        Ok(_) => return Err(AppError::Validation(errors)),
        Err(e) => {
            errors.extend(e);
            return Err(AppError::Validation(errors));
        }
    };
    caller.require("reports:write")?;
    let mut b = [0u8; 8];
    rand::thread_rng().fill_bytes(&mut b);
    let row = store::views::ViewRow {
        id: format!("view_{}", hex::encode(b)),
        name,
        query,
        created: chrono::Utc::now().timestamp(),
    };
    let r = realm.clone();
    let stored = row.clone();
    state
        .db(move |conn| -> Result<(), AppError> {
            conn.transaction(TxKind::Write, |tx| {
                caller.check_realm(tx, &r)?;
                store::budgets::lock_realm(tx, &r)?;
                if store::views::count(tx, &r)? >= VIEWS_PER_REALM {
                    return Err(AppError::LimitExceeded(format!(
                        "The realm '{r}' has {VIEWS_PER_REALM} saved views, the most it may keep; delete one first."
                    )));
                }
                if !store::views::insert(tx, &r, &stored)? {
                    return Err(AppError::Conflict(format!(
                        "The realm '{r}' has a view named '{}' already; choose another name or delete that view first.",
                        stored.name
                    )));
                }
                Ok(())
            })
        })
        .await?;
    let location = format!("/usage/realms/{realm}/views/{}", row.id);
    Ok(super::located(
        (StatusCode::CREATED, Json(saved(row))).into_response(),
        &location,
    ))
}

#[utoipa::path(delete, path = "/usage/realms/{realmId}/views/{viewId}", tag = "views", operation_id = "deleteView",
    summary = "Delete a saved view (section 11)",
    params(crate::openapi::ViewPath),
    responses((status = 204, description = "Deleted."), crate::openapi::RealmDeleteErrors),
    security(("bearer" = ["reports:write"])))]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path((realm, id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    realm_checked(&realm)?;
    caller.require("reports:write")?;
    state
        .db(move |conn| -> Result<(), AppError> {
            caller.check_realm(conn, &realm)?;
            if store::views::delete(conn, &realm, &id)? {
                Ok(())
            } else {
                Err(AppError::NotFound(format!(
                    "The realm '{realm}' has no view '{id}'."
                )))
            }
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
