//! The report store: where report CSVs are kept, behind the `object_store` crate, so that
//! every replica reads the files every other one wrote. A local folder by default (one
//! process, or a folder every replica mounts); an S3-compatible bucket in production.
//!
//! Names in the store: `REPORT-n.csv`, a completed report's CSV, and `REPORT-n.a.csv.part`,
//! what attempt `a` of report `n` wrote before it was published. An upload in progress is not
//! a name: on S3 it is a multipart upload (visible once completed), in a folder a staged file
//! `<name>#k` that [`LocalFileSystem`] keeps out of its listings.

use anyhow::Context;
use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::{
    GetOptions, GetRange, GetResult, ObjectMeta, ObjectStore, ObjectStoreExt, WriteMultipart,
};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::runtime::Handle;

/// Bytes of one uploaded part: S3 takes parts of 5 MiB or more (but the last), and a report
/// of 150 MB is 18 of them.
const PART_SIZE: usize = 8 * 1024 * 1024;

/// Parts uploaded at once while the next one is being filled: what a report holds in memory
/// is at most this many parts and the one being filled.
const PARTS_IN_FLIGHT: usize = 2;

/// Where report files are kept, and how to reach them.
#[derive(Clone, Debug)]
pub struct ReportStore {
    store: Arc<dyn ObjectStore>,
    /// Every name is under it (empty: at the store's root).
    prefix: Key,
    /// The folder, when the store is one: its staged uploads are found and removed by name.
    local: Option<PathBuf>,
    /// What the logs call it.
    describe: String,
}

impl ReportStore {
    /// The folder `dir` (made if missing). Writes are synced before they count, as the files
    /// were before the store: a completed report survives a power loss.
    pub fn local(dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .with_context(|| format!("opening {} as the report store", dir.display()))?
            .with_fsync(true);
        let root = std::fs::canonicalize(dir)?;
        Ok(Self {
            store: Arc::new(store),
            prefix: Key::default(),
            describe: format!("folder {}", root.display()),
            local: Some(root),
        })
    }

    /// The store `url` names: `s3://bucket[/prefix]`, S3 or an S3-compatible service, with
    /// credentials, region and endpoint from the `AWS_*` environment variables; or
    /// `file:///absolute/folder`.
    pub fn open(url: &str) -> anyhow::Result<Self> {
        if let Some(folder) = url.strip_prefix("file://") {
            anyhow::ensure!(
                folder.starts_with('/'),
                "--report-store {url}: a file:// URL names an absolute folder, as file:///var/lib/usage/reports"
            );
            return Self::local(Path::new(folder));
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            anyhow::bail!(
                "--report-store {url}: expected s3://bucket[/prefix] or file:///absolute/folder"
            );
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(
            !bucket.is_empty(),
            "--report-store {url}: the URL names no bucket"
        );
        let prefix = Key::parse(prefix.trim_matches('/'))
            .with_context(|| format!("--report-store {url}: the prefix"))?;
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .with_context(|| format!("--report-store {url}"))?;
        Ok(Self {
            store: Arc::new(store),
            prefix,
            local: None,
            describe: url.trim_end_matches('/').to_owned(),
        })
    }

    /// What the logs call it: the folder, or the URL.
    pub fn describe(&self) -> &str {
        &self.describe
    }

    fn key(&self, name: &str) -> Key {
        self.prefix.clone().join(name)
    }

    /// Report `id`'s CSV.
    pub fn report_key(&self, id: i64) -> Key {
        self.key(&report_name(id))
    }

    /// What attempt `attempt` of report `id` writes before it is published.
    pub fn part_key(&self, id: i64, attempt: i64) -> Key {
        self.key(&part_name(id, attempt))
    }

    /// Starts writing `key`, from a thread that may block (a report's worker): the bytes go
    /// up a part at a time, never held whole.
    pub fn upload(&self, rt: &Handle, key: &Key) -> anyhow::Result<Upload> {
        let upload = rt
            .block_on(self.store.put_multipart(key))
            .with_context(|| format!("starting the upload of {key} to {}", self.describe))?;
        Ok(Upload {
            rt: rt.clone(),
            key: key.clone(),
            writer: WriteMultipart::new_with_chunk_size(upload, PART_SIZE),
            size: 0,
        })
    }

    /// Moves `from` to `to` (a rename in a folder; a copy and a delete on S3).
    pub async fn rename(&self, from: &Key, to: &Key) -> object_store::Result<()> {
        self.store.rename(from, to).await
    }

    /// Bytes `range` of `key` (all of it without one), or only its metadata when `head`.
    pub async fn get(
        &self,
        key: &Key,
        range: Option<Range<u64>>,
        head: bool,
    ) -> object_store::Result<GetResult> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            head,
            ..GetOptions::default()
        };
        self.store.get_opts(key, options).await
    }

    /// The metadata of `key`.
    pub async fn head(&self, key: &Key) -> object_store::Result<ObjectMeta> {
        self.store.head(key).await
    }

    /// Deletes `key`; one already gone is no error. A failure is logged: what is left is
    /// found again by the next retention sweep.
    pub async fn delete(&self, key: &Key) {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => {
                tracing::warn!(file = %key, store = %self.describe, error = %e, "could not delete a report file")
            }
        }
    }

    /// Deletes what attempt `attempt` of report `id` left: its part, and in a folder the
    /// staged upload of a run that was killed mid-write.
    pub async fn delete_part(&self, id: i64, attempt: i64) {
        self.delete(&self.part_key(id, attempt)).await;
        if let Some(dir) = &self.local {
            let name = part_name(id, attempt);
            // A staged upload is `name#1`, or `#2` if `#1` was taken: never more than a few.
            for k in 1..=3 {
                remove_staged(&dir.join(format!("{name}#{k}"))).await;
            }
        }
    }

    /// Every name directly under the store's prefix, and in a folder the staged uploads
    /// ([`Entry::Staged`]), which the store itself never lists.
    pub async fn list(&self) -> anyhow::Result<Vec<Entry>> {
        let prefix = (!self.prefix.as_ref().is_empty()).then_some(&self.prefix);
        let listed = self
            .store
            .list_with_delimiter(prefix)
            .await
            .with_context(|| format!("listing {}", self.describe))?;
        let mut entries: Vec<Entry> = listed
            .objects
            .into_iter()
            .filter_map(|o| o.location.filename().map(|n| Entry::Object(n.to_owned())))
            .collect();
        if let Some(dir) = self.local.clone() {
            let staged = tokio::task::spawn_blocking(move || staged_in(&dir)).await??;
            entries.extend(staged);
        }
        Ok(entries)
    }

    /// Deletes an entry [`list`](Self::list) gave.
    pub async fn delete_entry(&self, entry: &Entry) {
        match entry {
            Entry::Object(name) => self.delete(&self.key(name)).await,
            Entry::Staged(_, path) => remove_staged(path).await,
        }
    }
}

/// A name in the store, as [`ReportStore::list`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An object: a report's CSV or a published part.
    Object(String),
    /// A folder's staged upload: the name it was being written to, and its own path.
    Staged(String, PathBuf),
}

impl Entry {
    /// The name it is (or was being written as).
    pub fn name(&self) -> &str {
        match self {
            Self::Object(n) | Self::Staged(n, _) => n,
        }
    }
}

/// `REPORT-n.csv`.
pub fn report_name(id: i64) -> String {
    format!("{}.csv", usage_api::reports::report_id(id))
}

/// `REPORT-n.attempt.csv.part`.
pub fn part_name(id: i64, attempt: i64) -> String {
    format!("{}.{attempt}.csv.part", usage_api::reports::report_id(id))
}

/// The report and attempt a part's name (`REPORT-n.attempt.csv.part`) belongs to.
pub fn part_of(name: &str) -> Option<(i64, i64)> {
    let (report, attempt) = name.strip_suffix(".csv.part")?.rsplit_once('.')?;
    Some((
        usage_api::reports::parse_report_id(report)?,
        attempt.parse().ok()?,
    ))
}

/// The report a CSV's name (`REPORT-n.csv`) is of.
pub fn report_of(name: &str) -> Option<i64> {
    usage_api::reports::parse_report_id(name.strip_suffix(".csv")?)
}

/// The staged uploads in `dir`: `name#k`, as [`LocalFileSystem`] names them.
fn staged_in(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        if let Some((name, k)) = file.rsplit_once('#')
            && !k.is_empty()
            && k.bytes().all(|b| b.is_ascii_digit())
        {
            found.push(Entry::Staged(name.to_owned(), entry.path()));
        }
    }
    Ok(found)
}

async fn remove_staged(path: &Path) {
    if let Err(e) = tokio::fs::remove_file(path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(file = %path.display(), error = %e, "could not delete a report's staged upload");
    }
}

/// An object being written, from a thread that may block; [`finish`](Self::finish) it or
/// [`abort`](Self::abort) it. Dropped unfinished (a panic), a folder's staged file is
/// removed; an S3 upload is left to the bucket's lifecycle rule.
pub struct Upload {
    rt: Handle,
    key: Key,
    writer: WriteMultipart,
    size: u64,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("key", &self.key)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl Upload {
    /// Appends `bytes`; waits while [`PARTS_IN_FLIGHT`] parts are still going up, so a slow
    /// store slows the report rather than filling memory.
    pub fn write(&mut self, bytes: Vec<u8>) -> anyhow::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.size += bytes.len() as u64;
        // A part that fills up is sent by a task of the runtime's.
        let _runtime = self.rt.enter();
        self.writer.put(Bytes::from(bytes));
        self.rt
            .block_on(self.writer.wait_for_capacity(PARTS_IN_FLIGHT))
            .with_context(|| format!("uploading {}", self.key))
    }

    /// Sends the rest and completes the object; its size in bytes.
    pub fn finish(self) -> anyhow::Result<u64> {
        let Self {
            rt,
            key,
            writer,
            size,
        } = self;
        let _runtime = rt.enter();
        rt.block_on(writer.finish())
            .with_context(|| format!("completing {key}"))?;
        Ok(size)
    }

    /// Gives the object up: nothing of it stays in the store.
    pub fn abort(self) {
        let _runtime = self.rt.enter();
        if let Err(e) = self.rt.block_on(self.writer.abort()) {
            tracing::warn!(file = %self.key, error = %e, "could not abort a report's upload");
        }
    }
}
