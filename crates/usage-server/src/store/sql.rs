//! One way to run a statement on either database.
//!
//! The store's statements are written once, in what SQLite and PostgreSQL both understand:
//! numbered `?N` placeholders (rewritten to `$N` for PostgreSQL), `CAST(… AS BIGINT)` around
//! sums (PostgreSQL sums integers as NUMERIC), `RETURNING` instead of a last-row-id call, and
//! `ON CONFLICT (columns)`. Where the two part (a month's name, row locks), the store asks
//! [`Conn::backend`] and writes each dialect's text once, beside the other.
//!
//! Every integer column is a 64-bit integer on both (INTEGER on SQLite, BIGINT on
//! PostgreSQL), so one [`Val`] binds to either and a row reads back the same.

use r2d2_sqlite::rusqlite;
use std::collections::HashMap;

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A failed statement, from either backend.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite's.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL's.
    #[error(transparent)]
    Postgres(#[from] postgres::Error),
    /// A statement expected to find a row found none.
    #[error("the query returned no row")]
    NoRow,
    /// A sum left the 64-bit range (the contract's caps keep every sum in it).
    #[error("a sum is out of the 64-bit range")]
    Overflow,
    /// A reader of [`Conn::each`] asked for no more rows: not a failure, the reader's way out.
    #[error("the reader stopped")]
    Stopped,
    /// Sending rows in bulk failed.
    #[error("sending rows in bulk: {0}")]
    Io(#[from] std::io::Error),
}

/// A statement's outcome.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// PostgreSQL's SQLSTATE classes and codes that mean "not now" rather than "wrong":
/// connection trouble (08), too many connections or no space (53), the server shutting down
/// (57P01–57P03), and a transaction that lost a race and may simply be tried again (40001,
/// 40P01).
fn pg_transient(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "40001" | "40P01")
}

impl Error {
    /// True when the database is busy, locked, full, gone or restarting: load or an outage the
    /// client should wait out (a 503 with `Retry-After`), not a fault in the request.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Sqlite(e) => {
                use rusqlite::ErrorCode as C;
                matches!(
                    e.sqlite_error_code(),
                    Some(
                        C::DatabaseBusy
                            | C::DatabaseLocked
                            | C::ReadOnly
                            | C::SystemIoFailure
                            | C::CannotOpen
                            | C::DiskFull
                    )
                )
            }
            Self::Postgres(e) => e.is_closed() || e.code().is_some_and(|c| pg_transient(c.code())),
            Self::NoRow | Self::Overflow | Self::Stopped | Self::Io(_) => false,
        }
    }

    /// True when a unique constraint refused the write (a key taken by a concurrent writer).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            Self::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.extended_code,
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                    | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            ),
            Self::Postgres(e) => e.code() == Some(&postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }
}

/// A value bound to a placeholder. Nulls carry their type, which PostgreSQL needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val<'a> {
    /// A 64-bit integer.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// A null integer.
    NullInt,
    /// A null text.
    NullText,
}

impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<u32> for Val<'_> {
    fn from(v: u32) -> Self {
        Self::Int(i64::from(v))
    }
}
impl From<i32> for Val<'_> {
    fn from(v: i32) -> Self {
        Self::Int(i64::from(v))
    }
}
impl From<u64> for Val<'_> {
    /// Saturates: no count or offset the store binds comes near `i64::MAX`.
    fn from(v: u64) -> Self {
        Self::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<bool> for Val<'_> {
    fn from(v: bool) -> Self {
        Self::Int(i64::from(v))
    }
}
impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Self::Text(v)
    }
}
impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Self::Text(v)
    }
}
impl From<Option<i64>> for Val<'_> {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Self::NullInt, Self::Int)
    }
}
impl<'a> From<Option<&'a str>> for Val<'a> {
    fn from(v: Option<&'a str>) -> Self {
        v.map_or(Self::NullText, Self::Text)
    }
}
impl<'a> From<&'a Option<String>> for Val<'a> {
    fn from(v: &'a Option<String>) -> Self {
        v.as_deref().map_or(Self::NullText, Self::Text)
    }
}

/// `vals![a, b, c]`: the values of a statement's placeholders, in order.
#[macro_export]
macro_rules! vals {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::sql::Val::from($v)),*][..]
    };
}

impl rusqlite::ToSql for Val<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match *self {
            Self::Int(i) => ValueRef::Integer(i),
            Self::Text(s) => ValueRef::Text(s.as_bytes()),
            Self::NullInt | Self::NullText => ValueRef::Null,
        }))
    }
}

impl postgres::types::ToSql for Val<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::{IsNull, Type};
        match *self {
            Self::NullInt | Self::NullText => Ok(IsNull::Yes),
            // A placeholder PostgreSQL typed narrower than the column it meets (`LIMIT`, a
            // literal's type) still gets the value, or a clear error if it does not fit.
            Self::Int(i) if *ty == Type::INT4 => i32::try_from(i)?.to_sql(ty, out),
            Self::Int(i) if *ty == Type::INT2 => i16::try_from(i)?.to_sql(ty, out),
            Self::Int(i) if *ty == Type::BOOL => (i != 0).to_sql(ty, out),
            Self::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Self::Text(s)
                if matches!(*ty, Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME) =>
            {
                s.to_sql(ty, out)
            }
            // Binary encodings differ by type: a statement whose placeholder PostgreSQL typed
            // otherwise (a date, say) must cast from text or integer itself.
            Self::Int(_) | Self::Text(_) => {
                Err(format!("a {self:?} bound to a placeholder of type {ty}").into())
            }
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// One row of a result.
pub enum Row<'r> {
    /// A SQLite row.
    Sqlite(&'r rusqlite::Row<'r>),
    /// A PostgreSQL row.
    Postgres(&'r postgres::Row),
}

/// A column type the store reads.
pub trait Column: Sized {
    /// Reads column `i` of a SQLite row.
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self>;
    /// Reads column `i` of a PostgreSQL row.
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error>;
}

/// Reads an integer column of any width, and a boolean as 0 or 1 (`EXISTS` is a boolean on
/// PostgreSQL and an integer on SQLite).
fn pg_int(row: &postgres::Row, i: usize) -> Result<Option<i64>, postgres::Error> {
    use postgres::types::Type;
    let ty = row.columns().get(i).map(|c| c.type_().clone());
    Ok(match ty {
        Some(t) if t == Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(i64::from),
        Some(t) if t == Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(i64::from),
        Some(t) if t == Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(i64::from),
        _ => row.try_get::<_, Option<i64>>(i)?,
    })
}

fn pg_null(row: &postgres::Row, i: usize) -> postgres::Error {
    // try_get of a non-null type on a null is the error PostgreSQL's client gives; ask it for
    // one so the message names the column.
    match row.try_get::<_, i64>(i) {
        Err(e) => e,
        Ok(_) => unreachable!("pg_int saw a null here"),
    }
}

impl Column for i64 {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error> {
        pg_int(row, i)?.ok_or_else(|| pg_null(row, i))
    }
}

impl Column for Option<i64> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error> {
        pg_int(row, i)
    }
}

impl Column for bool {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error> {
        Ok(i64::postgres(row, i)? != 0)
    }
}

impl Column for Option<bool> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error> {
        Ok(pg_int(row, i)?.map(|v| v != 0))
    }
}

impl Column for String {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error> {
        row.try_get(i)
    }
}

impl Column for Option<String> {
    fn sqlite(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Self> {
        row.get(i)
    }
    fn postgres(row: &postgres::Row, i: usize) -> Result<Self, postgres::Error> {
        row.try_get(i)
    }
}

impl Row<'_> {
    /// Column `i`, as `T`.
    pub fn get<T: Column>(&self, i: usize) -> Result<T> {
        Ok(match self {
            Self::Sqlite(r) => T::sqlite(r, i)?,
            Self::Postgres(r) => T::postgres(r, i)?,
        })
    }

    /// Column `i`, a text, lent without a copy (a report's rows are written straight from it).
    pub fn str(&self, i: usize) -> Result<&str> {
        Ok(match self {
            Self::Sqlite(r) => r.get_ref(i)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
            Self::Postgres(r) => r.try_get::<_, &str>(i)?,
        })
    }

    /// Column `i`, a text, lent to `f` without a copy (the hot loops intern it).
    pub fn with_str<R>(&self, i: usize, f: impl FnOnce(&str) -> R) -> Result<R> {
        Ok(match self {
            Self::Sqlite(r) => f(r.get_ref(i)?.as_str().map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    i,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?),
            Self::Postgres(r) => f(r.try_get::<_, &str>(i)?),
        })
    }
}

/// A PostgreSQL client with its prepared statements, by their text: the store's statements
/// are few and fixed, and preparing each once saves a round trip on every later use.
pub struct PgClient {
    /// Always there but while it is dropped.
    client: Option<postgres::Client>,
    prepared: HashMap<String, postgres::Statement>,
    /// The TLS connector it was connected through; `None` when it was connected without one.
    tls: Option<postgres_native_tls::MakeTlsConnector>,
}

impl PgClient {
    /// Wraps a client connected through `tls` (or none).
    pub fn new(
        client: postgres::Client,
        tls: Option<postgres_native_tls::MakeTlsConnector>,
    ) -> Self {
        Self {
            client: Some(client),
            prepared: HashMap::new(),
            tls,
        }
    }

    /// The TLS connector it was connected through, for its cancel requests: they are
    /// connections of their own, made the same way.
    pub fn tls(&self) -> Option<&postgres_native_tls::MakeTlsConnector> {
        self.tls.as_ref()
    }

    /// The client itself, for what only PostgreSQL has (COPY, cancel tokens).
    pub fn client(&mut self) -> &mut postgres::Client {
        self.client
            .as_mut()
            .expect("a client is open until it is dropped")
    }

    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(&to_dollar_placeholders(sql))?;
        self.prepared.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

impl Drop for PgClient {
    /// Closing the blocking client runs its own small runtime, which tokio refuses on a thread
    /// of a runtime: a pool dropped there (at shutdown, on a failed start) closes its clients
    /// on a thread of their own.
    fn drop(&mut self) {
        self.prepared.clear();
        if let Some(client) = self.client.take()
            && tokio::runtime::Handle::try_current().is_ok()
        {
            let _ = std::thread::spawn(move || drop(client)).join();
        }
    }
}

/// `?N` as `$N`, and each bare `?` as the next number, outside quoted text.
pub fn to_dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut next = 1;
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                quoted = !quoted;
                out.push(c);
            }
            '?' if !quoted => {
                let mut digits = String::new();
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    digits = next.to_string();
                    next += 1;
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => out.push(c),
        }
    }
    out
}

/// A connection to either database, for the length of one piece of work.
pub enum Conn<'c> {
    /// SQLite.
    Sqlite(&'c rusqlite::Connection),
    /// PostgreSQL.
    Postgres(&'c mut PgClient),
}

/// How a transaction takes its locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxKind {
    /// Reads see one snapshot; writes lock as they go.
    Read,
    /// Takes the write lock at the start (SQLite's `BEGIN IMMEDIATE`), so a read-then-write
    /// never has to be retried; on PostgreSQL the statements lock the rows they need.
    Write,
}

impl<'c> Conn<'c> {
    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The same connection, borrowed again (to pass to a function and keep using it).
    pub fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Self::Sqlite(c) => Conn::Sqlite(c),
            Self::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// The SQLite connection, for what only SQLite has.
    pub fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Self::Sqlite(c) => Some(c),
            Self::Postgres(_) => None,
        }
    }

    /// Runs `sql` (no placeholders, several statements allowed).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Self::Sqlite(c) => c.execute_batch(sql)?,
            Self::Postgres(c) => crate::db::off_runtime(|| c.client().batch_execute(sql))?,
        }
        Ok(())
    }

    /// Runs `sql` with `vals`; returns how many rows it changed.
    pub fn exec(&mut self, sql: &str, vals: &[Val<'_>]) -> Result<u64> {
        match self {
            Self::Sqlite(c) => {
                Ok(c.prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(vals))? as u64)
            }
            Self::Postgres(c) => crate::db::off_runtime(|| {
                let stmt = c.prepare(sql)?;
                Ok(c.client().execute(&stmt, &as_pg(vals))?)
            }),
        }
    }

    /// Runs `sql` with `vals` and gives each row to `f` as it comes (a large result is never
    /// held whole).
    pub fn each(
        &mut self,
        sql: &str,
        vals: &[Val<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(vals))?;
                while let Some(r) = rows.next()? {
                    f(&Row::Sqlite(r))?;
                }
            }
            Self::Postgres(c) if crate::db::may_block_here() => {
                use postgres::fallible_iterator::FallibleIterator;
                let stmt = c.prepare(sql)?;
                let mut rows = c.client().query_raw(&stmt, vals.iter())?;
                while let Some(r) = rows.next()? {
                    f(&Row::Postgres(&r))?;
                }
            }
            // On a thread that drives async tasks (a test's body): read on a thread of its
            // own, then hand the rows over here.
            Self::Postgres(c) => {
                let rows = crate::db::off_runtime(|| -> Result<Vec<postgres::Row>> {
                    let stmt = c.prepare(sql)?;
                    Ok(c.client().query(&stmt, &as_pg(vals))?)
                })?;
                for r in &rows {
                    f(&Row::Postgres(r))?;
                }
            }
        }
        Ok(())
    }

    /// Every row of `sql`, each read by `f`.
    pub fn all<T>(
        &mut self,
        sql: &str,
        vals: &[Val<'_>],
        mut f: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, vals, |r| {
            out.push(f(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row of `sql`, read by `f`, if there is one.
    pub fn opt<T>(
        &mut self,
        sql: &str,
        vals: &[Val<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(vals))?;
                rows.next()?.map(|r| f(&Row::Sqlite(r))).transpose()
            }
            Self::Postgres(c) => {
                let rows = crate::db::off_runtime(|| -> Result<Vec<postgres::Row>> {
                    let stmt = c.prepare(sql)?;
                    Ok(c.client().query(&stmt, &as_pg(vals))?)
                })?;
                rows.first().map(|r| f(&Row::Postgres(r))).transpose()
            }
        }
    }

    /// The first row of `sql`, read by `f`; [`Error::NoRow`] when there is none.
    pub fn one<T>(
        &mut self,
        sql: &str,
        vals: &[Val<'_>],
        f: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.opt(sql, vals, f)?.ok_or(Error::NoRow)
    }

    /// Runs `f` in a transaction: committed when `f` returns `Ok`, rolled back when it fails
    /// (or panics: the guard rolls back as it is dropped).
    pub fn transaction<T, E: From<Error>>(
        &mut self,
        kind: TxKind,
        f: impl FnOnce(&mut Conn<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let begin = match (self.backend(), kind) {
            (Backend::Sqlite, TxKind::Write) => "BEGIN IMMEDIATE",
            (Backend::Sqlite, TxKind::Read) => "BEGIN DEFERRED",
            (Backend::Postgres, _) => "BEGIN",
        };
        self.batch(begin)?;
        let mut guard = Rollback {
            conn: self.reborrow(),
            open: true,
        };
        let out = f(&mut guard.conn)?;
        guard.conn.batch("COMMIT")?;
        guard.open = false;
        Ok(out)
    }
}

/// Rows for one table, many at a time: one prepared insert per row on SQLite (in the
/// caller's transaction, which is fast there), `COPY … FROM STDIN` in large chunks on
/// PostgreSQL (where a statement per row is a round trip per row).
pub struct Bulk<'a, 'c> {
    conn: &'a mut Conn<'c>,
    insert: String,
    copy: String,
    buf: Vec<u8>,
}

/// How much COPY text is gathered before it is sent.
const BULK_CHUNK: usize = 8 << 20;

impl<'c> Conn<'c> {
    /// Starts adding rows of `columns` to `table` (see [`Bulk`]).
    pub fn bulk<'a>(&'a mut self, table: &str, columns: &[&str]) -> Bulk<'a, 'c> {
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let cols = columns.join(", ");
        Bulk {
            conn: self,
            insert: format!("INSERT INTO {table} ({cols}) VALUES ({})", marks.join(", ")),
            copy: format!("COPY {table} ({cols}) FROM STDIN"),
            buf: Vec::new(),
        }
    }
}

impl Bulk<'_, '_> {
    /// Adds one row.
    pub fn row(&mut self, vals: &[Val<'_>]) -> Result<()> {
        if self.conn.backend() == Backend::Sqlite {
            self.conn.exec(&self.insert, vals)?;
            return Ok(());
        }
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                self.buf.push(b'\t');
            }
            match v {
                Val::Int(n) => self.buf.extend_from_slice(n.to_string().as_bytes()),
                Val::NullInt | Val::NullText => self.buf.extend_from_slice(b"\\N"),
                // COPY's text format: a backslash starts an escape; tabs and line ends end a
                // field or a row.
                Val::Text(t) => {
                    for b in t.bytes() {
                        match b {
                            b'\\' => self.buf.extend_from_slice(b"\\\\"),
                            b'\t' => self.buf.extend_from_slice(b"\\t"),
                            b'\n' => self.buf.extend_from_slice(b"\\n"),
                            b'\r' => self.buf.extend_from_slice(b"\\r"),
                            _ => self.buf.push(b),
                        }
                    }
                }
            }
        }
        self.buf.push(b'\n');
        if self.buf.len() >= BULK_CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let Conn::Postgres(c) = &mut *self.conn else {
            return Ok(());
        };
        let (copy, buf) = (&self.copy, &self.buf);
        crate::db::off_runtime(|| -> Result<()> {
            use std::io::Write;
            let mut w = c.client().copy_in(copy.as_str())?;
            w.write_all(buf)?;
            w.finish()?;
            Ok(())
        })?;
        self.buf.clear();
        Ok(())
    }

    /// Sends what is left.
    pub fn finish(mut self) -> Result<()> {
        self.flush()
    }
}

fn as_pg<'a>(vals: &'a [Val<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    vals.iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// Rolls an open transaction back when dropped, so a connection goes back to its pool clean.
struct Rollback<'c> {
    conn: Conn<'c>,
    open: bool,
}

impl Drop for Rollback<'_> {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.conn.batch("ROLLBACK")
        {
            tracing::warn!(error = %e, "rolling back a failed transaction failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_and_bare_placeholders_become_dollar_numbers() {
        assert_eq!(
            to_dollar_placeholders("SELECT ?1, ?12 WHERE a = ?2"),
            "SELECT $1, $12 WHERE a = $2"
        );
        assert_eq!(
            to_dollar_placeholders("WHERE a IN (?,?) AND b >= ?"),
            "WHERE a IN ($1,$2) AND b >= $3"
        );
    }

    #[test]
    fn a_question_mark_in_quoted_text_is_left_alone() {
        assert_eq!(
            to_dollar_placeholders("SELECT 'why?' || ?1, 'it''s?'"),
            "SELECT 'why?' || $1, 'it''s?'"
        );
    }

    #[test]
    fn sqlite_runs_statements_rows_and_transactions() -> Result<()> {
        let c = rusqlite::Connection::open_in_memory()?;
        let mut db = Conn::Sqlite(&c);
        db.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")?;
        let id = db.one(
            "INSERT INTO t (name, n) VALUES (?1, ?2) RETURNING id",
            vals!["a", None::<i64>],
            |r| r.get::<i64>(0),
        )?;
        assert_eq!(id, 1);
        let failed: std::result::Result<(), Error> = db.transaction(TxKind::Write, |tx| {
            tx.exec("INSERT INTO t (name) VALUES (?1)", vals!["b"])?;
            Err(Error::NoRow)
        });
        assert!(failed.is_err());
        let names = db.all("SELECT name, n FROM t ORDER BY id", &[], |r| {
            Ok((r.get::<String>(0)?, r.get::<Option<i64>>(1)?))
        })?;
        assert_eq!(
            names,
            vec![("a".to_owned(), None)],
            "the failed one was rolled back"
        );
        let exists: bool = db.one("SELECT EXISTS(SELECT 1 FROM t)", &[], |r| r.get(0))?;
        assert!(exists);
        assert!(
            db.opt("SELECT 1 FROM t WHERE id = ?1", vals![9_i64], |_| Ok(()))?
                .is_none()
        );
        let dup = db
            .exec("INSERT INTO t (id, name) VALUES (1, 'x')", &[])
            .unwrap_err();
        assert!(dup.is_unique_violation());
        Ok(())
    }
}
