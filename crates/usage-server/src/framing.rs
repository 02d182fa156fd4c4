//! The headers that keep the portal's pages from being run in a hostile context: the strict
//! Content-Security-Policy (no inline script or style) and who may frame the pages.
//!
//! Framing is restricted even when the strict policy is off for development: a page shown in
//! another site's invisible frame can be clicked through by that site (clickjacking), and
//! embedding with the `<usage-portal>` element needs no frame at all.

use axum::http::{HeaderValue, header};
use axum::response::Response;

/// The portal's policy for scripts, styles and the rest: no inline script or style.
/// `frame-ancestors` is added to it by [`PortalHeaders`].
pub const PORTAL_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; object-src 'none'; base-uri 'self'";

/// The headers sent with the portal's HTML.
#[derive(Debug, Clone)]
pub struct PortalHeaders {
    csp: HeaderValue,
    frame_options: Option<HeaderValue>,
}

impl PortalHeaders {
    /// [`PORTAL_CSP`] when `strict`, and `frame-ancestors` from `ancestors` (CSP sources, as
    /// [`parse_source`] leaves them; none at all is `'none'`) either way.
    pub fn new(strict: bool, ancestors: &[String]) -> Self {
        let ancestors: Vec<&str> = ancestors
            .iter()
            .map(String::as_str)
            .filter(|a| parse_source(a).is_ok_and(|p| p == *a))
            .collect();
        let list = if ancestors.is_empty() {
            "'none'".to_owned()
        } else {
            ancestors.join(" ")
        };
        let csp = if strict {
            format!("{PORTAL_CSP}; frame-ancestors {list}")
        } else {
            format!("frame-ancestors {list}")
        };
        // X-Frame-Options for browsers without `frame-ancestors`; it cannot name another
        // origin (ALLOW-FROM is ignored by today's browsers), so then only the CSP speaks.
        let frame_options = match list.as_str() {
            "'none'" => Some(HeaderValue::from_static("DENY")),
            "'self'" => Some(HeaderValue::from_static("SAMEORIGIN")),
            _ => None,
        };
        Self {
            csp: HeaderValue::try_from(csp).expect("sources are checked to be header-safe"),
            frame_options,
        }
    }

    /// Adds the headers to `resp` when it is an HTML page.
    pub fn apply(&self, mut resp: Response) -> Response {
        let h = resp.headers_mut();
        if h.get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        {
            h.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
            if let Some(v) = &self.frame_options {
                h.insert(header::X_FRAME_OPTIONS, v.clone());
            }
        }
        resp
    }
}

/// One `frame-ancestors` source: `'self'`, `'none'` (`self` and `none` are quoted for you),
/// a scheme (`https:`) or an origin (`https://admin.example.com`, `https://*.example.com:8443`).
/// Anything that could end the directive or the header is refused.
pub fn parse_source(s: &str) -> Result<String, String> {
    let s = s.trim();
    match s {
        "'self'" | "self" => return Ok("'self'".to_owned()),
        "'none'" | "none" => return Ok("'none'".to_owned()),
        _ => {}
    }
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-:/*_".contains(&b));
    let (scheme, rest) = s.split_once(':').unwrap_or(("", s));
    let scheme_ok = !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-');
    let shape_ok = rest.is_empty() || rest.strip_prefix("//").is_some_and(|h| !h.is_empty());
    if ok_chars && scheme_ok && shape_ok {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "'{s}' is not a frame-ancestors source: give 'self', 'none', a scheme such as \
             https: or an origin such as https://admin.example.com"
        ))
    }
}

/// Checks a whole `--frame-ancestors` list: `'none'` says no one, so it stands alone.
pub fn check_sources(sources: &[String]) -> anyhow::Result<()> {
    if sources.len() > 1 && sources.iter().any(|s| s == "'none'") {
        anyhow::bail!("--frame-ancestors 'none' cannot be combined with other sources");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        assert_eq!(parse_source("self").unwrap(), "'self'");
        assert_eq!(
            parse_source("https://admin.example.com").unwrap(),
            "https://admin.example.com"
        );
        assert!(parse_source("https://*.example.com:8443").is_ok());
        assert!(parse_source("https:").is_ok());
        for bad in [
            "",
            "admin.example.com",
            "https://a.com; script-src *",
            "https://a.com,b",
            "'unsafe-inline'",
            "https://",
            "https://a.com\r\nx: y",
        ] {
            assert!(parse_source(bad).is_err(), "{bad:?}");
        }
        assert!(check_sources(&["'none'".into(), "'self'".into()]).is_err());
    }

    #[test]
    fn frame_options_follow_the_policy() {
        let fo = |a: &[&str]| {
            let a: Vec<String> = a.iter().map(|s| (*s).to_owned()).collect();
            PortalHeaders::new(true, &a).frame_options
        };
        assert_eq!(fo(&[]).unwrap(), "DENY");
        assert_eq!(fo(&["'self'"]).unwrap(), "SAMEORIGIN");
        assert!(fo(&["'self'", "https://a.example.com"]).is_none());
        let loose = PortalHeaders::new(false, &[]);
        assert_eq!(loose.csp, "frame-ancestors 'none'");
    }
}
