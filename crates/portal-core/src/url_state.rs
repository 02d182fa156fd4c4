//! The Usage page's view state, kept in the URL query so a link reproduces the view: the
//! URL ⇄ query mapping, the filter form's draft and the date presets.

use chrono::{Days, NaiveDate};
use usage_api::FieldError;
use usage_api::Timestamp;
use usage_api::usage::{QueryKind, UsageQuery};

/// The default range: the last 30 days, today included.
pub fn default_range(today: NaiveDate) -> (Timestamp, Timestamp) {
    let start = today.checked_sub_days(Days::new(29)).unwrap_or(today);
    let end = today.checked_add_days(Days::new(1)).unwrap_or(today);
    (Timestamp::start_of(start), Timestamp::start_of(end))
}

/// The query a URL asks for. Missing dates get the default range; a bad value is replaced by
/// its default and reported, so a broken link still shows something and says what it fixed.
pub fn query_from_url(
    pairs: &[(String, String)],
    today: NaiveDate,
) -> (UsageQuery, Vec<FieldError>) {
    let (start, end) = default_range(today);
    let mut pairs: Vec<(String, String)> = pairs.to_vec();
    let has =
        |p: &[(String, String)], names: &[&str]| p.iter().any(|(k, _)| names.contains(&k.as_str()));
    if !has(&pairs, &["startDate", "startTime"]) {
        pairs.push(("startDate".to_owned(), start.to_string()));
    }
    if !has(&pairs, &["endDate", "endTime"]) {
        pairs.push(("endDate".to_owned(), end.to_string()));
    }
    let parse = |p: &[(String, String)]| {
        UsageQuery::from_pairs(
            p.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            QueryKind::Page,
        )
    };
    match parse(&pairs) {
        Ok(q) => (q, Vec::new()),
        Err(errors) => {
            let date_names = ["startDate", "startTime", "endDate", "endTime"];
            let date_bad = errors.iter().any(|e| date_names.contains(&e.name.as_str()));
            let reset = |k: &str| {
                errors.iter().any(|e| e.name == k) || (date_bad && date_names.contains(&k))
            };
            pairs.retain(|(k, _)| !reset(k));
            if date_bad {
                pairs.push(("startDate".to_owned(), start.to_string()));
                pairs.push(("endDate".to_owned(), end.to_string()));
            }
            // The remaining parameters were each valid on their own: this cannot fail, but
            // fall back to the plain default rather than panic if it ever does.
            let q = parse(&pairs).unwrap_or_else(|_| UsageQuery {
                start,
                end,
                time_zone: Default::default(),
                filters: Default::default(),
                detail: Default::default(),
                group_by: Vec::new(),
                fields: None,
                limit: usage_api::limits::PAGE_LIMIT_DEFAULT,
                offset: 0,
            });
            (q, errors)
        }
    }
}

/// The Usage page's detail level when its URL names none: usage over time by day, what a
/// customer comes for (the API's own default is summarized).
pub const PAGE_DEFAULT_DETAIL: usage_api::usage::DetailLevel = usage_api::usage::DetailLevel::Day;

/// The Usage page's URL parameters with its own default: `detailLevel` is
/// [`PAGE_DEFAULT_DETAIL`] when absent. Call before [`query_from_url`].
pub fn with_page_default_detail(pairs: &mut Vec<(String, String)>) {
    if !pairs.iter().any(|(k, _)| k == "detailLevel") {
        pairs.push((
            "detailLevel".to_owned(),
            PAGE_DEFAULT_DETAIL.as_str().to_owned(),
        ));
    }
}

/// The Usage page's query for its URL: [`query_from_url`] with the page's default detail, to
/// which a bad `detailLevel` is reset too.
pub fn page_query_from_url(
    pairs: &[(String, String)],
    today: NaiveDate,
) -> (UsageQuery, Vec<FieldError>) {
    let mut pairs = pairs.to_vec();
    with_page_default_detail(&mut pairs);
    let (q, errors) = query_from_url(&pairs, today);
    if !errors.iter().any(|e| e.name == "detailLevel") {
        return (q, errors);
    }
    pairs.retain(|(k, _)| k != "detailLevel");
    with_page_default_detail(&mut pairs);
    (query_from_url(&pairs, today).0, errors)
}

/// The Usage page's URL parameters for `q`: the API's, with the detail level always named, so
/// a summarized view is not read back as the page's default.
pub fn page_pairs(q: &UsageQuery) -> Vec<(&'static str, String)> {
    let mut pairs = q.to_pairs(QueryKind::Page);
    if !pairs.iter().any(|(k, _)| *k == "detailLevel") {
        pairs.push(("detailLevel", q.detail.as_str().to_owned()));
    }
    pairs
}

/// The URL query (with `?`) for `pairs`.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        String::new()
    } else {
        format!(
            "?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

/// The filter form as the user edits it: strings where the user types, typed values where
/// they pick. It becomes a query only through usage-api's validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// First day, `yyyy-MM-dd` (UTC).
    pub from: String,
    /// Last day included, `yyyy-MM-dd` (UTC); the query's `endDate` is the day after.
    pub to: String,
    /// `featureId`.
    pub feature_id: String,
    /// `appId`.
    pub app_id: String,
    /// `projectHrn`.
    pub project_hrn: String,
    /// `billingTag`.
    pub billing_tag: String,
    /// `category`.
    pub category: String,
    /// `channelId`, empty for any.
    pub channel: String,
    /// Time buckets.
    pub detail: usage_api::usage::DetailLevel,
    /// Added grouping.
    pub group_by: Vec<usage_api::usage::GroupDim>,
    /// Shown fields; every field when it holds them all.
    pub fields: Vec<usage_api::usage::UsageField>,
    /// Page size.
    pub limit: u32,
    /// The IANA zone of the range and the buckets (`UTC` by default).
    pub time_zone: String,
}

/// The form field that shows an error about a query parameter.
pub fn field_for(param: &str) -> &str {
    match param {
        "startDate" | "startTime" => "from",
        "endDate" | "endTime" => "to",
        "timeZone" => "timeZone",
        other => other,
    }
}

impl Draft {
    /// The form showing `q`.
    pub fn from_query(q: &UsageQuery) -> Self {
        // The last day included: the day before an end at midnight, else the end's own day.
        let last = if q.end.is_midnight() {
            q.end.date().pred_opt().unwrap_or(q.end.date())
        } else {
            q.end.date()
        };
        let f = &q.filters;
        let text = |o: &Option<String>| o.clone().unwrap_or_default();
        Self {
            from: q.start.date().to_string(),
            to: last.to_string(),
            feature_id: text(&f.feature_id),
            app_id: text(&f.app_id),
            project_hrn: text(&f.project_hrn),
            billing_tag: text(&f.billing_tag),
            category: text(&f.category),
            channel: f
                .channel_id
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            detail: q.detail,
            group_by: q.group_by.clone(),
            fields: q
                .fields
                .clone()
                .unwrap_or_else(|| usage_api::usage::UsageField::ALL.to_vec()),
            limit: q.limit,
            time_zone: q.time_zone.name().to_owned(),
        }
    }

    /// Validates the form with usage-api's rules: the query (first page), or every error
    /// named by the form field it belongs to.
    pub fn validate(&self) -> Result<UsageQuery, Vec<FieldError>> {
        self.validate_as(QueryKind::Page)
    }

    /// Validates the form for the endpoint `kind` (a report has no page size, nor `hour`).
    pub fn validate_as(&self, kind: QueryKind) -> Result<UsageQuery, Vec<FieldError>> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut local = Vec::new();
        if !self.from.is_empty() {
            pairs.push(("startDate", self.from.clone()));
        }
        match Timestamp::parse(&self.to).map(|t| t.date().succ_opt()) {
            Some(Some(next)) => pairs.push(("endDate", Timestamp::start_of(next).to_string())),
            _ if self.to.is_empty() => {}
            _ => pairs.push(("endDate", self.to.clone())),
        }
        for (k, v) in [
            ("featureId", &self.feature_id),
            ("appId", &self.app_id),
            ("projectHrn", &self.project_hrn),
            ("billingTag", &self.billing_tag),
            ("category", &self.category),
            ("channelId", &self.channel),
        ] {
            if !v.trim().is_empty() {
                pairs.push((k, v.trim().to_owned()));
            }
        }
        if self.time_zone != usage_api::TimeZone::utc().name() {
            pairs.push(("timeZone", self.time_zone.clone()));
        }
        pairs.push(("detailLevel", self.detail.as_str().to_owned()));
        if !self.group_by.is_empty() {
            pairs.push((
                "groupBy",
                self.group_by
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if self.fields.is_empty() {
            local.push(FieldError::new("usageFields", "choose at least one column"));
        } else if self.fields.len() < usage_api::usage::UsageField::ALL.len() {
            // In the contract's order, so equal choices give equal URLs.
            let ordered: Vec<&str> = usage_api::usage::UsageField::ALL
                .iter()
                .filter(|f| self.fields.contains(f))
                .map(|f| f.as_str())
                .collect();
            pairs.push(("usageFields", ordered.join(",")));
        }
        if kind == QueryKind::Page {
            pairs.push(("limit", self.limit.to_string()));
        }
        let result = UsageQuery::from_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())), kind);
        match result {
            Ok(q) if local.is_empty() => Ok(q),
            Ok(_) => Err(local),
            Err(mut errors) => {
                for e in &mut errors {
                    if e.name == "startDate" && e.description == usage_api::usage::msg::REQUIRED {
                        e.description = "choose a start date".to_owned();
                    }
                    if e.name == "endDate" && e.description == usage_api::usage::msg::REQUIRED {
                        e.description = "choose an end date".to_owned();
                    }
                }
                errors.extend(local);
                Err(errors)
            }
        }
    }
}

/// Date-range presets of the filter bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// From the 1st of this month to today.
    ThisMonth,
    /// The whole of last month.
    LastMonth,
    /// The last 7 days, today included.
    Last7,
    /// The last 30 days, today included.
    Last30,
    /// The last 90 days, today included.
    Last90,
}

impl Preset {
    /// Every preset, in the order shown.
    pub const ALL: [Self; 5] = [
        Self::ThisMonth,
        Self::LastMonth,
        Self::Last7,
        Self::Last30,
        Self::Last90,
    ];

    /// The button's words.
    pub fn label(self) -> &'static str {
        match self {
            Self::ThisMonth => "This month",
            Self::LastMonth => "Last month",
            Self::Last7 => "Last 7 days",
            Self::Last30 => "Last 30 days",
            Self::Last90 => "Last 90 days",
        }
    }

    /// The relative range of a saved view (contract section 11) this preset is.
    pub fn relative(self) -> usage_api::views::RelativeRange {
        use usage_api::views::RelativeRange as R;
        match self {
            Self::ThisMonth => R::ThisMonth,
            Self::LastMonth => R::LastMonth,
            Self::Last7 => R::Last7d,
            Self::Last30 => R::Last30d,
            Self::Last90 => R::Last90d,
        }
    }

    /// `[start, end)` for `today` (UTC).
    pub fn range(self, today: NaiveDate) -> (Timestamp, Timestamp) {
        self.relative().range(today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use usage_api::usage::{DetailLevel, GroupDim, UsageField};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, 15).unwrap()
    }

    fn pairs_of(query: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(query.trim_start_matches('?')).unwrap()
    }

    #[test]
    fn the_page_opens_by_day_and_keeps_a_summarized_view() {
        let page = |url: &str| {
            let mut pairs = pairs_of(url);
            with_page_default_detail(&mut pairs);
            query_from_url(&pairs, today()).0
        };
        assert_eq!(page("").detail, DetailLevel::Day);
        assert_eq!(page("detailLevel=month").detail, DetailLevel::Month);
        let summarized = UsageQuery {
            detail: DetailLevel::Summarized,
            ..page("")
        };
        let url = query_string(&page_pairs(&summarized));
        assert!(url.contains("detailLevel=summarized"), "{url}");
        assert_eq!(page(&url), summarized);
        let by_day = page("");
        assert_eq!(page(&query_string(&page_pairs(&by_day))), by_day);
        let (reset, errors) =
            page_query_from_url(&pairs_of("detailLevel=weekly&limit=10"), today());
        assert_eq!((reset.detail, reset.limit), (DetailLevel::Day, 10));
        assert_eq!(errors[0].name, "detailLevel");
    }

    #[test]
    fn an_empty_url_is_the_last_30_days() {
        let (q, errors) = query_from_url(&[], today());
        assert!(errors.is_empty());
        assert_eq!(q.start.to_string(), "2027-02-14T00:00:00");
        assert_eq!(q.end.to_string(), "2027-03-16T00:00:00");
    }

    #[test]
    fn a_bad_value_is_replaced_and_named() {
        let (q, errors) = query_from_url(&pairs_of("limit=0&detailLevel=day"), today());
        assert_eq!(
            errors.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
            ["limit"]
        );
        assert_eq!(q.detail, DetailLevel::Day, "the good parameters are kept");
        assert_eq!(q.limit, usage_api::limits::PAGE_LIMIT_DEFAULT);
        // A bad date resets both dates: half a range is no range.
        let (q, errors) = query_from_url(
            &pairs_of("startDate=2027-13-01&endDate=2027-03-01"),
            today(),
        );
        assert_eq!(errors.len(), 1);
        assert_eq!((q.start, q.end), default_range(today()));
    }

    #[test]
    fn presets_cover_whole_days() {
        let t = |s: &str| Timestamp::parse(s).unwrap();
        assert_eq!(
            Preset::ThisMonth.range(today()),
            (t("2027-03-01"), t("2027-03-16"))
        );
        assert_eq!(
            Preset::LastMonth.range(today()),
            (t("2027-02-01"), t("2027-03-01"))
        );
        assert_eq!(
            Preset::Last7.range(today()),
            (t("2027-03-09"), t("2027-03-16"))
        );
        assert_eq!(
            Preset::Last90.range(today()),
            (t("2026-12-16"), t("2027-03-16"))
        );
        // January's "last month" is December of the year before.
        let jan = NaiveDate::from_ymd_opt(2028, 1, 31).unwrap();
        assert_eq!(
            Preset::LastMonth.range(jan),
            (t("2027-12-01"), t("2028-01-01"))
        );
        for p in Preset::ALL {
            let (s, e) = p.range(today());
            assert!(s < e && s.is_midnight() && e.is_midnight(), "{p:?}");
        }
    }

    #[test]
    fn form_fields_for_parameters() {
        assert_eq!(field_for("startTime"), "from");
        assert_eq!(field_for("endDate"), "to");
        assert_eq!(field_for("appId"), "appId");
        assert_eq!(field_for("timeZone"), "timeZone");
    }

    fn dims() -> impl Strategy<Value = Vec<GroupDim>> {
        proptest::sample::subsequence(
            vec![
                GroupDim::AppId,
                GroupDim::BillingTag,
                GroupDim::Project,
                GroupDim::Resource,
            ],
            0..=4,
        )
        .prop_shuffle()
    }

    proptest! {
        /// A view survives the trip through its URL: the query the URL gives back shows the
        /// same form, so a shared link reproduces what its sender saw.
        #[test]
        fn url_round_trip(
            start_day in 0_u64..3_000,
            days in 1_u64..=95,
            detail in proptest::sample::select(vec![DetailLevel::Summarized, DetailLevel::Hour, DetailLevel::Day, DetailLevel::Month]),
            group_by in dims(),
            limit in 1_u32..=usage_api::limits::PAGE_LIMIT_MAX,
            offset in 0_u32..1_000,
            app in proptest::option::of("[a-z0-9-]{1,12}"),
            // Characters a URL must escape; not blank at either end (a blank filter is none).
            tag in proptest::option::of("[A-Za-z&=+%/?#]([A-Za-z &=+%/?#]{0,10}[A-Za-z&=+%/?#])?"),
            names_only in any::<bool>(),
            zone in proptest::sample::select(vec!["UTC", "Europe/Berlin", "Asia/Kolkata", "America/St_Johns"]),
        ) {
            let from = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(start_day);
            let to = from + Days::new(days - 1);
            let mut draft = Draft::from_query(&query_from_url(&[], to).0);
            draft.from = from.to_string();
            draft.to = to.to_string();
            draft.detail = detail;
            draft.group_by = group_by;
            draft.limit = limit;
            draft.app_id = app.unwrap_or_default();
            draft.billing_tag = tag.unwrap_or_default();
            draft.time_zone = zone.to_owned();
            if names_only {
                draft.fields = vec![UsageField::Name, UsageField::UsageValue];
            }
            let mut q = draft.validate().expect("a valid draft");
            q.offset = offset;
            let url = query_string(&q.to_pairs(QueryKind::Page));
            let (back, errors) = query_from_url(&pairs_of(&url), today());
            prop_assert!(errors.is_empty(), "{url}: {errors:?}");
            prop_assert_eq!(&back, &q, "{}", url);
            prop_assert_eq!(Draft::from_query(&back), draft);
        }
    }
}
