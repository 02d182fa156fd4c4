//! A chart of usage drawn with plotters on a canvas: a time series per charge item for hour,
//! day and month detail, bars by charge item when summarized. One unit at a time, since
//! transactions and gigabytes share no axis.

use crate::format;
use crate::sort::sort_by;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use usage_api::Timestamp;
use usage_api::usage::DetailLevel;

/// Series drawn at most; the rest are summed as "Other".
pub const MAX_SERIES: usize = 8;

/// One value of the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    /// The bucket's start (none when summarized).
    pub bucket: Option<Timestamp>,
    /// The charge item.
    pub series: String,
    /// The unit.
    pub unit: String,
    /// The value (for drawing only; tables show exact values).
    pub value: f64,
}

/// A series ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// `(bucket start in unix seconds, value)`, in time order.
    pub points: Vec<(i64, f64)>,
    /// Sum of the values, for ranking.
    pub total: f64,
}

/// The series of `unit`: the [`MAX_SERIES`] largest, then "Other" for the rest.
pub fn series_for(points: &[ChartPoint], unit: &str) -> Vec<Series> {
    let mut all: Vec<Series> = Vec::new();
    for p in points.iter().filter(|p| p.unit == unit) {
        let t = p.bucket.map_or(0, Timestamp::unix);
        let s = match all.iter_mut().position(|s| s.name == p.series) {
            Some(i) => &mut all[i],
            None => {
                all.push(Series {
                    name: p.series.clone(),
                    points: Vec::new(),
                    total: 0.0,
                });
                all.last_mut().expect("just pushed")
            }
        };
        s.total += p.value;
        match s.points.iter_mut().find(|(x, _)| *x == t) {
            Some((_, v)) => *v += p.value,
            None => s.points.push((t, p.value)),
        }
    }
    sort_by(&mut all, |a, b| {
        b.total
            .total_cmp(&a.total)
            .then_with(|| a.name.cmp(&b.name))
    });
    if all.len() > MAX_SERIES {
        let rest = all.split_off(MAX_SERIES);
        let mut other = Series {
            name: "Other".to_owned(),
            points: Vec::new(),
            total: 0.0,
        };
        for s in rest {
            other.total += s.total;
            for (t, v) in s.points {
                match other.points.iter_mut().find(|(x, _)| *x == t) {
                    Some((_, o)) => *o += v,
                    None => other.points.push((t, v)),
                }
            }
        }
        all.push(other);
    }
    for s in &mut all {
        sort_by(&mut s.points, |a, b| a.0.cmp(&b.0));
    }
    all
}

/// The units present, in alphabetical order.
pub fn units(points: &[ChartPoint]) -> Vec<String> {
    let mut u: Vec<String> = points.iter().map(|p| p.unit.clone()).collect();
    sort_by(&mut u, |a, b| a.cmp(b));
    u.dedup();
    u
}

/// Series colours; `style/portal.css` has the same list as `.up-swatch-N` for the legend.
pub const COLORS: [(u8, u8, u8); 9] = [
    (11, 92, 173),
    (214, 96, 0),
    (26, 135, 84),
    (176, 36, 64),
    (111, 66, 193),
    (0, 128, 128),
    (160, 110, 0),
    (90, 90, 90),
    (200, 60, 160),
];

fn color(i: usize) -> RGBColor {
    let (r, g, b) = COLORS[i % COLORS.len()];
    RGBColor(r, g, b)
}

/// `n` evenly spaced round values from 0 to at least `max`.
pub fn nice_ticks(max: f64, n: usize) -> Vec<f64> {
    let raw = (max / n.max(1) as f64).max(1e-3);
    let mag = 10_f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (0..=n)
        .map(|k| k as f64 * step)
        .take_while(|v| *v <= max * 1.0001 + step)
        .collect()
}

// Text is drawn with the canvas's own fillText, not through plotters: plotters measures text
// with a styled <span>, which a strict Content-Security-Policy (style-src 'self') forbids.
fn draw(
    canvas: web_sys::HtmlCanvasElement,
    series: &[Series],
    unit: &str,
    detail: DetailLevel,
) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas cannot be drawn on")?;
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or("the canvas cannot be drawn on")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let y_peak = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(_, v)| *v))
        .fold(0.0_f64, f64::max)
        .max(1e-3);
    let y_ticks = nice_ticks(y_peak, 5);
    let y_max = y_ticks.last().copied().unwrap_or(y_peak).max(y_peak);
    let summarized = detail == DetailLevel::Summarized;
    let (x_min, x_max) = if summarized {
        (-0.5, series.len().max(1) as f64 - 0.5)
    } else {
        let lo = series
            .iter()
            .filter_map(|s| s.points.first().map(|p| p.0))
            .min()
            .unwrap_or(0) as f64;
        let hi = series
            .iter()
            .filter_map(|s| s.points.last().map(|p| p.0))
            .max()
            .map_or(lo, |x| x as f64);
        (lo, hi.max(lo + 1.0))
    };
    let chart = ChartBuilder::on(&root)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(84)
        .build_cartesian_2d(x_min..x_max, 0.0_f64..y_max)
        .map_err(|e| e.to_string())?;
    let grid = RGBColor(225, 229, 236);
    let axis = RGBColor(88, 97, 116);
    let mut chart = chart;
    chart
        .draw_series(
            y_ticks
                .iter()
                .map(|y| PathElement::new(vec![(x_min, *y), (x_max, *y)], grid)),
        )
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(x_min, 0.0), (x_max, 0.0)],
            axis,
        )))
        .map_err(|e| e.to_string())?;
    let x_ticks: Vec<(f64, String)> = if summarized {
        series
            .iter()
            .enumerate()
            .map(|(i, s)| (i as f64, s.name.clone()))
            .collect()
    } else {
        (0..6)
            .map(|k| x_min + (x_max - x_min) * k as f64 / 5.0)
            .map(|x| {
                (
                    x,
                    Timestamp::from_unix(x as i64)
                        .map(|t| format::bucket_short(t, detail))
                        .unwrap_or_default(),
                )
            })
            .collect()
    };
    if summarized {
        chart
            .draw_series(series.iter().enumerate().map(|(i, s)| {
                let v = s.points.iter().map(|(_, v)| v).sum::<f64>();
                Rectangle::new(
                    [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, v)],
                    color(i).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
    } else {
        for (i, s) in series.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|(t, v)| (*t as f64, *v)),
                    color(i).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())?;

    ctx.set_font("13px sans-serif");
    ctx.set_fill_style_str("#3b4456");
    ctx.set_text_align("right");
    ctx.set_text_baseline("middle");
    for y in &y_ticks {
        let (px, py) = chart.backend_coord(&(x_min, *y));
        let _ = ctx.fill_text(&format::compact(*y), f64::from(px - 8), f64::from(py));
    }
    ctx.set_text_align("center");
    ctx.set_text_baseline("top");
    for (i, (x, label)) in x_ticks.iter().enumerate() {
        // The last label ends at its tick so it stays inside the canvas.
        ctx.set_text_align(if !summarized && i + 1 == x_ticks.len() {
            "right"
        } else {
            "center"
        });
        let (px, py) = chart.backend_coord(&(*x, 0.0));
        let _ = ctx.fill_text(label, f64::from(px), f64::from(py + 8));
    }
    // The unit, along the y axis.
    let (_, top) = chart.backend_coord(&(x_min, y_max));
    let (_, bottom) = chart.backend_coord(&(x_min, 0.0));
    ctx.save();
    let _ = ctx.translate(18.0, f64::from(top + bottom) / 2.0);
    let _ = ctx.rotate(-std::f64::consts::FRAC_PI_2);
    ctx.set_text_baseline("middle");
    let _ = ctx.fill_text(unit, 0.0, 0.0);
    ctx.restore();
    Ok(())
}

/// The chart, with a unit picker when the result has several units.
#[component]
pub fn UsageChart(
    /// The values to chart.
    points: Vec<ChartPoint>,
    /// The detail level of the values.
    detail: DetailLevel,
) -> impl IntoView {
    let units = units(&points);
    let unit = RwSignal::new(units.first().cloned().unwrap_or_default());
    let canvas = NodeRef::<Canvas>::new();
    let failure = RwSignal::new(None::<String>);
    let points = StoredValue::new(points);
    Effect::new(move |_| {
        let u = unit.get();
        if let Some(c) = canvas.get() {
            let series = points.with_value(|p| series_for(p, &u));
            failure.set(draw(c, &series, &u, detail).err());
        }
    });
    let description = move || {
        let u = unit.get();
        let names = points
            .with_value(|p| series_for(p, &u))
            .into_iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", ");
        if detail == DetailLevel::Summarized {
            format!("Bar chart of usage in {u} by charge item: {names}.")
        } else {
            format!(
                "Line chart of usage in {u} over time (UTC), one line per charge item: {names}."
            )
        }
    };
    let picker = (units.len() > 1).then(|| {
        let options = units
            .iter()
            .map(|u| {
                let value = u.clone();
                view! { <option value=value.clone() selected=move || unit.get() == value>{u.clone()}</option> }
            })
            .collect_view();
        view! {
            <div class="up-field">
                <label for="chart-unit">"Unit"</label>
                <select id="chart-unit" on:change=move |ev| unit.set(event_target_value(&ev))>{options}</select>
            </div>
        }
    });
    view! {
        <figure class="up-chart">
            {picker}
            <canvas node_ref=canvas width="960" height="360" role="img" aria-label=description></canvas>
            <figcaption class="up-visually-hidden">{description}</figcaption>
            <ul class="up-legend" aria-hidden="true">
                {move || {
                    let u = unit.get();
                    points.with_value(|p| series_for(p, &u)).into_iter().enumerate().map(|(i, s)| {
                        view! { <li><span class=format!("up-swatch up-swatch-{}", i % COLORS.len())></span>{s.name}</li> }
                    }).collect_view()
                }}
            </ul>
            {move || failure.get().map(|e| view! { <p class="up-error" role="alert">"The chart could not be drawn: " {e}</p> })}
        </figure>
    }
}
