//! Budgets (contract section 10): set by the customer, a quantity in one subscription's unit or
//! an amount over all of a realm's subscriptions in one currency, for the calendar month (UTC).
//!
//! Amounts are kept like quantities, as integer thousandths ([`Quantity`]): no currency has more
//! than three minor digits, so every amount of section 3 is exact in them.

use crate::billing::minor_units;
use crate::error::FieldError;
use crate::quantity::Quantity;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest budget id.
pub const BUDGET_ID_MAX: usize = 64;
/// Longest budget name.
pub const BUDGET_NAME_MAX: usize = 100;
/// Most budgets one realm may have.
pub const BUDGETS_PER_REALM: u64 = 100;
/// Most alert levels one budget may have.
pub const ALERT_LEVELS_MAX: usize = 5;
/// Lowest and highest alert level, in percent of the threshold.
pub const ALERT_LEVEL_RANGE: std::ops::RangeInclusive<u32> = 1..=1000;
/// The alert levels of a budget that names none.
pub const DEFAULT_ALERT_AT: [u32; 2] = [80, 100];
/// Largest threshold, in units (a month of one subscription holds at most this much).
pub const THRESHOLD_MAX_UNITS: i64 = crate::limits::MONTHLY_TOTAL_MAX_UNITS;

/// Checks a budget id: 1–64 of `[A-Za-z0-9_-]`.
pub fn check_budget_id(id: &str) -> Result<(), String> {
    let ok = (1..=BUDGET_ID_MAX).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "must be 1 to {BUDGET_ID_MAX} characters of letters, digits, '_' or '-'"
        ))
    }
}

/// Checks a name: 1–`max` characters once trimmed.
pub fn check_name(name: &str, max: usize) -> Result<String, String> {
    let t = name.trim();
    if t.is_empty() {
        Err("must not be empty".to_owned())
    } else if t.chars().count() > max {
        Err(format!("must be at most {max} characters"))
    } else if t.chars().any(char::is_control) {
        Err("must not hold control characters".to_owned())
    } else {
        Ok(t.to_owned())
    }
}

/// Checks an ISO 4217 code: three capital letters.
pub fn check_currency(c: &str) -> Result<(), String> {
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err("must be an ISO 4217 currency code such as EUR".to_owned())
    }
}

/// A budget as submitted (the body of `PUT …/budgets/{budgetId}`), each field as sent, so
/// that every problem can be named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetInput {
    /// What the customer calls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, min_length = 1, max_length = 100))]
    pub name: Option<String>,
    /// A quantity budget: the subscription whose unit the threshold is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_subscription_id: Option<String>,
    /// An amount budget: the currency of the realm's subscriptions it sums.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$", example = "EUR"))]
    pub currency: Option<String>,
    /// The threshold: a quantity, or an amount in the currency's minor units at most.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, required = true, example = "1500.5"))]
    pub threshold: Option<String>,
    /// Alert levels in percent of the threshold, 1..1000, at most 5; `[80, 100]` when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert_at: Option<Vec<u32>>,
}

/// What a budget sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetScope {
    /// The usage of one subscription (its `billingSubscriptionId`).
    Subscription(String),
    /// The amounts of every subscription of the realm in this currency.
    Currency(String),
}

/// A budget that passed [`BudgetInput::validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBudget {
    /// Its name, trimmed.
    pub name: String,
    /// What it sums.
    pub scope: BudgetScope,
    /// The threshold, in thousandths of the unit or of the currency.
    pub threshold: Quantity,
    /// Alert levels, ascending, none repeated.
    pub alert_at: Vec<u32>,
}

/// Why an alert-level list is refused, or the sorted list.
pub fn check_alert_at(levels: &[u32]) -> Result<Vec<u32>, String> {
    if levels.is_empty() {
        return Err("must list at least one level (or be left out for 80 and 100)".to_owned());
    }
    if levels.len() > ALERT_LEVELS_MAX {
        return Err(format!("must list at most {ALERT_LEVELS_MAX} levels"));
    }
    if levels.iter().any(|l| !ALERT_LEVEL_RANGE.contains(l)) {
        return Err(format!(
            "must be whole percents from {} to {}",
            ALERT_LEVEL_RANGE.start(),
            ALERT_LEVEL_RANGE.end()
        ));
    }
    let mut sorted = levels.to_vec();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err("must not repeat a level".to_owned());
    }
    Ok(sorted)
}

/// Checks a threshold: above zero, and for an amount budget in `currency`, with no more
/// decimals than the currency's minor unit.
pub fn check_threshold(text: &str, currency: Option<&str>) -> Result<Quantity, String> {
    let places = currency.map_or(3, minor_units);
    let q = Quantity::parse(text).map_err(|e| match (e, currency) {
        (crate::quantity::QuantityError::TooPrecise, Some(c)) => {
            format!("must have at most {places} decimal places in {c}")
        }
        (e, _) => e.message().to_owned(),
    })?;
    if q.milli() <= 0 {
        return Err("must be greater than 0".to_owned());
    }
    if q.milli() > THRESHOLD_MAX_UNITS.saturating_mul(Quantity::SCALE) {
        return Err(format!("must be at most {THRESHOLD_MAX_UNITS}"));
    }
    if places < 3 && q.milli() % 10_i64.pow(3 - places) != 0 {
        let c = currency.unwrap_or_default();
        return Err(if places == 0 {
            format!("must be a whole number in {c}")
        } else {
            format!("must have at most {places} decimal places in {c}")
        });
    }
    Ok(q)
}

impl BudgetInput {
    /// Validates the body, naming every offending field.
    pub fn validate(&self) -> Result<ValidBudget, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = match self.name.as_deref() {
            None => {
                errors.push(FieldError::new("name", "is required"));
                None
            }
            Some(n) => check_name(n, BUDGET_NAME_MAX)
                .map_err(|e| errors.push(FieldError::new("name", e)))
                .ok(),
        };
        let sub = self
            .billing_subscription_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let currency = self.currency.as_deref().map(str::trim);
        let scope = match (sub, currency) {
            (Some(_), Some(_)) => {
                errors.push(FieldError::new(
                    "currency",
                    "must be left out when billingSubscriptionId is given (a budget is a quantity of one subscription or an amount in one currency)",
                ));
                None
            }
            (Some(s), None) => {
                if s.len() > crate::limits::BILLING_SUBSCRIPTION_ID_MAX {
                    errors.push(FieldError::new(
                        "billingSubscriptionId",
                        format!(
                            "must be at most {} characters",
                            crate::limits::BILLING_SUBSCRIPTION_ID_MAX
                        ),
                    ));
                    None
                } else {
                    Some(BudgetScope::Subscription(s.to_owned()))
                }
            }
            (None, Some(c)) => match check_currency(c) {
                Ok(()) => Some(BudgetScope::Currency(c.to_owned())),
                Err(e) => {
                    errors.push(FieldError::new("currency", e));
                    None
                }
            },
            (None, None) => {
                errors.push(FieldError::new(
                    "billingSubscriptionId",
                    "or currency is required: a quantity budget names its subscription, an amount budget its currency",
                ));
                None
            }
        };
        let in_currency = match &scope {
            Some(BudgetScope::Currency(c)) => Some(c.as_str()),
            _ => None,
        };
        let threshold = match self.threshold.as_deref() {
            None => {
                errors.push(FieldError::new("threshold", "is required"));
                None
            }
            Some(t) => check_threshold(t, in_currency)
                .map_err(|e| errors.push(FieldError::new("threshold", e)))
                .ok(),
        };
        let alert_at = match &self.alert_at {
            None => Some(DEFAULT_ALERT_AT.to_vec()),
            Some(l) => check_alert_at(l)
                .map_err(|e| errors.push(FieldError::new("alertAt", e)))
                .ok(),
        };
        match (name, scope, threshold, alert_at) {
            (Some(name), Some(scope), Some(threshold), Some(alert_at)) if errors.is_empty() => {
                Ok(ValidBudget {
                    name,
                    scope,
                    threshold,
                    alert_at,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Where a budget stands this month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum BudgetState {
    /// Below its first alert level.
    Ok,
    /// At or past its first alert level, not past the threshold.
    Warning,
    /// Past the threshold (over 100 %).
    Exceeded,
}

impl BudgetState {
    /// The wire name, also the CSS class suffix.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warning => "warning",
            Self::Exceeded => "exceeded",
        }
    }

    /// The state of `used` against `threshold` with alert levels `alert_at` (ascending).
    pub fn of(used: Quantity, threshold: Quantity, alert_at: &[u32]) -> Self {
        if used > threshold {
            Self::Exceeded
        } else if alert_at
            .first()
            .is_some_and(|&l| reached(used, threshold, l))
        {
            Self::Warning
        } else {
            Self::Ok
        }
    }
}

/// True when `used` is at or past `level` percent of `threshold`, exactly.
pub fn reached(used: Quantity, threshold: Quantity, level: u32) -> bool {
    i128::from(used.milli()) * 100 >= i128::from(threshold.milli()) * i128::from(level)
}

/// `used` in percent of `threshold`, to one decimal place (rounded half up).
pub fn percent(used: Quantity, threshold: Quantity) -> f64 {
    if threshold.milli() <= 0 {
        return 0.0;
    }
    let tenths = (i128::from(used.milli()) * 2000 + i128::from(threshold.milli()))
        / (2 * i128::from(threshold.milli()));
    tenths as f64 / 10.0
}

/// The month-end projection of `used` after `elapsed` of a month `length` seconds long:
/// `used / elapsed × length`, in thousandths rounded half to even; none before a whole day.
pub fn forecast(used: Quantity, elapsed_secs: i64, length_secs: i64) -> Option<Quantity> {
    if elapsed_secs < 86_400 || length_secs <= 0 {
        return None;
    }
    let n = i128::from(used.milli()) * i128::from(length_secs);
    let d = i128::from(elapsed_secs.min(length_secs));
    let (q, r) = (n / d, n % d);
    let q = match (2 * r).cmp(&d) {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal if q % 2 == 1 => q + 1,
        _ => q,
    };
    i64::try_from(q).ok().map(Quantity)
}

/// `q` (thousandths) with exactly the currency's minor digits, as amounts are written in
/// section 3 (`250.00`, `12`, `1.500`).
pub fn amount_text(q: Quantity, currency: &str) -> String {
    let places = minor_units(currency) as usize;
    let sign = if q.milli() < 0 { "-" } else { "" };
    let abs = q.milli().unsigned_abs();
    let (int, frac) = (abs / 1000, abs % 1000);
    if places == 0 {
        format!("{sign}{int}")
    } else {
        let f = format!("{frac:03}");
        format!("{sign}{int}.{}", &f[..places])
    }
}

/// A budget as `GET …/budgets` answers it, for the current UTC month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Budget {
    /// Its id (`budgetId` in the path).
    pub id: String,
    /// Its name.
    pub name: String,
    /// A quantity budget's subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_subscription_id: Option<String>,
    /// A quantity budget's unit (its subscription's `valueDriver`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_driver: Option<String>,
    /// An amount budget's currency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The threshold: a quantity, or an amount with the currency's minor digits.
    pub threshold: String,
    /// Alert levels, ascending.
    pub alert_at: Vec<u32>,
    /// The month this budget's figures are of, `yyyy-MM` (UTC).
    pub month: String,
    /// This month's usage (the `usageValue`) or amount.
    pub used: String,
    /// The month-end projection; absent in a month's first day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<String>,
    /// `used` in percent of the threshold, one decimal place.
    pub percent: f64,
    /// Where it stands.
    pub state: BudgetState,
    /// For each alert level reached this month (as text, `"80"`), when usage first reached it.
    pub crossed_at: BTreeMap<String, Timestamp>,
    /// When the budget was last set.
    pub updated: Timestamp,
}

/// `GET …/budgets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BudgetList {
    /// Every budget of the realm, by id.
    pub items: Vec<Budget>,
    /// When the figures were read.
    pub as_of: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, sub: Option<&str>, cur: Option<&str>, t: &str) -> BudgetInput {
        BudgetInput {
            name: Some(name.to_owned()),
            billing_subscription_id: sub.map(str::to_owned),
            currency: cur.map(str::to_owned),
            threshold: Some(t.to_owned()),
            alert_at: None,
        }
    }

    fn names(e: Vec<FieldError>) -> Vec<String> {
        e.into_iter().map(|f| f.name).collect()
    }

    #[test]
    fn a_quantity_and_an_amount_budget() {
        let q = input(" Routing ", Some("SUB-1"), None, "1500.5")
            .validate()
            .unwrap();
        assert_eq!(q.name, "Routing");
        assert_eq!(q.scope, BudgetScope::Subscription("SUB-1".into()));
        assert_eq!(q.threshold, Quantity(1_500_500));
        assert_eq!(q.alert_at, [80, 100]);
        let a = input("Spend", None, Some("EUR"), "250.00")
            .validate()
            .unwrap();
        assert_eq!(a.scope, BudgetScope::Currency("EUR".into()));
        assert_eq!(a.threshold, Quantity(250_000));
    }

    #[test]
    fn every_bad_field_is_named() {
        let b = BudgetInput {
            name: Some("  ".into()),
            billing_subscription_id: None,
            currency: Some("eur".into()),
            threshold: Some("-1".into()),
            alert_at: Some(vec![80, 80]),
        };
        assert_eq!(
            names(b.validate().unwrap_err()),
            ["name", "currency", "threshold", "alertAt"]
        );
        let none = BudgetInput::default();
        assert_eq!(
            names(none.validate().unwrap_err()),
            ["name", "billingSubscriptionId", "threshold"]
        );
        let both = input("x", Some("S"), Some("EUR"), "1");
        assert_eq!(names(both.validate().unwrap_err()), ["currency"]);
    }

    #[test]
    fn thresholds_follow_the_currency_and_levels_their_range() {
        assert!(check_threshold("250.001", Some("EUR")).is_err());
        assert!(check_threshold("250.5", Some("JPY")).is_err());
        assert_eq!(check_threshold("250", Some("JPY")), Ok(Quantity(250_000)));
        assert_eq!(check_threshold("1.125", Some("BHD")), Ok(Quantity(1_125)));
        assert!(check_threshold("0", None).is_err());
        assert!(check_threshold("0.0001", None).is_err());
        assert_eq!(check_alert_at(&[100, 50]), Ok(vec![50, 100]));
        assert!(check_alert_at(&[]).is_err());
        assert!(check_alert_at(&[0]).is_err());
        assert!(check_alert_at(&[1001]).is_err());
        assert!(check_alert_at(&[1, 2, 3, 4, 5, 6]).is_err());
        assert!(check_budget_id("monthly-routing_1").is_ok());
        assert!(check_budget_id("").is_err());
        assert!(check_budget_id("a b").is_err());
        assert!(check_budget_id(&"x".repeat(65)).is_err());
    }

    #[test]
    fn state_percent_and_forecast_are_exact() {
        let t = Quantity(1_000_000);
        assert_eq!(
            BudgetState::of(Quantity(799_999), t, &[80, 100]),
            BudgetState::Ok
        );
        assert_eq!(
            BudgetState::of(Quantity(800_000), t, &[80, 100]),
            BudgetState::Warning
        );
        assert_eq!(BudgetState::of(t, t, &[80, 100]), BudgetState::Warning);
        assert_eq!(
            BudgetState::of(Quantity(1_000_001), t, &[80, 100]),
            BudgetState::Exceeded
        );
        assert!(reached(Quantity(500), Quantity(1000), 50));
        assert!(!reached(Quantity(499), Quantity(1000), 50));
        assert_eq!(percent(Quantity(1), Quantity(3)), 33.3);
        assert_eq!(percent(Quantity(2), Quantity(3)), 66.7);
        assert_eq!(percent(Quantity(2_500), Quantity(1_000)), 250.0);
        let day = 86_400;
        assert_eq!(forecast(Quantity(1_000), day - 1, 30 * day), None);
        assert_eq!(
            forecast(Quantity(1_000), day, 30 * day),
            Some(Quantity(30_000))
        );
        // 1 × 31 / 2 = 15.5 thousandths → 16 (half to even: 15.5 → 16); 2.5 → 2
        assert_eq!(forecast(Quantity(1), 2 * day, 31 * day), Some(Quantity(16)));
        assert_eq!(forecast(Quantity(1), 2 * day, 5 * day), Some(Quantity(2)));
        assert_eq!(amount_text(Quantity(250_000), "EUR"), "250.00");
        assert_eq!(amount_text(Quantity(12_000), "JPY"), "12");
        assert_eq!(amount_text(Quantity(1_500), "BHD"), "1.500");
    }
}
