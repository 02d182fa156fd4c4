//! CSV of usage records, written in chunks so a large result is never held whole in memory.

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
