//! The rollup tables' cells: each table holds the records' sums per subscription, dimensions
//! and cell, a cell being `width` seconds from a multiple of `width` (UTC). Writers fill
//! every table of [`TABLES`]; queries read the coarsest that fit (`crate::query`).

/// A quarter hour: the finest cell, so that zones offset by :30 and :45 stay exact.
pub const QUARTER: i64 = 900;
/// An hour.
pub const HOUR: i64 = 3_600;
/// Six hours.
pub const SIX_HOURS: i64 = 21_600;
/// A (UTC) day.
pub const DAY: i64 = 86_400;

/// The rollup tables and their cells' widths, finest first.
pub const TABLES: [(&str, i64); 4] = [
    ("usage_quarter", QUARTER),
    ("usage_hourly", HOUR),
    ("usage_six_hours", SIX_HOURS),
    ("usage_daily", DAY),
];

/// The start of the cell `width` seconds wide that holds instant `t` (seconds).
pub fn cell(t: i64, width: i64) -> i64 {
    t - t.rem_euclid(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_starts_at_the_multiple_at_or_before_the_instant() {
        assert_eq!(cell(0, HOUR), 0);
        assert_eq!(cell(3_599, HOUR), 0);
        assert_eq!(cell(3_600, HOUR), 3_600);
        // Before 1970 too: the cell before, not toward zero.
        assert_eq!(cell(-1, QUARTER), -900);
        assert_eq!(cell(DAY + SIX_HOURS + 1, SIX_HOURS), DAY + SIX_HOURS);
    }

    #[test]
    fn every_width_divides_the_next_so_cells_nest() {
        for pair in TABLES.windows(2) {
            assert_eq!(pair[1].1 % pair[0].1, 0, "{pair:?}");
        }
    }
}
