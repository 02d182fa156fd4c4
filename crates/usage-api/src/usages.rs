//! Usage records (`POST /usages`, contract section 4).

use crate::error::FieldError;
use crate::quantity::Quantity;
use crate::time::{TIMESTAMP_FORMAT_HELP, Timestamp};
use crate::usage::Channel;
use serde::{Deserialize, Serialize};

/// Longest client-chosen record id.
pub const USAGE_ID_MAX: usize = 100;
/// The smallest quantity accepted (0.001).
pub const QUANTITY_MIN: Quantity = Quantity(1);

/// A usage record as submitted, before validation: every field as text, so that each problem
/// can be named. Serialized, it is the JSON body of `POST /usages` (absent fields left out).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewUsage {
    /// Client-chosen id (for idempotent retries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_id: Option<String>,
    /// The quantity, as the client wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    /// When the usage happened; now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_time: Option<String>,
    /// Accept what fits under the monthly limit instead of refusing.
    pub accept_partial_quantity: bool,
    /// `appId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `projectHrn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project_hrn: Option<String>,
    /// `billingTag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_tag: Option<String>,
    /// `resource`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// `channelId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
}

impl NewUsage {
    /// The record as a client sends it: every text trimmed, blank ones left out.
    pub fn trimmed(&self) -> Self {
        let put = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Self {
            id: put(&self.id),
            subscription_id: put(&self.subscription_id),
            quantity: put(&self.quantity),
            usage_time: put(&self.usage_time),
            accept_partial_quantity: self.accept_partial_quantity,
            app_id: put(&self.app_id),
            project_hrn: put(&self.project_hrn),
            billing_tag: put(&self.billing_tag),
            resource: put(&self.resource),
            channel_id: put(&self.channel_id),
        }
    }
}

/// A validated usage record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidUsage {
    /// Client-chosen id.
    pub id: Option<String>,
    /// The subscription.
    pub subscription_id: String,
    /// The requested quantity.
    pub quantity: Quantity,
    /// When it happened (None: now).
    pub usage_time: Option<Timestamp>,
    /// Accept a partial quantity.
    pub accept_partial_quantity: bool,
    /// Dimensions.
    pub app_id: Option<String>,
    /// Dimensions.
    pub project_hrn: Option<String>,
    /// Dimensions.
    pub billing_tag: Option<String>,
    /// Dimensions.
    pub resource: Option<String>,
    /// Dimensions.
    pub channel_id: Option<Channel>,
}

/// Why a quantity is refused.
pub fn check_quantity(text: &str) -> Result<Quantity, String> {
    let q = Quantity::parse(text).map_err(|e| e.message().to_owned())?;
    if q < QUANTITY_MIN {
        return Err("must be at least 0.001".to_owned());
    }
    Ok(q)
}

impl NewUsage {
    /// Validates every field; the errors name each offending one.
    pub fn validate(&self) -> Result<ValidUsage, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |name: &str, v: &Option<String>, max: usize| -> Option<String> {
            match v {
                Some(s) if s.is_empty() => {
                    errors.push(FieldError::new(
                        name,
                        "must not be empty (leave it out instead)",
                    ));
                    None
                }
                Some(s) if s.chars().count() > max => {
                    errors.push(FieldError::new(
                        name,
                        format!("must be at most {max} characters"),
                    ));
                    None
                }
                other => other.clone(),
            }
        };
        let id = text("id", &self.id, USAGE_ID_MAX);
        let app_id = text("appId", &self.app_id, crate::limits::APP_ID_MAX);
        let project_hrn = text(
            "projectHrn",
            &self.project_hrn,
            crate::limits::PROJECT_HRN_MAX,
        );
        let billing_tag = text(
            "billingTag",
            &self.billing_tag,
            crate::limits::BILLING_TAG_MAX,
        );
        let resource = text("resource", &self.resource, 256);
        let subscription_id = text("subscriptionId", &self.subscription_id, 100);
        if self.subscription_id.is_none() {
            errors.push(FieldError::new("subscriptionId", "is required"));
        }
        let quantity = match &self.quantity {
            None => {
                errors.push(FieldError::new("quantity", "is required"));
                None
            }
            Some(q) => match check_quantity(q) {
                Ok(q) => Some(q),
                Err(e) => {
                    errors.push(FieldError::new("quantity", e));
                    None
                }
            },
        };
        let usage_time = match self.usage_time.as_deref() {
            None | Some("") => None,
            Some(t) => match Timestamp::parse(t) {
                Some(t) => Some(t),
                None => {
                    errors.push(FieldError::new("usageTime", TIMESTAMP_FORMAT_HELP));
                    None
                }
            },
        };
        let channel_id = match self.channel_id.as_deref() {
            None => None,
            Some(c) => match Channel::parse(c) {
                Some(c) => Some(c),
                None => {
                    errors.push(FieldError::new(
                        "channelId",
                        format!("must be {}", Channel::choices()),
                    ));
                    None
                }
            },
        };
        match (subscription_id, quantity) {
            (Some(subscription_id), Some(quantity)) if errors.is_empty() => Ok(ValidUsage {
                id,
                subscription_id,
                quantity,
                usage_time,
                accept_partial_quantity: self.accept_partial_quantity,
                app_id,
                project_hrn,
                billing_tag,
                resource,
                channel_id,
            }),
            _ => Err(errors),
        }
    }
}

/// A link of a HAL-style `_links` array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelLink {
    /// The relation.
    pub rel: String,
    /// The URL.
    pub href: String,
}

/// A stored usage record, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageRecord {
    /// The record's id.
    pub id: String,
    /// The subscription.
    pub subscription_id: String,
    /// The accepted quantity.
    pub quantity: Quantity,
    /// The quantity asked for.
    pub requested_quantity: Quantity,
    /// Whether a partial quantity was accepted.
    pub accept_partial_quantity: bool,
    /// When it happened.
    pub usage_time: Timestamp,
    /// When it was recorded.
    pub created_time: Timestamp,
    /// When it last changed.
    pub updated_time: Timestamp,
    /// Set when invoiced.
    pub invoice_id: Option<String>,
    /// Set when invoiced.
    pub invoice_item_id: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_hrn: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_tag: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// Dimensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<Channel>,
    /// `[{"rel": "self", "href": "/usages/{id}"}]`.
    #[serde(rename = "_links")]
    pub links: Vec<RelLink>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_post_body_is_trimmed_and_leaves_blanks_out() {
        let input = NewUsage {
            id: Some("portal-1".into()),
            subscription_id: Some(" SUB-1 ".into()),
            quantity: Some("2.5".into()),
            app_id: Some("  ".into()),
            accept_partial_quantity: true,
            ..NewUsage::default()
        };
        assert_eq!(
            serde_json::to_value(input.trimmed()).unwrap(),
            serde_json::json!({
                "id": "portal-1",
                "subscriptionId": "SUB-1",
                "quantity": "2.5",
                "acceptPartialQuantity": true,
            })
        );
    }

    fn names(r: Result<ValidUsage, Vec<FieldError>>) -> Vec<String> {
        let mut n: Vec<String> = r.unwrap_err().into_iter().map(|e| e.name).collect();
        n.sort();
        n
    }

    #[test]
    fn quantities() {
        assert_eq!(check_quantity("0.001"), Ok(Quantity(1)));
        assert!(
            check_quantity("0.0001")
                .unwrap_err()
                .contains("3 decimal places")
        );
        assert!(check_quantity("0").unwrap_err().contains("0.001"));
        assert!(check_quantity("-1").is_err());
        assert!(check_quantity("abc").is_err());
    }

    #[test]
    fn every_field_is_named() {
        assert_eq!(
            names(NewUsage::default().validate()),
            ["quantity", "subscriptionId"]
        );
        let bad = NewUsage {
            subscription_id: Some("SUB-1".into()),
            quantity: Some("1.2345".into()),
            usage_time: Some("yesterday".into()),
            channel_id: Some("warm".into()),
            app_id: Some(String::new()),
            ..NewUsage::default()
        };
        assert_eq!(
            names(bad.validate()),
            ["appId", "channelId", "quantity", "usageTime"]
        );
        let good = NewUsage {
            subscription_id: Some("SUB-1".into()),
            quantity: Some("2.5".into()),
            ..NewUsage::default()
        };
        assert_eq!(good.validate().unwrap().quantity, Quantity(2500));
    }
}
