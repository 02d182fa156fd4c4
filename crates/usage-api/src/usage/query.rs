//! A usage query: its filters and kinds, and the parsing and validation of its parameters.

use super::enums::*;
use super::items::Column;
use crate::error::FieldError;
use crate::limits::*;
use crate::time::{TIMESTAMP_FORMAT_HELP, Timestamp};
use crate::zone::TimeZone;

/// Exact-match filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// `featureId`.
    pub feature_id: Option<String>,
    /// `appId`.
    pub app_id: Option<String>,
    /// `channelId`.
    pub channel_id: Option<Channel>,
    /// `projectHrn`.
    pub project_hrn: Option<String>,
    /// `billingTag`.
    pub billing_tag: Option<String>,
    /// `category`.
    pub category: Option<String>,
    /// `billingSubscriptionId`: only the records endpoint (section 9) takes it.
    pub billing_subscription_id: Option<String>,
}

/// Which endpoint a query is for: each accepts a slightly different parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryKind {
    /// `GET /usage/realms/{realmId}`: paged, every detail level.
    Page,
    /// `GET /usage/realms/{realmId}/csv`: no paging.
    Csv,
    /// `POST /usage/realms/{realmId}/reports`: no paging, no `hour`, default groupBy.
    Report,
    /// `GET /usage/realms/{realmId}/records` (section 9): the raw records, paged, with the
    /// filters and a `billingSubscriptionId`, no grouping, buckets or fields.
    Records,
}

impl QueryKind {
    fn paged(self) -> bool {
        matches!(self, Self::Page | Self::Records)
    }
    fn shaped(self) -> bool {
        self != Self::Records
    }
    /// The page size when the query names none.
    pub fn default_limit(self) -> u32 {
        match self {
            Self::Records => RECORDS_LIMIT_DEFAULT,
            _ => PAGE_LIMIT_DEFAULT,
        }
    }
    /// The groupBy used when the query names none.
    pub fn default_group_by(self) -> Vec<GroupDim> {
        match self {
            Self::Report => vec![GroupDim::AppId, GroupDim::BillingTag],
            _ => Vec::new(),
        }
    }
}

/// A validated usage query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageQuery {
    /// Inclusive start, a wall-clock time in `time_zone`.
    pub start: Timestamp,
    /// Exclusive end, a wall-clock time in `time_zone`.
    pub end: Timestamp,
    /// The zone of the range and the buckets (section 7).
    pub time_zone: TimeZone,
    /// Exact-match filters.
    pub filters: Filters,
    /// Time buckets.
    pub detail: DetailLevel,
    /// Added grouping dimensions, in the order given.
    pub group_by: Vec<GroupDim>,
    /// Kept fields; `None` keeps all.
    pub fields: Option<Vec<UsageField>>,
    /// Page size.
    pub limit: u32,
    /// Page number (not a record offset).
    pub offset: u32,
}

/// Messages, shared so the portal shows at the field what the server would answer.
pub mod msg {
    /// A required parameter is missing.
    pub const REQUIRED: &str = "is required";
    /// Given twice.
    pub const REPEATED: &str = "is given more than once";
    /// Unknown parameter.
    pub const UNKNOWN: &str = "is not a parameter of this endpoint";
    /// Empty value.
    pub const EMPTY: &str = "must not be empty";
    /// End not after start.
    pub const END_BEFORE_START: &str =
        "must be later than startDate (the range is [startDate, endDate))";
}

fn too_long(max: usize) -> String {
    format!("must be at most {max} characters")
}

/// Validates a realm id (`5–30` characters of `[A-Za-z0-9_-]`).
pub fn validate_realm_id(realm: &str) -> Result<(), FieldError> {
    let ok = REALM_ID_LEN.contains(&realm.len())
        && realm
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "realmId",
            "must be 5 to 30 characters of letters, digits, '_' or '-'",
        ))
    }
}

/// Splits a comma list, ignoring spaces around commas.
fn comma_list(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim)
}

/// Parses a `groupBy` value: known dimensions, none repeated.
pub fn parse_group_by(v: &str) -> Result<Vec<GroupDim>, String> {
    if v.len() > GROUP_BY_MAX {
        return Err(too_long(GROUP_BY_MAX));
    }
    if v.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in comma_list(v) {
        let dim = GroupDim::parse(part).ok_or_else(|| {
            format!(
                "has an unknown dimension '{part}': use {}",
                GroupDim::choices()
            )
        })?;
        if out.contains(&dim) {
            return Err(format!("names '{part}' more than once"));
        }
        out.push(dim);
    }
    Ok(out)
}

/// Parses a `usageFields` value: known fields, none repeated.
pub fn parse_usage_fields(v: &str) -> Result<Vec<UsageField>, String> {
    let mut out = Vec::new();
    for part in comma_list(v) {
        let f = UsageField::parse(part).ok_or_else(|| {
            format!(
                "has an unknown field '{part}': use {}",
                UsageField::choices()
            )
        })?;
        if out.contains(&f) {
            return Err(format!("names '{part}' more than once"));
        }
        out.push(f);
    }
    if out.is_empty() {
        return Err(msg::EMPTY.to_owned());
    }
    Ok(out)
}

fn parse_u32_in(v: &str, min: u32, max: u32) -> Result<u32, String> {
    let help = || {
        if max == u32::MAX {
            format!("must be a whole number of at least {min}")
        } else {
            format!("must be a whole number from {min} to {max}")
        }
    };
    match v.parse::<u64>() {
        Ok(n) if n >= u64::from(min) && n <= u64::from(max) => Ok(n as u32),
        _ => Err(help()),
    }
}

fn text_filter(v: &str, max: usize) -> Result<String, String> {
    if v.is_empty() {
        Err(msg::EMPTY.to_owned())
    } else if v.chars().count() > max {
        Err(too_long(max))
    } else {
        Ok(v.to_owned())
    }
}

impl UsageQuery {
    /// Validates query parameters as the endpoint `kind` receives them, reporting every
    /// offending parameter (by the name the client used), not just the first.
    pub fn from_pairs<'a, I>(pairs: I, kind: QueryKind) -> Result<Self, Vec<FieldError>>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut seen: Vec<&'a str> = Vec::new();
        let mut canonical_seen: Vec<&'a str> = Vec::new();
        let mut err = |name: &str, d: String| {
            if !errors.iter().any(|e| e.name == name) {
                errors.push(FieldError::new(name, d));
            }
        };
        let mut start: Option<(&str, Timestamp)> = None;
        let mut end: Option<(&str, Timestamp)> = None;
        let mut filters = Filters::default();
        let mut detail = DetailLevel::default();
        let mut group_by = None;
        let mut fields = None;
        let mut time_zone = TimeZone::utc();
        let (mut limit, mut offset) = (kind.default_limit(), 0);

        for (name, value) in pairs {
            if seen.contains(&name) {
                err(name, msg::REPEATED.to_owned());
                continue;
            }
            seen.push(name);
            let canonical = match name {
                "startTime" => "startDate",
                "endTime" => "endDate",
                other => other,
            };
            if canonical_seen.contains(&canonical) {
                err(
                    name,
                    format!("and its alias are both given; give only {canonical}"),
                );
                continue;
            }
            canonical_seen.push(canonical);
            let res: Result<(), String> = match canonical {
                "startDate" | "endDate" => match Timestamp::parse(value) {
                    Some(t) if canonical == "startDate" => {
                        start = Some((name, t));
                        Ok(())
                    }
                    Some(t) => {
                        end = Some((name, t));
                        Ok(())
                    }
                    None => Err(TIMESTAMP_FORMAT_HELP.to_owned()),
                },
                "featureId" => {
                    text_filter(value, FEATURE_ID_MAX).map(|v| filters.feature_id = Some(v))
                }
                "appId" => text_filter(value, APP_ID_MAX).map(|v| filters.app_id = Some(v)),
                "projectHrn" => {
                    text_filter(value, PROJECT_HRN_MAX).map(|v| filters.project_hrn = Some(v))
                }
                "billingTag" => {
                    text_filter(value, BILLING_TAG_MAX).map(|v| filters.billing_tag = Some(v))
                }
                "category" => text_filter(value, CATEGORY_MAX).map(|v| filters.category = Some(v)),
                "channelId" => Channel::parse(value)
                    .map(|c| filters.channel_id = Some(c))
                    .ok_or_else(|| format!("must be {}", Channel::choices())),
                "timeZone" => TimeZone::parse(value).map(|z| time_zone = z),
                "billingSubscriptionId" if !kind.shaped() => {
                    text_filter(value, BILLING_SUBSCRIPTION_ID_MAX)
                        .map(|v| filters.billing_subscription_id = Some(v))
                }
                "detailLevel" if kind.shaped() => match DetailLevel::parse(value) {
                    Some(DetailLevel::Hour) if kind == QueryKind::Report => Err(
                        "must be summarized, day or month for a report (hour is not offered)"
                            .to_owned(),
                    ),
                    Some(d) => {
                        detail = d;
                        Ok(())
                    }
                    None if kind == QueryKind::Report => {
                        Err("must be summarized, day or month".to_owned())
                    }
                    None => Err(format!("must be {}", DetailLevel::choices())),
                },
                "groupBy" if kind.shaped() => parse_group_by(value).map(|g| group_by = Some(g)),
                "usageFields" if kind.shaped() => {
                    parse_usage_fields(value).map(|f| fields = Some(f))
                }
                "limit" if kind.paged() => {
                    parse_u32_in(value, 1, PAGE_LIMIT_MAX).map(|v| limit = v)
                }
                "offset" if kind == QueryKind::Records => {
                    parse_u32_in(value, 0, RECORDS_OFFSET_MAX).map(|v| offset = v)
                }
                "offset" if kind.paged() => parse_u32_in(value, 0, u32::MAX).map(|v| offset = v),
                _ => Err(msg::UNKNOWN.to_owned()),
            };
            if let Err(d) = res {
                err(name, d);
            }
        }

        let start_name = if seen.contains(&"startTime") {
            "startTime"
        } else {
            "startDate"
        };
        let end_name = if seen.contains(&"endTime") {
            "endTime"
        } else {
            "endDate"
        };
        if !canonical_seen.contains(&"startDate") {
            err(start_name, msg::REQUIRED.to_owned());
        }
        if !canonical_seen.contains(&"endDate") {
            err(end_name, msg::REQUIRED.to_owned());
        }
        if let (Some((_, s)), Some((en, e))) = (start, end)
            && let Err(d) = check_range(s, e)
        {
            err(en, d);
        }
        match (start, end) {
            (Some((_, start)), Some((_, end))) if errors.is_empty() => Ok(Self {
                start,
                end,
                time_zone,
                filters,
                detail,
                group_by: group_by.unwrap_or_else(|| kind.default_group_by()),
                fields,
                limit,
                offset,
            }),
            _ => Err(errors),
        }
    }

    /// The query parameters that reproduce this query for `kind`, in a stable order.
    pub fn to_pairs(&self, kind: QueryKind) -> Vec<(&'static str, String)> {
        let mut p = vec![
            ("startDate", self.start.to_string()),
            ("endDate", self.end.to_string()),
        ];
        if !self.time_zone.is_utc() {
            p.push(("timeZone", self.time_zone.name().to_owned()));
        }
        let f = &self.filters;
        let subscription = if kind.shaped() {
            &None
        } else {
            &f.billing_subscription_id
        };
        for (k, v) in [
            ("billingSubscriptionId", subscription),
            ("featureId", &f.feature_id),
            ("appId", &f.app_id),
            ("projectHrn", &f.project_hrn),
            ("billingTag", &f.billing_tag),
            ("category", &f.category),
        ] {
            if let Some(v) = v {
                p.push((k, v.clone()));
            }
        }
        if let Some(c) = f.channel_id {
            p.push(("channelId", c.as_str().to_owned()));
        }
        if kind.shaped() && self.detail != DetailLevel::default() {
            p.push(("detailLevel", self.detail.as_str().to_owned()));
        }
        if kind.shaped() && self.group_by != kind.default_group_by() {
            p.push(("groupBy", join(&self.group_by, |g| g.as_str())));
        }
        if let Some(fields) = &self.fields {
            p.push(("usageFields", join(fields, |f| f.as_str())));
        }
        if kind.paged() {
            if self.limit != kind.default_limit() {
                p.push(("limit", self.limit.to_string()));
            }
            if self.offset != 0 {
                p.push(("offset", self.offset.to_string()));
            }
        }
        p
    }

    /// The result's columns, in the contract's order, after grouping and projection.
    pub fn columns(&self) -> Vec<Column> {
        let keep = |f: UsageField| self.fields.as_ref().is_none_or(|fs| fs.contains(&f));
        let mut cols: Vec<Column> = [
            UsageField::RealmId,
            UsageField::FeatureId,
            UsageField::BillingSubscriptionId,
            UsageField::BillingChargeNumber,
            UsageField::Category,
            UsageField::Name,
            UsageField::ValueDriver,
            UsageField::UsageValue,
            UsageField::BillableValue,
        ]
        .into_iter()
        .filter(|f| keep(*f))
        .map(Column::Field)
        .collect();
        for g in &self.group_by {
            if *g == GroupDim::Resource && !keep(UsageField::Resource) {
                continue;
            }
            cols.push(Column::Group(*g));
        }
        if self.detail != DetailLevel::Summarized {
            cols.push(Column::UsageDateTime);
        }
        cols
    }
}

fn join<T: Copy>(items: &[T], f: impl Fn(T) -> &'static str) -> String {
    items.iter().map(|i| f(*i)).collect::<Vec<_>>().join(",")
}

/// Checks `[start, end)`: start before end, at most [`MAX_RANGE_DAYS`] days.
pub fn check_range(start: Timestamp, end: Timestamp) -> Result<(), String> {
    if end <= start {
        Err(msg::END_BEFORE_START.to_owned())
    } else if end.unix() - start.unix() > MAX_RANGE_DAYS * 86_400 {
        Err(format!(
            "must be at most {MAX_RANGE_DAYS} days after startDate"
        ))
    } else {
        Ok(())
    }
}
