//! Monthly usage per account (`GET /express/usage/month`, contract section 3).

use crate::error::FieldError;
use serde::{Deserialize, Serialize};

/// The seed's words for a 403 on accounts outside the caller's organization.
pub const FOREIGN_ACCOUNTS: &str = "This caller is not authorized to query the given accounts. The accounts specified are not under the organization owning the current authentication token.";

/// Widest month range, in months.
pub const MAX_MONTHS: i32 = 24;

/// A calendar month, `yyyy-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    /// The year.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// Parses `yyyy-MM`.
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// Months from `self` to `other`.
    pub fn until(self, other: Self) -> i32 {
        (other.year - self.year) * 12 + other.month as i32 - self.month as i32
    }

    /// The month `n` months later (earlier when negative).
    pub fn plus(self, n: i32) -> Self {
        let idx = self.year * 12 + self.month as i32 - 1 + n;
        Self {
            year: idx.div_euclid(12),
            month: (idx.rem_euclid(12) + 1) as u32,
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A validated monthly query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyQuery {
    /// Accounts; empty means the caller's org.
    pub accounts: Vec<String>,
    /// First month.
    pub from: Month,
    /// Last month, included.
    pub to: Month,
    /// Page, from 1.
    pub page: u32,
    /// Items a page.
    pub per_page: u32,
}

impl MonthlyQuery {
    /// Validates the query parameters, naming each bad one. `this_month` fills missing months:
    /// `to` defaults to it, `from` to eleven months before `to`.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        this_month: Month,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        let (mut accounts, mut from, mut to, mut page, mut per_page) =
            (Vec::new(), None, None, 1, 50);
        for (k, v) in pairs {
            if seen.contains(&k) {
                errors.push(FieldError::new(k, crate::usage::msg::REPEATED));
                continue;
            }
            seen.push(k);
            match k {
                "accounts" => {
                    for a in v.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                        if crate::usage::validate_realm_id(a).is_err() {
                            errors.push(FieldError::new(
                                "accounts",
                                format!("'{a}' is not an account id"),
                            ));
                        } else if !accounts.iter().any(|x: &String| x == a) {
                            accounts.push(a.to_owned());
                        }
                    }
                }
                "from" | "to" => match Month::parse(v) {
                    Some(m) if k == "from" => from = Some(m),
                    Some(m) => to = Some(m),
                    None => errors.push(FieldError::new(k, "must be a month as yyyy-MM")),
                },
                "page" => match v.parse::<u32>() {
                    Ok(n) if n >= 1 => page = n,
                    _ => errors.push(FieldError::new(k, "must be a whole number of at least 1")),
                },
                "per_page" => match v.parse::<u32>() {
                    Ok(n) if (1..=100).contains(&n) => per_page = n,
                    _ => errors.push(FieldError::new(k, "must be a whole number from 1 to 100")),
                },
                _ => errors.push(FieldError::new(k, crate::usage::msg::UNKNOWN)),
            }
        }
        let to_m = to.unwrap_or(this_month);
        let from_m = from.unwrap_or(to_m.plus(-(MAX_MONTHS.min(12) - 1)));
        if from_m > to_m {
            errors.push(FieldError::new("to", "must not be before from"));
        } else if from_m.until(to_m) >= MAX_MONTHS {
            errors.push(FieldError::new(
                "to",
                format!("must be at most {MAX_MONTHS} months after from"),
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                accounts,
                from: from_m,
                to: to_m,
                page,
                per_page,
            })
        } else {
            Err(errors)
        }
    }

    /// The query string for page `page`.
    pub fn query_string(&self, page: u32) -> String {
        let mut s = String::new();
        if !self.accounts.is_empty() {
            s.push_str(&format!("accounts={}&", self.accounts.join(",")));
        }
        s.push_str(&format!(
            "from={}&to={}&page={page}&per_page={}",
            self.from, self.to, self.per_page
        ));
        s
    }
}

/// One product's usage in one month for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyUsage {
    /// The account.
    pub account_id: String,
    /// The product (`featureId`).
    pub product_id: String,
    /// The product family.
    pub aggr_product_id: String,
    /// `yyyy-MM`.
    pub month: String,
    /// The usage type code.
    #[serde(rename = "type")]
    pub kind: String,
    /// The charge item's name.
    pub description: String,
    /// ISO 4217.
    pub currency: String,
    /// Not applicable to metered usage.
    pub direction: Option<String>,
    /// Not applicable to metered usage.
    pub resolution: Option<String>,
    /// The unit.
    pub unit: String,
    /// Price of one unit (exact decimal).
    pub price: String,
    /// The wallet billed.
    pub wallet_name: String,
    /// Billable units (exact decimal).
    pub number_of_units: String,
    /// units × price, rounded half-even to the currency's minor unit.
    pub total_amount: String,
}

/// A HAL link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Href {
    /// The URL.
    pub href: String,
}

/// The `_links` of a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: Href,
    pub first: Href,
    pub last: Href,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Href>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev: Option<Href>,
    pub show: Href,
}

/// `_embedded`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Embedded {
    /// The items.
    pub usage: Vec<MonthlyUsage>,
}

/// A page of monthly usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyPage {
    /// Items on this page.
    pub count: u32,
    /// This page, from 1.
    pub page: u32,
    /// Page size.
    pub per_page: u32,
    /// Items in all pages.
    pub total: u64,
    /// Pages.
    pub total_pages: u32,
    /// The items.
    #[serde(rename = "_embedded")]
    pub embedded: Embedded,
    /// Navigation.
    #[serde(rename = "_links")]
    pub links: Links,
}

/// Digits after the decimal point in `currency`'s minor unit (ISO 4217).
pub fn minor_units(currency: &str) -> u32 {
    match currency {
        "JPY" | "KRW" | "VND" | "CLP" | "ISK" | "HUF" | "XAF" | "XOF" | "UGX" | "PYG" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "IQD" | "LYD" => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn months() {
        assert_eq!(m("2026-01").plus(-1).to_string(), "2025-12");
        assert_eq!(m("2025-11").until(m("2026-02")), 3);
        assert!(Month::parse("2026-13").is_none());
        assert!(Month::parse("26-01").is_none());
    }

    #[test]
    fn defaults_and_errors() {
        let q = MonthlyQuery::from_pairs([], m("2026-11")).unwrap();
        assert_eq!(
            (q.from.to_string(), q.to.to_string(), q.page, q.per_page),
            ("2025-12".into(), "2026-11".into(), 1, 50)
        );
        let e = MonthlyQuery::from_pairs(
            [
                ("from", "2026-05"),
                ("to", "2026-01"),
                ("page", "0"),
                ("per_page", "101"),
                ("x", "1"),
            ],
            m("2026-11"),
        )
        .unwrap_err();
        let mut names: Vec<&str> = e.iter().map(|f| f.name.as_str()).collect();
        names.sort();
        assert_eq!(names, ["page", "per_page", "to", "x"]);
    }
}
