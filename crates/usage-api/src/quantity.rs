//! Exact quantities: integer milli-units, never binary floats.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
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

    /// From a JSON number, exactly when it has at most three decimals: `v` must be the double
    /// nearest to a decimal with at most three places, so 0.1 is exactly 100 milli-units.
    pub fn from_f64(v: f64) -> Result<Self, QuantityError> {
        if !v.is_finite() {
            return Err(QuantityError::NotANumber);
        }
        // Arithmetic rather than re-parsing `format!("{v}")`: float formatting would be a
        // sizeable part of the portal's wasm, which links this crate.
        let milli = (v * 1000.0).round();
        if milli.abs() >= 9.0e18 {
            return Err(QuantityError::TooLarge);
        }
        if milli / 1000.0 != v {
            return Err(QuantityError::TooPrecise);
        }
        Ok(Self(milli as i64))
    }

    /// From the text of a JSON number as written (`12.5`, `-0.125`, `1e3`, `2.5E-1`), exactly:
    /// the exponent moves the decimal point in the text, no binary float is ever involved, so
    /// `1.0000000000000001` is refused as too precise rather than read as `1`.
    pub fn parse_json_number(text: &str) -> Result<Self, QuantityError> {
        let text = text.trim();
        let (mantissa, exp) = match text.find(['e', 'E']) {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        let Some(exp) = exp else {
            return Self::parse(mantissa);
        };
        let exp_digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if exp_digits.is_empty() || !exp_digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(QuantityError::NotANumber);
        }
        let (neg, body) = match mantissa.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, mantissa),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (body.contains('.') && frac.is_empty())
        {
            return Err(QuantityError::NotANumber);
        }
        let digits = format!("{int}{frac}");
        let significant = digits.trim_start_matches('0');
        if significant.is_empty() {
            return Ok(Self(0));
        }
        // Where the decimal point falls in `significant`: the exponent shifts it; an exponent
        // too long to read moves it beyond anything storable either way.
        let shift: i64 = match exp_digits.trim_start_matches('0') {
            e if e.len() > 6 => i64::MAX / 4,
            "" => 0,
            e => e.parse().unwrap_or(i64::MAX / 4),
        };
        let shift = if exp.starts_with('-') { -shift } else { shift };
        let leading_zeros = (digits.len() - significant.len()) as i64;
        let point = int.len() as i64 - leading_zeros + shift;
        if point > 20 {
            return Err(QuantityError::TooLarge);
        }
        if point < -3 {
            return Err(QuantityError::TooPrecise);
        }
        let decimal = if point <= 0 {
            format!(
                "0.{}{significant}",
                "0".repeat(point.unsigned_abs() as usize)
            )
        } else if point as usize >= significant.len() {
            format!(
                "{significant}{}",
                "0".repeat(point as usize - significant.len())
            )
        } else {
            let (a, b) = significant.split_at(point as usize);
            format!("{a}.{b}")
        };
        let q = Self::parse(&decimal)?;
        Ok(if neg { Self(-q.0) } else { q })
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

/// As the server writes it: the shortest exact decimal, a string so no client reads it through
/// a binary float.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Quantity {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .pattern(Some(r"^-?[0-9]+([.][0-9]{1,3})?$"))
            .description(Some(
                "An exact decimal with at most 3 decimal places, such as 12 or 0.125.",
            ))
            .examples(["12.5"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Quantity {}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // A visitor rather than an untagged enum, which buffers the value and costs the
        // portal's wasm several KB.
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a decimal number, or a string holding one")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Quantity, E> {
                Quantity::parse(s).map_err(|e| E::custom(e.message()))
            }
            fn visit_i64<E: de::Error>(self, i: i64) -> Result<Quantity, E> {
                i.checked_mul(Quantity::SCALE)
                    .map(Quantity)
                    .ok_or_else(|| E::custom(QuantityError::TooLarge.message()))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Quantity, E> {
                match i64::try_from(u) {
                    Ok(i) => self.visit_i64(i),
                    Err(_) => Err(E::custom(QuantityError::TooLarge.message())),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                Quantity::from_f64(v).map_err(|e| E::custom(e.message()))
            }
        }
        d.deserialize_any(Visitor)
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
    fn from_f64_agrees_with_the_decimal_text() {
        for milli in
            (-20_000..20_000)
                .step_by(7)
                .chain([1, 999, 123_456_789_012, 4_503_599_627_370_495])
        {
            let text = Quantity(milli).to_string();
            let v: f64 = text.parse().unwrap();
            assert_eq!(Quantity::from_f64(v), Ok(Quantity(milli)), "{text}");
        }
        for text in ["0.0001", "1.2345", "0.1000001", "-7.0005"] {
            let v: f64 = text.parse().unwrap();
            assert_eq!(
                Quantity::from_f64(v),
                Err(QuantityError::TooPrecise),
                "{text}"
            );
        }
        assert_eq!(Quantity::from_f64(1e17), Err(QuantityError::TooLarge));
        assert_eq!(Quantity::from_f64(f64::NAN), Err(QuantityError::NotANumber));
    }

    #[test]
    fn json_number_text_is_read_exactly() {
        for (text, milli) in [
            ("12.5", 12_500),
            ("-0.125", -125),
            ("1e3", 1_000_000),
            ("2.5E-1", 250),
            ("125e-3", 125),
            ("0.000125e3", 125),
            ("0e999999999999", 0),
            ("999999999999.999", 999_999_999_999_999),
            ("9007199254740.993", 9_007_199_254_740_993),
        ] {
            assert_eq!(
                Quantity::parse_json_number(text),
                Ok(Quantity(milli)),
                "{text}"
            );
        }
        for (text, err) in [
            ("1.0000000000000001", QuantityError::TooPrecise),
            ("1e-4", QuantityError::TooPrecise),
            ("1e-999999999999", QuantityError::TooPrecise),
            ("1e999999999999", QuantityError::TooLarge),
            ("1e16", QuantityError::TooLarge),
            ("1e", QuantityError::NotANumber),
            ("e3", QuantityError::NotANumber),
        ] {
            assert_eq!(Quantity::parse_json_number(text), Err(err), "{text}");
        }
    }

    #[test]
    fn json_numbers_and_strings() {
        let q: Quantity = serde_json::from_str("0.3").unwrap();
        assert_eq!(q.milli(), 300);
        let q: Quantity = serde_json::from_str("\"2.125\"").unwrap();
        assert_eq!(q.milli(), 2_125);
        assert!(serde_json::from_str::<Quantity>("0.0005").is_err());
        assert_eq!(
            serde_json::from_str::<Quantity>("7").unwrap().milli(),
            7_000
        );
        assert_eq!(
            serde_json::from_str::<Quantity>("-0.125").unwrap().milli(),
            -125
        );
        assert_eq!(
            serde_json::from_str::<Quantity>("1e3").unwrap().milli(),
            1_000_000
        );
        assert!(serde_json::from_str::<Quantity>("true").is_err());
        assert!(serde_json::from_str::<Quantity>("1e300").is_err());
        assert!(serde_json::from_str::<Quantity>("18446744073709551615").is_err());
        // Fits an i64, but not once in milli-units.
        assert!(serde_json::from_str::<Quantity>("10000000000000000").is_err());
        assert!(serde_json::from_str::<Quantity>("-10000000000000000").is_err());
        assert_eq!(serde_json::to_string(&Quantity(1500)).unwrap(), "\"1.5\"");
    }
}
