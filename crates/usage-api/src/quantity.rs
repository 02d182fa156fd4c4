//! Exact quantities: integer milli-units, never binary floats.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A quantity with at most three decimal places, stored as milli-units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(pub i64);

/// Why a quantity did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantityError {
    /// Not a decimal number.
    NotANumber,
    /// More than three decimal places.
    TooPrecise,
    /// Too large to store.
    TooLarge,
}

impl QuantityError {
    /// The words shown to a user.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotANumber => "must be a decimal number such as 12 or 0.125",
            Self::TooPrecise => "must have at most 3 decimal places (the smallest step is 0.001)",
            Self::TooLarge => "is too large",
        }
    }
}

impl Quantity {
    /// Milli-units per unit.
    pub const SCALE: i64 = 1000;

    /// Parses a decimal string such as `12`, `-0.5` or `1.250`.
    pub fn parse(s: &str) -> Result<Self, QuantityError> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac.is_empty() && int.is_empty())
        {
            return Err(QuantityError::NotANumber);
        }
        let frac_trimmed = frac.trim_end_matches('0');
        if frac_trimmed.len() > 3 {
            return Err(QuantityError::TooPrecise);
        }
        let int_val: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| QuantityError::TooLarge)?
        };
        let mut frac_val: i64 = 0;
        for (i, b) in frac_trimmed.bytes().enumerate() {
            frac_val += i64::from(b - b'0') * 10_i64.pow(2 - i as u32);
        }
        let milli = int_val
            .checked_mul(Self::SCALE)
            .and_then(|v| v.checked_add(frac_val))
            .ok_or(QuantityError::TooLarge)?;
        Ok(Self(if neg { -milli } else { milli }))
    }

    /// From a JSON number, exactly when it has at most three decimals.
    pub fn from_f64(v: f64) -> Result<Self, QuantityError> {
        if !v.is_finite() {
            return Err(QuantityError::NotANumber);
        }
        // Re-parse the shortest decimal form, so 0.1 is exactly 100 milli-units.
        Self::parse(&format!("{v}"))
    }

    /// Milli-units.
    pub fn milli(self) -> i64 {
        self.0
    }
}

impl fmt::Display for Quantity {
    /// The shortest exact decimal form: `12`, `12.5`, `0.125`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (int, frac) = (abs / 1000, abs % 1000);
        if frac == 0 {
            write!(f, "{sign}{int}")
        } else {
            let s = format!("{frac:03}");
            write!(f, "{sign}{int}.{}", s.trim_end_matches('0'))
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw<'a> {
            Str(std::borrow::Cow<'a, str>),
            Int(i64),
            Float(f64),
        }
        let q = match Raw::deserialize(d)? {
            Raw::Str(s) => Self::parse(&s),
            Raw::Int(i) => i
                .checked_mul(Self::SCALE)
                .map(Self)
                .ok_or(QuantityError::TooLarge),
            Raw::Float(v) => Self::from_f64(v),
        };
        q.map_err(|e| serde::de::Error::custom(e.message()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_exactly() {
        for (s, milli, shown) in [
            ("12", 12_000, "12"),
            ("0.1", 100, "0.1"),
            ("1.250", 1_250, "1.25"),
            ("0.001", 1, "0.001"),
            ("-3.5", -3_500, "-3.5"),
            (".5", 500, "0.5"),
            ("7.", 7_000, "7"),
        ] {
            let q = Quantity::parse(s).unwrap();
            assert_eq!(q.milli(), milli, "{s}");
            assert_eq!(q.to_string(), shown, "{s}");
        }
    }

    #[test]
    fn rejects_what_is_not_exact() {
        assert_eq!(Quantity::parse("0.0001"), Err(QuantityError::TooPrecise));
        assert_eq!(Quantity::parse("1e3"), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse(""), Err(QuantityError::NotANumber));
        assert_eq!(Quantity::parse("."), Err(QuantityError::NotANumber));
        assert_eq!(
            Quantity::parse("99999999999999999999"),
            Err(QuantityError::TooLarge)
        );
    }

    #[test]
    fn json_numbers_and_strings() {
        let q: Quantity = serde_json::from_str("0.3").unwrap();
        assert_eq!(q.milli(), 300);
        let q: Quantity = serde_json::from_str("\"2.125\"").unwrap();
        assert_eq!(q.milli(), 2_125);
        assert!(serde_json::from_str::<Quantity>("0.0005").is_err());
        assert_eq!(serde_json::to_string(&Quantity(1500)).unwrap(), "\"1.5\"");
    }
}
