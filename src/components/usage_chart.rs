//! A chart of usage drawn with plotters on a canvas: a time series per charge item for hour,
//! day and month detail, bars by charge item when summarized. One unit at a time, since
//! transactions and gigabytes share no axis.

use crate::components::canvas_backend::CanvasBackend;
use crate::format;
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::prelude::*;
use usage_api::usage::DetailLevel;

use usage_api::usage::UsageItem;
pub use usage_portal_core::chart::{
    BudgetLine, COLORS, ChartPoint, MAX_SERIES, Move, Series, buckets, budget_lines, drill_item,
    nice_ticks, series_for, series_like, step, units, value_at,
};

/// Where the plot area lies on the canvas (pixels) and what it spans, to find the value a
/// click is on.
#[derive(Clone, Copy, Debug, Default)]
struct Plot {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    x_min: f64,
    x_max: f64,
    y_max: f64,
}

/// The chart's colours, from the theme the canvas is shown in (the stylesheet's private
/// custom properties, which a host's own `--up-color-*` and the dark theme set).
struct Palette {
    bg: RGBColor,
    fg: RGBColor,
    muted: RGBColor,
    grid: RGBColor,
    series: [RGBColor; 9],
}

impl Palette {
    fn of(canvas: &web_sys::HtmlCanvasElement) -> Self {
        let style = web_sys::window().and_then(|w| w.get_computed_style(canvas).ok().flatten());
        let read = |name: &str, default: (u8, u8, u8)| {
            let (r, g, b) = style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .and_then(|v| usage_portal_core::chart::parse_css_color(&v))
                .unwrap_or(default);
            RGBColor(r, g, b)
        };
        let bg = read("--_up-color-bg", (255, 255, 255));
        Self {
            fg: read("--_up-color-fg", (17, 24, 39)),
            muted: read("--_up-color-muted", (59, 68, 86)),
            grid: read("--_up-color-border", (225, 229, 236)),
            // The legend's swatches use the same properties.
            series: std::array::from_fn(|i| read(&format!("--_up-series-{i}"), COLORS[i])),
            bg,
        }
    }

    fn color(&self, i: usize) -> RGBColor {
        self.series[i % self.series.len()]
    }

    fn css(c: RGBColor) -> String {
        format!("rgb({}, {}, {})", c.0, c.1, c.2)
    }
}

// Text is drawn with the canvas's own fillText, not through plotters: plotters measures text
// with a styled <span>, which a strict Content-Security-Policy (style-src 'self') forbids.
#[allow(clippy::too_many_arguments)]
fn draw(
    canvas: web_sys::HtmlCanvasElement,
    series: &[Series],
    earlier: &[Series],
    unit: &str,
    detail: DetailLevel,
    zone: &str,
    focus: Option<(usize, usize)>,
    filling_from: Option<i64>,
    budgets: &[BudgetLine],
) -> Result<Plot, String> {
    use wasm_bindgen::JsCast;
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas cannot be drawn on")?;
    let palette = Palette::of(&canvas);
    let color = |i: usize| palette.color(i);
    let root = CanvasBackend::new(canvas, ctx.clone()).into_drawing_area();
    root.fill(&palette.bg).map_err(|e| e.to_string())?;
    let summarized = detail == DetailLevel::Summarized;
    let y_peak = series
        .iter()
        .chain(earlier)
        .flat_map(|s| {
            // A summarized bar is the series' sum.
            let sum = s.points.iter().map(|(_, v)| *v).sum::<f64>();
            s.points
                .iter()
                .map(|(_, v)| *v)
                .chain(summarized.then_some(sum))
        })
        .chain(budgets.iter().map(|b| b.threshold))
        .fold(0.0_f64, f64::max)
        .max(1e-3);
    let y_ticks = nice_ticks(y_peak, 5);
    let y_max = y_ticks.last().copied().unwrap_or(y_peak).max(y_peak);
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
    let grid = palette.grid;
    let axis = palette.muted;
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
            .map(|x| (x, format::bucket_short(x as i64, detail, zone)))
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
        // The earlier period: an outlined bar's top, dashed, across each bar.
        for (i, s) in earlier.iter().enumerate() {
            let v = s.points.iter().map(|(_, v)| v).sum::<f64>();
            chart
                .draw_series(DashedLineSeries::new(
                    [(i as f64 - 0.45, v), (i as f64 + 0.45, v)],
                    6,
                    4,
                    palette.fg.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
    } else {
        // The earlier period first, dashed, so the current lines stay on top.
        for (i, s) in earlier.iter().enumerate() {
            chart
                .draw_series(DashedLineSeries::new(
                    s.points.iter().map(|(t, v)| (*t as f64, *v)),
                    6,
                    4,
                    color(i).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        for (i, s) in series.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|(t, v)| (*t as f64, *v)),
                    color(i).stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
            // A bucket still filling: a hollow point, as the legend says.
            if let Some(from) = filling_from {
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .filter(|(t, _)| *t >= from)
                            .map(|(t, v)| Circle::new((*t as f64, *v), 5, palette.bg.filled())),
                    )
                    .map_err(|e| e.to_string())?;
                chart
                    .draw_series(
                        s.points.iter().filter(|(t, _)| *t >= from).map(|(t, v)| {
                            Circle::new((*t as f64, *v), 5, color(i).stroke_width(2))
                        }),
                    )
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    // The value the keyboard is on: a ring around it (a bar's top when summarized).
    let xs = buckets(series);
    if let Some((si, bi)) = focus
        && let Some(s) = series.get(si)
    {
        let at = if summarized {
            Some((si as f64, s.points.iter().map(|(_, v)| v).sum::<f64>()))
        } else {
            xs.get(bi)
                .and_then(|x| value_at(s, *x).map(|v| (*x as f64, v)))
        };
        if let Some(p) = at {
            chart
                .draw_series(std::iter::once(Circle::new(
                    p,
                    7,
                    palette.fg.stroke_width(3),
                )))
                .map_err(|e| e.to_string())?;
        }
    }
    // Budgets: a solid line across at each threshold, named at its right end.
    for b in budgets {
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x_min, b.threshold), (x_max, b.threshold)],
                palette.fg.stroke_width(2),
            )))
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())?;
    ctx.set_font("13px sans-serif");
    ctx.set_fill_style_str(&Palette::css(palette.fg));
    ctx.set_text_align("right");
    ctx.set_text_baseline("bottom");
    for b in budgets {
        let (px, py) = chart.backend_coord(&(x_max, b.threshold));
        let _ = ctx.fill_text(
            &format!("Budget {}", b.name),
            f64::from(px),
            f64::from(py - 3),
        );
    }

    ctx.set_font("13px sans-serif");
    ctx.set_fill_style_str(&Palette::css(palette.muted));
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
    let (left, top) = chart.backend_coord(&(x_min, y_max));
    let (right, bottom) = chart.backend_coord(&(x_max, 0.0));
    Ok(Plot {
        left: f64::from(left),
        right: f64::from(right),
        top: f64::from(top),
        bottom: f64::from(bottom),
        x_min,
        x_max,
        y_max,
    })
}

/// The value nearest a click at canvas pixel `(px, py)`: the bucket nearest in x, then the
/// series whose value there is nearest in y (the bar under it when summarized).
fn nearest(
    plot: &Plot,
    series: &[Series],
    summarized: bool,
    px: f64,
    py: f64,
) -> Option<(usize, usize)> {
    if series.is_empty() || plot.right <= plot.left || plot.bottom <= plot.top {
        return None;
    }
    let x = plot.x_min + (px - plot.left) / (plot.right - plot.left) * (plot.x_max - plot.x_min);
    if summarized {
        let i = x.round().clamp(0.0, (series.len() - 1) as f64) as usize;
        return Some((i, 0));
    }
    let xs = buckets(series);
    let (bi, bx) = xs
        .iter()
        .enumerate()
        .min_by(|a, b| (*a.1 as f64 - x).abs().total_cmp(&(*b.1 as f64 - x).abs()))?;
    let y = (plot.bottom - py) / (plot.bottom - plot.top) * plot.y_max;
    let si = series
        .iter()
        .enumerate()
        .filter_map(|(i, s)| value_at(s, *bx).map(|v| (i, (v - y).abs())))
        .min_by(|a, b| a.1.total_cmp(&b.1))?
        .0;
    Some((si, bi))
}

/// The chart, with a unit picker when the result has several units.
#[component]
pub fn UsageChart(
    /// The values to chart.
    points: Vec<ChartPoint>,
    /// The detail level of the values.
    detail: DetailLevel,
    /// The IANA zone the buckets are in; `UTC` when not given.
    #[prop(optional, into)]
    zone: Option<String>,
    /// The start of the first bucket still filling (its end is after now), as an instant;
    /// from there on points are drawn hollow, and the legend says why. None: every bucket is
    /// complete.
    #[prop(default = None)]
    filling_from: Option<i64>,
    /// The compared period's values, already moved onto this period's buckets; drawn dashed,
    /// one line per series. None: nothing is compared.
    #[prop(default = None)]
    earlier: Option<Vec<ChartPoint>>,
    /// The compared period in words, for the legend.
    #[prop(default = None)]
    earlier_label: Option<String>,
    /// The address of the records behind a value (a usage row), if they can be listed: a
    /// click on a value, or Enter on the focused one, opens it.
    #[prop(default = None)]
    records_href: Option<Callback<UsageItem, Option<String>>>,
    /// Goes to an address of `records_href` (the page's navigation; the chart asks for no
    /// router context, as its code may arrive after the page has gone).
    #[prop(default = None)]
    on_open: Option<Callback<String>>,
) -> impl IntoView {
    let zone = StoredValue::new(zone.unwrap_or_else(|| "UTC".to_owned()));
    let compared = earlier.is_some();
    let earlier = StoredValue::new(earlier.unwrap_or_default());
    let plot = StoredValue::new(None::<Plot>);
    let units = units(&points);
    let unit = RwSignal::new(units.first().cloned().unwrap_or_default());
    let canvas = NodeRef::<Canvas>::new();
    let failure = RwSignal::new(None::<String>);
    let points = StoredValue::new(points);
    // The value the keyboard is on (series, bucket), and whether the figures show as a table.
    let focus = RwSignal::new(None::<(usize, usize)>);
    let as_table = RwSignal::new(false);
    // The realm's budgets, for a chart by month only (where a budget's threshold can be read
    // against the figures). Not there (no API in context, a failed read): no lines.
    let api = use_context::<crate::api::ApiClient>().zip(use_context::<crate::config::Realm>());
    let budgets = LocalResource::new(move || {
        let api = api.clone();
        async move {
            match api {
                Some((client, crate::config::Realm(realm))) if detail == DetailLevel::Month => {
                    crate::api::budgets::list_budgets(&client, &realm)
                        .await
                        .map(|l| l.items)
                        .unwrap_or_default()
                }
                _ => Vec::new(),
            }
        }
    });
    let lines = move || {
        let u = unit.get();
        budgets
            .get()
            .map(|b| budget_lines(&b, &u, detail))
            .unwrap_or_default()
    };
    Effect::new(move |_| {
        let u = unit.get();
        let focus = focus.get();
        let lines = lines();
        if let Some(c) = canvas.get() {
            // Drawn after the next frame is painted: the first canvas text alone costs the
            // browser ~10 ms (it looks up the font), which would delay the table's first paint
            // when both answers arrive together.
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        if let Some(series) = points.try_with_value(|p| series_for(p, &u)) {
                            let before = earlier.with_value(|e| series_like(e, &u, &series));
                            let drawn = zone.with_value(|z| {
                                draw(
                                    c,
                                    &series,
                                    &before,
                                    &u,
                                    detail,
                                    z,
                                    focus,
                                    filling_from,
                                    &lines,
                                )
                            });
                            plot.try_set_value(drawn.as_ref().ok().copied());
                            failure.try_set(drawn.err());
                        }
                    },
                    std::time::Duration::ZERO,
                );
            });
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
        // The names in quotes: a translation finds the sentence around them.
        if detail == DetailLevel::Summarized {
            format!("Bar chart of usage in “{u}” by charge item: “{names}”.")
        } else {
            format!(
                "Line chart of usage in “{u}” over time (“{}”), one line per charge item: “{names}”.",
                zone.with_value(|z| format::zone_name(z))
            )
        }
    };
    // What the focused value says, for a screen reader (aria-live) and as a caption.
    let label_of = move |x: i64| {
        if detail == DetailLevel::Summarized {
            String::new()
        } else {
            zone.with_value(|z| format::bucket_short(x, detail, z))
        }
    };
    let announce = move || {
        let (si, bi) = focus.get()?;
        let u = unit.get();
        let series = points.with_value(|p| series_for(p, &u));
        let s = series.get(si)?;
        if detail == DetailLevel::Summarized {
            let v: f64 = s.points.iter().map(|(_, v)| v).sum();
            return Some(format!("{}: {} {u}", s.name, format::decimal(v)));
        }
        let x = *buckets(&series).get(bi)?;
        let v = value_at(s, x).unwrap_or(0.0);
        let before = compared.then(|| {
            let e = earlier.with_value(|e| series_like(e, &u, &series));
            let b = e.get(si).and_then(|e| value_at(e, x)).unwrap_or(0.0);
            format!("; earlier period: {} {u}", format::decimal(b))
        });
        Some(format!(
            "{}, {}: {} {u}{}",
            s.name,
            label_of(x),
            format::decimal(v),
            before.unwrap_or_default()
        ))
    };
    // The usage row behind the focused value, and the address of its records.
    let focused_href = move || {
        let href = records_href?;
        let (si, bi) = focus.get()?;
        let u = unit.get();
        let series = points.with_value(|p| series_for(p, &u));
        let s = series.get(si)?;
        let x = if detail == DetailLevel::Summarized {
            None
        } else {
            Some(*buckets(&series).get(bi)?)
        };
        let folded = series.len() > MAX_SERIES && si == MAX_SERIES;
        let item = points.with_value(|p| drill_item(p, &u, &s.name, x, folded))?;
        href.run(item)
    };
    let open = move || {
        if let (Some(url), Some(go)) = (focused_href(), on_open) {
            // After the event: navigating disposes this chart, and with it the handler that
            // is still running.
            set_timeout(move || go.run(url), std::time::Duration::ZERO);
        }
    };
    let on_click = {
        move |ev: leptos::ev::MouseEvent| {
            let (Some(c), Some(p)) = (canvas.get_untracked(), plot.get_value()) else {
                return;
            };
            // The canvas is scaled by CSS; its drawing is in its own pixels.
            let scale = f64::from(c.width()) / f64::from(c.client_width().max(1));
            let (px, py) = (
                f64::from(ev.offset_x()) * scale,
                f64::from(ev.offset_y()) * scale,
            );
            let u = unit.get_untracked();
            let series = points.with_value(|pts| series_for(pts, &u));
            if let Some(at) = nearest(&p, &series, detail == DetailLevel::Summarized, px, py) {
                focus.set(Some(at));
                open();
            }
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && focus.get_untracked().is_some() {
            ev.prevent_default();
            open();
            return;
        }
        let Some(m) = Move::of_key(&ev.key()) else {
            return;
        };
        ev.prevent_default();
        let u = unit.get_untracked();
        let series = points.with_value(|p| series_for(p, &u));
        let n_buckets = if detail == DetailLevel::Summarized {
            1
        } else {
            buckets(&series).len()
        };
        // Summarized bars are the series themselves: left and right walk them.
        let m = match (detail, m) {
            (DetailLevel::Summarized, Move::Prev) => Move::PrevSeries,
            (DetailLevel::Summarized, Move::Next) => Move::NextSeries,
            (_, m) => m,
        };
        focus.update(|f| *f = step(*f, m, series.len(), n_buckets));
    };
    let table = move || {
        as_table.get().then(|| {
            let u = unit.get();
            let series = points.with_value(|p| series_for(p, &u));
            let xs = if detail == DetailLevel::Summarized { vec![0] } else { buckets(&series) };
            let head = series
                .iter()
                .map(|s| view! { <th scope="col" class="num">{s.name.clone()}</th> })
                .collect_view();
            let rows = xs
                .iter()
                .map(|x| {
                    let cells = series
                        .iter()
                        .map(|s| {
                            let v = if detail == DetailLevel::Summarized {
                                s.points.iter().map(|(_, v)| v).sum::<f64>()
                            } else {
                                value_at(s, *x).unwrap_or(0.0)
                            };
                            view! { <td class="num">{format::decimal(v)}</td> }
                        })
                        .collect_view();
                    let label = if detail == DetailLevel::Summarized { "Whole range".to_owned() } else { label_of(*x) };
                    view! { <tr><th scope="row">{label}</th>{cells}</tr> }
                })
                .collect_view();
            view! {
                <div class="up-table-wrap" tabindex="0" role="region" aria-label="The chart's figures">
                    <table class="up-table up-chart-table">
                        <caption>{format!("The chart's figures, in {u}")}</caption>
                        <thead><tr><th scope="col">"Time"</th>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
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
            <div class="up-chart-canvas" tabindex="0" role="group" aria-roledescription="chart"
                aria-label=description aria-describedby="up-chart-keys"
                on:keydown=on_key on:click=on_click>
                <canvas node_ref=canvas width="960" height="360" aria-hidden="true"></canvas>
            </div>
            <p id="up-chart-keys" class="up-visually-hidden">
                {if records_href.is_some() { "Arrow keys read the values; Enter opens the records behind one." } else { "Arrow keys read the values." }}
            </p>
            <p class="up-chart-focus" aria-live="polite">{announce}</p>
            {move || focus.get().and(records_href).map(|_| match focused_href() {
                Some(url) => view! { <a class="up-chart-records" href=url>"Records behind this value"</a> }.into_any(),
                None => view! { <span class="up-chart-records up-field-hint">"This value is not one subscription's: open the records from the table's rows."</span> }.into_any(),
            })}
            <figcaption class="up-visually-hidden">{description}</figcaption>
            <button type="button" class="up-button up-button-subtle" aria-pressed=move || as_table.get().to_string()
                on:click=move |_| as_table.update(|t| *t = !*t)>"Show as table"</button>
            {table}
            <ul class="up-legend" aria-hidden="true">
                {move || {
                    let u = unit.get();
                    points.with_value(|p| series_for(p, &u)).into_iter().enumerate().map(|(i, s)| {
                        view! { <li><span class=format!("up-swatch up-swatch-{}", i % COLORS.len())></span>{s.name}</li> }
                    }).collect_view()
                }}
                {filling_from.map(|_| view! { <li class="up-legend-filling"><span class="up-hollow"></span>"Still filling"</li> })}
                {move || lines().into_iter().map(|b| view! {
                    <li class="up-legend-budget"><span class="up-budget-mark"></span>{format!("Budget {}: {} a month", b.name, format::decimal(b.threshold))}</li>
                }).collect_view()}
                {compared.then(|| view! { <li class="up-legend-earlier"><span class="up-dashed"></span>{format!("Dashed: {}", earlier_label.clone().unwrap_or_else(|| "the earlier period".to_owned()))}</li> })}
            </ul>
            {filling_from.map(|_| view! {
                <p class="up-visually-hidden">"Hollow points are buckets still filling: their figures may still grow."</p>
            })}
            {move || {
                let u = unit.get();
                let said = lines()
                    .into_iter()
                    .map(|b| format!("budget {} at {} {u} a month", b.name, format::decimal(b.threshold)))
                    .collect::<Vec<_>>();
                (!said.is_empty()).then(|| view! {
                    <p class="up-visually-hidden">{format!("Solid lines across are the realm's budgets: {}.", said.join(", "))}</p>
                })
            }}
            {compared.then(|| view! {
                <p class="up-visually-hidden">{format!("Dashed lines are {}, bucket by bucket.", earlier_label.clone().unwrap_or_else(|| "the earlier period".to_owned()))}</p>
            })}
            {move || failure.get().map(|e| view! { <p class="up-error" role="alert">"The chart could not be drawn: " {e}</p> })}
        </figure>
    }
}
