//! The Record usage form's rules: which errors a field shows.

use usage_api::FieldError;
use usage_api::usages::check_quantity;

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
