//! `GET /usage/realms/{realmId}` (contract section 1) and the queries that share its
//! parameters: the synchronous CSV and report creation (section 2).

use crate::error::FieldError;
use crate::limits::*;
use crate::quantity::Quantity;
use crate::time::{TIMESTAMP_FORMAT_HELP, Timestamp};
use serde::{Deserialize, Serialize};

macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vm])* #[serde(rename = $wire)] $var),+ }

        // By hand: a derive does not see the `rename` of a macro fragment and would list the
        // Rust names.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.as_str())))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in the contract's order.
            pub const ALL: &'static [Self] = &[$(Self::$var),+];
            /// The wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$var => $wire),+ }
            }
            /// Parses the wire name exactly.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($wire => Some(Self::$var),)+ _ => None }
            }
            /// The wire names joined for a message: `a, b or c`.
            pub fn choices() -> String {
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
                    _ => names.join(""),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Time buckets of the result.
    DetailLevel {
        /// One record per group over the whole range.
        Summarized = "summarized",
        /// Hourly buckets (UTC).
        Hour = "hour",
        /// Daily buckets (UTC).
        Day = "day",
        /// Calendar-month buckets (UTC).
        Month = "month",
    }
);

// Not derived: the variants come from the `wire_enum!` macro.
#[allow(clippy::derivable_impls)]
impl Default for DetailLevel {
    fn default() -> Self {
        Self::Summarized
    }
}

wire_enum!(
    /// Dimensions a query can add to the grouping.
    GroupDim {
        /// The application id.
        AppId = "appId",
        /// The billing tag.
        BillingTag = "billingTag",
        /// The project HRN (shown as `projectHrn`).
        Project = "project",
        /// The subscription's usage type code.
        UsageTypeCode = "usageTypeCode",
        /// The metered resource.
        Resource = "resource",
    }
);

impl GroupDim {
    /// The item key this dimension appears under.
    pub fn item_key(self) -> &'static str {
        match self {
            Self::Project => "projectHrn",
            other => other.as_str(),
        }
    }
}

wire_enum!(
    /// Storage channel of a usage record.
    Channel {
        /// Hot storage.
        Hot = "hot",
        /// Cold storage.
        Cold = "cold",
    }
);

wire_enum!(
    /// Item fields a query may keep with `usageFields`.
    UsageField {
        /// The org.
        RealmId = "realmId",
        /// The feature (HRN).
        FeatureId = "featureId",
        /// The subscription.
        BillingSubscriptionId = "billingSubscriptionId",
        /// The charge number.
        BillingChargeNumber = "billingChargeNumber",
        /// The category.
        Category = "category",
        /// The charge item's name.
        Name = "name",
        /// The unit.
        ValueDriver = "valueDriver",
        /// Sum of reported quantities.
        UsageValue = "usageValue",
        /// Sum of accepted quantities.
        BillableValue = "billableValue",
        /// The metered resource.
        Resource = "resource",
    }
);

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
}

impl QueryKind {
    fn paged(self) -> bool {
        self == Self::Page
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
    /// Inclusive start.
    pub start: Timestamp,
    /// Exclusive end.
    pub end: Timestamp,
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
        let (mut limit, mut offset) = (PAGE_LIMIT_DEFAULT, 0);

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
                "detailLevel" => match DetailLevel::parse(value) {
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
                "groupBy" => parse_group_by(value).map(|g| group_by = Some(g)),
                "usageFields" => parse_usage_fields(value).map(|f| fields = Some(f)),
                "limit" if kind.paged() => {
                    parse_u32_in(value, 1, PAGE_LIMIT_MAX).map(|v| limit = v)
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
        let f = &self.filters;
        for (k, v) in [
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
        if self.detail != DetailLevel::default() {
            p.push(("detailLevel", self.detail.as_str().to_owned()));
        }
        if self.group_by != kind.default_group_by() {
            p.push(("groupBy", join(&self.group_by, |g| g.as_str())));
        }
        if let Some(fields) = &self.fields {
            p.push(("usageFields", join(fields, |f| f.as_str())));
        }
        if kind.paged() {
            if self.limit != PAGE_LIMIT_DEFAULT {
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

/// A column of a usage result (table, CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// One of the item's fields.
    Field(UsageField),
    /// A grouping dimension.
    Group(GroupDim),
    /// The bucket's start.
    UsageDateTime,
}

impl Column {
    /// The item key, also the CSV header.
    pub fn key(self) -> &'static str {
        match self {
            Self::Field(f) => f.as_str(),
            Self::Group(g) => g.item_key(),
            Self::UsageDateTime => "usageDateTime",
        }
    }

    /// A heading for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Field(UsageField::RealmId) => "Realm",
            Self::Field(UsageField::FeatureId) => "Feature",
            Self::Field(UsageField::BillingSubscriptionId) => "Subscription",
            Self::Field(UsageField::BillingChargeNumber) => "Charge number",
            Self::Field(UsageField::Category) => "Category",
            Self::Field(UsageField::Name) => "Charge item",
            Self::Field(UsageField::ValueDriver) => "Unit",
            Self::Field(UsageField::UsageValue) => "Usage",
            Self::Field(UsageField::BillableValue) => "Billable",
            Self::Field(UsageField::Resource) | Self::Group(GroupDim::Resource) => "Resource",
            Self::Group(GroupDim::AppId) => "App",
            Self::Group(GroupDim::BillingTag) => "Billing tag",
            Self::Group(GroupDim::Project) => "Project",
            Self::Group(GroupDim::UsageTypeCode) => "Usage type",
            Self::UsageDateTime => "Time (UTC)",
        }
    }

    /// True for quantity columns (right-aligned, summed).
    pub fn is_quantity(self) -> bool {
        matches!(
            self,
            Self::Field(UsageField::UsageValue | UsageField::BillableValue)
        )
    }
}

/// One record of a usage result. Fields outside the projection or grouping are absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub realm_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_subscription_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_charge_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_driver: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_value: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable_value: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_hrn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_type_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_date_time: Option<Timestamp>,
}

impl UsageItem {
    /// The cell of `col` as text (empty when absent).
    pub fn cell(&self, col: Column) -> String {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        match col {
            Column::Field(f) => match f {
                UsageField::RealmId => s(&self.realm_id),
                UsageField::FeatureId => s(&self.feature_id),
                UsageField::BillingSubscriptionId => s(&self.billing_subscription_id),
                UsageField::BillingChargeNumber => s(&self.billing_charge_number),
                UsageField::Category => s(&self.category),
                UsageField::Name => s(&self.name),
                UsageField::ValueDriver => s(&self.value_driver),
                UsageField::UsageValue => {
                    self.usage_value.map(|q| q.to_string()).unwrap_or_default()
                }
                UsageField::BillableValue => self
                    .billable_value
                    .map(|q| q.to_string())
                    .unwrap_or_default(),
                UsageField::Resource => s(&self.resource),
            },
            Column::Group(g) => match g {
                GroupDim::AppId => s(&self.app_id),
                GroupDim::BillingTag => s(&self.billing_tag),
                GroupDim::Project => s(&self.project_hrn),
                GroupDim::UsageTypeCode => s(&self.usage_type_code),
                GroupDim::Resource => s(&self.resource),
            },
            Column::UsageDateTime => self
                .usage_date_time
                .map(|t| t.to_string())
                .unwrap_or_default(),
        }
    }
}

/// A page of `GET /usage/realms/{realmId}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsagePage {
    /// Result records after grouping.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// This page's number.
    pub offset: u32,
    /// The records.
    pub items: Vec<UsageItem>,
    /// The next page's number; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
    /// The last page's number.
    pub last_offset: u32,
}

impl UsagePage {
    /// `lastOffset` for `total` records at `limit` a page.
    pub fn last_offset_for(total: u64, limit: u32) -> u32 {
        let pages = total.div_ceil(u64::from(limit.max(1)));
        u32::try_from(pages.saturating_sub(1)).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str, kind: QueryKind) -> Result<UsageQuery, Vec<FieldError>> {
        let pairs: Vec<(&str, &str)> = s
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| p.split_once('=').unwrap_or((p, "")))
            .collect();
        UsageQuery::from_pairs(pairs, kind)
    }

    fn names(r: Result<UsageQuery, Vec<FieldError>>) -> Vec<String> {
        let mut n: Vec<String> = r.unwrap_err().into_iter().map(|f| f.name).collect();
        n.sort();
        n
    }

    #[test]
    fn minimal_query_gets_defaults() {
        let v = q("startDate=2026-01-01&endDate=2026-02-01", QueryKind::Page).unwrap();
        assert_eq!(v.limit, 100);
        assert_eq!(v.offset, 0);
        assert_eq!(v.detail, DetailLevel::Summarized);
        assert!(v.group_by.is_empty());
        let r = q("startDate=2026-01-01&endDate=2026-02-01", QueryKind::Report).unwrap();
        assert_eq!(r.group_by, vec![GroupDim::AppId, GroupDim::BillingTag]);
    }

    #[test]
    fn aliases_are_accepted_but_not_together() {
        assert!(q("startTime=2026-01-01&endTime=2026-01-02", QueryKind::Page).is_ok());
        assert_eq!(
            names(q(
                "startDate=2026-01-01&startTime=2026-01-01&endDate=2026-01-02",
                QueryKind::Page
            )),
            ["startTime"]
        );
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let long = "x".repeat(129);
        let s = format!(
            "startDate=2026-13-01&appId={long}&channelId=warm&limit=0&offset=-1&detailLevel=week&groupBy=appId,appId&usageFields=nope&colour=red"
        );
        assert_eq!(
            names(q(&s, QueryKind::Page)),
            [
                "appId",
                "channelId",
                "colour",
                "detailLevel",
                "endDate",
                "groupBy",
                "limit",
                "offset",
                "startDate",
                "usageFields"
            ]
        );
    }

    #[test]
    fn range_rules() {
        assert_eq!(
            names(q(
                "startDate=2026-02-01&endDate=2026-01-01",
                QueryKind::Page
            )),
            ["endDate"]
        );
        assert_eq!(
            names(q(
                "startDate=2026-01-01&endDate=2026-01-01",
                QueryKind::Page
            )),
            ["endDate"]
        );
        // 95 days is allowed, 96 is not.
        assert!(q("startDate=2026-01-01&endDate=2026-04-06", QueryKind::Page).is_ok());
        assert_eq!(
            names(q(
                "startDate=2026-01-01&endDate=2026-04-07",
                QueryKind::Page
            )),
            ["endDate"]
        );
        assert_eq!(
            names(q(
                "startTime=2026-01-01&endTime=2026-04-07",
                QueryKind::Page
            )),
            ["endTime"]
        );
    }

    #[test]
    fn kind_specific_parameters() {
        assert_eq!(
            names(q(
                "startDate=2026-01-01&endDate=2026-01-02&limit=5",
                QueryKind::Csv
            )),
            ["limit"]
        );
        assert_eq!(
            names(q(
                "startDate=2026-01-01&endDate=2026-01-02&detailLevel=hour",
                QueryKind::Report
            )),
            ["detailLevel"]
        );
        assert!(
            q(
                "startDate=2026-01-01&endDate=2026-01-02&detailLevel=hour",
                QueryKind::Page
            )
            .is_ok()
        );
    }

    #[test]
    fn group_by_spaces_and_limits() {
        assert_eq!(
            parse_group_by(" appId , project ").unwrap(),
            vec![GroupDim::AppId, GroupDim::Project]
        );
        assert!(parse_group_by("appId,,project").is_err());
        assert!(
            parse_group_by(&"appId,".repeat(60))
                .unwrap_err()
                .contains("256")
        );
        assert!(parse_usage_fields("name,name").is_err());
    }

    #[test]
    fn to_pairs_round_trips() {
        let s = "startDate=2026-01-01T00:00:00&endDate=2026-01-05T06:00:00&appId=a&channelId=cold&detailLevel=day&groupBy=project,appId&usageFields=name,usageValue&limit=10&offset=3";
        let v = q(s, QueryKind::Page).unwrap();
        let pairs = v.to_pairs(QueryKind::Page);
        let back =
            UsageQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())), QueryKind::Page)
                .unwrap();
        assert_eq!(v, back);
    }

    #[test]
    fn columns_follow_projection_grouping_and_detail() {
        let v = q(
            "startDate=2026-01-01&endDate=2026-01-02&groupBy=appId,resource&usageFields=name,usageValue&detailLevel=hour",
            QueryKind::Page,
        )
        .unwrap();
        let keys: Vec<&str> = v.columns().into_iter().map(Column::key).collect();
        assert_eq!(keys, ["name", "usageValue", "appId", "usageDateTime"]);
    }

    #[test]
    fn last_offset() {
        assert_eq!(UsagePage::last_offset_for(0, 10), 0);
        assert_eq!(UsagePage::last_offset_for(10, 10), 0);
        assert_eq!(UsagePage::last_offset_for(11, 10), 1);
    }

    #[test]
    fn realm_ids() {
        assert!(validate_realm_id("org-1_A").is_ok());
        assert!(validate_realm_id("abcd").is_err());
        assert!(validate_realm_id(&"a".repeat(31)).is_err());
        assert!(validate_realm_id("org/x").is_err());
    }
}
