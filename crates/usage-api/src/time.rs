//! Contract timestamps: `yyyy-MM-dd'T'HH:mm:ss` in UTC (a trailing `Z` accepted), or a bare
//! `yyyy-MM-dd` for the start of that day.
//!
//! Parsed by hand rather than with chrono's format machinery, which would add tens of
//! kilobytes to the portal's wasm for one fixed format.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A UTC instant with one-second precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(NaiveDateTime);

/// Why a timestamp did not parse.
pub const TIMESTAMP_FORMAT_HELP: &str =
    "must be a UTC date-time as yyyy-MM-ddTHH:mm:ss (a trailing Z is allowed) or a date yyyy-MM-dd";

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Timestamp {
    /// Parses the contract's input forms.
    pub fn parse(input: &str) -> Option<Self> {
        let s = input.strip_suffix('Z').unwrap_or(input);
        let (date, time) = match s.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None if s.len() == input.len() => (s, None),
            None => return None,
        };
        let mut d = date.split('-');
        let (y, m, day) = (d.next()?, d.next()?, d.next()?);
        if d.next().is_some() || y.len() != 4 || m.len() != 2 || day.len() != 2 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(digits(y)? as i32, digits(m)?, digits(day)?)?;
        let (h, mi, sec) = match time {
            None => (0, 0, 0),
            Some(t) => {
                let mut p = t.split(':');
                let (h, mi, sec) = (p.next()?, p.next()?, p.next()?);
                if p.next().is_some() || h.len() != 2 || mi.len() != 2 || sec.len() != 2 {
                    return None;
                }
                (digits(h)?, digits(mi)?, digits(sec)?)
            }
        };
        Some(Self(date.and_hms_opt(h, mi, sec)?))
    }

    /// From seconds since the Unix epoch.
    pub fn from_unix(secs: i64) -> Option<Self> {
        DateTime::from_timestamp(secs, 0).map(|d| Self(d.naive_utc()))
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.0.and_utc().timestamp()
    }

    /// The calendar date.
    pub fn date(self) -> NaiveDate {
        self.0.date()
    }

    /// Midnight at the start of `date`.
    pub fn start_of(date: NaiveDate) -> Self {
        Self(date.and_time(chrono::NaiveTime::MIN))
    }

    /// The underlying chrono value.
    pub fn naive(self) -> NaiveDateTime {
        self.0
    }

    /// True when the time of day is midnight.
    pub fn is_midnight(self) -> bool {
        self.0.time() == chrono::NaiveTime::MIN
    }

    /// The current instant (server side).
    pub fn from_datetime(dt: DateTime<Utc>) -> Self {
        Self(dt.naive_utc().with_nanosecond(0).unwrap_or(dt.naive_utc()))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minute(),
            d.second()
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom(TIMESTAMP_FORMAT_HELP))
    }
}

/// The wire form, as the server writes it.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some(
                r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$",
            ))
            .description(Some("A UTC date-time, yyyy-MM-ddTHH:mm:ss (no offset)."))
            .examples(["2026-03-01T10:00:00"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Timestamp {}

/// A timestamp as a client may send it: the wire form, with a trailing `Z`, or a bare date.
#[cfg(feature = "openapi")]
pub fn input_schema() -> utoipa::openapi::ObjectBuilder {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::String)
        .pattern(Some(
            r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}Z?)?$",
        ))
        .description(Some(TIMESTAMP_FORMAT_HELP))
        .examples(["2026-03-01T10:00:00"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        let a = Timestamp::parse("2026-03-01T10:20:30").unwrap();
        assert_eq!(a.to_string(), "2026-03-01T10:20:30");
        assert_eq!(Timestamp::parse("2026-03-01T10:20:30Z"), Some(a));
        assert_eq!(
            Timestamp::parse("2026-03-01").unwrap().to_string(),
            "2026-03-01T00:00:00"
        );
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            "",
            "2026-3-01",
            "2026-02-30",
            "2026-03-01T25:00:00",
            "2026-03-01T10:20",
            "2026-03-01 10:20:30",
            "2026-03-01Z",
            "2026-03-01T10:20:30+01:00",
            "+026-03-01",
            "2026-03-01T10:20:3a",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn unix_round_trip() {
        let t = Timestamp::parse("2025-12-31T23:59:59").unwrap();
        assert_eq!(Timestamp::from_unix(t.unix()), Some(t));
        assert_eq!(Timestamp::parse("1970-01-01").unwrap().unix(), 0);
    }
}
