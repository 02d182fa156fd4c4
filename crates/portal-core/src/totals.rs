//! Totals of a whole result, per unit: quantities of different units are never added.

use usage_api::Quantity;
use usage_api::usage::UsageItem;

/// The sums of one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTotal {
    /// The unit (`valueDriver`).
    pub unit: String,
    /// Sum of `usageValue`.
    pub usage: Quantity,
    /// Sum of `billableValue`.
    pub billable: Quantity,
}

/// Sums records per unit, exactly, in the units' alphabetical order.
pub fn totals_by_unit(items: &[UsageItem]) -> Vec<UnitTotal> {
    let mut out: Vec<UnitTotal> = Vec::new();
    for item in items {
        let unit = item.value_driver.clone().unwrap_or_default();
        let i = match out.iter().position(|t| t.unit == unit) {
            Some(i) => i,
            None => {
                out.push(UnitTotal {
                    unit,
                    usage: Quantity(0),
                    billable: Quantity(0),
                });
                out.len() - 1
            }
        };
        out[i].usage.0 += item.usage_value.map_or(0, Quantity::milli);
        out[i].billable.0 += item.billable_value.map_or(0, Quantity::milli);
    }
    crate::sort::sort_by(&mut out, |a, b| a.unit.cmp(&b.unit));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(unit: &str, usage: &str, billable: &str) -> UsageItem {
        UsageItem {
            value_driver: Some(unit.to_owned()),
            usage_value: Some(Quantity::parse(usage).unwrap()),
            billable_value: Some(Quantity::parse(billable).unwrap()),
            ..UsageItem::default()
        }
    }

    #[test]
    fn sums_exactly_per_unit() {
        let items = [
            item("transactions", "0.1", "0.1"),
            item("GB", "1.25", "1"),
            item("transactions", "0.2", "0"),
            item("GB", "1000000.001", "2"),
        ];
        let totals = totals_by_unit(&items);
        assert_eq!(totals.len(), 2);
        assert_eq!(totals[0].unit, "GB");
        assert_eq!(totals[0].usage.to_string(), "1000001.251");
        assert_eq!(totals[0].billable.to_string(), "3");
        // 0.1 + 0.2 is 0.3, not 0.30000000000000004.
        assert_eq!(totals[1].usage.to_string(), "0.3");
        assert!(totals_by_unit(&[]).is_empty());
    }
}
