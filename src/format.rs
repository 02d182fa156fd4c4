//! Numbers and dates for the browser's locale, without losing exactness.

use std::cell::OnceCell;
use usage_api::Quantity;
use wasm_bindgen::{JsCast, JsValue};

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

/// A change for people: `+1,234.5`, `−12`, `0`.
pub fn signed_quantity(q: Quantity) -> String {
    let abs = quantity(Quantity(q.milli().saturating_abs()));
    match q.milli().signum() {
        1 => format!("+{abs}"),
        -1 => format!("−{abs}"),
        _ => abs,
    }
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
    // quarter of the first paint's script time), so each zone and set of options gets one, kept.
    static DATE_FORMATS: std::cell::RefCell<Vec<(String, Options, js_sys::Function)>> =
        const { std::cell::RefCell::new(Vec::new()) };
    static COMPACT: OnceCell<js_sys::Function> = const { OnceCell::new() };
    static DECIMAL: OnceCell<js_sys::Function> = const { OnceCell::new() };
}

/// A chart value for people, in the browser's locale, to at most three decimals (through
/// `Intl`: the wasm carries no float formatting).
pub fn decimal(v: f64) -> String {
    DECIMAL
        .with(|f| {
            f.get_or_init(|| {
                let opts = js_sys::Object::new();
                let _ = js_sys::Reflect::set(
                    &opts,
                    &JsValue::from_str("maximumFractionDigits"),
                    &JsValue::from_f64(3.0),
                );
                js_sys::Intl::NumberFormat::new(&js_sys::Array::new(), &opts).format()
            })
            .clone()
        })
        .call1(&JsValue::UNDEFINED, &JsValue::from_f64(v))
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// `new Intl.DateTimeFormat(locales, options)`, or `None` where it throws (a zone the browser
/// does not know is a RangeError).
fn new_date_format(
    locales: &js_sys::Array,
    options: &js_sys::Object,
) -> Option<js_sys::Intl::DateTimeFormat> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let ctor: js_sys::Function = js_sys::Reflect::get(&intl, &"DateTimeFormat".into())
        .ok()?
        .dyn_into()
        .ok()?;
    js_sys::Reflect::construct(&ctor, &js_sys::Array::of2(locales, options))
        .ok()
        .map(JsCast::unchecked_into)
}

/// `Intl.DateTimeFormat(locale, options).format` in `zone`, made once per zone and options. A
/// zone the browser does not know formats in UTC (the server will have named it already).
fn date_time_format(zone: &str, options: Options) -> js_sys::Function {
    DATE_FORMATS.with_borrow_mut(|made| {
        if let Some((_, _, f)) = made.iter().find(|(z, o, _)| z == zone && *o == options) {
            return f.clone();
        }
        let make = |zone: &str| {
            let opts = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&opts, &"timeZone".into(), &JsValue::from_str(zone));
            for (k, v) in options {
                let _ = js_sys::Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
            }
            new_date_format(&js_sys::Array::new(), &opts).map(|f| f.format())
        };
        let f = make(zone).or_else(|| make("UTC")).unwrap_or_else(|| {
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .format()
        });
        made.push((zone.to_owned(), options, f.clone()));
        f
    })
}

/// Instant `unix` (seconds) in `zone`, as `options` ask.
fn format_in(unix: i64, zone: &str, options: Options) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    date_time_format(zone, options)
        .call1(&JsValue::UNDEFINED, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn format_utc(t: usage_api::Timestamp, options: Options) -> String {
    let text = format_in(t.unix(), "UTC", options);
    if text.is_empty() { t.to_string() } else { text }
}

/// Instant `t` in `zone` with the zone's name, for "Data as of …".
pub fn instant_in(t: usage_api::Timestamp, zone: &str) -> String {
    let text = format_in(
        t.unix(),
        zone,
        &[("dateStyle", "medium"), ("timeStyle", "medium")],
    );
    if text.is_empty() {
        format!("{t} UTC")
    } else {
        format!("{text}, {}", zone_name(zone))
    }
}

/// A UTC time for a table cell (a report's creation), in the browser's locale.
pub fn time_utc(t: usage_api::Timestamp) -> String {
    format_utc(t, &[("dateStyle", "medium"), ("timeStyle", "short")])
}

/// A bucket's start for a table cell, in the browser's locale, in the query's zone. An hour
/// says its offset outside UTC: the fall-back hour comes twice, once per offset.
pub fn bucket(
    t: usage_api::ZonedTime,
    detail: usage_api::usage::DetailLevel,
    zone: &str,
) -> String {
    use usage_api::usage::DetailLevel::*;
    let text = match detail {
        Hour if t.offset.is_some() => {
            format_in(
                t.unix(),
                zone,
                &[("dateStyle", "medium"), ("timeStyle", "short")],
            ) + &format!(" ({})", offset_text(t.offset.unwrap_or(0)))
        }
        Hour => format_in(
            t.unix(),
            zone,
            &[("dateStyle", "medium"), ("timeStyle", "short")],
        ),
        Day | Summarized => format_in(t.unix(), zone, &[("dateStyle", "medium")]),
        Month => format_in(t.unix(), zone, &[("year", "numeric"), ("month", "long")]),
    };
    if text.is_empty() { t.to_string() } else { text }
}

/// `UTC+05:30`.
pub fn offset_text(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// An instant for a chart axis, in `zone`: short.
pub fn bucket_short(unix: i64, detail: usage_api::usage::DetailLevel, zone: &str) -> String {
    use usage_api::usage::DetailLevel::*;
    match detail {
        Hour => format_in(
            unix,
            zone,
            &[
                ("month", "short"),
                ("day", "numeric"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
            ],
        ),
        Month => format_in(unix, zone, &[("year", "numeric"), ("month", "short")]),
        _ => format_in(unix, zone, &[("month", "short"), ("day", "numeric")]),
    }
}

/// Instant `unix` in `zone` as en-CA writes `fields` (`2026-12-01, 14:05:09`: the same
/// whatever the user's locale), if the browser knows the zone.
fn en_ca(unix: i64, zone: &str, fields: &[(&str, &str)]) -> Option<String> {
    let opts = js_sys::Object::new();
    for (k, v) in [("timeZone", zone)].iter().chain(fields) {
        let _ = js_sys::Reflect::set(&opts, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    new_date_format(&js_sys::Array::of1(&"en-CA".into()), &opts)?
        .format()
        .call1(
            &JsValue::UNDEFINED,
            &js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0)),
        )
        .ok()?
        .as_string()
}

const DATE_FIELDS: [(&str, &str); 3] = [
    ("year", "numeric"),
    ("month", "2-digit"),
    ("day", "2-digit"),
];

/// Today's date in `zone` by the browser's clock, if the browser knows the zone.
pub fn today_in(zone: &str) -> Option<chrono::NaiveDate> {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    let text = en_ca(now, zone, &DATE_FIELDS)?;
    // Parsed by the contract's own parser: chrono's format parser would add about 24 KB of
    // wasm to the first load for two fixed shapes.
    usage_api::Timestamp::parse(&text).map(usage_api::Timestamp::date)
}

/// The wall-clock time in `zone` at instant `unix` (seconds), if the browser knows the zone.
pub fn local_of(unix: i64, zone: &str) -> Option<chrono::NaiveDateTime> {
    let mut fields = DATE_FIELDS.to_vec();
    fields.extend([
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("second", "2-digit"),
        ("hourCycle", "h23"),
    ]);
    let text = en_ca(unix, zone, &fields)?;
    usage_api::Timestamp::parse(&text.replacen(", ", "T", 1)).map(usage_api::Timestamp::naive)
}

/// The browser's own zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`).
pub fn browser_zone() -> Option<String> {
    let f = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&f.resolved_options(), &"timeZone".into())
        .ok()?
        .as_string()
}

/// Every zone the browser knows (`Intl.supportedValuesOf('timeZone')`), empty where it has no
/// such list.
pub fn browser_zones() -> Vec<String> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).unwrap_or_default();
    let Ok(f) = js_sys::Reflect::get(&intl, &"supportedValuesOf".into()) else {
        return Vec::new();
    };
    let Some(f) = f.dyn_ref::<js_sys::Function>() else {
        return Vec::new();
    };
    f.call1(&intl, &"timeZone".into())
        .ok()
        .map(|list| {
            js_sys::Array::from(&list)
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default()
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

/// The range in words, in the query's zone: whole days as dates, the last day included;
/// anything finer with times. The range's times are wall-clock times in that zone already.
pub fn range_text(q: &usage_api::usage::UsageQuery) -> String {
    let whole_days = q.start.is_midnight() && q.end.is_midnight();
    let last = usage_api::Timestamp::from_unix(q.end.unix() - 1).unwrap_or(q.end);
    let day = &[("dateStyle", "medium")];
    let time = &[("dateStyle", "medium"), ("timeStyle", "short")];
    let zone = zone_name(q.time_zone.name());
    if whole_days {
        format!(
            "{} to {}, {zone}",
            format_utc(q.start, day),
            format_utc(last, day)
        )
    } else {
        format!(
            "{} to {} (end excluded), {zone}",
            format_utc(q.start, time),
            format_utc(q.end, time)
        )
    }
}

/// A zone's name for people: `Europe/Berlin` as `Europe/Berlin time`, `UTC` as itself.
pub fn zone_name(zone: &str) -> String {
    if zone == "UTC" {
        "UTC".to_owned()
    } else {
        format!("{} time", zone.replace('_', " "))
    }
}

/// A storage channel in words.
pub fn channel(c: usage_api::usage::Channel) -> &'static str {
    match c {
        usage_api::usage::Channel::Hot => "Hot",
        usage_api::usage::Channel::Cold => "Cold",
    }
}
