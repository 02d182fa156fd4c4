//! CSV of usage records, written in chunks so a large result is never held whole in memory.

use crate::query;
use anyhow::Context;
use std::borrow::Cow;
use std::io::Write as _;
use usage_api::Quantity;
use usage_api::usage::{Column, UsageField, UsageItem, UsageQuery};
use usage_api::zone::{Zone, ZonedTime};

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
///
/// The bytes are the `csv` crate's with CRLF ends (a cell quoted only when it holds a comma,
/// a quote, CR or LF; a row of one empty cell written `""`), written here without it: a
/// report is a million rows, and building each row's cells as strings to hand them over took
/// longer than reading them from the database (the tests below hold the two to the same
/// bytes).
pub struct CsvRows {
    columns: Vec<Column>,
    buf: Vec<u8>,
    /// The last bucket start written, and its cell: rows come bucket by bucket.
    stamp: Option<(Option<ZonedTime>, Vec<u8>)>,
}

impl CsvRows {
    /// A writer for `columns`, with the header row already written.
    pub fn new(columns: Vec<Column>) -> Self {
        let mut rows = Self {
            columns,
            buf: Vec::with_capacity(256 * 1024),
            stamp: None,
        };
        let start = rows.buf.len();
        for (i, c) in rows.columns.iter().enumerate() {
            if i > 0 {
                rows.buf.push(b',');
            }
            put_field(&mut rows.buf, c.key().as_bytes());
        }
        rows.end_row(start);
        rows
    }

    /// Appends one record.
    pub fn push(&mut self, item: &UsageItem) {
        let start = self.buf.len();
        for i in 0..self.columns.len() {
            if i > 0 {
                self.buf.push(b',');
            }
            let col = self.columns[i];
            match col {
                Column::Field(UsageField::UsageValue) => {
                    put_quantity(&mut self.buf, item.usage_value)
                }
                Column::Field(UsageField::BillableValue) => {
                    put_quantity(&mut self.buf, item.billable_value)
                }
                Column::UsageDateTime => self.put_stamp(item.usage_date_time),
                _ => put_text(&mut self.buf, item.text(col).unwrap_or_default()),
            }
        }
        self.end_row(start);
    }

    /// Appends one record as [`query::for_each_lent`] lends it: the same bytes as
    /// [`push`](Self::push) of the record [`query::for_each`] would build of it.
    pub fn push_lent(
        &mut self,
        q: &UsageQuery,
        zone: Zone,
        r: &query::Lent<'_>,
    ) -> crate::store::sql::Result<()> {
        // The columns are the query's (`q.columns()`): a field the query leaves out, and the
        // time of a summarized query, have no column, so every column here is written.
        debug_assert_eq!(self.columns, q.columns());
        let start = self.buf.len();
        for i in 0..self.columns.len() {
            if i > 0 {
                self.buf.push(b',');
            }
            let col = self.columns[i];
            match col {
                Column::Field(UsageField::UsageValue) => {
                    put_quantity(&mut self.buf, Some(Quantity(r.sums.0)))
                }
                Column::Field(UsageField::BillableValue) => {
                    put_quantity(&mut self.buf, Some(Quantity(r.sums.1)))
                }
                Column::UsageDateTime => {
                    // The zone's offset is looked up only when the bucket changes.
                    match &self.stamp {
                        Some((Some(t), cell)) if t.unix() == r.bucket => {
                            self.buf.extend_from_slice(cell)
                        }
                        _ => self.put_stamp(zone.stamp(r.bucket)),
                    }
                }
                _ => put_text(&mut self.buf, r.text(q, col)?.unwrap_or_default()),
            }
        }
        self.end_row(start);
        Ok(())
    }

    /// Ends the row begun at `start`.
    fn end_row(&mut self, start: usize) {
        if self.buf.len() == start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    /// The bucket start `t`'s cell, formatted once per bucket.
    fn put_stamp(&mut self, t: Option<ZonedTime>) {
        match &self.stamp {
            Some((last, bytes)) if *last == t => self.buf.extend_from_slice(bytes),
            _ => {
                let mut bytes = Vec::with_capacity(25);
                if let Some(t) = t {
                    let _ = write!(bytes, "{t}");
                }
                let mut cell = Vec::with_capacity(bytes.len());
                put_text(&mut cell, std::str::from_utf8(&bytes).unwrap_or_default());
                self.buf.extend_from_slice(&cell);
                self.stamp = Some((t, cell));
            }
        }
    }

    /// Bytes buffered so far.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Takes the buffered bytes.
    pub fn take(&mut self) -> Vec<u8> {
        let capacity = self.buf.capacity();
        std::mem::replace(&mut self.buf, Vec::with_capacity(capacity))
    }
}

/// `s` as a cell: [`guard_cell`]ed, then quoted if it needs to be.
fn put_text(out: &mut Vec<u8>, s: &str) {
    put_field(out, guard_cell(s).as_bytes());
}

/// `field` quoted as the `csv` crate quotes by default: only when it holds a comma, a quote,
/// CR or LF, its quotes doubled.
fn put_field(out: &mut Vec<u8>, field: &[u8]) {
    if !field
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
    {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    for part in field.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(part);
        if part.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// A quantity's cell, as its `Display` writes it (the shortest exact decimal), without
/// formatting machinery: never guarded (it reads as a number) nor quoted.
fn put_quantity(out: &mut Vec<u8>, q: Option<Quantity>) {
    let Some(Quantity(v)) = q else { return };
    if v < 0 {
        out.push(b'-');
    }
    let abs = v.unsigned_abs();
    let (int, frac) = (abs / 1000, (abs % 1000) as u16);
    out.extend_from_slice(itoa::Buffer::new().format(int).as_bytes());
    if frac != 0 {
        let digits = [
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        let len = if frac % 100 == 0 {
            1
        } else if frac % 10 == 0 {
            2
        } else {
            3
        };
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
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
    use super::{CsvRows, guard_cell};
    use usage_api::usage::{Column, GroupDim, UsageField, UsageItem};
    use usage_api::zone::ZonedTime;
    use usage_api::{Quantity, Timestamp};

    /// The rows as they were written before [`CsvRows`] wrote them itself: each cell a
    /// guarded string, the row handed to the `csv` crate.
    fn by_the_csv_crate(columns: &[Column], items: &[UsageItem]) -> Vec<u8> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        w.write_record(columns.iter().map(|c| c.key())).unwrap();
        for item in items {
            let cells: Vec<String> = columns
                .iter()
                .map(|c| guard_cell(&item.cell(*c)).into_owned())
                .collect();
            w.write_record(&cells).unwrap();
        }
        w.into_inner().unwrap()
    }

    fn ours(columns: &[Column], items: &[UsageItem]) -> Vec<u8> {
        let mut rows = CsvRows::new(columns.to_vec());
        let mut out = Vec::new();
        for item in items {
            rows.push(item);
            if rows.buffered() > 100 {
                out.extend(rows.take());
            }
        }
        out.extend(rows.take());
        out
    }

    fn all_columns() -> Vec<Column> {
        let fields = UsageField::ALL.iter().map(|f| Column::Field(*f));
        let groups = GroupDim::ALL.iter().map(|g| Column::Group(*g));
        fields
            .chain(groups)
            .chain([Column::UsageDateTime])
            .collect()
    }

    fn item(
        texts: &[Option<String>],
        u: Option<i64>,
        b: Option<i64>,
        at: Option<(i64, Option<i32>)>,
    ) -> UsageItem {
        let t = |i: usize| texts.get(i % texts.len().max(1)).cloned().flatten();
        UsageItem {
            realm_id: t(0),
            feature_id: t(1),
            billing_subscription_id: t(2),
            billing_charge_number: t(3),
            category: t(4),
            name: t(5),
            value_driver: t(6),
            usage_value: u.map(Quantity),
            billable_value: b.map(Quantity),
            app_id: t(7),
            billing_tag: t(8),
            project_hrn: t(9),
            usage_type_code: t(10),
            resource: t(11),
            usage_date_time: at.and_then(|(unix, offset)| {
                Some(ZonedTime {
                    local: Timestamp::from_unix(unix)?,
                    offset,
                })
            }),
        }
    }

    #[test]
    fn the_same_bytes_as_the_csv_crate() {
        let texts: Vec<Option<String>> = [
            "plain",
            "with,comma",
            "with \"quotes\"",
            "\"",
            "line\r\nbreak",
            "=1+2",
            "-3.5",
            "+12",
            "@x",
            "\tx",
            "\rx",
            "-",
            "",
            "é ü",
            "'quoted",
            "1e5",
            "-inf",
        ]
        .iter()
        .map(|s| Some((*s).to_owned()))
        .chain([None])
        .collect();
        let quantities = [
            0,
            1,
            5,
            10,
            100,
            999,
            1_000,
            1_001,
            1_010,
            1_100,
            12_500,
            -1,
            -500,
            -12_345,
            i64::MAX,
            i64::MIN,
        ];
        let mut items = Vec::new();
        for (i, q) in quantities.iter().enumerate() {
            let shifted: Vec<_> = texts
                .iter()
                .cycle()
                .skip(i)
                .take(texts.len())
                .cloned()
                .collect();
            let at = [
                None,
                Some((1_780_272_000, None)),
                Some((1_780_272_000, Some(19_800))),
                Some((1_780_358_400 + 3_600, Some(-12_600))),
            ][i % 4];
            items.push(item(
                &shifted,
                Some(*q),
                (i % 3 != 0).then_some(q.wrapping_neg()),
                at,
            ));
        }
        let cols = all_columns();
        assert_eq!(ours(&cols, &items), by_the_csv_crate(&cols, &items));
        // One column: an empty cell is a row of its own, `""`.
        for col in [
            Column::Field(UsageField::Name),
            Column::Field(UsageField::UsageValue),
        ] {
            let one = [col];
            let mut empty = items.clone();
            empty.push(UsageItem::default());
            assert_eq!(
                String::from_utf8(ours(&one, &empty)).unwrap(),
                String::from_utf8(by_the_csv_crate(&one, &empty)).unwrap()
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_cells_any_quantities(
            texts in proptest::collection::vec(proptest::option::of("[a-z,\"\r\n=+@\t' .0-9-]{0,6}"), 1..14),
            u in proptest::option::of(proptest::num::i64::ANY),
            b in proptest::option::of(-10_000_000_i64..10_000_000),
        ) {
            let items = [item(&texts, u, b, Some((1_780_272_000, Some(-3_600))))];
            let cols = all_columns();
            proptest::prop_assert_eq!(ours(&cols, &items), by_the_csv_crate(&cols, &items));
        }
    }

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
