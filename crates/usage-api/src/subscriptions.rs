//! `GET /usage/realms/{realmId}/subscriptions` (contract section 12): what the portal's
//! pickers choose from, with this month's use and what remains under a limit.

use crate::error::FieldError;
use crate::limits::PAGE_LIMIT_MAX;
use crate::quantity::Quantity;
use crate::usage::msg;
use serde::{Deserialize, Serialize};

/// One subscription of the realm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionItem {
    /// The id `POST /usages` takes as `subscriptionId`.
    pub billing_subscription_id: String,
    /// The product (HRN).
    pub feature_id: String,
    /// The charge number.
    pub billing_charge_number: String,
    /// The product family.
    pub category: String,
    /// The charge item.
    pub name: String,
    /// The unit.
    pub value_driver: String,
    /// The usage type code.
    pub usage_type_code: String,
    /// The price per unit, exact.
    pub price: String,
    /// ISO 4217.
    pub currency: String,
    /// The monthly limit, or none.
    pub monthly_limit: Option<Quantity>,
    /// Accepted quantity this UTC month.
    pub used: Quantity,
    /// What the limit leaves this month (never below 0); none without a limit.
    pub remaining: Option<Quantity>,
}

/// A page of subscriptions, ordered by `billingSubscriptionId`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionPage {
    /// Subscriptions of the realm.
    pub total: u64,
    /// Page size.
    pub limit: u32,
    /// This page's number.
    pub offset: u32,
    /// The subscriptions.
    pub items: Vec<SubscriptionItem>,
    /// The next page's number; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
    /// The last page's number.
    pub last_offset: u32,
}

/// The paging of a subscriptions request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionQuery {
    /// Page size, 1..100 (default 100).
    pub limit: u32,
    /// Page number, from 0.
    pub offset: u32,
}

impl SubscriptionQuery {
    /// Parses `limit` and `offset`, naming every bad or unknown parameter.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut q = Self {
            limit: PAGE_LIMIT_MAX,
            offset: 0,
        };
        let mut errors: Vec<FieldError> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (k, v) in pairs {
            let problem = if seen.contains(&k) {
                Some(msg::REPEATED.to_owned())
            } else {
                seen.push(k);
                match k {
                    "limit" => match v.parse::<u32>() {
                        Ok(n) if (1..=PAGE_LIMIT_MAX).contains(&n) => {
                            q.limit = n;
                            None
                        }
                        _ => Some(format!("must be a whole number from 1 to {PAGE_LIMIT_MAX}")),
                    },
                    "offset" => match v.parse::<u32>() {
                        Ok(n) => {
                            q.offset = n;
                            None
                        }
                        _ => Some("must be a whole number of at least 0".to_owned()),
                    },
                    _ => Some(msg::UNKNOWN.to_owned()),
                }
            };
            if let Some(d) = problem
                && !errors.iter().any(|e| e.name == k)
            {
                errors.push(FieldError::new(k, d));
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }
}

/// What "accept what fits" would record of `quantity` with `remaining` left (none: no limit).
pub fn fits(quantity: Quantity, remaining: Option<Quantity>) -> Quantity {
    match remaining {
        Some(r) if quantity > r => Quantity(r.milli().max(0)),
        _ => quantity,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_defaults_and_bad_parameters() {
        let q = SubscriptionQuery::from_pairs([]).unwrap();
        assert_eq!((q.limit, q.offset), (100, 0));
        let q = SubscriptionQuery::from_pairs([("limit", "5"), ("offset", "2")]).unwrap();
        assert_eq!((q.limit, q.offset), (5, 2));
        let e = SubscriptionQuery::from_pairs([
            ("limit", "0"),
            ("offset", "-1"),
            ("x", "1"),
            ("limit", "2"),
        ])
        .unwrap_err();
        let names: Vec<_> = e.into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["limit", "offset", "x"]);
    }

    #[test]
    fn what_fits_under_a_limit() {
        assert_eq!(fits(Quantity(5_000), None), Quantity(5_000));
        assert_eq!(
            fits(Quantity(5_000), Some(Quantity(2_000))),
            Quantity(2_000)
        );
        assert_eq!(
            fits(Quantity(1_000), Some(Quantity(2_000))),
            Quantity(1_000)
        );
        assert_eq!(fits(Quantity(1_000), Some(Quantity(0))), Quantity(0));
    }
}
