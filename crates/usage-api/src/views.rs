//! Saved views (contract section 11): a named section 1 query, its range either fixed dates or
//! one of the relative ranges here, resolved when the view is opened.

use crate::budgets::check_name;
use crate::error::FieldError;
use crate::time::Timestamp;
use crate::usage::{QueryKind, UsageQuery};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Longest view name.
pub const VIEW_NAME_MAX: usize = 100;
/// Most views one realm may have.
pub const VIEWS_PER_REALM: u64 = 200;
/// Longest stored query, in bytes.
pub const VIEW_QUERY_MAX: usize = 4_096;

/// A range relative to the day a view is opened on (`range=` in a view's query).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelativeRange {
    /// From the 1st of this month to today, today included.
    ThisMonth,
    /// The whole of last month.
    LastMonth,
    /// The last 7 days, today included.
    Last7d,
    /// The last 30 days, today included.
    Last30d,
    /// The last 90 days, today included.
    Last90d,
}

impl RelativeRange {
    /// Every relative range, in the order a picker shows them.
    pub const ALL: [Self; 5] = [
        Self::ThisMonth,
        Self::LastMonth,
        Self::Last7d,
        Self::Last30d,
        Self::Last90d,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThisMonth => "thisMonth",
            Self::LastMonth => "lastMonth",
            Self::Last7d => "last7d",
            Self::Last30d => "last30d",
            Self::Last90d => "last90d",
        }
    }

    /// The range a wire name names.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// `[start, end)` in whole days for `today` (in the view's zone).
    pub fn range(self, today: NaiveDate) -> (Timestamp, Timestamp) {
        let first_of_month = today.with_day(1).unwrap_or(today);
        let tomorrow = today.checked_add_days(Days::new(1)).unwrap_or(today);
        let back = |n: u64| today.checked_sub_days(Days::new(n - 1)).unwrap_or(today);
        let (start, end) = match self {
            Self::ThisMonth => (first_of_month, tomorrow),
            Self::LastMonth => (
                first_of_month
                    .checked_sub_months(Months::new(1))
                    .unwrap_or(first_of_month),
                first_of_month,
            ),
            Self::Last7d => (back(7), tomorrow),
            Self::Last30d => (back(30), tomorrow),
            Self::Last90d => (back(90), tomorrow),
        };
        (Timestamp::start_of(start), Timestamp::start_of(end))
    }
}

fn choices() -> String {
    RelativeRange::ALL.map(RelativeRange::as_str).join(", ")
}

/// The section 1 query a view's `pairs` stand for on `today`: `range=` replaced by the dates it
/// means there, every other parameter as saved. A `range` that names no relative range is left
/// as it is (and refused by section 1's rules).
pub fn resolve<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    today: NaiveDate,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (k, v) in pairs {
        match (k, RelativeRange::parse(v)) {
            ("range", Some(r)) => {
                let (s, e) = r.range(today);
                out.push(("startDate".to_owned(), s.to_string()));
                out.push(("endDate".to_owned(), e.to_string()));
            }
            _ => out.push((k.to_owned(), v.to_owned())),
        }
    }
    out
}

/// Checks a view's query (decoded pairs) as section 1 checks its own, on `today`: every
/// problem named `query.<parameter>`. Paging is not part of a view; `range` takes the place of
/// `startDate` and `endDate`.
pub fn check_query<'a>(
    pairs: &[(&'a str, &'a str)],
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = |p: &str| format!("query.{p}");
    let mut kept: Vec<(&str, &str)> = Vec::new();
    let ranges = pairs.iter().filter(|(k, _)| *k == "range").count();
    for &(k, v) in pairs {
        match k {
            "limit" | "offset" => errors.push(FieldError::new(
                name(k),
                "is paging, which a view does not keep: leave it out",
            )),
            "range" if ranges > 1 => {}
            "range" if RelativeRange::parse(v).is_none() => {
                errors.push(FieldError::new(name(k), format!("must be {}", choices())))
            }
            "range" if pairs.iter().any(|(k, _)| {
                matches!(*k, "startDate" | "endDate" | "startTime" | "endTime")
            }) =>
            {
                errors.push(FieldError::new(
                    name(k),
                    "must not be given with startDate or endDate: a view's range is either relative or fixed",
                ))
            }
            _ => kept.push((k, v)),
        }
    }
    if ranges > 1 {
        errors.push(FieldError::new(name("range"), crate::usage::msg::REPEATED));
    }
    let resolved = resolve(kept.iter().copied(), today);
    let refs = resolved.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    if let Err(e) = UsageQuery::from_pairs(refs, QueryKind::Page) {
        for f in e {
            let missing_date = f.description == crate::usage::msg::REQUIRED
                && matches!(f.name.as_str(), "startDate" | "endDate");
            let (n, d) = match (missing_date, ranges) {
                // A range was given (and refused above): the dates are not missing.
                (true, 1..) => continue,
                // Neither dates nor a range: the range is what is missing.
                (true, 0) => (
                    name("range"),
                    format!(
                        "or startDate and endDate are required: a range is one of {}",
                        choices()
                    ),
                ),
                _ => (name(&f.name), f.description),
            };
            if !errors.iter().any(|x| x.name == n) {
                errors.push(FieldError::new(n, d));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// A view as submitted (the body of `POST …/views`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewInput {
    /// 1–100 characters, unique in the realm.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// A section 1 query string without paging, such as
    /// `range=last30d&detailLevel=day&groupBy=appId`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, example = "range=last30d&detailLevel=day"))]
    pub query: Option<String>,
}

/// Checks a view's name.
pub fn check_view_name(name: Option<&str>) -> Result<String, FieldError> {
    match name {
        None => Err(FieldError::new("name", "is required")),
        Some(n) => check_name(n, VIEW_NAME_MAX).map_err(|e| FieldError::new("name", e)),
    }
}

/// A saved view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedView {
    /// Its id (`viewId` in the path).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The query as saved.
    pub query: String,
    /// When it was saved.
    pub created: Timestamp,
}

/// `GET …/views`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewList {
    /// Every view of the realm, by name.
    pub items: Vec<SavedView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
    }

    fn check(q: &str) -> Result<(), Vec<String>> {
        let pairs: Vec<(&str, &str)> = q
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        check_query(&pairs, day()).map_err(|e| e.into_iter().map(|f| f.name).collect())
    }

    #[test]
    fn relative_and_fixed_ranges_are_views() {
        assert_eq!(check("range=last30d&detailLevel=day&groupBy=appId"), Ok(()));
        assert_eq!(
            check("startDate=2026-03-01&endDate=2026-03-10&timeZone=Asia/Kolkata"),
            Ok(())
        );
        let (s, e) = RelativeRange::LastMonth.range(day());
        assert_eq!(
            (s.to_string(), e.to_string()),
            ("2026-02-01T00:00:00".into(), "2026-03-01T00:00:00".into())
        );
        let r = resolve([("range", "last7d"), ("appId", "a")], day());
        assert_eq!(r[0], ("startDate".into(), "2026-03-09T00:00:00".into()));
        assert_eq!(r[1], ("endDate".into(), "2026-03-16T00:00:00".into()));
        assert_eq!(r[2], ("appId".into(), "a".into()));
    }

    #[test]
    fn every_bad_parameter_is_named_under_query() {
        assert_eq!(
            check("range=lastYear&limit=5&detailLevel=week"),
            Err(vec![
                "query.range".into(),
                "query.limit".into(),
                "query.detailLevel".into()
            ])
        );
        assert_eq!(check("detailLevel=day"), Err(vec!["query.range".into()]));
        assert_eq!(
            check("range=last7d&startDate=2026-01-01"),
            Err(vec!["query.range".into()])
        );
        assert_eq!(
            check("range=last7d&range=last30d"),
            Err(vec!["query.range".into()])
        );
        assert_eq!(
            check("startDate=2026-01-01&endDate=2026-12-01"),
            Err(vec!["query.endDate".into()])
        );
        assert_eq!(
            check("range=last7d&colour=red"),
            Err(vec!["query.colour".into()])
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(check_view_name(Some("  Mine ")).unwrap(), "Mine");
        assert!(check_view_name(None).is_err());
        assert!(check_view_name(Some(&"x".repeat(101))).is_err());
    }
}
