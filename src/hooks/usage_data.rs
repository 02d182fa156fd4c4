//! What the Usage page reads: the page of rows, the totals and the chart's values for a query,
//! refreshed while the range includes now, and the earlier period when one is compared.

use crate::api::usage::{all_items, usage_csv, usage_page};
use crate::api::{ApiClient, ApiError};
use crate::config::Realm;
use crate::hooks::abortable::{
    AbortableOptions, use_abortable_resource, use_abortable_resource_with_options,
};
use leptos::prelude::*;
use std::rc::Rc;
use usage_api::usage::{DetailLevel, UsageItem, UsagePage, UsageQuery};
use usage_portal_core::chart::ChartPoint;
use usage_portal_core::compare::{
    Compare, Earlier, earlier_csv_query, earlier_points, earlier_query,
};
use usage_portal_core::totals::{UnitTotal, totals_by_unit};
use usage_portal_core::usage_view::{
    chart_points, chart_points_of, chart_query, parse_csv, totals_query,
};

/// An answer of the API: `None` until the first one arrives.
pub type Answer<T> = ReadSignal<Option<Result<T, ApiError>>, LocalStorage>;

/// The earlier period's rows (against which each row is compared) and its chart values, moved
/// onto this period's buckets; from one CSV.
pub type EarlierRows = Rc<(Earlier, Vec<ChartPoint>)>;

/// True when `q`'s range includes now, by the browser's clock in `q`'s zone.
pub fn includes_now(q: &UsageQuery) -> bool {
    let now = (js_sys::Date::now() / 1000.0) as i64;
    crate::format::local_of(now, q.time_zone.name())
        .is_some_and(|n| q.start.naive() <= n && n < q.end.naive())
}

/// The figures of [`use_usage_data`].
#[derive(Clone, Copy)]
pub struct UsageData {
    /// The page of rows.
    pub page: Answer<UsagePage>,
    /// When the page was read: kept apart from the page, so that a refresh that changes only
    /// this redraws only the line that says it.
    pub as_of: RwSignal<Option<usage_api::Timestamp>>,
    /// Whether the figures refresh by themselves (the user's switch, on at first).
    pub live: RwSignal<bool>,
    /// The query without its page number, which the totals and the chart follow.
    pub unpaged: Memo<UsageQuery>,
    /// When the figures refresh ([`use_summary_data`] follows it too).
    pub refresh: AbortableOptions,
}

/// The totals and the chart's values of [`use_summary_data`].
#[derive(Clone, Copy)]
pub struct SummaryData {
    /// The totals per unit, and the rows they were summed from.
    pub totals: Answer<(Vec<UnitTotal>, Vec<UsageItem>)>,
    /// The chart's values, and their detail level.
    pub chart: Answer<(Vec<ChartPoint>, DetailLevel)>,
}

/// The page of rows for `query`, and when the figures refresh.
///
/// While the range includes now, the page (and [`use_summary_data`]'s figures) refresh every
/// 30 s while the tab is visible and `live` is on; an unchanged answer draws nothing again.
pub fn use_usage_data(query: Memo<UsageQuery>, unpaged: Memo<UsageQuery>) -> UsageData {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let live = RwSignal::new(true);
    let tick = RwSignal::new(0_u64);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let visible = !document().hidden();
            if visible && live.get_untracked() && query.with_untracked(includes_now) {
                tick.update(|t| *t += 1);
            }
        },
        std::time::Duration::from_secs(usage_portal_core::freshness::LIVE_REFRESH_SECS),
    ) {
        on_cleanup(move || handle.clear());
    }
    let refresh = AbortableOptions {
        refresh: Some(tick.into()),
    };
    let as_of = RwSignal::new(None::<usage_api::Timestamp>);
    let page = use_abortable_resource_with_options(
        query,
        move |q, signal| {
            let (client, realm) = (client.clone(), realm.clone());
            async move {
                let mut p = usage_page(&client, &realm, &q, signal.as_ref()).await?;
                as_of.try_set(p.as_of.take());
                Ok(p)
            }
        },
        refresh,
    );
    UsageData {
        page,
        as_of,
        live,
        unpaged,
        refresh,
    }
}

/// The totals per unit and the chart's values of `data`'s query (`unpaged`: they do not depend
/// on the page number), refreshed with its page. In the release build this runs in the
/// summary's own wasm ([`crate::lazy::LazyUsageSummary`]): the first table does not wait for it.
pub fn use_summary_data(data: UsageData) -> SummaryData {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let api = move || (client.clone(), realm.clone());
    let totals = {
        let api = api.clone();
        use_abortable_resource_with_options(
            data.unpaged,
            move |q, signal| {
                let (client, realm) = api();
                async move {
                    let items =
                        all_items(&client, &realm, totals_query(&q), signal.as_ref()).await?;
                    Ok((totals_by_unit(&items), items))
                }
            },
            data.refresh,
        )
    };
    let chart = use_abortable_resource_with_options(
        data.unpaged,
        move |q, signal| {
            let (client, realm) = api();
            async move {
                let csv = usage_csv(&client, &realm, &chart_query(&q), signal.as_ref()).await?;
                Ok((chart_points(&csv), q.detail))
            }
        },
        data.refresh,
    );
    SummaryData { totals, chart }
}

/// The earlier period's rows read from its CSV, for `current` compared as `compare` says.
pub fn earlier_rows_of(csv: &str, current: &UsageQuery, compare: Compare) -> EarlierRows {
    let rows = parse_csv(csv);
    let points = chart_points_of(&rows);
    Rc::new((
        Earlier::from_csv(&rows, current, compare),
        earlier_points(&points, current, compare),
    ))
}

/// The earlier period of [`use_comparison`].
#[derive(Clone, Copy)]
pub struct Comparison {
    /// What is compared with (none: nothing is fetched).
    pub compare: Memo<Compare>,
    /// The earlier period's query (the page's own when nothing is compared).
    pub earlier: Memo<UsageQuery>,
    /// The earlier period's rows summed as the totals are; `Ok(None)` when not compared.
    pub totals: Answer<Option<Vec<UsageItem>>>,
    /// The earlier period's rows and chart values; `Ok(None)` when not compared.
    pub rows: Answer<Option<EarlierRows>>,
}

/// The period `query` is compared with, as `compare` says, fetched only when compared. In the
/// release build the requests' code (and the rules reading their answers) is fetched the first
/// time a comparison is asked for ([`crate::lazy::compare_on_demand`]).
pub fn use_comparison(query: Memo<UsageQuery>, compare: Memo<Compare>) -> Comparison {
    let earlier = Memo::new(move |_| {
        let q = UsageQuery {
            offset: 0,
            ..query.get()
        };
        earlier_query(&q, compare.get()).unwrap_or(q)
    });
    let (totals, set_totals) = signal_local(None);
    let (rows, set_rows) = signal_local(None);
    let requests = ComparisonRequests {
        query,
        compare,
        earlier,
        totals: set_totals,
        rows: set_rows,
    };
    #[cfg(portal_split)]
    crate::lazy::compare_on_demand(requests);
    #[cfg(not(portal_split))]
    start_comparison(requests);
    Comparison {
        compare,
        earlier,
        totals,
        rows,
    }
}

/// The writer of a signal of [`Comparison`].
pub type Written<T> = WriteSignal<Option<Result<T, ApiError>>, LocalStorage>;

/// What [`start_comparison`] follows, and the writers of the signals it answers into.
#[derive(Clone, Copy)]
pub struct ComparisonRequests {
    /// The page's query.
    pub query: Memo<UsageQuery>,
    /// What is compared with.
    pub compare: Memo<Compare>,
    /// The earlier period's query.
    pub earlier: Memo<UsageQuery>,
    /// [`Comparison::totals`].
    pub totals: Written<Option<Vec<UsageItem>>>,
    /// [`Comparison::rows`].
    pub rows: Written<Option<EarlierRows>>,
}

/// The earlier period's two requests, made now and again whenever it changes (nothing is
/// fetched while nothing is compared); their answers go into `r`'s signals.
pub fn start_comparison(r: ComparisonRequests) {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let ComparisonRequests {
        query,
        compare,
        earlier,
        ..
    } = r;
    let api = move || (client.clone(), realm.clone());
    let totals = {
        let api = api.clone();
        use_abortable_resource(earlier, move |q, signal| {
            let (client, realm) = api();
            let compared = compare.get_untracked() != Compare::None;
            async move {
                if !compared {
                    return Ok(None);
                }
                all_items(&client, &realm, totals_query(&q), signal.as_ref())
                    .await
                    .map(Some)
            }
        })
    };
    let rows = use_abortable_resource(earlier, move |q, signal| {
        let (client, realm) = api();
        let compared = compare.get_untracked();
        let current = query.get_untracked();
        async move {
            if compared == Compare::None {
                return Ok(None);
            }
            let csv = usage_csv(&client, &realm, &earlier_csv_query(&q), signal.as_ref()).await?;
            Ok(Some(earlier_rows_of(&csv, &current, compared)))
        }
    });
    // Into the signals the page already reads (each answer arrives once, so one copy).
    let (set_totals, set_rows) = (r.totals, r.rows);
    Effect::new(move |_| set_totals.set(totals.get()));
    Effect::new(move |_| set_rows.set(rows.get()));
}
