//! Usage reports (contract section 2) and the caller's org.

use crate::time::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, de};
use std::collections::BTreeMap;
use std::fmt;

/// Where a report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReportStatus {
    /// Being generated.
    #[serde(rename = "inProgress")]
    InProgress,
    /// Ready to download.
    #[serde(rename = "completed")]
    Completed,
    /// Generation failed; `error` says why.
    #[serde(rename = "failed")]
    Failed,
}

impl ReportStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "inProgress",
            Self::Completed => "completed",
            Self::Failed => "failed",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "inProgress" => Some(Self::InProgress),
            "completed" => Some(Self::Completed),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }

    /// True once the report will not change any more.
    pub fn is_final(self) -> bool {
        self != Self::InProgress
    }
}

/// The optional body of `POST /usage/realms/{realmId}/reports`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateReport {
    /// Sub-accounts of the realm to report on, instead of the realm itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_accounts: Option<Vec<String>>,
}

/// The 201 answer to a report request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportCreated {
    /// `REPORT-1007`.
    pub id: String,
    /// Always `inProgress`.
    pub status: ReportStatus,
}

/// What a report was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportParameters {
    /// The query parameters.
    #[serde(flatten)]
    pub query: BTreeMap<String, String>,
    /// The sub-accounts, when the report covers them instead of the realm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_accounts: Option<Vec<String>>,
}

/// The query parameters as strings, beside `subAccounts`.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ReportParameters {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
        ObjectBuilder::new()
            .property(
                "subAccounts",
                ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)),
            )
            .additional_properties(Some(ObjectBuilder::new().schema_type(Type::String)))
            .description(Some(
                "The report's query parameters (defaults included), and its sub-accounts.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ReportParameters {}

impl<'de> Deserialize<'de> for ReportParameters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // By hand: a derived `flatten` buffers every value first, which costs the portal's
        // wasm several KB.
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = ReportParameters;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a report's parameters")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = ReportParameters::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "subAccounts" {
                        out.sub_accounts = map.next_value()?;
                    } else {
                        let value = map.next_value()?;
                        out.query.insert(key, value);
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// A report's status (`GET …/reports/{reportId}/output`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    /// `REPORT-1007`.
    pub id: String,
    /// Where it is.
    pub status: ReportStatus,
    /// When it was requested.
    pub created: Timestamp,
    /// When it completed or failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished: Option<Timestamp>,
    /// What was asked for.
    pub parameters: ReportParameters,
    /// Records in the CSV (header excluded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_count: Option<u64>,
    /// The CSV's size in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byte_size: Option<u64>,
    /// True when the result had more records than a report holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<bool>,
    /// A short-lived signed link to the CSV that needs no Authorization header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_url: Option<String>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When a completed report's data was read (section 8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
}

/// A page of a realm's reports, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    /// All reports of the realm.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// This page's number.
    pub offset: u32,
    /// The reports.
    pub items: Vec<Report>,
    /// The next page's number; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
    /// The last page's number.
    pub last_offset: u32,
}

/// The public id of report number `n`.
pub fn report_id(n: i64) -> String {
    format!("REPORT-{}", 1000 + n)
}

/// The number behind a public report id, if it is one.
pub fn parse_report_id(id: &str) -> Option<i64> {
    let n: i64 = id.strip_prefix("REPORT-")?.parse().ok()?;
    (n > 1000).then_some(n - 1000)
}

/// An org, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgRef {
    /// The realm id.
    pub realm_id: String,
    /// Its name.
    pub name: String,
}

/// The caller's org and its sub-accounts (`GET /orgs/me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Org {
    /// The realm id.
    pub realm_id: String,
    /// Its name.
    pub name: String,
    /// Its sub-accounts (empty unless a partner).
    pub sub_accounts: Vec<OrgRef>,
    /// The token's scopes.
    pub scopes: Vec<String>,
}

/// Why a report's `subAccounts` are refused: at least one, at most
/// [`crate::limits::REPORT_SUB_ACCOUNTS_MAX`], each a realm id, none twice.
pub fn check_sub_accounts(subs: &[String]) -> Result<(), String> {
    let max = crate::limits::REPORT_SUB_ACCOUNTS_MAX;
    if subs.is_empty() {
        return Err("must name at least one sub-account, or be left out".to_owned());
    }
    if subs.len() > max {
        return Err(format!("must name at most {max} sub-accounts"));
    }
    if let Some(bad) = subs
        .iter()
        .find(|s| crate::usage::validate_realm_id(s).is_err())
    {
        return Err(format!("'{bad}' is not a realm id"));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(twice) = subs.iter().find(|s| !seen.insert(s.as_str())) {
        return Err(format!("names '{twice}' more than once"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_round_trip_through_json() {
        let mut p = ReportParameters::default();
        p.query.insert("startDate".into(), "2026-10-01".into());
        p.query.insert("groupBy".into(), "appId,channelId".into());
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"groupBy":"appId,channelId","startDate":"2026-10-01"}"#
        );
        assert_eq!(serde_json::from_str::<ReportParameters>(&json).unwrap(), p);
        p.sub_accounts = Some(vec!["ACC-1".into(), "ACC-2".into()]);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<ReportParameters>(&json).unwrap(), p);
        let null = r#"{"subAccounts":null,"endDate":"2026-10-31"}"#;
        let parsed: ReportParameters = serde_json::from_str(null).unwrap();
        assert_eq!(parsed.sub_accounts, None);
        assert_eq!(parsed.query["endDate"], "2026-10-31");
        assert!(serde_json::from_str::<ReportParameters>(r#"{"startDate":5}"#).is_err());
    }

    #[test]
    fn report_ids() {
        assert_eq!(report_id(7), "REPORT-1007");
        assert_eq!(parse_report_id("REPORT-1007"), Some(7));
        assert_eq!(parse_report_id("REPORT-1000"), None);
        assert_eq!(parse_report_id("report-1007"), None);
        assert_eq!(parse_report_id("REPORT-x"), None);
    }

    #[test]
    fn parameters_flatten_the_query() {
        let mut p = ReportParameters::default();
        p.query
            .insert("startDate".into(), "2026-01-01T00:00:00".into());
        p.sub_accounts = Some(vec!["northwind-eu".into()]);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            json,
            r#"{"startDate":"2026-01-01T00:00:00","subAccounts":["northwind-eu"]}"#
        );
    }

    #[test]
    fn create_body_rejects_unknown_fields() {
        assert!(serde_json::from_str::<CreateReport>(r#"{"subAcounts": []}"#).is_err());
        assert_eq!(
            serde_json::from_str::<CreateReport>("{}").unwrap(),
            CreateReport::default()
        );
    }

    #[test]
    fn sub_accounts_are_bounded_and_unique() {
        let v = |n: usize| (0..n).map(|i| format!("org-{i:05}")).collect::<Vec<_>>();
        assert!(super::check_sub_accounts(&v(100)).is_ok());
        assert!(
            super::check_sub_accounts(&v(101))
                .unwrap_err()
                .contains("at most 100")
        );
        assert!(super::check_sub_accounts(&[]).is_err());
        let twice = vec![
            "org-a1".to_owned(),
            "org-b2".to_owned(),
            "org-a1".to_owned(),
        ];
        assert!(
            super::check_sub_accounts(&twice)
                .unwrap_err()
                .contains("more than once")
        );
        assert!(
            super::check_sub_accounts(&["x".to_owned()])
                .unwrap_err()
                .contains("realm id")
        );
    }
}
