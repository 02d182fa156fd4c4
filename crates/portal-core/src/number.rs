//! Numbers for people, by rules that need no `Intl`: the browser supplies the separators.

/// Groups the digits of an exact decimal string with the given separators.
pub fn group_decimal(exact: &str, group: &str, decimal: &str) -> String {
    let (sign, digits) = exact.strip_prefix('-').map_or(("", exact), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push_str(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push_str(decimal);
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::group_decimal;
    use proptest::prelude::*;

    #[test]
    fn groups_exactly() {
        assert_eq!(group_decimal("1234567.125", ",", "."), "1,234,567.125");
        assert_eq!(group_decimal("-999", ".", ","), "-999");
        assert_eq!(group_decimal("1000.5", "\u{202f}", ","), "1\u{202f}000,5");
        assert_eq!(group_decimal("0.001", ",", "."), "0.001");
    }

    proptest! {
        /// Removing the separators gives back the exact decimal, and groups are of three.
        #[test]
        fn separators_only(int in 0_u64..u64::MAX, frac in proptest::option::of(0_u16..1000), neg: bool) {
            let exact = format!(
                "{}{int}{}",
                if neg { "-" } else { "" },
                frac.map(|f| format!(".{f:03}")).unwrap_or_default()
            );
            let shown = group_decimal(&exact, " ", ",");
            prop_assert_eq!(shown.replace(' ', "").replace(',', "."), exact.clone());
            let int_part = shown.split(',').next().unwrap().trim_start_matches('-');
            let groups: Vec<&str> = int_part.split(' ').collect();
            prop_assert!(groups[0].len() <= 3 && !groups[0].is_empty());
            prop_assert!(groups[1..].iter().all(|g| g.len() == 3));
        }
    }
}
