//! The Reports, Billing, Record, Records and Budgets pages, the Usage page's chart, saved
//! views and comparison, the budget notice and German, as code loaded on demand.
//!
//! In the release build (`--cfg portal_split`, set by scripts/build-portal.sh) each of these
//! pages is a wasm file of its own, fetched the first time the page is shown: the Usage page,
//! where most visits start, loads about a fifth less code. scripts/post-build.sh splits the
//! module with `wasm-split-cli`.
//!
//! These are `wasm_split` points rather than Leptos' `#[lazy_route]`, because that one panics
//! when the fetch fails, and a panic stops the whole app. Here a failed fetch is an error on
//! the page, with a button to try again; nothing is remembered of a failed attempt.

use crate::api::ApiError;
use crate::components::budget_notice::BudgetNotice;
use crate::components::error_view::ErrorView;
use crate::components::saved_views::SavedViews;
use crate::components::usage_chart::{ChartPoint, UsageChart};
use crate::pages::billing::BillingPage;
use crate::pages::budgets::BudgetsPage;
use crate::pages::record::RecordPage;
use crate::pages::records::RecordsPage;
use crate::pages::reports::ReportsPage;
use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::wasm_split::{SplitLoaderError, wasm_split};
use std::future::Future;

#[wasm_split(reports_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn reports_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ReportsPage /> }.into_any())
}

#[wasm_split(billing_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn billing_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <BillingPage /> }.into_any())
}

#[wasm_split(budgets_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn budgets_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <BudgetsPage /> }.into_any())
}

#[wasm_split(record_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn record_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RecordPage /> }.into_any())
}

#[wasm_split(records_page, wasm_split_path = ::leptos::wasm_split, fallible)]
fn records_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <RecordsPage /> }.into_any())
}

// German: its words and the translator are fetched the first time the portal is shown in German.
#[wasm_split(lang_de, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn german(
    root: Box<web_sys::Element>,
) -> Result<Option<crate::i18n::Translator>, SplitLoaderError> {
    Ok(crate::i18n::start_german(&root))
}

// The comparison with an earlier period: its requests and the rules reading their answers
// (the earlier rows, moved onto this period's buckets) are fetched when a comparison is first
// asked for; most visits never ask.
#[wasm_split(comparison, wasm_split_path = ::leptos::wasm_split, fallible)]
fn comparison(
    args: Box<(crate::hooks::usage_data::ComparisonRequests, Option<Owner>)>,
) -> Result<(), SplitLoaderError> {
    let (requests, owner) = *args;
    // Under the page's owner: the requests' effects end with the page.
    match owner {
        Some(owner) => owner.with(|| crate::hooks::usage_data::start_comparison(requests)),
        None => crate::hooks::usage_data::start_comparison(requests),
    }
    Ok(())
}

/// Starts the comparison's requests ([`crate::hooks::usage_data::start_comparison`]) the first
/// time `requests.compare` asks for one (after the page's first table, as every part on it),
/// its code fetched then. If that code cannot be fetched, the rows say so (the one place the
/// page shows it), and the next change of what is compared tries again.
pub fn compare_on_demand(requests: crate::hooks::usage_data::ComparisonRequests) {
    use usage_portal_core::compare::Compare;
    let owner = Owner::current();
    // Taken while the page is built: after the fetch's await there may be no owner to ask.
    let client = use_context::<crate::api::ApiClient>();
    let after = use_context::<crate::hooks::first_table::AfterFirstTable>();
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if requests.compare.get() == Compare::None
            || started.get_value()
            || after.is_some_and(|first| !first.0.get())
        {
            return;
        }
        started.set_value(true);
        let (owner, client) = (owner.clone(), client.clone());
        leptos::task::spawn_local(async move {
            if comparison(Box::new((requests, owner))).await.is_err() {
                let e = unavailable("The comparison could not be loaded.");
                if let Some(client) = &client {
                    client.report(&e);
                }
                requests.totals.try_set(Some(Ok(None)));
                requests.rows.try_set(Some(Err(e)));
                started.try_set_value(false);
            }
        });
    });
}

/// What a CSV download does once its code is here: ask for the file and save it.
pub type Download = std::pin::Pin<Box<dyn Future<Output = Result<(), ApiError>>>>;

// "Download CSV": its request and the saving of the file are fetched at the first click.
#[wasm_split(csv_download, wasm_split_path = ::leptos::wasm_split, fallible)]
pub fn download_csv(
    args: Box<(crate::api::ApiClient, String, usage_api::usage::UsageQuery)>,
) -> Result<Download, SplitLoaderError> {
    let (client, realm, q) = *args;
    Ok(Box::pin(async move {
        crate::components::csv_download::fetch_and_save(&client, &realm, &q).await
    }))
}

#[wasm_split(biggest_changes, wasm_split_path = ::leptos::wasm_split, fallible)]
fn biggest_changes_view(
    args: Box<(
        Vec<usage_api::usage::UsageItem>,
        Vec<usage_api::usage::UsageItem>,
    )>,
) -> Result<AnyView, SplitLoaderError> {
    use crate::components::totals::BiggestChanges;
    let (now, before) = *args;
    let changes = usage_portal_core::compare::biggest_changes(&now, &before, 8);
    Ok(view! { <BiggestChanges changes /> }.into_any())
}

/// "Biggest changes" of `now` against `before`, its code fetched when first shown.
#[component]
pub fn LazyBiggestChanges(
    /// This period's rows.
    now: Vec<usage_api::usage::UsageItem>,
    /// The earlier period's rows.
    before: Vec<usage_api::usage::UsageItem>,
) -> impl IntoView {
    on_demand(
        "Loading the changes…",
        "The changes could not be loaded.",
        move || biggest_changes_view(Box::new((now.clone(), before.clone()))),
    )
}

/// The Usage page's [`FilterBar`](crate::components::filter_bar::FilterBar) props, carried
/// into its own wasm.
pub struct FilterBarArgs {
    query: Signal<usage_api::usage::UsageQuery>,
    today: chrono::NaiveDate,
    on_apply: Callback<usage_api::usage::UsageQuery>,
}

// The Usage page's filter bar (the form, its presets, the zone chooser, the draft's checks):
// the first table is drawn without it, so its code is fetched while that table is on its way
// and the bar appears when it has come.
#[wasm_split(filter_bar, wasm_split_path = ::leptos::wasm_split, fallible)]
fn filter_bar_view(args: Box<FilterBarArgs>) -> Result<AnyView, SplitLoaderError> {
    use crate::components::filter_bar::FilterBar;
    let FilterBarArgs {
        query,
        today,
        on_apply,
    } = *args;
    Ok(view! { <FilterBar query today on_apply /> }.into_any())
}

/// The Usage page's filter bar, its code fetched when the page is first shown; props as
/// [`FilterBar`](crate::components::filter_bar::FilterBar)'s, with its defaults for a page.
#[component]
pub fn LazyFilterBar(
    /// The query the page shows now (from the URL).
    #[prop(into)]
    query: Signal<usage_api::usage::UsageQuery>,
    /// Today (UTC), for the presets.
    today: chrono::NaiveDate,
    /// Called with a valid query to show.
    on_apply: Callback<usage_api::usage::UsageQuery>,
) -> impl IntoView {
    on_demand(
        "Loading the filters…",
        "The filters could not be loaded.",
        move || {
            filter_bar_view(Box::new(FilterBarArgs {
                query,
                today,
                on_apply,
            }))
        },
    )
}

/// The Usage page's [`UsageSummary`](crate::components::usage_summary::UsageSummary) props,
/// carried into its own wasm.
pub struct SummaryArgs {
    query: Memo<usage_api::usage::UsageQuery>,
    data: crate::hooks::usage_data::UsageData,
    comparison: crate::hooks::usage_data::Comparison,
    records_href: Callback<usage_api::usage::UsageItem, Option<String>>,
    on_open: Callback<String>,
}

// The totals per unit (and the chart's and the changes' places): drawn when their own
// request has answered, which the first table does not wait for, so their code is fetched
// beside that request.
#[wasm_split(usage_summary, wasm_split_path = ::leptos::wasm_split, fallible)]
fn summary_view(args: Box<SummaryArgs>) -> Result<AnyView, SplitLoaderError> {
    use crate::components::usage_summary::UsageSummary;
    let SummaryArgs {
        query,
        data,
        comparison,
        records_href,
        on_open,
    } = *args;
    Ok(view! { <UsageSummary query data comparison records_href on_open /> }.into_any())
}

/// The Usage page's totals and chart, their code fetched when the page is first shown; props
/// as [`UsageSummary`](crate::components::usage_summary::UsageSummary)'s.
#[component]
pub fn LazyUsageSummary(
    /// The query shown.
    query: Memo<usage_api::usage::UsageQuery>,
    /// Its figures.
    data: crate::hooks::usage_data::UsageData,
    /// The earlier period, if compared.
    comparison: crate::hooks::usage_data::Comparison,
    /// The address of the records behind a chart value, if they can be listed.
    records_href: Callback<usage_api::usage::UsageItem, Option<String>>,
    /// Goes to an address of `records_href`.
    on_open: Callback<String>,
) -> impl IntoView {
    on_demand(
        "Loading totals…",
        "The totals could not be loaded.",
        move || {
            summary_view(Box::new(SummaryArgs {
                query,
                data,
                comparison,
                records_href,
                on_open,
            }))
        },
    )
}

/// [`MoreFilters`](crate::components::more_filters::MoreFilters)' props, carried into its
/// own wasm.
pub struct MoreFiltersArgs {
    draft: RwSignal<crate::state::Draft>,
    errors: RwSignal<Vec<usage_api::FieldError>>,
    fields: RwSignal<Vec<usage_api::usage::UsageField>>,
    paged: bool,
    lists_changed: Callback<()>,
    apply: Callback<()>,
}

// The filter bar's "More filters": opened by few visits, so its fields' code is fetched when
// it is first opened.
#[wasm_split(more_filters, wasm_split_path = ::leptos::wasm_split, fallible)]
fn more_filters_view(args: Box<MoreFiltersArgs>) -> Result<AnyView, SplitLoaderError> {
    use crate::components::more_filters::MoreFilters;
    let MoreFiltersArgs {
        draft,
        errors,
        fields,
        paged,
        lists_changed,
        apply,
    } = *args;
    Ok(view! { <MoreFilters draft errors fields paged lists_changed apply /> }.into_any())
}

/// The filter bar's "More filters", its code fetched when first opened; props as
/// [`MoreFilters`](crate::components::more_filters::MoreFilters)'.
#[component]
pub fn LazyMoreFilters(
    /// The filter bar's form.
    draft: RwSignal<crate::state::Draft>,
    /// The problems to show at their fields.
    errors: RwSignal<Vec<usage_api::FieldError>>,
    /// The columns chosen.
    fields: RwSignal<Vec<usage_api::usage::UsageField>>,
    /// Whether the query is paged.
    paged: bool,
    /// Called after the columns changed.
    lists_changed: Callback<()>,
    /// Applies the draft, when the bar applies at once.
    apply: Callback<()>,
) -> impl IntoView {
    on_demand(
        "Loading the filters…",
        "The filters could not be loaded.",
        move || {
            more_filters_view(Box::new(MoreFiltersArgs {
                draft,
                errors,
                fields,
                paged,
                lists_changed,
                apply,
            }))
        },
    )
}

/// The chart's props, carried into its own wasm (boxed: a split function's arguments cross
/// an `extern "C"` boundary).
#[derive(Clone)]
pub struct ChartArgs {
    points: Vec<ChartPoint>,
    detail: usage_api::usage::DetailLevel,
    zone: Option<String>,
    filling_from: Option<i64>,
    earlier: Option<Vec<ChartPoint>>,
    earlier_label: Option<String>,
    records_href: Option<Callback<usage_api::usage::UsageItem, Option<String>>>,
    on_open: Option<Callback<String>>,
}

// The chart (plotters, its canvas backend, the drawing, keyboard reading and table) is drawn
// after the first table anyway: its code need not be in the first load.
#[wasm_split(usage_chart, wasm_split_path = ::leptos::wasm_split, fallible)]
fn chart_view(args: Box<ChartArgs>) -> Result<AnyView, SplitLoaderError> {
    let a = *args;
    Ok(view! {
        <UsageChart points=a.points detail=a.detail zone=a.zone.unwrap_or_else(|| "UTC".to_owned()) filling_from=a.filling_from
            earlier=a.earlier earlier_label=a.earlier_label records_href=a.records_href on_open=a.on_open />
    }
    .into_any())
}

/// The usage chart, its code fetched when it is first drawn; props as
/// [`UsageChart`](crate::components::usage_chart::UsageChart)'s.
#[component]
pub fn LazyUsageChart(
    /// The values to chart.
    points: Vec<ChartPoint>,
    /// The detail level of the values.
    detail: usage_api::usage::DetailLevel,
    /// The IANA zone the buckets are in; `UTC` when not given.
    #[prop(optional, into)]
    zone: Option<String>,
    /// The start of the first bucket still filling, as an instant.
    #[prop(default = None)]
    filling_from: Option<i64>,
    /// The compared period's values, moved onto this period's buckets.
    #[prop(default = None)]
    earlier: Option<Vec<ChartPoint>>,
    /// The compared period in words, for the legend.
    #[prop(default = None)]
    earlier_label: Option<String>,
    /// The address of the records behind a value, if they can be listed.
    #[prop(default = None)]
    records_href: Option<Callback<usage_api::usage::UsageItem, Option<String>>>,
    /// Goes to an address of `records_href`.
    #[prop(default = None)]
    on_open: Option<Callback<String>>,
) -> impl IntoView {
    let args = ChartArgs {
        points,
        detail,
        zone,
        filling_from,
        earlier,
        earlier_label,
        records_href,
        on_open,
    };
    on_demand(
        "Loading the chart…",
        "The chart could not be loaded.",
        move || chart_view(Box::new(args.clone())),
    )
}

// The saved views menu: opened by few visits, so its code (forms, the list, the view rules) is
// fetched when the menu is first opened.
#[wasm_split(saved_views, wasm_split_path = ::leptos::wasm_split, fallible)]
fn saved_views_view(
    query: Box<Signal<usage_api::usage::UsageQuery>>,
) -> Result<AnyView, SplitLoaderError> {
    let query = *query;
    Ok(view! { <SavedViews query /> }.into_any())
}

/// The Usage page's saved views, their code fetched when the menu is first opened; props as
/// [`SavedViews`]'.
#[component]
pub fn LazySavedViews(
    /// What the Usage page shows now.
    #[prop(into)]
    query: Signal<usage_api::usage::UsageQuery>,
) -> impl IntoView {
    on_demand(
        "Loading the saved views…",
        "The saved views could not be loaded.",
        move || saved_views_view(Box::new(query)),
    )
}

#[wasm_split(budget_notice, wasm_split_path = ::leptos::wasm_split, fallible)]
fn budget_notice_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <BudgetNotice /> }.into_any())
}

/// The budget notice, its code fetched when it is shown; nothing at all when the fetch fails
/// (the notice is not what the user came for).
#[component]
pub fn LazyBudgetNotice() -> impl IntoView {
    let shown = RwSignal::new(false);
    let notice = StoredValue::new_local(None::<AnyView>);
    Effect::new(move |_| {
        let fetched = ScopedFuture::new_untracked(budget_notice_view());
        leptos::task::spawn_local(async move {
            if let Ok(view) = fetched.await {
                notice.try_set_value(Some(view));
                shown.try_set(true);
            }
        });
    });
    move || {
        shown
            .get()
            .then(|| notice.try_update_value(Option::take).flatten())
            .flatten()
    }
}

/// "Records behind this number", its code fetched when it is first shown.
#[component]
pub fn LazyRecordsPage() -> impl IntoView {
    on_demand(PAGE_LOADING, PAGE_UNAVAILABLE, records_view)
}

/// The Reports page, its code fetched when it is first shown.
#[component]
pub fn LazyReportsPage() -> impl IntoView {
    on_demand(PAGE_LOADING, PAGE_UNAVAILABLE, reports_view)
}

/// The Billing page, its code fetched when it is first shown.
#[component]
pub fn LazyBillingPage() -> impl IntoView {
    on_demand(PAGE_LOADING, PAGE_UNAVAILABLE, billing_view)
}

/// The Budgets page, its code fetched when it is first shown.
#[component]
pub fn LazyBudgetsPage() -> impl IntoView {
    on_demand(PAGE_LOADING, PAGE_UNAVAILABLE, budgets_view)
}

/// The Record usage page, its code fetched when it is first shown.
#[component]
pub fn LazyRecordPage() -> impl IntoView {
    on_demand(PAGE_LOADING, PAGE_UNAVAILABLE, record_view)
}

const PAGE_LOADING: &str = "Loading the page…";
const PAGE_UNAVAILABLE: &str = "This page could not be loaded.";

/// The error shown when code loaded on demand could not be fetched.
pub fn unavailable(what: &'static str) -> ApiError {
    ApiError::local(
        what,
        "Check the connection, then try again.".to_owned(),
        None,
    )
}

/// What a split point's fetch resolves to, boxed so that every page shares one
/// [`on_demand_view`] (generic, it was one copy of about 3 KB of wasm per page).
type Fetched = std::pin::Pin<Box<dyn Future<Output = Result<AnyView, SplitLoaderError>>>>;

/// Shows the page `load` resolves to; says so in words when its code cannot be fetched.
fn on_demand<F>(
    loading: &'static str,
    failed: &'static str,
    load: impl Fn() -> F + 'static,
) -> AnyView
where
    F: Future<Output = Result<AnyView, SplitLoaderError>> + 'static,
{
    on_demand_view(loading, failed, Box::new(move || Box::pin(load())))
}

/// A signal set when the code has arrived, not `<Suspense>`: this runs in the first load's
/// wasm, where Suspense and its boundary would cost about 3 KB (brotli) for one use.
fn on_demand_view(
    loading: &'static str,
    failed: &'static str,
    load: Box<dyn Fn() -> Fetched>,
) -> AnyView {
    let after = use_context::<crate::hooks::first_table::AfterFirstTable>();
    let attempt = RwSignal::new(0_u32);
    // None while loading, then whether the page came.
    let arrived = RwSignal::new(None::<bool>);
    let page = StoredValue::new_local(None::<AnyView>);
    // Taken while the component runs: after the fetch's await there may be no owner to ask.
    let client = use_context::<crate::api::ApiClient>();
    Effect::new(move |_| {
        attempt.track();
        if after.is_some_and(|first| !first.0.get()) {
            return;
        }
        arrived.set(None);
        let client = client.clone();
        // The page's component runs inside the fetch's future, under this effect's owner, so
        // it finds the router and the client in context and is cleaned up with this view.
        let fetched = ScopedFuture::new_untracked(load());
        leptos::task::spawn_local(async move {
            match fetched.await {
                Ok(view) => {
                    page.try_set_value(Some(view));
                    arrived.try_set(Some(true));
                }
                Err(_) => {
                    if let Some(client) = &client {
                        client.report(&unavailable(failed));
                    }
                    arrived.try_set(Some(false));
                }
            }
        });
    });
    (move || match arrived.get() {
        None => view! { <p class="up-status" role="status">{loading}</p> }.into_any(),
        Some(true) => page
            .try_update_value(Option::take)
            .flatten()
            .unwrap_or_else(|| ().into_any()),
        Some(false) => view! {
            <ErrorView error=unavailable(failed) />
            <button type="button" class="up-button" on:click=move |_| attempt.update(|n| *n += 1)>
                "Try again"
            </button>
        }
        .into_any(),
    })
    .into_any()
}
