//! The Reports page's rules: when a report has just become ready (to tell the host once), and
//! how a report's status and parameters read.

use usage_api::reports::{Report, ReportStatus};

/// True when `r` completed since `old` (the list as it was) had it in progress, or, for the
/// report just `created`, when it completed before the list ever showed it.
pub fn newly_completed(old: &[Report], r: &Report, created: Option<&str>) -> bool {
    r.status == ReportStatus::Completed
        && match old.iter().find(|o| o.id == r.id) {
            Some(o) => o.status == ReportStatus::InProgress,
            None => created == Some(r.id.as_str()),
        }
}

/// The ids of the reports still in progress: the ones to poll.
pub fn in_progress(list: &[Report]) -> Vec<String> {
    list.iter()
        .filter(|r| r.status == ReportStatus::InProgress)
        .map(|r| r.id.clone())
        .collect()
}

/// The status in words.
pub fn status_text(r: &Report) -> String {
    match r.status {
        ReportStatus::InProgress => "In progress".to_owned(),
        ReportStatus::Completed if r.truncated == Some(true) => {
            "Completed (truncated at 1,000,000 records)".to_owned()
        }
        ReportStatus::Completed => "Completed".to_owned(),
        ReportStatus::Failed => format!("Failed: {}", r.error.clone().unwrap_or_default()),
    }
}

/// What was asked for: `name=value, …`, then the sub-accounts when there are some.
pub fn parameters_text(r: &Report) -> String {
    let params = r
        .parameters
        .query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let subs = r
        .parameters
        .sub_accounts
        .as_ref()
        .map(|s| format!(" · sub-accounts: {}", s.join(", ")))
        .unwrap_or_default();
    format!("{params}{subs}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: &str, status: ReportStatus) -> Report {
        Report {
            id: id.to_owned(),
            status,
            created: usage_api::Timestamp::parse("2027-01-01").unwrap(),
            finished: None,
            parameters: Default::default(),
            row_count: None,
            byte_size: None,
            truncated: None,
            download_url: None,
            error: None,
            as_of: None,
        }
    }

    #[test]
    fn ready_once_when_it_completes() {
        let old = [
            report("R-1", ReportStatus::InProgress),
            report("R-2", ReportStatus::Completed),
        ];
        assert!(newly_completed(
            &old,
            &report("R-1", ReportStatus::Completed),
            None
        ));
        assert!(
            !newly_completed(&old, &report("R-2", ReportStatus::Completed), None),
            "already told"
        );
        assert!(!newly_completed(
            &old,
            &report("R-1", ReportStatus::Failed),
            None
        ));
        // Not in the list yet: only the report just created, done before the first poll.
        assert!(newly_completed(
            &old,
            &report("R-3", ReportStatus::Completed),
            Some("R-3")
        ));
        assert!(!newly_completed(
            &old,
            &report("R-4", ReportStatus::Completed),
            Some("R-3")
        ));
        assert_eq!(in_progress(&old), ["R-1"]);
    }

    #[test]
    fn words_for_status_and_parameters() {
        let mut r = report("R-1", ReportStatus::Completed);
        assert_eq!(status_text(&r), "Completed");
        r.truncated = Some(true);
        assert_eq!(
            status_text(&r),
            "Completed (truncated at 1,000,000 records)"
        );
        r.status = ReportStatus::Failed;
        r.error = Some("out of time".to_owned());
        assert_eq!(status_text(&r), "Failed: out of time");
        r.parameters
            .query
            .insert("startDate".to_owned(), "2027-01-01".to_owned());
        r.parameters
            .query
            .insert("detailLevel".to_owned(), "day".to_owned());
        assert_eq!(parameters_text(&r), "detailLevel=day, startDate=2027-01-01");
        r.parameters.sub_accounts = Some(vec!["a".to_owned(), "b".to_owned()]);
        assert_eq!(
            parameters_text(&r),
            "detailLevel=day, startDate=2027-01-01 · sub-accounts: a, b"
        );
    }
}
