//! The explorer's state, charts and totals, in headless Chromium.

#![cfg(target_arch = "wasm32")]

mod common;

use chrono::NaiveDate;
use leptos::prelude::*;
use usage_api::usage::{DetailLevel, GroupDim, QueryKind, UsageField, UsageItem, UsageQuery};
use usage_api::{Quantity, Timestamp};
use usage_portal::api::usage::parse_csv;
use usage_portal::components::totals::totals_by_unit;
use usage_portal::components::usage_chart::{ChartPoint, MAX_SERIES, UsageChart, series_for};
use usage_portal::state::{Draft, Preset, field_for};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn day(s: &str) -> NaiveDate {
    Timestamp::parse(s).unwrap().date()
}

fn base_query() -> UsageQuery {
    UsageQuery::from_pairs(
        [
            ("startDate", "2026-10-01"),
            ("endDate", "2026-11-01"),
            ("groupBy", "appId"),
            ("detailLevel", "day"),
        ],
        QueryKind::Page,
    )
    .unwrap()
}

#[wasm_bindgen_test]
fn draft_round_trips_a_query_with_an_inclusive_end_day() {
    let q = base_query();
    let d = Draft::from_query(&q);
    assert_eq!(d.from, "2026-10-01");
    assert_eq!(d.to, "2026-10-31", "the form shows the last day included");
    assert_eq!(d.validate().unwrap(), q);
}

#[wasm_bindgen_test]
fn draft_errors_name_the_form_fields() {
    let mut d = Draft::from_query(&base_query());
    d.to = "2026-09-01".to_owned();
    d.app_id = "x".repeat(200);
    d.fields.clear();
    let errors = d.validate().unwrap_err();
    let mut fields: Vec<&str> = errors.iter().map(|e| field_for(&e.name)).collect();
    fields.sort();
    assert_eq!(fields, ["appId", "to", "usageFields"]);
    let mut d = Draft::from_query(&base_query());
    d.from = String::new();
    let errors = d.validate().unwrap_err();
    assert_eq!(errors[0].description, "choose a start date");
}

#[wasm_bindgen_test]
fn draft_orders_columns_and_drops_blank_filters() {
    let mut d = Draft::from_query(&base_query());
    d.fields = vec![UsageField::UsageValue, UsageField::Name];
    d.billing_tag = "   ".to_owned();
    d.group_by = vec![GroupDim::Resource, GroupDim::AppId];
    let q = d.validate().unwrap();
    assert_eq!(
        q.fields,
        Some(vec![UsageField::Name, UsageField::UsageValue])
    );
    assert_eq!(q.filters.billing_tag, None);
    assert_eq!(
        q.group_by,
        vec![GroupDim::Resource, GroupDim::AppId],
        "groupBy keeps the user's order"
    );
}

#[wasm_bindgen_test]
fn presets() {
    let today = day("2026-03-15");
    let r = |p: Preset| {
        let (a, b) = p.range(today);
        (a.to_string(), b.to_string())
    };
    assert_eq!(
        r(Preset::ThisMonth),
        ("2026-03-01T00:00:00".into(), "2026-03-16T00:00:00".into())
    );
    assert_eq!(
        r(Preset::LastMonth),
        ("2026-02-01T00:00:00".into(), "2026-03-01T00:00:00".into())
    );
    assert_eq!(
        r(Preset::Last7),
        ("2026-03-09T00:00:00".into(), "2026-03-16T00:00:00".into())
    );
    assert_eq!(r(Preset::Last90).0, "2025-12-16T00:00:00");
    // Every preset is a range the API accepts, on that day and on the run's.
    for today in [today, usage_test_clock::today()] {
        for p in Preset::ALL {
            let (a, b) = p.range(today);
            assert!(usage_api::usage::check_range(a, b).is_ok(), "{p:?} {today}");
        }
    }
}

#[wasm_bindgen_test]
fn csv_parsing_handles_quotes_and_crlf() {
    let rows = parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",3\r\n,,\r\n");
    assert_eq!(
        rows,
        vec![
            vec!["a", "b", "c"],
            vec!["x, y", "say \"hi\"", "3"],
            vec!["", "", ""]
        ]
    );
}

#[wasm_bindgen_test]
fn totals_never_add_across_units() {
    let item = |unit: &str, milli: i64| UsageItem {
        value_driver: Some(unit.to_owned()),
        usage_value: Some(Quantity(milli)),
        billable_value: Some(Quantity(milli / 2)),
        ..UsageItem::default()
    };
    let t = totals_by_unit(&[
        item("GB", 1_500),
        item("transactions", 7_000),
        item("GB", 2),
    ]);
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[0].unit.as_str(), t[0].usage, t[0].billable),
        ("GB", Quantity(1_502), Quantity(751))
    );
    assert_eq!(t[1].usage, Quantity(7_000));
}

fn point(series: &str, unit: &str, hour: i64, value: f64) -> ChartPoint {
    ChartPoint {
        bucket: Timestamp::from_unix(hour * 3600).map(usage_api::ZonedTime::utc),
        series: series.to_owned(),
        unit: unit.to_owned(),
        value,
        milli: (value * 1000.0) as i64,
        subscription: None,
    }
}

#[wasm_bindgen_test]
fn chart_keeps_the_largest_series_and_sums_the_rest_as_other() {
    let mut points = Vec::new();
    for s in 0..11 {
        for h in 0..3 {
            points.push(point(
                &format!("item-{s:02}"),
                "transactions",
                h,
                f64::from(s + 1),
            ));
        }
    }
    points.push(point("storage", "GB", 0, 1e9));
    let series = series_for(&points, "transactions");
    assert_eq!(series.len(), MAX_SERIES + 1);
    assert_eq!(series[0].name, "item-10");
    let other = series.last().unwrap();
    assert_eq!(other.name, "Other");
    // item-00, item-01, item-02 are left: 1 + 2 + 3 per hour.
    assert_eq!(other.points, vec![(0, 6.0), (3600, 6.0), (7200, 6.0)]);
    assert!(
        series.iter().all(|s| s.name != "storage"),
        "one unit at a time"
    );
}

#[wasm_bindgen_test]
async fn chart_draws_on_its_canvas() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let points: Vec<ChartPoint> = (0..48)
        .map(|h| point("Routing", "transactions", h, (h % 7) as f64 * 10.0))
        .collect();
    let _mounted = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <UsageChart points=points.clone() detail=DetailLevel::Hour /> }
    });
    // Effects run after mount.
    common::sleep_ms(50).await;
    let canvas: web_sys::HtmlCanvasElement = host
        .query_selector("canvas")
        .unwrap()
        .unwrap()
        .unchecked_into();
    // The canvas is drawing only; its focusable frame is the chart for a screen reader.
    assert_eq!(canvas.get_attribute("aria-hidden").as_deref(), Some("true"));
    let frame = host.query_selector(".up-chart-canvas").unwrap().unwrap();
    assert_eq!(frame.get_attribute("tabindex").as_deref(), Some("0"));
    assert_eq!(
        frame.get_attribute("aria-roledescription").as_deref(),
        Some("chart")
    );
    assert!(
        frame
            .get_attribute("aria-label")
            .unwrap()
            .contains("transactions")
    );
    let data = canvas.to_data_url().unwrap();
    let blank = document
        .create_element("canvas")
        .unwrap()
        .unchecked_into::<web_sys::HtmlCanvasElement>();
    blank.set_width(canvas.width());
    blank.set_height(canvas.height());
    assert_ne!(data, blank.to_data_url().unwrap(), "something was drawn");
}

#[wasm_bindgen_test]
fn polling_honours_retry_after_else_backs_off_with_jitter() {
    use usage_portal::pages::reports::next_delay_ms;
    assert_eq!(next_delay_ms(Some(2), 0, 0.5), 2_000);
    assert_eq!(next_delay_ms(Some(0), 0, 0.5), 1_000, "at least a second");
    assert_eq!(next_delay_ms(Some(600), 0, 0.5), 60_000, "at most a minute");
    // Without Retry-After: 1 s, 2 s, 4 s, … up to 15 s, each within ±20 %.
    let mid: Vec<u32> = (0..6).map(|n| next_delay_ms(None, n, 0.5)).collect();
    assert_eq!(mid, [1_000, 2_000, 4_000, 8_000, 15_000, 15_000]);
    assert_eq!(next_delay_ms(None, 1, 0.0), 1_600);
    assert_eq!(next_delay_ms(None, 1, 1.0), 2_400);
}

#[wasm_bindgen_test]
fn billing_totals_stay_per_currency_and_exact() {
    use usage_api::billing::MonthlyUsage;
    use usage_portal::pages::billing::totals_by_currency;
    let row = |currency: &str, amount: &str| MonthlyUsage {
        account_id: "a".into(),
        product_id: "p".into(),
        aggr_product_id: "f".into(),
        month: "2026-10".into(),
        kind: "T".into(),
        description: "d".into(),
        currency: currency.into(),
        direction: None,
        resolution: None,
        unit: "u".into(),
        price: "1".into(),
        wallet_name: "w".into(),
        number_of_units: "1".into(),
        total_amount: amount.into(),
    };
    let rows = [row("USD", "0.1"), row("EUR", "5.55"), row("USD", "0.2")];
    let refs: Vec<&MonthlyUsage> = rows.iter().collect();
    assert_eq!(
        totals_by_currency(&refs).unwrap(),
        vec![
            ("EUR".to_owned(), Quantity(5_550)),
            ("USD".to_owned(), Quantity(300))
        ],
        "0.1 + 0.2 is exactly 0.3, and euros never meet dollars"
    );
}

/// The writer of a page answer.
type SetAnswer = WriteSignal<Option<Result<u32, usage_portal::api::ApiError>>, LocalStorage>;
/// A mounted test view, unmounted when dropped.
type Mounted = leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>;

/// Mounts a component that runs `use_after_first_answer` on a page answer it can set, and
/// returns that answer's writer and the hook's signal.
fn after_first_answer_of() -> (SetAnswer, Signal<bool>, Mounted) {
    use usage_portal::hooks::first_table::use_after_first_answer;
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let (page, set_page) = signal_local(None);
    let shown = StoredValue::new(None::<Signal<bool>>);
    let mounted = leptos::mount::mount_to(host.unchecked_into(), move || {
        shown.set_value(Some(use_after_first_answer(page)));
        ().into_any()
    });
    (set_page, shown.get_value().unwrap(), mounted)
}

#[wasm_bindgen_test]
async fn the_usage_pages_parts_wait_for_its_first_answer_then_a_frame() {
    let (set_page, shown, _mounted) = after_first_answer_of();
    common::sleep_ms(100).await;
    assert!(!shown.get_untracked(), "no answer yet: the parts wait");
    set_page.set(Some(Ok(1)));
    // The frame that shows the answer, then a task after it: well under the cap.
    common::sleep_ms(200).await;
    assert!(shown.get_untracked(), "the frame after the first answer");
    // Told once: the cap passing later must not tell the parts again (they would load anew).
    let told = StoredValue::new(0_u32);
    let owner = Owner::new();
    owner.with(|| {
        Effect::new(move |_| {
            shown.track();
            told.update_value(|n| *n += 1);
        })
    });
    common::sleep_ms(usage_portal::hooks::first_table::FIRST_TABLE_WAIT_MS as i32 + 200).await;
    assert_eq!(told.get_value(), 1, "the effect's first run only");
}

#[wasm_bindgen_test]
async fn the_usage_pages_parts_stop_waiting_for_an_answer_that_does_not_come() {
    use usage_portal::hooks::first_table::FIRST_TABLE_WAIT_MS;
    let (_set_page, shown, _mounted) = after_first_answer_of();
    common::sleep_ms(FIRST_TABLE_WAIT_MS as i32 / 3).await;
    assert!(!shown.get_untracked(), "still waiting for the first answer");
    common::sleep_ms(FIRST_TABLE_WAIT_MS as i32).await;
    assert!(
        shown.get_untracked(),
        "a stuck request does not keep the filter bar away"
    );
}
