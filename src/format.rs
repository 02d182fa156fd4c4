//! Numbers and dates for the browser's locale, without losing exactness.

use std::cell::OnceCell;
use usage_api::Quantity;
use wasm_bindgen::JsValue;

thread_local! {
    static SEPARATORS: OnceCell<(String, String)> = const { OnceCell::new() };
}

/// The locale's (group, decimal) separators, asked of `Intl.NumberFormat` once.
fn separators() -> (String, String) {
    SEPARATORS.with(|c| {
        c.get_or_init(|| {
            let nf = js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
            let parts = nf.format_to_parts(1234.5);
            let (mut group, mut decimal) = (",".to_owned(), ".".to_owned());
            for part in parts.iter() {
                let kind = js_sys::Reflect::get(&part, &JsValue::from_str("type"))
                    .ok()
                    .and_then(|v| v.as_string());
                let value = js_sys::Reflect::get(&part, &JsValue::from_str("value"))
                    .ok()
                    .and_then(|v| v.as_string());
                match (kind.as_deref(), value) {
                    (Some("group"), Some(v)) => group = v,
                    (Some("decimal"), Some(v)) => decimal = v,
                    _ => {}
                }
            }
            (group, decimal)
        })
        .clone()
    })
}

pub use usage_portal_core::number::group_decimal;

/// A quantity for people: exact, with the locale's separators.
pub fn quantity(q: Quantity) -> String {
    let (group, decimal) = separators();
    group_decimal(&q.to_string(), &group, &decimal)
}

/// An amount for people: `144.90 USD`, exact, with the currency's minor units and the locale's
/// separators; an amount that is not a number is said so, in words, never shown as 0.
pub fn money(exact: &str, currency: &str) -> String {
    match usage_portal_core::money::digits(exact, currency) {
        Ok(d) => {
            let (group, decimal) = separators();
            format!("{} {currency}", group_decimal(&d, &group, &decimal))
        }
        Err(e) => format!("{e} ({currency})"),
    }
}

/// A decimal quantity the API sent as text, for people; one that is not a number is said so.
pub fn quantity_text(exact: &str) -> String {
    match Quantity::parse(exact) {
        Ok(q) => quantity(q),
        Err(_) => format!("'{exact}' is not a number"),
    }
}

/// A size in bytes for people: `12.3 MB` (binary multiples), `512 bytes`.
pub fn bytes(n: u64) -> String {
    let (v, unit) = match n {
        n if n >= 1 << 30 => (n as f64 / f64::from(1u32 << 30), "GB"),
        n if n >= 1 << 20 => (n as f64 / f64::from(1u32 << 20), "MB"),
        n if n >= 1 << 10 => (n as f64 / 1024.0, "KB"),
        n => return format!("{} bytes", count(n)),
    };
    format!("{} {unit}", one_decimal(v))
}

/// A non-negative number for people with one decimal (`12.3`), in the locale's separators.
/// Integer arithmetic, so the wasm carries no float formatting.
pub fn one_decimal(v: f64) -> String {
    let tenths = (v.max(0.0) * 10.0).round() as u64;
    let (group, decimal) = separators();
    group_decimal(
        &format!("{}.{}", tenths / 10, tenths % 10),
        &group,
        &decimal,
    )
}

/// A whole number for people.
pub fn count(n: u64) -> String {
    let (group, decimal) = separators();
    group_decimal(&n.to_string(), &group, &decimal)
}

type Options = &'static [(&'static str, &'static str)];

thread_local! {
    // A formatter costs far more to make than to use (a table of 100 rows made 100 of them, a
    // quarter of the first paint's script time), so each set of options gets one, kept.
    static DATE_FORMATS: std::cell::RefCell<Vec<(Options, js_sys::Function)>> =
        const { std::cell::RefCell::new(Vec::new()) };
    static COMPACT: OnceCell<js_sys::Function> = const { OnceCell::new() };
}

/// `Intl.DateTimeFormat(locale, options).format` in UTC, made once per set of options.
fn date_time_format(options: Options) -> js_sys::Function {
    DATE_FORMATS.with_borrow_mut(|made| {
        if let Some((_, f)) = made.iter().find(|(o, _)| *o == options) {
            return f.clone();
        }
        let opts = js_sys::Object::new();
        for (k, v) in [("timeZone", "UTC")].iter().chain(options) {
            let _ = js_sys::Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        let f = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &opts).format();
        made.push((options, f.clone()));
        f
    })
}

fn format_utc(t: usage_api::Timestamp, options: Options) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(t.unix() as f64 * 1000.0));
    date_time_format(options)
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| t.to_string())
}

/// A bucket's start for a table cell, in the browser's locale, in UTC.
pub fn bucket(t: usage_api::Timestamp, detail: usage_api::usage::DetailLevel) -> String {
    use usage_api::usage::DetailLevel::*;
    match detail {
        Hour => format_utc(t, &[("dateStyle", "medium"), ("timeStyle", "short")]),
        Day | Summarized => format_utc(t, &[("dateStyle", "medium")]),
        Month => format_utc(t, &[("year", "numeric"), ("month", "long")]),
    }
}

/// A bucket's start for a chart axis: short.
pub fn bucket_short(t: usage_api::Timestamp, detail: usage_api::usage::DetailLevel) -> String {
    use usage_api::usage::DetailLevel::*;
    match detail {
        Hour => format_utc(
            t,
            &[
                ("month", "short"),
                ("day", "numeric"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
            ],
        ),
        Month => format_utc(t, &[("year", "numeric"), ("month", "short")]),
        _ => format_utc(t, &[("month", "short"), ("day", "numeric")]),
    }
}

/// A number for an axis: short, in the browser's locale (12K, 3.4M).
pub fn compact(v: f64) -> String {
    COMPACT
        .with(|f| {
            f.get_or_init(|| {
                let opts = js_sys::Object::new();
                let _ = js_sys::Reflect::set(
                    &opts,
                    &JsValue::from_str("notation"),
                    &JsValue::from_str("compact"),
                );
                js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &opts).format()
            })
            .clone()
        })
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(v))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| (v.round() as i64).to_string())
}

/// The range in words: whole days as dates, the last day included; anything finer with times.
pub fn range_text(q: &usage_api::usage::UsageQuery) -> String {
    let whole_days = q.start.is_midnight() && q.end.is_midnight();
    let last = usage_api::Timestamp::from_unix(q.end.unix() - 1).unwrap_or(q.end);
    if whole_days {
        format!(
            "{} to {}, UTC",
            bucket(q.start, usage_api::usage::DetailLevel::Day),
            bucket(last, usage_api::usage::DetailLevel::Day)
        )
    } else {
        format!(
            "{} to {} (end excluded), UTC",
            bucket(q.start, usage_api::usage::DetailLevel::Hour),
            bucket(q.end, usage_api::usage::DetailLevel::Hour)
        )
    }
}

/// A storage channel in words.
pub fn channel(c: usage_api::usage::Channel) -> &'static str {
    match c {
        usage_api::usage::Channel::Hot => "Hot",
        usage_api::usage::Channel::Cold => "Cold",
    }
}
