//! What a usage query answers: result records, their columns, and pages of them.

use super::enums::*;
use crate::quantity::Quantity;
use crate::time::Timestamp;
use crate::zone::ZonedTime;
use serde::{Deserialize, Serialize};

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
    pub usage_date_time: Option<ZonedTime>,
}

impl UsageItem {
    /// The cell of `col` as text (empty when absent).
    pub fn cell(&self, col: Column) -> String {
        match col {
            Column::Field(UsageField::UsageValue) => {
                self.usage_value.map(|q| q.to_string()).unwrap_or_default()
            }
            Column::Field(UsageField::BillableValue) => self
                .billable_value
                .map(|q| q.to_string())
                .unwrap_or_default(),
            Column::UsageDateTime => self
                .usage_date_time
                .map(|t| t.to_string())
                .unwrap_or_default(),
            _ => self.text(col).unwrap_or_default().to_owned(),
        }
    }

    /// The text of a text column `col`, lent; `None` when absent, and for the quantities and
    /// the bucket's start, which are not text ([`Self::cell`] formats them).
    pub fn text(&self, col: Column) -> Option<&str> {
        match col {
            Column::Field(f) => match f {
                UsageField::RealmId => self.realm_id.as_deref(),
                UsageField::FeatureId => self.feature_id.as_deref(),
                UsageField::BillingSubscriptionId => self.billing_subscription_id.as_deref(),
                UsageField::BillingChargeNumber => self.billing_charge_number.as_deref(),
                UsageField::Category => self.category.as_deref(),
                UsageField::Name => self.name.as_deref(),
                UsageField::ValueDriver => self.value_driver.as_deref(),
                UsageField::Resource => self.resource.as_deref(),
                UsageField::UsageValue | UsageField::BillableValue => None,
            },
            Column::Group(g) => match g {
                GroupDim::AppId => self.app_id.as_deref(),
                GroupDim::BillingTag => self.billing_tag.as_deref(),
                GroupDim::Project => self.project_hrn.as_deref(),
                GroupDim::UsageTypeCode => self.usage_type_code.as_deref(),
                GroupDim::Resource => self.resource.as_deref(),
            },
            Column::UsageDateTime => None,
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
    /// When the answer was read (contract section 8): a bucket that ends later is still
    /// filling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
}

impl UsagePage {
    /// `lastOffset` for `total` records at `limit` a page.
    pub fn last_offset_for(total: u64, limit: u32) -> u32 {
        let pages = total.div_ceil(u64::from(limit.max(1)));
        u32::try_from(pages.saturating_sub(1)).unwrap_or(u32::MAX)
    }
}

/// A raw usage record behind a figure (contract section 9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordItem {
    /// The record's id, as `GET /usages/{id}` takes it.
    pub id: String,
    /// Its subscription.
    pub billing_subscription_id: String,
    /// The subscription's feature.
    pub feature_id: String,
    /// The charge item.
    pub name: String,
    /// The unit.
    pub value_driver: String,
    /// When the usage happened (UTC).
    pub usage_time: Timestamp,
    /// The accepted (billable) quantity.
    pub quantity: Quantity,
    /// The quantity reported.
    pub requested_quantity: Quantity,
    /// Dimensions; absent when the record has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_hrn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Channel>,
    /// When it was recorded (UTC).
    pub created_time: Timestamp,
}

/// A page of `GET /usage/realms/{realmId}/records`, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordPage {
    /// Records matching the query.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// This page's number.
    pub offset: u32,
    /// The records.
    pub items: Vec<RecordItem>,
    /// The next page's number; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
    /// The last page's number.
    pub last_offset: u32,
    /// When the answer was read (section 8).
    pub as_of: Timestamp,
}
