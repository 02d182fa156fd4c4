//! A budget's month so far: a bar of what is used, a marker at the forecast and a mark at each
//! alert level, and its state in words beside its colour.

use crate::format;
use leptos::prelude::*;
use usage_api::budgets::{Budget, BudgetState};
use usage_portal_core::budgets::{bar, state_words};

/// The state of a budget, in words and colour (and a sign), never in colour alone.
#[component]
pub fn BudgetStateBadge(
    /// The state.
    state: BudgetState,
) -> impl IntoView {
    let sign = match state {
        BudgetState::Ok => "✓",
        BudgetState::Warning => "!",
        BudgetState::Exceeded => "✕",
    };
    view! {
        <span class=format!("up-budget-state up-budget-{}", state.as_str())>
            <span aria-hidden="true">{sign}" "</span>{state_words(state)}
        </span>
    }
}

/// The progress bar of budget `budget`, drawn as SVG (no style attributes: the portal's
/// Content-Security-Policy allows none), with its figures in words for screen readers and
/// under the bar.
#[component]
pub fn BudgetBar(
    /// The budget.
    budget: Budget,
) -> impl IntoView {
    let g = bar(&budget);
    let pct = |tenths_of_bar: u32| tenths_of_bar as f64 * g.scale as f64 / 1000.0;
    let levels = budget
        .alert_at
        .iter()
        .map(|l| format!("{l} %"))
        .collect::<Vec<_>>()
        .join(", ");
    let forecast_words = g
        .forecast
        .map(|f| format!("; forecast for the month {} %", format::one_decimal(pct(f))))
        .unwrap_or_default();
    let words = format!(
        "{} % used{forecast_words}; alerts at {levels}",
        format::one_decimal(budget.percent)
    );
    let state = budget.state.as_str();
    let marks = g
        .marks
        .iter()
        .map(|(level, x)| {
            let x = x.to_string();
            view! {
                <line class="up-bar-mark" x1=x.clone() x2=x y1="0" y2="24" vector-effect="non-scaling-stroke">
                    <title>{format!("Alert at {level} %")}</title>
                </line>
            }
        })
        .collect_view();
    let forecast = g.forecast.map(|f| {
        let x = f.to_string();
        view! {
            <line class="up-bar-forecast" x1=x.clone() x2=x y1="2" y2="22" vector-effect="non-scaling-stroke" />
        }
    });
    view! {
        <div class="up-budget-progress">
            <svg class="up-budget-bar" viewBox="0 0 1000 24" preserveAspectRatio="none" width="100%" height="24"
                role="img" aria-label=words.clone()>
                <rect class="up-bar-track" x="0" y="6" width="1000" height="12" />
                <rect class=format!("up-bar-used up-bar-{state}") x="0" y="6" width=g.used.to_string() height="12" />
                {marks}
                {forecast}
            </svg>
            <span class="up-budget-words" aria-hidden="true">{words}</span>
        </div>
    }
}
