//! The Record usage form's rules: which errors a field shows, and what the picked
//! subscription leaves under its monthly limit.

use usage_api::FieldError;
use usage_api::Quantity;
use usage_api::subscriptions::{SubscriptionItem, fits};
use usage_api::usages::check_quantity;

/// A picker option's words for `item`: its charge item, unit and id, so typing any of them
/// finds it.
pub fn subscription_label(item: &SubscriptionItem) -> String {
    format!(
        "{} ({}) \u{b7} {}",
        item.name, item.value_driver, item.billing_subscription_id
    )
}

/// The subscription whose id is `typed` (surrounding spaces ignored), if any.
pub fn picked<'a>(items: &'a [SubscriptionItem], typed: &str) -> Option<&'a SubscriptionItem> {
    let typed = typed.trim();
    items.iter().find(|i| i.billing_subscription_id == typed)
}

/// The subscriptions whose charge item, unit or id contain `typed` (any case), for a picker
/// filtered as the user types; every one for an empty `typed`.
pub fn matching<'a>(items: &'a [SubscriptionItem], typed: &str) -> Vec<&'a SubscriptionItem> {
    let needle = typed.trim().to_lowercase();
    items
        .iter()
        .filter(|i| needle.is_empty() || subscription_label(i).to_lowercase().contains(&needle))
        .collect()
}

/// What a subscription leaves under its monthly limit this month (UTC), against the quantity
/// typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headroom {
    /// No monthly limit: every quantity is accepted.
    NoLimit {
        /// Accepted this month.
        used: Quantity,
    },
    /// The quantity typed (if any, and valid) fits under the limit.
    Within {
        /// The monthly limit.
        limit: Quantity,
        /// Accepted this month.
        used: Quantity,
        /// What remains.
        remaining: Quantity,
    },
    /// The quantity typed is more than what remains.
    Over {
        /// The monthly limit.
        limit: Quantity,
        /// What remains.
        remaining: Quantity,
        /// The quantity typed.
        requested: Quantity,
        /// What "accept what fits" would record.
        fits: Quantity,
    },
}

/// Where `typed` (the quantity field) stands against `item`'s monthly limit. A quantity that
/// does not parse is left out (its field shows why).
pub fn headroom(item: &SubscriptionItem, typed: &str) -> Headroom {
    let Some(limit) = item.monthly_limit else {
        return Headroom::NoLimit { used: item.used };
    };
    let remaining = item
        .remaining
        .unwrap_or(Quantity((limit.milli() - item.used.milli()).max(0)));
    match Quantity::parse(typed.trim()) {
        Ok(requested) if requested > remaining => Headroom::Over {
            limit,
            remaining,
            requested,
            fits: fits(requested, Some(remaining)),
        },
        _ => Headroom::Within {
            limit,
            used: item.used,
            remaining,
        },
    }
}

/// Every error about parameter `name`, joined by `; ` (empty for none).
pub fn errors_of(errors: &[FieldError], name: &str) -> String {
    errors
        .iter()
        .filter(|e| e.name == name)
        .map(|e| e.description.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The quantity field's error: the portal's own check of what is typed (the same rule as the
/// server's) as soon as there is something, else what the server said.
pub fn quantity_error_text(typed: &str, errors: &[FieldError]) -> String {
    let from_server = errors
        .iter()
        .find(|e| e.name == "quantity")
        .map(|e| e.description.clone());
    if typed.is_empty() {
        from_server.unwrap_or_default()
    } else {
        check_quantity(typed)
            .err()
            .or(from_server)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(name: &str, description: &str) -> FieldError {
        FieldError {
            name: name.to_owned(),
            description: description.to_owned(),
        }
    }

    fn sub(id: &str, limit: Option<i64>, used: i64) -> SubscriptionItem {
        SubscriptionItem {
            billing_subscription_id: id.to_owned(),
            feature_id: "hrn:f".to_owned(),
            billing_charge_number: "C-1".to_owned(),
            category: "Maps".to_owned(),
            name: "Geocoding".to_owned(),
            value_driver: "Transactions".to_owned(),
            usage_type_code: "T".to_owned(),
            price: "0.5".to_owned(),
            currency: "EUR".to_owned(),
            monthly_limit: limit.map(Quantity),
            used: Quantity(used),
            remaining: limit.map(|l| Quantity((l - used).max(0))),
        }
    }

    #[test]
    fn a_subscription_is_found_by_id_and_by_any_of_its_words() {
        let items = [sub("SUB-1", None, 0), sub("SUB-2", Some(10_000), 0)];
        assert_eq!(
            subscription_label(&items[0]),
            "Geocoding (Transactions) \u{b7} SUB-1"
        );
        assert_eq!(
            picked(&items, " SUB-2 ").map(|i| i.billing_subscription_id.as_str()),
            Some("SUB-2")
        );
        assert_eq!(picked(&items, "SUB"), None, "only a whole id picks");
        assert_eq!(matching(&items, "geoc").len(), 2);
        assert_eq!(matching(&items, "sub-2").len(), 1);
        assert_eq!(matching(&items, "").len(), 2);
        assert!(matching(&items, "nothing").is_empty());
    }

    #[test]
    fn what_remains_and_what_would_fit() {
        assert_eq!(
            headroom(&sub("S", None, 4_000), "5"),
            Headroom::NoLimit {
                used: Quantity(4_000)
            }
        );
        let limited = sub("S", Some(10_000), 7_500);
        let within = Headroom::Within {
            limit: Quantity(10_000),
            used: Quantity(7_500),
            remaining: Quantity(2_500),
        };
        assert_eq!(headroom(&limited, ""), within);
        assert_eq!(
            headroom(&limited, "2.5"),
            within,
            "exactly what remains fits"
        );
        assert_eq!(
            headroom(&limited, "abc"),
            within,
            "a bad quantity is its field's error"
        );
        assert_eq!(
            headroom(&limited, "4"),
            Headroom::Over {
                limit: Quantity(10_000),
                remaining: Quantity(2_500),
                requested: Quantity(4_000),
                fits: Quantity(2_500),
            }
        );
        let full = sub("S", Some(10_000), 12_000);
        assert!(matches!(
            headroom(&full, "1"),
            Headroom::Over {
                remaining: Quantity(0),
                fits: Quantity(0),
                ..
            }
        ));
    }

    #[test]
    fn errors_per_field() {
        let e = [
            err("appId", "is too long"),
            err("quantity", "must be positive"),
            err("appId", "has a bad character"),
        ];
        assert_eq!(errors_of(&e, "appId"), "is too long; has a bad character");
        assert_eq!(errors_of(&e, "resource"), "");
        // Typing replaces the server's word with the portal's own check of what is typed.
        assert_eq!(quantity_error_text("", &e), "must be positive");
        assert_eq!(
            quantity_error_text("2.5", &e),
            "must be positive",
            "valid now: the server's stays until sent"
        );
        assert!(
            !quantity_error_text("1.2345", &[]).is_empty(),
            "more than 3 decimals"
        );
        assert!(!quantity_error_text("abc", &[]).is_empty());
        assert_eq!(quantity_error_text("3", &[]), "");
    }
}
