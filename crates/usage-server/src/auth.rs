//! Bearer tokens: stored hashed, each for one org with scopes.
//!
//! What a token means (hashing, scopes, expiry, realm access) is decided here; the rows are
//! read and written through [`crate::store::tokens`] and [`crate::store::orgs`].

use crate::AppState;
use crate::error::AppError;
use crate::store;
use crate::store::sql::{Conn, TxKind};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The scopes of the contract.
pub const SCOPES: &[&str] = &[
    "usage:read",
    "reports:write",
    "usages:write",
    "express-accounts-usage:read",
    "budgets:write",
];

/// Who is calling: the token's org and scopes.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The token's org.
    pub realm_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// The token's stored hash: what per-token limits count by, without keeping the token.
    pub token_hash: String,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token for `realm_id` with `scopes` that never expires; returns the token (only its
/// hash is stored).
pub fn create_token(
    db: &mut Conn<'_>,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
) -> anyhow::Result<String> {
    create_token_until(db, realm_id, scopes, label, None)
}

/// Like [`create_token`], valid for `ttl_secs` from the moment it is created (0: forever);
/// returns the token and when it expires. One clock reading makes both its creation and its
/// expiry, so its lifetime is exactly the one asked for, whatever second the clock turns in.
pub fn create_token_for(
    db: &mut Conn<'_>,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    ttl_secs: u64,
) -> anyhow::Result<(String, Option<i64>)> {
    let now = chrono::Utc::now().timestamp();
    let expires = (ttl_secs > 0).then(|| now.saturating_add_unsigned(ttl_secs));
    Ok((
        insert_token(db, realm_id, scopes, label, now, expires)?,
        expires,
    ))
}

/// Like [`create_token`], valid until `expires` (Unix seconds) when given.
pub fn create_token_until(
    db: &mut Conn<'_>,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    expires: Option<i64>,
) -> anyhow::Result<String> {
    insert_token(
        db,
        realm_id,
        scopes,
        label,
        chrono::Utc::now().timestamp(),
        expires,
    )
}

fn insert_token(
    db: &mut Conn<'_>,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    now: i64,
    expires: Option<i64>,
) -> anyhow::Result<String> {
    if let Some(bad) = scopes.iter().find(|s| !SCOPES.contains(s)) {
        anyhow::bail!("unknown scope '{bad}'; known scopes: {}", SCOPES.join(", "));
    }
    if !store::orgs::exists(db, realm_id)? {
        anyhow::bail!("no org with realm id '{realm_id}'");
    }
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = format!("upt_{}", hex::encode(bytes));
    store::tokens::insert(db, &hash(&token), realm_id, scopes, label, now, expires)?;
    Ok(token)
}

/// How many leading hex digits of a token's hash name it (`list-tokens`, `revoke-token`): the
/// hash says nothing about the token, so its prefix can be shown and logged.
pub const TOKEN_ID_LEN: usize = 12;

/// The shortest id prefix `revoke-token` takes, so a slip of the keyboard revokes nothing.
pub const TOKEN_ID_MIN_PREFIX: usize = 6;

/// Like [`create_token_until`], revoking first the live tokens of `realm_id` with the same
/// `label`: a start that makes a fresh token for a fixed purpose (the demo's) leaves one live.
pub fn replace_token(
    db: &mut Conn<'_>,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    expires: Option<i64>,
) -> anyhow::Result<String> {
    let (revoked, token) = db.transaction(TxKind::Write, |tx| -> anyhow::Result<_> {
        let revoked =
            store::tokens::revoke_labelled(tx, realm_id, label, chrono::Utc::now().timestamp())?;
        Ok((
            revoked,
            create_token_until(tx, realm_id, scopes, label, expires)?,
        ))
    })?;
    if revoked > 0 {
        tracing::info!(
            realm = realm_id,
            label,
            revoked,
            "revoked the tokens it replaces"
        );
    }
    Ok(token)
}

/// A token as an operator sees it: never the token itself, and of its hash only the first
/// [`TOKEN_ID_LEN`] hex digits.
pub type TokenInfo = store::tokens::TokenRow;

fn shown(mut t: TokenInfo) -> TokenInfo {
    t.id.truncate(TOKEN_ID_LEN);
    t
}

/// Every token (of `realm_id` when given), oldest first.
pub fn list_tokens(db: &mut Conn<'_>, realm_id: Option<&str>) -> anyhow::Result<Vec<TokenInfo>> {
    Ok(store::tokens::list(db, realm_id)?
        .into_iter()
        .map(shown)
        .collect())
}

/// Which tokens `revoke-token` revokes.
#[derive(Debug, Clone, Copy)]
pub enum Revoke<'a> {
    /// The one token whose id starts with this (at least [`TOKEN_ID_MIN_PREFIX`] hex digits).
    Id(&'a str),
    /// The token itself (one that leaked, say).
    Token(&'a str),
    /// Every token with this label, of one realm when given.
    Label {
        /// The label.
        label: &'a str,
        /// Only this realm's.
        realm_id: Option<&'a str>,
    },
}

/// Revokes the tokens `which` names that are not revoked yet and returns them (as they are
/// now). Naming no token, or an id prefix that fits more than one, is an error.
pub fn revoke_tokens(db: &mut Conn<'_>, which: Revoke<'_>) -> anyhow::Result<Vec<TokenInfo>> {
    db.transaction(TxKind::Write, |tx| revoke_in(tx, which))
}

fn revoke_in(tx: &mut Conn<'_>, which: Revoke<'_>) -> anyhow::Result<Vec<TokenInfo>> {
    let hashes: Vec<String> = match which {
        Revoke::Id(prefix) => {
            let prefix = prefix.trim().to_ascii_lowercase();
            if prefix.len() < TOKEN_ID_MIN_PREFIX || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
            {
                anyhow::bail!(
                    "a token id is at least {TOKEN_ID_MIN_PREFIX} hex digits (see list-tokens)"
                );
            }
            let found = store::tokens::hashes_with_prefix(tx, &prefix)?;
            if found.len() > 1 {
                anyhow::bail!(
                    "the id '{prefix}' fits {} tokens; give more of it",
                    found.len()
                );
            }
            found
        }
        Revoke::Token(token) => store::tokens::hashes_equal(tx, &hash(token.trim()))?,
        Revoke::Label { label, realm_id } => store::tokens::hashes_with_label(tx, label, realm_id)?,
    };
    if hashes.is_empty() {
        anyhow::bail!("no token fits; see list-tokens");
    }
    let now = chrono::Utc::now().timestamp();
    let mut revoked = Vec::new();
    for h in &hashes {
        if store::tokens::revoke(tx, h, now)? {
            revoked.push(shown(store::tokens::get(tx, h)?));
        }
    }
    Ok(revoked)
}

/// A lifetime as the command line gives it: seconds, or a number with `s`, `m`, `h` or `d`
/// (`90d`). `0` is no expiry.
pub fn parse_ttl(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let unit = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        _ => return Err(format!("'{s}': the unit is s, m, h or d")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        // Far beyond any sane lifetime, and keeps `now + ttl` within an i64.
        .filter(|n| *n <= 100 * 365 * 86_400)
        .ok_or_else(|| format!("'{s}' is not a lifetime such as 3600, 12h or 90d"))
}

/// When a token made now with a lifetime of `ttl_secs` expires; `0` never.
pub fn expiry_after(ttl_secs: u64) -> Option<i64> {
    (ttl_secs > 0).then(|| chrono::Utc::now().timestamp() + ttl_secs as i64)
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
    pub fn check_realm(&self, db: &mut Conn<'_>, realm_id: &str) -> Result<(), AppError> {
        if realm_id == self.realm_id {
            return Ok(());
        }
        match store::orgs::parent(db, realm_id)?.flatten() {
            Some(p) if p == self.realm_id => Ok(()),
            _ => Err(AppError::Forbidden(format!(
                "Your organization ({}) may not access the realm '{realm_id}'.",
                self.realm_id
            ))),
        }
    }
}

/// A request's bearer token, hashed and not yet looked up: for a handler that checks it in
/// the same database visit as its own work (one trip to the blocking pool instead of two).
/// [`Bearer::verify`] answers exactly as the [`Caller`] extractor does.
pub struct Bearer {
    hash: String,
}

impl<S: Sync> FromRequestParts<S> for Bearer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or(AppError::Unauthorized(
                "Send an Authorization: Bearer <token> header.",
            ))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                // The scheme is case-insensitive (RFC 9110): `Bearer`, `bearer`, `BEARER`.
                let (scheme, token) = v.trim_start().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then_some(token)
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized(
                "The Authorization header must be 'Bearer <token>'.",
            ))?;
        Ok(Self { hash: hash(token) })
    }
}

impl Bearer {
    /// Looks the token up: the caller, or 401 when it is unknown, revoked or expired.
    pub fn verify(self, db: &mut Conn<'_>) -> Result<Caller, AppError> {
        let found = store::tokens::grant(db, &self.hash)?;
        let token_hash = self.hash;
        // A revoked token is told apart from an unknown one in the log only.
        let store::tokens::Grant {
            realm_id,
            scopes,
            expires,
            revoked,
        } = found.ok_or(AppError::Unauthorized(
            "The token is unknown or has been revoked.",
        ))?;
        if revoked.is_some() {
            tracing::info!(token = %&token_hash[..TOKEN_ID_LEN], "a revoked token was used");
            return Err(AppError::Unauthorized(
                "The token is unknown or has been revoked.",
            ));
        }
        if expires.is_some_and(|e| e <= chrono::Utc::now().timestamp()) {
            return Err(AppError::Unauthorized(
                "The token has expired; get a new one.",
            ));
        }
        Ok(Caller {
            realm_id,
            scopes,
            token_hash,
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let bearer = Bearer::from_request_parts(parts, state).await?;
        state.db(move |db| bearer.verify(db)).await
    }
}
