//! Runtime settings, read from `config.json` next to index.html, so one build serves every
//! environment and CDN.

use crate::api::{ApiClient, ApiError};
use serde::Deserialize;

/// The contents of `config.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortalConfig {
    /// The API's base URL, resolved against config.json's own URL; empty for that origin.
    #[serde(default)]
    pub api_base: String,
    /// The realm (org) whose usage the portal shows.
    pub realm: String,
    /// A bearer token (local use; an embedding host supplies tokens at run time instead).
    #[serde(default)]
    pub token: Option<String>,
    /// The path the portal is served under, such as `/admin/usage` (empty at the root).
    #[serde(default)]
    pub base_path: String,
}

/// The path the portal is served under (no trailing slash), provided in context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BasePath(pub String);

impl BasePath {
    /// From config: a leading slash, no trailing one; the root is empty.
    pub fn new(raw: &str) -> Self {
        let trimmed = raw.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            Self(String::new())
        } else if trimmed.starts_with('/') {
            Self(trimmed.to_owned())
        } else {
            Self(format!("/{trimmed}"))
        }
    }

    /// The full path of the portal's `path` (which starts with `/`).
    pub fn href(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
}

/// The full path of the portal's `path`, under the configured base path.
pub fn href(path: &str) -> String {
    leptos::prelude::use_context::<BasePath>()
        .unwrap_or_default()
        .href(path)
}

/// The realm shown, provided in context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Realm(pub String);

/// The page's base URL, which relative settings are resolved against.
pub(crate) fn document_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .unwrap_or_default()
}

/// `relative` resolved against the absolute URL `base`.
pub(crate) fn resolve(relative: &str, base: &str) -> Result<String, ApiError> {
    web_sys::Url::new_with_base(relative, base)
        .map(|u| u.href())
        .map_err(|_| ApiError::config(format!("'{relative}' is not a valid URL")))
}

/// Fetches and checks the config at `url` (relative to the document), returning it with a
/// client for its API.
pub async fn load(url: &str) -> Result<(PortalConfig, ApiClient), ApiError> {
    let config_url = resolve(url, &document_base())?;
    let config: PortalConfig = crate::api::get_json_unauthenticated(&config_url).await?;
    if let Err(e) = usage_api::usage::validate_realm_id(&config.realm) {
        return Err(ApiError::config(format!(
            "the realm in config.json {}",
            e.description
        )));
    }
    let base = if config.api_base.is_empty() {
        "/"
    } else {
        config.api_base.as_str()
    };
    let api_base = resolve(base, &config_url)?;
    let client = ApiClient::new(api_base.trim_end_matches('/'), config.token.clone());
    Ok((config, client))
}
