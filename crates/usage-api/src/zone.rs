//! Time zones (contract section 7): the `timeZone` parameter, and, with the `tz` feature
//! (the server's), the zone's rules: wall-clock input to instants, the zone's hours, days and
//! months as buckets, and bucket starts written with their offset.
//!
//! The portal builds without `tz`: it ships no zone data (the browser's `Intl` has it), so
//! there a name is checked for its shape only and the server has the last word.

use crate::time::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Longest zone name accepted (the longest IANA name has 32 characters).
pub const TIME_ZONE_MAX: usize = 64;

/// Why a `timeZone` value was refused.
pub const TIME_ZONE_HELP: &str =
    "must be an IANA time zone name such as UTC, Europe/Berlin or Asia/Kolkata";

/// A `timeZone` value: an IANA zone name, `UTC` by default.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeZone(String);

impl Default for TimeZone {
    fn default() -> Self {
        Self::utc()
    }
}

impl TimeZone {
    /// `UTC`, the default.
    pub fn utc() -> Self {
        Self("UTC".to_owned())
    }

    /// Parses a zone name: known to the zone database where it is built in (`tz`), else of
    /// the shape of one.
    pub fn parse(name: &str) -> Result<Self, String> {
        let shaped = !name.is_empty()
            && name.len() <= TIME_ZONE_MAX
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if !shaped {
            return Err(TIME_ZONE_HELP.to_owned());
        }
        #[cfg(feature = "tz")]
        if name.parse::<chrono_tz::Tz>().is_err() {
            return Err(TIME_ZONE_HELP.to_owned());
        }
        Ok(Self(name.to_owned()))
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.0
    }

    /// True for `UTC` itself, whose answers carry no offset. Its aliases (`Etc/UTC`) are
    /// named zones like any other and answer with `+00:00`.
    pub fn is_utc(&self) -> bool {
        self.0 == "UTC"
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A bucket's start as the answers write it: the zone's wall-clock time and, for any zone but
/// `UTC`, its offset (`2026-10-25T01:00:00+01:00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ZonedTime {
    /// The wall-clock time in the zone.
    pub local: Timestamp,
    /// Seconds east of UTC; `None` in `UTC`, written without an offset as before.
    pub offset: Option<i32>,
}

impl ZonedTime {
    /// A UTC time, written as before.
    pub fn utc(t: Timestamp) -> Self {
        Self {
            local: t,
            offset: None,
        }
    }

    /// The instant, in seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.local.unix() - i64::from(self.offset.unwrap_or(0))
    }

    /// Parses `yyyy-MM-ddTHH:mm:ss`, optionally followed by `Z` or `±HH:MM`.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() > 19 && matches!(s.as_bytes()[19], b'+' | b'-') {
            let (local, off) = s.split_at(19);
            let sign = if off.starts_with('-') { -1 } else { 1 };
            let (h, m) = off[1..].split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
            if !(0..24).contains(&h) || !(0..60).contains(&m) {
                return None;
            }
            Some(Self {
                local: Timestamp::parse(local)?,
                offset: Some(sign * (h * 3600 + m * 60)),
            })
        } else {
            Timestamp::parse(s).map(Self::utc)
        }
    }
}

impl fmt::Display for ZonedTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local)?;
        if let Some(off) = self.offset {
            let sign = if off < 0 { '-' } else { '+' };
            let a = off.unsigned_abs() / 60;
            write!(f, "{sign}{:02}:{:02}", a / 60, a % 60)?;
        }
        Ok(())
    }
}

impl Serialize for ZonedTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ZonedTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(
                "must be yyyy-MM-ddTHH:mm:ss, with an offset ±HH:MM outside UTC",
            )
        })
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ZonedTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some(
                r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2})?$",
            ))
            .description(Some(
                "The bucket's start in the query's time zone; outside UTC with its offset.",
            ))
            .examples(["2026-10-25T01:00:00+01:00"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ZonedTime {}

#[cfg(feature = "tz")]
pub use rules::*;

#[cfg(feature = "tz")]
mod rules {
    use super::{TimeZone, ZonedTime};
    use crate::time::Timestamp;
    use crate::usage::DetailLevel;
    use chrono::{
        Datelike, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone as _, Timelike,
    };
    use chrono_tz::Tz;

    /// Every zone name the database knows.
    pub fn zone_names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|t| t.name())
    }

    /// A zone's rules.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Zone {
        tz: Tz,
        utc: bool,
    }

    impl From<&TimeZone> for Zone {
        fn from(z: &TimeZone) -> Self {
            Self {
                // `TimeZone::parse` checked the name against this same database.
                tz: z.name().parse().unwrap_or(Tz::UTC),
                utc: z.is_utc(),
            }
        }
    }

    fn naive(t: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default()
    }

    impl Zone {
        /// UTC.
        pub const UTC: Self = Self {
            tz: Tz::UTC,
            utc: true,
        };

        /// Seconds east of UTC at instant `t`.
        pub fn offset_at(self, t: i64) -> i32 {
            self.tz
                .offset_from_utc_datetime(&naive(t))
                .fix()
                .local_minus_utc()
        }

        /// The wall-clock time at instant `t`.
        pub fn local(self, t: i64) -> NaiveDateTime {
            naive(t + i64::from(self.offset_at(t)))
        }

        /// The instant a wall-clock time names: the earlier of an ambiguous one (the fall-back
        /// hour), the first instant after the gap for one that does not exist (spring forward).
        pub fn instant(self, wall: NaiveDateTime) -> i64 {
            self.resolve(wall, false)
        }

        /// `wall` as an instant; `latest_before` picks, of an ambiguous time, the later one
        /// that is not after it (a fall-back hour's second occurrence).
        fn resolve(self, wall: NaiveDateTime, latest: bool) -> i64 {
            match self.tz.from_local_datetime(&wall) {
                LocalResult::Single(d) => d.timestamp(),
                LocalResult::Ambiguous(a, b) => {
                    if latest {
                        b.timestamp()
                    } else {
                        a.timestamp()
                    }
                }
                LocalResult::None => {
                    // Transitions fall on whole minutes: the gap ends at the first wall-clock
                    // minute after `wall` that exists, and that minute is the instant it ends.
                    let mut m = wall.with_second(0).unwrap_or(wall);
                    for _ in 0..2 * 24 * 60 {
                        m += chrono::TimeDelta::minutes(1);
                        if let Some(d) = self.tz.from_local_datetime(&m).earliest() {
                            return d.timestamp();
                        }
                    }
                    // No zone skips two days; read the time as UTC rather than fail.
                    wall.and_utc().timestamp()
                }
            }
        }

        /// A wall-clock input (`startDate`, `endDate`) as an instant.
        pub fn instant_of(self, wall: Timestamp) -> i64 {
            self.instant(wall.naive())
        }

        /// The start of the zone's bucket of `detail` that holds instant `t` (`t` itself when
        /// summarized).
        pub fn floor(self, t: i64, detail: DetailLevel) -> i64 {
            if detail != DetailLevel::Hour {
                return self.floor_wall(t, detail);
            }
            // An hour starts at an instant that is its own wall-clock hour's start. After a
            // fall-back that is not on a whole hour (Chatham's, at 03:45), the repeated
            // quarter hours (02:45 to 03:00 again) belong to the hour that started last, 03:00
            // of the earlier offset, as `next` counts them, not to 02:00 an hour before that.
            // Offsets are whole quarter hours, so hour starts are whole quarter hours of UTC.
            let q = t - t.rem_euclid(900);
            (0..8)
                .map(|k| q - 900 * k)
                .find(|&s| self.floor_wall(s, DetailLevel::Hour) == s)
                .unwrap_or_else(|| self.floor_wall(t, DetailLevel::Hour))
        }

        /// The start of the bucket whose wall-clock label holds `t`'s wall-clock time.
        fn floor_wall(self, t: i64, detail: DetailLevel) -> i64 {
            let local = self.local(t);
            let day = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN);
            match detail {
                DetailLevel::Summarized => t,
                DetailLevel::Hour => {
                    let start = local.with_minute(0).and_then(|l| l.with_second(0));
                    let start = start.unwrap_or(local);
                    let s = self.resolve(start, true);
                    // An hour that began in a gap (a half-hour shift) begins where the gap ends.
                    if s > t {
                        self.resolve(start, false).min(t)
                    } else {
                        s
                    }
                }
                DetailLevel::Day => self.instant(day(local.date())).min(t),
                DetailLevel::Month => self
                    .instant(day(local.date().with_day(1).unwrap_or(local.date())))
                    .min(t),
            }
        }

        /// The start of the bucket after the one starting at `start`.
        pub fn next(self, start: i64, detail: DetailLevel) -> i64 {
            let local = self.local(start);
            let midnight = |d: NaiveDate| self.instant(d.and_time(chrono::NaiveTime::MIN));
            match detail {
                DetailLevel::Summarized => i64::MAX,
                DetailLevel::Hour => {
                    // Zone hours last 30 to 90 minutes of real time: the next start is the first
                    // quarter hour after `start` that another hour holds.
                    (1..=8)
                        .map(|k| self.floor(start + 900 * k, DetailLevel::Hour))
                        .find(|&s| s > start)
                        .unwrap_or(start + 3_600)
                }
                DetailLevel::Day => local
                    .date()
                    .succ_opt()
                    .map_or(start + 86_400, |d| midnight(d).max(start + 1)),
                DetailLevel::Month => local
                    .date()
                    .with_day(1)
                    .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                    .map_or(start + 28 * 86_400, |d| midnight(d).max(start + 1)),
            }
        }

        /// The bucket starts strictly inside `(s, e)`, in order.
        pub fn starts_between(self, s: i64, e: i64, detail: DetailLevel) -> Vec<i64> {
            let mut out = Vec::new();
            if detail == DetailLevel::Summarized {
                return out;
            }
            let mut b = self.next(self.floor(s, detail), detail);
            while b < e {
                out.push(b);
                b = self.next(b, detail);
            }
            out
        }

        /// Instant `t` as the answers write a bucket start.
        pub fn stamp(self, t: i64) -> Option<ZonedTime> {
            let local = Timestamp::from_unix(t + i64::from(self.offset_at(t)))?;
            Some(ZonedTime {
                local,
                offset: (!self.utc).then(|| self.offset_at(t)),
            })
        }
    }
}

#[cfg(all(test, feature = "tz"))]
mod tests {
    use super::*;
    use crate::usage::DetailLevel;

    fn zone(n: &str) -> Zone {
        Zone::from(&TimeZone::parse(n).unwrap())
    }
    fn ts(s: &str) -> i64 {
        Timestamp::parse(s).unwrap().unix()
    }
    fn stamp(z: Zone, t: i64) -> String {
        z.stamp(t).unwrap().to_string()
    }

    #[test]
    fn names_are_checked_against_the_database() {
        assert!(TimeZone::parse("Europe/Berlin").is_ok());
        assert!(TimeZone::parse("America/St_Johns").is_ok());
        for bad in [
            "",
            "Mars/Olympus",
            "europe/berlin",
            "Europe/Berlin ",
            "../etc",
            &"A".repeat(65),
        ] {
            assert_eq!(
                TimeZone::parse(bad),
                Err(TIME_ZONE_HELP.to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn days_of_23_and_25_hours() {
        let z = zone("Europe/Berlin");
        let spring = z.instant_of(Timestamp::parse("2026-03-29").unwrap());
        assert_eq!(z.next(spring, DetailLevel::Day) - spring, 23 * 3_600);
        let autumn = z.instant_of(Timestamp::parse("2026-10-25").unwrap());
        assert_eq!(z.next(autumn, DetailLevel::Day) - autumn, 25 * 3_600);
        assert_eq!(stamp(z, autumn), "2026-10-25T00:00:00+02:00");
    }

    #[test]
    fn the_fall_back_hour_is_two_buckets() {
        let z = zone("Europe/Berlin");
        let s = ts("2026-10-24T23:00:00"); // 01:00 CEST
        let starts: Vec<String> = z
            .starts_between(s, s + 4 * 3_600, DetailLevel::Hour)
            .into_iter()
            .map(|t| stamp(z, t))
            .collect();
        assert_eq!(
            starts,
            [
                "2026-10-25T02:00:00+02:00",
                "2026-10-25T02:00:00+01:00",
                "2026-10-25T03:00:00+01:00"
            ]
        );
    }

    #[test]
    fn a_fall_back_off_the_hour_keeps_buckets_contiguous() {
        // Chatham falls back at 03:45 +13:45 to 02:45 +12:45 (14:00 UTC, 4 April 2026): the
        // repeated quarter hours 02:45 to 03:00 are in the hour that started at 03:00 +13:45.
        let z = zone("Pacific/Chatham");
        let t = ts("2026-04-04T14:01:51");
        assert_eq!(
            stamp(z, z.floor(t, DetailLevel::Hour)),
            "2026-04-05T03:00:00+13:45"
        );
        let s = ts("2026-04-04T12:00:00");
        let starts: Vec<i64> = z.starts_between(s, s + 4 * 3_600, DetailLevel::Hour);
        // Every instant's bucket is the last start at or before it.
        for i in (s..s + 4 * 3_600).step_by(60) {
            let last = starts.iter().copied().filter(|&b| b <= i).max();
            if let Some(b) = last {
                assert_eq!(z.floor(i, DetailLevel::Hour), b, "{}", stamp(z, i));
            }
        }
        assert_eq!(
            starts.iter().map(|&t| stamp(z, t)).collect::<Vec<_>>(),
            [
                "2026-04-05T02:00:00+13:45",
                "2026-04-05T03:00:00+13:45",
                "2026-04-05T03:00:00+12:45",
                "2026-04-05T04:00:00+12:45",
            ]
        );
    }

    #[test]
    fn wall_clock_input_gap_and_ambiguity() {
        let z = zone("Europe/Berlin");
        let wall = |s: &str| z.instant_of(Timestamp::parse(s).unwrap());
        // 02:30 does not exist on 29 March: the first instant after the gap, 03:00 CEST.
        assert_eq!(wall("2026-03-29T02:30:00"), ts("2026-03-29T01:00:00"));
        // 02:30 on 25 October happens twice: the earlier, still CEST.
        assert_eq!(wall("2026-10-25T02:30:00"), ts("2026-10-25T00:30:00"));
        assert_eq!(wall("2026-07-01"), ts("2026-06-30T22:00:00"));
    }

    #[test]
    fn half_and_three_quarter_hour_offsets() {
        let k = zone("Asia/Kathmandu");
        let d = k.instant_of(Timestamp::parse("2026-05-01").unwrap());
        assert_eq!(d, ts("2026-04-30T18:15:00"));
        assert_eq!(stamp(k, d), "2026-05-01T00:00:00+05:45");
        let n = zone("America/St_Johns");
        let h = n.floor(ts("2026-01-10T12:10:00"), DetailLevel::Hour);
        assert_eq!(h, ts("2026-01-10T11:30:00"));
        assert_eq!(stamp(n, h), "2026-01-10T08:00:00-03:30");
    }

    #[test]
    fn months_in_a_negative_offset_zone() {
        let z = zone("America/New_York");
        let feb = z.floor(ts("2026-03-01T03:00:00"), DetailLevel::Month);
        assert_eq!(stamp(z, feb), "2026-02-01T00:00:00-05:00");
        let mar = z.next(feb, DetailLevel::Month);
        assert_eq!(mar, ts("2026-03-01T05:00:00"));
    }

    #[test]
    fn utc_answers_without_an_offset() {
        assert_eq!(stamp(Zone::UTC, ts("2026-01-01")), "2026-01-01T00:00:00");
        assert_eq!(
            ZonedTime::parse("2026-10-25T02:00:00+01:00")
                .unwrap()
                .unix(),
            ts("2026-10-25T01:00:00")
        );
        assert_eq!(
            ZonedTime::parse("2026-01-10T08:00:00-03:30")
                .unwrap()
                .to_string(),
            "2026-01-10T08:00:00-03:30"
        );
    }
}
