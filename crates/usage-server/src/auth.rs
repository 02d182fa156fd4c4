//! Bearer tokens: stored hashed, each for one org with scopes.

use crate::AppState;
use crate::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use r2d2_sqlite::rusqlite::{Connection, OptionalExtension, params};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The scopes of the contract.
pub const SCOPES: &[&str] = &[
    "usage:read",
    "reports:write",
    "usages:write",
    "express-accounts-usage:read",
];

/// Who is calling: the token's org and scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's org.
    pub realm_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

fn hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a token for `realm_id` with `scopes` that never expires; returns the token (only its
/// hash is stored).
pub fn create_token(
    conn: &Connection,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
) -> anyhow::Result<String> {
    create_token_until(conn, realm_id, scopes, label, None)
}

/// Like [`create_token`], valid until `expires` (Unix seconds) when given.
pub fn create_token_until(
    conn: &Connection,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    expires: Option<i64>,
) -> anyhow::Result<String> {
    if let Some(bad) = scopes.iter().find(|s| !SCOPES.contains(s)) {
        anyhow::bail!("unknown scope '{bad}'; known scopes: {}", SCOPES.join(", "));
    }
    let exists: bool = conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM orgs WHERE realm_id = ?1)",
        [realm_id],
        |r| r.get(0),
    )?;
    if !exists {
        anyhow::bail!("no org with realm id '{realm_id}'");
    }
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!(
        "upt_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    conn.execute(
        "INSERT INTO tokens (hash, realm_id, scopes, label, created, expires) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            hash(&token),
            realm_id,
            scopes.join(" "),
            label,
            chrono::Utc::now().timestamp(),
            expires
        ],
    )?;
    Ok(token)
}

impl Caller {
    /// Fails with 403 unless the token carries `scope`.
    pub fn require(&self, scope: &str) -> Result<(), AppError> {
        self.require_any(&[scope])
    }

    /// Fails with 403 unless the token carries one of `scopes`.
    pub fn require_any(&self, scopes: &[&str]) -> Result<(), AppError> {
        if scopes.iter().any(|s| self.scopes.iter().any(|t| t == s)) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "This token lacks the '{}' scope.",
                scopes.join("' or '")
            )))
        }
    }

    /// Fails with 403 unless `realm_id` is the caller's org or one of its sub-accounts.
    pub fn check_realm(&self, conn: &Connection, realm_id: &str) -> Result<(), AppError> {
        if realm_id == self.realm_id {
            return Ok(());
        }
        let parent: Option<Option<String>> = conn
            .prepare_cached("SELECT parent_realm_id FROM orgs WHERE realm_id = ?1")?
            .query_row([realm_id], |r| r.get(0))
            .optional()?;
        match parent.flatten() {
            Some(p) if p == self.realm_id => Ok(()),
            _ => Err(AppError::Forbidden(format!(
                "Your organization ({}) may not access the realm '{realm_id}'.",
                self.realm_id
            ))),
        }
    }
}

/// A token's org, scopes and expiry.
type TokenRow = (String, String, Option<i64>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(AppError::Unauthorized(
                "Send an Authorization: Bearer <token> header.",
            ))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized(
                "The Authorization header must be 'Bearer <token>'.",
            ))?;
        let hashed = hash(token);
        let pool = state.pool.clone();
        let found = tokio::task::spawn_blocking(move || -> Result<Option<TokenRow>, AppError> {
            let conn = pool.get()?;
            Ok(conn
                .prepare_cached("SELECT realm_id, scopes, expires FROM tokens WHERE hash = ?1")?
                .query_row([hashed], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?)
        })
        .await??;
        let (realm_id, scopes, expires) = found.ok_or(AppError::Unauthorized(
            "The token is unknown or has been revoked.",
        ))?;
        if expires.is_some_and(|e| e <= chrono::Utc::now().timestamp()) {
            return Err(AppError::Unauthorized(
                "The token has expired; get a new one.",
            ));
        }
        Ok(Self {
            realm_id,
            scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        })
    }
}
