//! How long to wait before asking the service again: its `Retry-After` when it sent one, else
//! an exponential back-off with jitter.

/// Shortest wait the server may ask for, in seconds: a `Retry-After: 0` is not a busy loop.
pub const RETRY_AFTER_MIN_SECS: u32 = 1;
/// Longest wait honoured, in seconds: a report the user watches is asked about at least once
/// a minute, whatever the header says.
pub const RETRY_AFTER_MAX_SECS: u32 = 60;
/// The back-off's first wait, in milliseconds.
pub const BACKOFF_FIRST_MS: f64 = 1_000.0;
/// The back-off's longest wait, in milliseconds.
pub const BACKOFF_MAX_MS: f64 = 15_000.0;

/// The wait before the next poll, in milliseconds. `retry_after_secs` is the server's
/// `Retry-After` (see [`retry_after_secs`]), `attempt` counts the polls since the last change
/// (0 for the first), and `jitter` in `[0, 1]` spreads clients apart (±20 %).
pub fn next_delay_ms(retry_after_secs: Option<u32>, attempt: u32, jitter: f64) -> u32 {
    match retry_after_secs {
        Some(s) => s.clamp(RETRY_AFTER_MIN_SECS, RETRY_AFTER_MAX_SECS) * 1000,
        None => {
            let base = BACKOFF_FIRST_MS * 2_f64.powi(attempt.min(4) as i32);
            (base.min(BACKOFF_MAX_MS) * (0.8 + 0.4 * jitter.clamp(0.0, 1.0))) as u32
        }
    }
}

/// A `Retry-After` header's wait in seconds: delta-seconds (`120`), or an HTTP date in the
/// IMF-fixdate form RFC 9110 has senders use (`Wed, 21 Oct 2026 07:28:00 GMT`), counted from
/// `now_unix`. `None` for anything else (the obsolete date forms included).
pub fn retry_after_secs(value: &str, now_unix: i64) -> Option<u32> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u32>() {
        return Some(secs);
    }
    let at = imf_fixdate(value)?;
    Some(u32::try_from((at - now_unix).max(0)).unwrap_or(u32::MAX))
}

/// Unix seconds of an IMF-fixdate. Read by hand: chrono's RFC 2822 parser would add its
/// whole format machinery to the wasm for one header.
fn imf_fixdate(v: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let rest = v.get(5..)?.strip_suffix(" GMT")?;
    let mut parts = rest.split(' ');
    let (day, month, year, time) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || day.len() != 2 || year.len() != 4 || time.len() != 8 {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == month)? as u32 + 1;
    let date = chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month, day.parse().ok()?)?;
    let mut hms = time.split(':').map(|n| n.parse::<u32>().ok());
    let t = chrono::NaiveTime::from_hms_opt(hms.next()??, hms.next()??, hms.next()??)?;
    Some(date.and_time(t).and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_server_decides_within_bounds() {
        assert_eq!(next_delay_ms(Some(2), 0, 0.5), 2_000);
        assert_eq!(next_delay_ms(Some(0), 0, 0.5), 1_000, "at least a second");
        assert_eq!(next_delay_ms(Some(600), 0, 0.5), 60_000, "at most a minute");
        assert_eq!(next_delay_ms(None, 1, 0.0), 1_600);
        assert_eq!(next_delay_ms(None, 1, 1.0), 2_400);
        let mid: Vec<u32> = (0..6).map(|n| next_delay_ms(None, n, 0.5)).collect();
        assert_eq!(mid, [1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    }

    #[test]
    fn retry_after_in_both_forms() {
        assert_eq!(retry_after_secs("120", 0), Some(120));
        assert_eq!(retry_after_secs(" 3 ", 0), Some(3));
        let now = chrono::NaiveDate::from_ymd_opt(2026, 10, 21)
            .unwrap()
            .and_hms_opt(7, 28, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2026 07:28:30 GMT", now),
            Some(30)
        );
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2026 07:27:00 GMT", now),
            Some(0),
            "past: now"
        );
        assert_eq!(
            retry_after_secs("Wed, 21 Oct 2026 08:28:00 GMT", now),
            Some(3_600)
        );
        for bad in [
            "",
            "-1",
            "soon",
            "1.5",
            "Wed, 21 Oct 2026 07:28:30 UTC",
            "Wed, 32 Oct 2026 07:28:30 GMT",
            "Wednesday, 21-Oct-26 07:28:30 GMT",
        ] {
            assert_eq!(retry_after_secs(bad, now), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn delays_stay_in_bounds_and_grow(attempt in 0_u32..100, jitter in 0.0_f64..=1.0, secs in proptest::option::of(0_u32..100_000)) {
            let d = next_delay_ms(secs, attempt, jitter);
            prop_assert!((800..=60_000).contains(&d), "{d}");
            if secs.is_none() {
                prop_assert!(next_delay_ms(None, attempt + 1, jitter) >= d);
            }
        }
    }
}
