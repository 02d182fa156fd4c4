//! Short-lived signed download links: HMAC-SHA256 over the path and expiry.
//!
//! The key is read once at start: from the environment or a file when the operator gives one
//! (so a copy of the database does not carry it), else from the database, where one is made
//! on first use so that links survive a restart. A previous key may be given beside the
//! current one: links it signed keep verifying until they expire, while every new link is
//! signed with the current key, so a key can be rotated without breaking a link in flight.

use crate::store::sql::Conn;
use anyhow::Context;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::PathBuf;
use std::sync::Arc;

/// How long a signed link works.
pub const LINK_TTL_SECS: i64 = 15 * 60;

/// The shortest key accepted from the operator: HMAC-SHA256 is only as strong as its key up to
/// the hash's own 32 bytes.
pub const MIN_KEY_BYTES: usize = 32;

/// The keys links are signed and verified with.
#[derive(Clone)]
pub struct SigningKeys(Arc<Keys>);

struct Keys {
    current: Vec<u8>,
    previous: Option<Vec<u8>>,
}

// The keys are secrets: a `{:?}` of the state must not print them.
impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("previous", &self.0.previous.is_some())
            .finish_non_exhaustive()
    }
}

/// Where the operator's keys come from; all empty means the key kept in the database.
#[derive(Debug, Clone, Default)]
pub struct KeyConfig {
    /// The current key in hex (`USAGE_SIGNING_KEY`).
    pub current_hex: Option<String>,
    /// A file holding the current key in hex (`--signing-key-file`).
    pub current_file: Option<PathBuf>,
    /// The previous key in hex (`USAGE_SIGNING_KEY_PREVIOUS`).
    pub previous_hex: Option<String>,
    /// A file holding the previous key in hex (`--signing-key-previous-file`).
    pub previous_file: Option<PathBuf>,
}

impl SigningKeys {
    /// Signs with `current`; verifies with `current` or `previous`.
    pub fn new(current: Vec<u8>, previous: Option<Vec<u8>>) -> anyhow::Result<Self> {
        for (name, key) in [("current", Some(&current)), ("previous", previous.as_ref())] {
            if let Some(k) = key
                && k.len() < MIN_KEY_BYTES
            {
                anyhow::bail!(
                    "the {name} signing key has {} bytes; it needs at least {MIN_KEY_BYTES} \
                     (make one with `openssl rand -hex 32`)",
                    k.len()
                );
            }
        }
        Ok(Self(Arc::new(Keys { current, previous })))
    }

    /// The key kept in the database, made on first use, with no previous key.
    pub fn stored(db: &mut Conn<'_>) -> anyhow::Result<Self> {
        Self::with_stored(db, None)
    }

    fn with_stored(db: &mut Conn<'_>, previous: Option<Vec<u8>>) -> anyhow::Result<Self> {
        let read = |db: &mut Conn<'_>| {
            db.opt(
                "SELECT value FROM settings WHERE key = 'download_key'",
                &[],
                |r| r.get::<String>(0),
            )
        };
        let stored = match read(db)? {
            Some(v) => v,
            None => {
                let mut b = [0u8; 32];
                rand::rngs::OsRng.fill_bytes(&mut b);
                // DO NOTHING and read back: two processes starting at once agree on one key.
                db.exec(
                    "INSERT INTO settings (key, value) VALUES ('download_key', ?1)
                     ON CONFLICT (key) DO NOTHING",
                    crate::vals![&hex::encode(b)],
                )?;
                read(db)?.context("the signing key just stored is not there")?
            }
        };
        Self::new(
            decode(&stored).context("the signing key in the database")?,
            previous,
        )
    }

    /// The keys `config` names, falling back to the database's key for the current one.
    pub fn configured(config: &KeyConfig, db: &mut Conn<'_>) -> anyhow::Result<Self> {
        let previous = one_of(
            "USAGE_SIGNING_KEY_PREVIOUS",
            config.previous_hex.as_deref(),
            "--signing-key-previous-file",
            config.previous_file.as_ref(),
        )?;
        // The database's key is never kept as an implicit previous one: moving the key out of
        // the database is what makes a leaked copy of the database unable to sign.
        match one_of(
            "USAGE_SIGNING_KEY",
            config.current_hex.as_deref(),
            "--signing-key-file",
            config.current_file.as_ref(),
        )? {
            Some(current) => Self::new(current, previous),
            None => Self::with_stored(db, previous),
        }
    }

    /// True when a previous key is kept for verifying.
    pub fn has_previous(&self) -> bool {
        self.0.previous.is_some()
    }

    /// `path?expires=…&signature=…` signed with the current key, valid for [`LINK_TTL_SECS`]
    /// from `now`.
    pub fn sign(&self, path: &str, now: i64) -> String {
        sign(&self.0.current, path, now)
    }

    /// True when the current or the previous key signed `path` and `expires`, and `expires`
    /// is still ahead.
    pub fn verify(&self, path: &str, expires: i64, signature: &str, now: i64) -> bool {
        verify(&self.0.current, path, expires, signature, now)
            || self
                .0
                .previous
                .as_ref()
                .is_some_and(|k| verify(k, path, expires, signature, now))
    }
}

fn decode(hex_key: &str) -> anyhow::Result<Vec<u8>> {
    // A file written by `echo` or an editor ends with a newline.
    hex::decode(hex_key.trim()).context("a signing key must be written in hex")
}

/// The key given in the environment or in a file (never both), decoded.
fn one_of(
    env: &str,
    hex_key: Option<&str>,
    flag: &str,
    file: Option<&PathBuf>,
) -> anyhow::Result<Option<Vec<u8>>> {
    match (hex_key, file) {
        (Some(_), Some(_)) => anyhow::bail!("give {env} or {flag}, not both"),
        (Some(h), None) => decode(h).with_context(|| env.to_owned()).map(Some),
        (None, Some(f)) => {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("{flag}: reading {}", f.display()))?;
            decode(&text)
                .with_context(|| format!("{flag}: {}", f.display()))
                .map(Some)
        }
        (None, None) => Ok(None),
    }
}

fn mac(key: &[u8], path: &str, expires: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(path.as_bytes());
    m.update(b"\n");
    m.update(expires.to_string().as_bytes());
    m
}

/// `path?expires=…&signature=…` signed with `key`, valid for [`LINK_TTL_SECS`] from `now`.
pub fn sign(key: &[u8], path: &str, now: i64) -> String {
    let expires = now + LINK_TTL_SECS;
    let sig = hex::encode(mac(key, path, expires).finalize().into_bytes());
    format!("{path}?expires={expires}&signature={sig}")
}

/// True when `signature` is `key`'s for `path` and `expires`, and `expires` is still ahead.
pub fn verify(key: &[u8], path: &str, expires: i64, signature: &str, now: i64) -> bool {
    if expires < now {
        return false;
    }
    let Ok(bytes) = hex::decode(signature) else {
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

    fn parts(url: &str) -> (String, i64, String) {
        let (path, q) = url.split_once('?').unwrap();
        let q: Vec<(String, String)> = serde_urlencoded::from_str(q).unwrap();
        (path.to_owned(), q[0].1.parse().unwrap(), q[1].1.clone())
    }

    #[test]
    fn rotation() {
        let (a, b) = (vec![1u8; 32], vec![2u8; 32]);
        let old = SigningKeys::new(a.clone(), None).unwrap();
        let rotated = SigningKeys::new(b.clone(), Some(a)).unwrap();
        let only_b = SigningKeys::new(b, None).unwrap();
        let (path, exp, sig) = parts(&old.sign("/x", 1000));
        assert!(
            rotated.verify(&path, exp, &sig, 1000),
            "the previous key verifies"
        );
        assert!(
            !rotated.verify(&path, exp, &sig, exp + 1),
            "until its link expires"
        );
        assert!(
            !only_b.verify(&path, exp, &sig, 1000),
            "once dropped, no more"
        );
        let (path, exp, sig) = parts(&rotated.sign("/x", 1000));
        assert!(
            only_b.verify(&path, exp, &sig, 1000),
            "new links use the current key"
        );
        assert!(!old.verify(&path, exp, &sig, 1000));
        assert!(SigningKeys::new(vec![0; 16], None).is_err(), "too short");
        assert!(
            !format!("{rotated:?}").contains("2, 2"),
            "Debug hides the keys"
        );
    }
}
