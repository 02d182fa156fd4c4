//! CSV of usage records, written in chunks so a large result is never held whole in memory.

use anyhow::Context;
use std::borrow::Cow;
use usage_api::usage::{Column, UsageItem};

/// Guards a cell against spreadsheet formula injection: a cell that starts with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'`, unless it is a plain number.
pub fn guard_cell(s: &str) -> Cow<'_, str> {
    let risky = matches!(
        s.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if risky && usage_api::Quantity::parse(s).is_err() && s.parse::<f64>().is_err() {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Writes records as CSV rows into a buffer that the caller drains in chunks.
pub struct CsvRows {
    columns: Vec<Column>,
    writer: csv::Writer<Vec<u8>>,
}

impl CsvRows {
    /// A writer for `columns`, with the header row already written.
    pub fn new(columns: Vec<Column>) -> Self {
        let mut writer = Self::writer();
        // Writing into a Vec cannot fail.
        let _ = writer.write_record(columns.iter().map(|c| c.key()));
        Self { columns, writer }
    }

    fn writer() -> csv::Writer<Vec<u8>> {
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(64 * 1024))
    }

    /// Appends one record.
    pub fn push(&mut self, item: &UsageItem) {
        let cells: Vec<String> = self
            .columns
            .iter()
            .map(|c| guard_cell(&item.cell(*c)).into_owned())
            .collect();
        let _ = self.writer.write_record(&cells);
    }

    /// Bytes buffered so far.
    pub fn buffered(&self) -> usize {
        self.writer.get_ref().len()
    }

    /// Takes the buffered bytes.
    pub fn take(&mut self) -> Vec<u8> {
        // csv::Writer lends no mutable buffer: swap in a fresh writer and unwrap the old one.
        std::mem::replace(&mut self.writer, Self::writer())
            .into_inner()
            .unwrap_or_default()
    }
}

/// Writes rows to an unnamed temporary file, so that the database connection they are read on
/// can be released before the client reads a byte (a slow reader then holds a file, not a
/// connection and its read snapshot). The file is gone from the directory already; it is
/// removed from disk when the last handle closes.
pub struct CsvSpool {
    rows: CsvRows,
    file: std::io::BufWriter<std::fs::File>,
}

impl CsvSpool {
    /// A spool for `columns`, with the header row.
    pub fn new(columns: Vec<Column>) -> std::io::Result<Self> {
        Ok(Self {
            rows: CsvRows::new(columns),
            file: std::io::BufWriter::new(tempfile::tempfile()?),
        })
    }

    /// Appends one record.
    pub fn push(&mut self, item: &UsageItem) -> std::io::Result<()> {
        self.rows.push(item);
        if self.rows.buffered() >= 64 * 1024 {
            std::io::Write::write_all(&mut self.file, &self.rows.take())?;
        }
        Ok(())
    }

    /// The whole CSV, read from its start.
    pub fn finish(mut self) -> std::io::Result<std::fs::File> {
        use std::io::{Seek, Write};
        self.file.write_all(&self.rows.take())?;
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.rewind()?;
        Ok(file)
    }
}

/// A usage query's CSV, spooled, or how many records it has when that is more than allowed.
pub enum Spooled {
    /// The whole CSV, ready to be read from its start.
    File(std::fs::File),
    /// The result's size, over the limit: nothing was written.
    TooMany(u64),
}

/// Spools the CSV of `q` over `realms` unless it has more than `max` records; the count and
/// the rows come from one read.
pub fn spool_usage(
    db: &mut crate::store::sql::Conn<'_>,
    realms: &[String],
    q: &usage_api::usage::UsageQuery,
    max: u64,
) -> anyhow::Result<Spooled> {
    let all = crate::query::sum_all(db, realms, q)?;
    if all.len() > max {
        return Ok(Spooled::TooMany(all.len()));
    }
    let mut spool = CsvSpool::new(q.columns())?;
    for item in all.items(q, 0) {
        spool.push(&item).context("spooling the CSV")?;
    }
    Ok(Spooled::File(spool.finish()?))
}

/// A spooled CSV as a response body that ends (with an error, so hyper drops the connection
/// rather than pretending the CSV is complete) once `deadline` passes, and that holds `guard`
/// (the stream's slot and the connection's deadline) as long as it is being sent.
pub fn spooled_body<G: Send + Unpin + 'static>(
    file: std::fs::File,
    deadline: tokio::time::Instant,
    guard: G,
) -> axum::body::Body {
    let chunks =
        tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 32 * 1024);
    axum::body::Body::from_stream(Deadlined {
        chunks,
        sleep: Box::pin(tokio::time::sleep_until(deadline)),
        cut: false,
        _guard: guard,
    })
}

struct Deadlined<S, G> {
    chunks: S,
    sleep: std::pin::Pin<Box<tokio::time::Sleep>>,
    cut: bool,
    _guard: G,
}

impl<S, G> tokio_stream::Stream for Deadlined<S, G>
where
    S: tokio_stream::Stream<Item = std::io::Result<axum::body::Bytes>> + Unpin,
    G: Unpin,
{
    type Item = std::io::Result<axum::body::Bytes>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        let this = self.get_mut();
        if this.cut {
            return Poll::Ready(None);
        }
        if this.sleep.as_mut().poll(cx).is_ready() {
            this.cut = true;
            tracing::info!("CSV stream deadline passed; the client is cut off");
            return Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the CSV stream deadline passed",
            ))));
        }
        std::pin::Pin::new(&mut this.chunks).poll_next(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::guard_cell;

    #[test]
    fn formula_injection_guard() {
        assert_eq!(guard_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_cell("+1+1"), "'+1+1");
        assert_eq!(guard_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(guard_cell("\tx"), "'\tx");
        assert_eq!(guard_cell("-3.5"), "-3.5");
        assert_eq!(guard_cell("+12"), "+12");
        assert_eq!(guard_cell("routing"), "routing");
        assert_eq!(guard_cell(""), "");
    }
}
