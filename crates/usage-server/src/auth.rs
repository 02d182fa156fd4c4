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
    /// The token's stored hash: what per-token limits count by, without keeping the token.
    pub token_hash: String,
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
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
    let token = format!("upt_{}", hex::encode(bytes));
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

/// How many leading hex digits of a token's hash name it (`list-tokens`, `revoke-token`): the
/// hash says nothing about the token, so its prefix can be shown and logged.
pub const TOKEN_ID_LEN: usize = 12;

/// The shortest id prefix `revoke-token` takes, so a slip of the keyboard revokes nothing.
pub const TOKEN_ID_MIN_PREFIX: usize = 6;

/// Like [`create_token_until`], revoking first the live tokens of `realm_id` with the same
/// `label`: a start that makes a fresh token for a fixed purpose (the demo's) leaves one live.
pub fn replace_token(
    conn: &Connection,
    realm_id: &str,
    scopes: &[&str],
    label: &str,
    expires: Option<i64>,
) -> anyhow::Result<String> {
    let tx = conn.unchecked_transaction()?;
    let revoked = tx.execute(
        "UPDATE tokens SET revoked = ?3 WHERE realm_id = ?1 AND label = ?2 AND revoked IS NULL",
        params![realm_id, label, chrono::Utc::now().timestamp()],
    )?;
    let token = create_token_until(&tx, realm_id, scopes, label, expires)?;
    tx.commit()?;
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

/// A token as an operator sees it: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenInfo {
    /// The first [`TOKEN_ID_LEN`] hex digits of the token's hash.
    pub id: String,
    /// The token's org.
    pub realm_id: String,
    /// The note it was made with.
    pub label: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// When it was made (Unix seconds).
    pub created: i64,
    /// When it stops working (Unix seconds); `None` never.
    pub expires: Option<i64>,
    /// When it was revoked (Unix seconds); `None` while it is not.
    pub revoked: Option<i64>,
}

const TOKEN_INFO: &str = "hash, realm_id, label, scopes, created, expires, revoked";

fn token_info(r: &r2d2_sqlite::rusqlite::Row<'_>) -> r2d2_sqlite::rusqlite::Result<TokenInfo> {
    Ok(TokenInfo {
        id: r.get::<_, String>(0)?.chars().take(TOKEN_ID_LEN).collect(),
        realm_id: r.get(1)?,
        label: r.get(2)?,
        scopes: r
            .get::<_, String>(3)?
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        created: r.get(4)?,
        expires: r.get(5)?,
        revoked: r.get(6)?,
    })
}

/// Every token (of `realm_id` when given), oldest first.
pub fn list_tokens(conn: &Connection, realm_id: Option<&str>) -> anyhow::Result<Vec<TokenInfo>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {TOKEN_INFO} FROM tokens WHERE ?1 IS NULL OR realm_id = ?1 ORDER BY created, rowid"
    ))?;
    let rows = stmt
        .query_map([realm_id], token_info)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
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
pub fn revoke_tokens(conn: &Connection, which: Revoke<'_>) -> anyhow::Result<Vec<TokenInfo>> {
    let tx = conn.unchecked_transaction()?;
    let hashes: Vec<String> = match which {
        Revoke::Id(prefix) => {
            let prefix = prefix.trim().to_ascii_lowercase();
            if prefix.len() < TOKEN_ID_MIN_PREFIX || !prefix.bytes().all(|b| b.is_ascii_hexdigit())
            {
                anyhow::bail!(
                    "a token id is at least {TOKEN_ID_MIN_PREFIX} hex digits (see list-tokens)"
                );
            }
            let found = select_hashes(
                &tx,
                "SELECT hash FROM tokens WHERE substr(hash, 1, length(?1)) = ?1",
                params![prefix],
            )?;
            if found.len() > 1 {
                anyhow::bail!(
                    "the id '{prefix}' fits {} tokens; give more of it",
                    found.len()
                );
            }
            found
        }
        Revoke::Token(token) => select_hashes(
            &tx,
            "SELECT hash FROM tokens WHERE hash = ?1",
            params![hash(token.trim())],
        )?,
        Revoke::Label { label, realm_id } => select_hashes(
            &tx,
            "SELECT hash FROM tokens WHERE label = ?1 AND (?2 IS NULL OR realm_id = ?2)",
            params![label, realm_id],
        )?,
    };
    if hashes.is_empty() {
        anyhow::bail!("no token fits; see list-tokens");
    }
    let now = chrono::Utc::now().timestamp();
    let mut revoked = Vec::new();
    for h in &hashes {
        if tx.execute(
            "UPDATE tokens SET revoked = ?2 WHERE hash = ?1 AND revoked IS NULL",
            params![h, now],
        )? == 1
        {
            revoked.push(tx.query_row(
                &format!("SELECT {TOKEN_INFO} FROM tokens WHERE hash = ?1"),
                [h],
                token_info,
            )?);
        }
    }
    tx.commit()?;
    Ok(revoked)
}

fn select_hashes(
    conn: &Connection,
    sql: &str,
    params: impl r2d2_sqlite::rusqlite::Params,
) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt
        .query_map(params, |r| r.get(0))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
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

/// A token's org, scopes, expiry and revocation.
type TokenRow = (String, String, Option<i64>, Option<i64>);

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
    pub fn verify(self, conn: &Connection) -> Result<Caller, AppError> {
        let found: Option<TokenRow> = conn
            .prepare_cached(
                "SELECT realm_id, scopes, expires, revoked FROM tokens WHERE hash = ?1",
            )?
            .query_row([&self.hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .optional()?;
        let token_hash = self.hash;
        // A revoked token is told apart from an unknown one in the log only.
        let (realm_id, scopes, expires, revoked) = found.ok_or(AppError::Unauthorized(
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
            scopes: scopes.split_whitespace().map(str::to_owned).collect(),
            token_hash,
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let bearer = Bearer::from_request_parts(parts, state).await?;
        state.db(move |conn| bearer.verify(conn)).await
    }
}
