//! Short-lived signed download links: HMAC-SHA256 over the path and expiry, with a key kept in
//! the database so links survive a restart.

use hmac::{Hmac, Mac};
use r2d2_sqlite::rusqlite::{Connection, OptionalExtension};
use rand::RngCore;
use sha2::Sha256;

/// How long a signed link works.
pub const LINK_TTL_SECS: i64 = 15 * 60;

/// The signing key, created on first use.
pub fn key(conn: &Connection) -> anyhow::Result<Vec<u8>> {
    let found: Option<String> = conn
        .query_row(
            "SELECT value FROM settings WHERE key = 'download_key'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let hex = match found {
        Some(v) => v,
        None => {
            let mut b = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut b);
            let v: String = b.iter().map(|x| format!("{x:02x}")).collect();
            conn.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES ('download_key', ?1)",
                [&v],
            )?;
            conn.query_row(
                "SELECT value FROM settings WHERE key = 'download_key'",
                [],
                |r| r.get(0),
            )?
        }
    };
    Ok(hex.into_bytes())
}

fn mac(key: &[u8], path: &str, expires: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(path.as_bytes());
    m.update(b"\n");
    m.update(expires.to_string().as_bytes());
    m
}

/// `path?expires=…&signature=…`, valid for [`LINK_TTL_SECS`] from `now`.
pub fn sign(key: &[u8], path: &str, now: i64) -> String {
    let expires = now + LINK_TTL_SECS;
    let sig: String = mac(key, path, expires)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{path}?expires={expires}&signature={sig}")
}

/// True when `signature` is the one for `path` and `expires`, and `expires` is still ahead.
pub fn verify(key: &[u8], path: &str, expires: i64, signature: &str, now: i64) -> bool {
    if expires < now {
        return false;
    }
    let Some(bytes) = (0..signature.len())
        .step_by(2)
        .map(|i| {
            signature
                .get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
    else {
        return false;
    };
    mac(key, path, expires).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_links() {
        let key = b"k".to_vec();
        let url = sign(&key, "/a/b", 1000);
        let q: Vec<(String, String)> =
            serde_urlencoded::from_str(url.split_once('?').unwrap().1).unwrap();
        let (exp, sig) = (q[0].1.parse::<i64>().unwrap(), q[1].1.clone());
        assert!(verify(&key, "/a/b", exp, &sig, 1000));
        assert!(!verify(&key, "/a/c", exp, &sig, 1000), "another path");
        assert!(!verify(&key, "/a/b", exp + 1, &sig, 1000), "another expiry");
        assert!(!verify(&key, "/a/b", exp, &sig, exp + 1), "expired");
        assert!(!verify(b"other", "/a/b", exp, &sig, 1000), "another key");
        assert!(!verify(&key, "/a/b", exp, "zz", 1000));
    }
}
