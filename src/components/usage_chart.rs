//! A chart of usage drawn with plotters on a canvas: a time series per charge item for hour,
//! day and month detail, bars by charge item when summarized. One unit at a time, since
//! transactions and gigabytes share no axis.

use crate::format;
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
    all.sort_by(|a, b| {
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
        s.points.sort_by_key(|(t, _)| *t);
    }
    all
}

/// The units present, in alphabetical order.
pub fn units(points: &[ChartPoint]) -> Vec<String> {
    let mut u: Vec<String> = points.iter().map(|p| p.unit.clone()).collect();
    u.sort();
    u.dedup();
    u
}

fn draw(
    canvas: web_sys::HtmlCanvasElement,
    series: &[Series],
    unit: &str,
    detail: DetailLevel,
) -> Result<(), String> {
    let backend =
        CanvasBackend::with_canvas_object(canvas).ok_or("the canvas cannot be drawn on")?;
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let y_max = series
        .iter()
        .flat_map(|s| s.points.iter().map(|(_, v)| *v))
        .fold(0.0_f64, f64::max)
        .max(1e-3)
        * 1.08;
    let label_style = ("sans-serif", 14).into_font();
    if detail == DetailLevel::Summarized {
        let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
        let n = names.len().max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(-0.5_f64..n - 0.5, 0.0_f64..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(names.len().max(1))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| format::compact(*v))
            .y_desc(unit)
            .x_desc("Charge item")
            .label_style(label_style.clone())
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(series.iter().enumerate().map(|(i, s)| {
                let v = s.points.iter().map(|(_, v)| v).sum::<f64>();
                Rectangle::new(
                    [(i as f64 - 0.35, 0.0), (i as f64 + 0.35, v)],
                    Palette99::pick(i).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
    } else {
        let x_min = series
            .iter()
            .filter_map(|s| s.points.first().map(|p| p.0))
            .min()
            .unwrap_or(0);
        let x_max = series
            .iter()
            .filter_map(|s| s.points.last().map(|p| p.0))
            .max()
            .unwrap_or(x_min)
            .max(x_min + 1);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x_min..x_max, 0.0_f64..y_max)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&|t| {
                Timestamp::from_unix(*t)
                    .map(|t| format::bucket_short(t, detail))
                    .unwrap_or_default()
            })
            .y_label_formatter(&|v| format::compact(*v))
            .y_desc(unit)
            .x_desc("Time (UTC)")
            .label_style(label_style.clone())
            .draw()
            .map_err(|e| e.to_string())?;
        for (i, s) in series.iter().enumerate() {
            let color = Palette99::pick(i);
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(s.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font(label_style)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
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
            {move || failure.get().map(|e| view! { <p class="up-error" role="alert">"The chart could not be drawn: " {e}</p> })}
        </figure>
    }
}
