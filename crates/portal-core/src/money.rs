//! Amounts of money for people: exact, from the decimal text the API sent (never through a
//! binary float), with as many decimals as the currency has minor units.

use usage_api::Quantity;
use usage_api::billing::MonthlyUsage;

/// The ISO 4217 minor units of `currency` (2 for any code not listed as otherwise).
pub fn minor_units(currency: &str) -> usize {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        "CLF" | "UYW" => 4,
        _ => 2,
    }
}

/// An amount the API sent that is not a decimal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnAmount(pub String);

impl std::fmt::Display for NotAnAmount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "'{}' is not an amount", self.0)
    }
}

/// `exact` with `currency`'s minor units: `144.9 USD` is `144.90`, `1200 JPY` stays `1200`.
/// Digits beyond the minor units are kept, never rounded away: the text stays exact.
pub fn digits(exact: &str, currency: &str) -> Result<String, NotAnAmount> {
    let bad = || NotAnAmount(exact.to_owned());
    let unsigned = exact.strip_prefix('-').unwrap_or(exact);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !all_digits(int)
        || !all_digits(frac)
        || (unsigned.contains('.') && frac.is_empty())
    {
        return Err(bad());
    }
    let places = minor_units(currency).max(frac.len());
    let sign = if exact.starts_with('-') { "-" } else { "" };
    Ok(if places == 0 {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac:0<places$}")
    })
}

/// Sums amounts per currency, exactly, never across currencies, in the currencies' order.
/// An amount that does not parse fails the sum rather than counting as zero.
pub fn totals_by_currency(items: &[&MonthlyUsage]) -> Result<Vec<(String, Quantity)>, NotAnAmount> {
    let mut out: Vec<(String, Quantity)> = Vec::new();
    for u in items {
        let amount =
            Quantity::parse(&u.total_amount).map_err(|_| NotAnAmount(u.total_amount.clone()))?;
        match out.iter_mut().find(|(c, _)| *c == u.currency) {
            Some((_, t)) => t.0 += amount.0,
            None => out.push((u.currency.clone(), amount)),
        }
    }
    crate::sort::sort_by(&mut out, |a, b| a.cmp(b));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn minor_units_of_the_currency() {
        assert_eq!(digits("144.9", "USD").unwrap(), "144.90");
        assert_eq!(digits("1158.94", "USD").unwrap(), "1158.94");
        assert_eq!(digits("657.8", "EUR").unwrap(), "657.80");
        assert_eq!(digits("1200", "JPY").unwrap(), "1200");
        assert_eq!(digits("1.5", "KWD").unwrap(), "1.500");
        assert_eq!(digits("-3", "USD").unwrap(), "-3.00");
        // More decimals than the currency has: kept, not rounded.
        assert_eq!(digits("0.125", "USD").unwrap(), "0.125");
        for bad in ["", "abc", "1.", ".5", "1e3", "1,5", "--1", "NaN"] {
            assert_eq!(
                digits(bad, "USD"),
                Err(NotAnAmount(bad.to_owned())),
                "{bad}"
            );
        }
    }

    proptest! {
        /// The digits shown are the amount sent: only zeros are added, at the end.
        #[test]
        fn only_trailing_zeros_are_added(int in 0_u64..1_000_000_000, frac in "[0-9]{0,4}", currency in "(USD|JPY|KWD|EUR)") {
            let exact = if frac.is_empty() { int.to_string() } else { format!("{int}.{frac}") };
            let shown = digits(&exact, &currency).unwrap();
            prop_assert!(shown.starts_with(&exact));
            prop_assert!(shown[exact.len()..].trim_start_matches('.').bytes().all(|b| b == b'0'));
            let decimals = shown.split_once('.').map_or(0, |(_, f)| f.len());
            prop_assert_eq!(decimals, minor_units(&currency).max(frac.len()));
        }
    }
}
