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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUsage {
    /// Client-chosen id (for idempotent retries).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[A-Za-z0-9.:-]{1,100}$"))]
    pub id: Option<String>,
    /// The subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, min_length = 1, max_length = 100, example = "SUB-1000-RTG"))]
    pub subscription_id: Option<String>,
    /// The quantity, as the client wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = quantity_input_schema, required = true))]
    pub quantity: Option<String>,
    /// When the usage happened; now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(schema_with = timestamp_input_schema))]
    pub usage_time: Option<String>,
    /// Accept what fits under the monthly limit instead of refusing.
    #[cfg_attr(feature = "openapi", schema(required = false))]
    pub accept_partial_quantity: bool,
    /// `appId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 128))]
    pub app_id: Option<String>,
    /// `projectHrn`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub project_hrn: Option<String>,
    /// `billingTag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub billing_tag: Option<String>,
    /// `resource`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 256))]
    pub resource: Option<String>,
    /// `channelId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Channel>))]
    pub channel_id: Option<String>,
}

/// `quantity` as `POST /usages` reads it: a decimal string or a JSON number, judged by its text.
#[cfg(feature = "openapi")]
fn quantity_input_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::{ObjectBuilder, OneOfBuilder, Type};
    OneOfBuilder::new()
        .item(
            // No pattern: the server trims and reads more spellings than a pattern would say.
            ObjectBuilder::new()
                .schema_type(Type::String)
                .examples(["12.5"]),
        )
        .item(
            ObjectBuilder::new()
                .schema_type(Type::Number)
                .exclusive_minimum(Some(0))
                .maximum(Some(crate::limits::QUANTITY_MAX_UNITS)),
        )
        .description(Some(
            "At least 0.001, at most 1000000000000, at most 3 decimal places (more is a 422).",
        ))
        .build()
        .into()
}

/// `usageTime` as a client may send it: the contract's timestamp, a trailing `Z`, or a date.
#[cfg(feature = "openapi")]
fn timestamp_input_schema() -> utoipa::openapi::schema::Object {
    crate::time::input_schema().build()
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

/// The largest quantity of one record (1,000,000,000,000).
pub const QUANTITY_MAX: Quantity = Quantity(crate::limits::QUANTITY_MAX_UNITS * Quantity::SCALE);

/// Most any one subscription may record in a month, as a quantity.
pub const MONTHLY_TOTAL_MAX: Quantity =
    Quantity(crate::limits::MONTHLY_TOTAL_MAX_UNITS * Quantity::SCALE);

/// The words for a quantity above [`QUANTITY_MAX`] (a 400, where other quantity problems are
/// a 422).
pub const QUANTITY_TOO_LARGE: &str = "must be at most 1000000000000";

/// The words for a client `id` that is not 1–100 of `[A-Za-z0-9._:-]`.
pub const ID_CHARS: &str =
    "must be 1 to 100 characters of letters, digits, '.', ':' or '-' (no spaces)";

/// Why a quantity is refused.
pub fn check_quantity(text: &str) -> Result<Quantity, String> {
    finish_quantity(Quantity::parse(text))
}

/// Why a quantity sent as a JSON number (its text as written, see
/// [`Quantity::parse_json_number`]) is refused.
pub fn check_json_quantity(text: &str) -> Result<Quantity, String> {
    finish_quantity(Quantity::parse_json_number(text))
}

fn finish_quantity(
    q: Result<Quantity, crate::quantity::QuantityError>,
) -> Result<Quantity, String> {
    let q = match q {
        Err(crate::quantity::QuantityError::TooLarge) => return Err(QUANTITY_TOO_LARGE.to_owned()),
        other => other.map_err(|e| e.message().to_owned())?,
    };
    if q < QUANTITY_MIN {
        return Err("must be at least 0.001".to_owned());
    }
    if q > QUANTITY_MAX {
        return Err(QUANTITY_TOO_LARGE.to_owned());
    }
    Ok(q)
}

/// Why a client `id` is refused: it must be 1–100 of `[A-Za-z0-9._:-]`. Server-made ids carry
/// a `_`, which a client's never does, so the two can never collide.
pub fn check_id(id: &str) -> Result<(), String> {
    let ok = (1..=USAGE_ID_MAX).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b':' | b'-'));
    if ok { Ok(()) } else { Err(ID_CHARS.to_owned()) }
}

fn span_words(secs: i64) -> String {
    let (n, unit) = if secs % 86_400 == 0 {
        (secs / 86_400, "day")
    } else if secs % 3_600 == 0 {
        (secs / 3_600, "hour")
    } else if secs % 60 == 0 {
        (secs / 60, "minute")
    } else {
        (secs, "second")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// Why a `usageTime` is refused: it must lie within `[now − max_age_secs, now + max_ahead_secs]`
/// (by default the last 35 days and 5 minutes ahead, see [`crate::limits`]).
pub fn check_usage_time(
    t: Timestamp,
    now: Timestamp,
    max_age_secs: i64,
    max_ahead_secs: i64,
) -> Result<(), String> {
    let (t, now) = (t.unix(), now.unix());
    if t < now.saturating_sub(max_age_secs) || t > now.saturating_add(max_ahead_secs) {
        Err(format!(
            "must be within the last {} and at most {} ahead of now (UTC)",
            span_words(max_age_secs),
            span_words(max_ahead_secs)
        ))
    } else {
        Ok(())
    }
}

/// `limit` of `GET /usages`: 1..100.
pub fn parse_list_limit(v: &str) -> Result<u32, String> {
    let max = crate::limits::USAGES_LIMIT_MAX;
    match v.parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {max}")),
    }
}

/// `offset` of `GET /usages`: a page number, 0..1,000,000.
pub fn parse_list_offset(v: &str) -> Result<u64, String> {
    let max = crate::limits::USAGES_OFFSET_MAX;
    match v.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("must be a page number from 0 to {max}")),
    }
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
        let id = match id {
            Some(id) => match check_id(&id) {
                Ok(()) => Some(id),
                Err(e) => {
                    errors.push(FieldError::new("id", e));
                    None
                }
            },
            None => None,
        };
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RelLink {
    /// The relation.
    pub rel: String,
    /// The URL.
    pub href: String,
}

/// A stored usage record, as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    fn ids_quantities_times_and_pages_within_bounds() {
        assert!(check_id("portal-0a1b2c3d.x:y").is_ok());
        for bad in ["", "a b", "usg_1", "x\n", &"a".repeat(101), "é"] {
            assert_eq!(check_id(bad), Err(ID_CHARS.to_owned()), "{bad:?}");
        }
        assert_eq!(check_quantity("1000000000000"), Ok(QUANTITY_MAX));
        assert_eq!(
            check_quantity("1000000000000.001"),
            Err(QUANTITY_TOO_LARGE.to_owned())
        );
        assert_eq!(
            check_quantity("99999999999999999999"),
            Err(QUANTITY_TOO_LARGE.to_owned())
        );
        assert_eq!(
            check_json_quantity("1e13"),
            Err(QUANTITY_TOO_LARGE.to_owned())
        );
        let now = Timestamp::parse("2030-06-15T12:00:00").unwrap();
        let at = |s: &str| Timestamp::parse(s).unwrap();
        let ok = |t: &str| check_usage_time(at(t), now, 35 * 86_400, 300);
        assert!(ok("2030-05-11T12:00:00").is_ok());
        assert!(ok("2030-06-15T12:05:00").is_ok());
        let e = ok("2030-05-11T11:59:59").unwrap_err();
        assert_eq!(
            e,
            "must be within the last 35 days and at most 5 minutes ahead of now (UTC)"
        );
        assert!(ok("2030-06-15T12:05:01").is_err());
        assert_eq!(parse_list_limit("100"), Ok(100));
        assert!(parse_list_limit("0").is_err() && parse_list_limit("101").is_err());
        assert_eq!(parse_list_offset("1000000"), Ok(1_000_000));
        assert!(parse_list_offset("1000001").is_err());
        assert!(parse_list_offset("18446744073709551615").is_err());
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
