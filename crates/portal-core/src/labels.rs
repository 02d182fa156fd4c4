//! Words for people that the portal shows for the contract's names (the contract crate keeps
//! only the names on the wire).

use usage_api::usage::{Column, GroupDim, UsageField};

/// A column's heading.
pub fn column_label(c: Column) -> &'static str {
    match c {
        Column::Field(UsageField::RealmId) => "Realm",
        Column::Field(UsageField::FeatureId) => "Feature",
        Column::Field(UsageField::BillingSubscriptionId) => "Subscription",
        Column::Field(UsageField::BillingChargeNumber) => "Charge number",
        Column::Field(UsageField::Category) => "Category",
        Column::Field(UsageField::Name) => "Charge item",
        Column::Field(UsageField::ValueDriver) => "Unit",
        Column::Field(UsageField::UsageValue) => "Usage",
        Column::Field(UsageField::BillableValue) => "Billable",
        Column::Field(UsageField::Resource) | Column::Group(GroupDim::Resource) => "Resource",
        Column::Group(GroupDim::AppId) => "App",
        Column::Group(GroupDim::BillingTag) => "Billing tag",
        Column::Group(GroupDim::Project) => "Project",
        Column::Group(GroupDim::UsageTypeCode) => "Usage type",
        Column::UsageDateTime => "Time (UTC)",
    }
}

/// The time column's heading in `zone`: `Time (UTC)`, `Time (Europe/Berlin)`.
pub fn time_label(zone: &str) -> String {
    format!("Time ({})", zone.replace('_', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_column_names_its_zone() {
        assert_eq!(time_label("UTC"), column_label(Column::UsageDateTime));
        assert_eq!(time_label("America/St_Johns"), "Time (America/St Johns)");
    }

    #[test]
    fn every_column_has_its_own_words() {
        let mut columns: Vec<Column> = UsageField::ALL.iter().map(|f| Column::Field(*f)).collect();
        columns.extend(GroupDim::ALL.iter().map(|g| Column::Group(*g)));
        columns.push(Column::UsageDateTime);
        let mut labels: Vec<&str> = columns.iter().map(|c| column_label(*c)).collect();
        assert!(labels.iter().all(|l| !l.is_empty()));
        labels.sort_unstable();
        labels.dedup();
        // Resource is both a field and a dimension, with one heading.
        assert_eq!(labels.len(), columns.len() - 1);
    }
}
