//! `GET /usage/realms/{realmId}` (contract section 1) and the queries that share its
//! parameters: the synchronous CSV and report creation (section 2).

mod enums;
mod items;
mod query;

pub use enums::*;
pub use items::*;
pub use query::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;

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
