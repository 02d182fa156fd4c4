//! Every limit of the contract, in one place.

/// Longest `X-Request-ID` a client may send.
pub const REQUEST_ID_MAX: usize = 200;
/// Widest date range of a usage query or report, in days.
pub const MAX_RANGE_DAYS: i64 = 95;
/// Largest page (`limit`) of `GET /usage/realms/{realmId}`.
pub const PAGE_LIMIT_MAX: u32 = 100;
/// Default page size.
pub const PAGE_LIMIT_DEFAULT: u32 = 100;
/// Most records the synchronous CSV endpoint returns.
pub const CSV_MAX_RECORDS: u64 = 20_000;
/// Most records a report holds before it is truncated.
pub const REPORT_MAX_RECORDS: u64 = 1_000_000;
/// Longest `featureId` filter.
pub const FEATURE_ID_MAX: usize = 256;
/// Longest `appId` filter.
pub const APP_ID_MAX: usize = 128;
/// Longest `projectHrn` filter.
pub const PROJECT_HRN_MAX: usize = 256;
/// Longest `billingTag` filter.
pub const BILLING_TAG_MAX: usize = 500;
/// Longest `category` filter.
pub const CATEGORY_MAX: usize = 128;
/// Longest `billingSubscriptionId` filter (records endpoint).
pub const BILLING_SUBSCRIPTION_ID_MAX: usize = 128;
/// Default page size of the records endpoint (section 9).
pub const RECORDS_LIMIT_DEFAULT: u32 = 50;
/// Largest page number of the records endpoint: a deeper page is read by narrowing the range.
pub const RECORDS_OFFSET_MAX: u32 = 100_000;
/// Longest `groupBy` value.
pub const GROUP_BY_MAX: usize = 256;
/// Shortest and longest realm id.
pub const REALM_ID_LEN: std::ops::RangeInclusive<usize> = 5..=30;
/// Largest quantity of one usage record, in units (contract section 6).
pub const QUANTITY_MAX_UNITS: i64 = 1_000_000_000_000;
/// Most any one subscription may record in a calendar month (UTC), in units of its requested
/// quantities: a 95-day range spans at most four months, so no sum the service keeps (a rollup,
/// a month, a query's range) can overflow a 64-bit count of milli-units.
pub const MONTHLY_TOTAL_MAX_UNITS: i64 = 1_000_000_000_000_000;
/// Oldest `usageTime` a record may carry, in days before now (the server's default).
pub const USAGE_TIME_MAX_AGE_DAYS: i64 = 35;
/// Furthest `usageTime` may be ahead of now, in seconds (the server's default).
pub const USAGE_TIME_MAX_AHEAD_SECS: i64 = 300;
/// Largest page (`limit`) of `GET /usages`.
pub const USAGES_LIMIT_MAX: u32 = 100;
/// Default page size of `GET /usages`.
pub const USAGES_LIMIT_DEFAULT: u32 = 20;
/// Largest page number (`offset`) of `GET /usages`.
pub const USAGES_OFFSET_MAX: u64 = 1_000_000;
/// Most `subAccounts` a report may name.
pub const REPORT_SUB_ACCOUNTS_MAX: usize = 100;
/// Most reports one realm may have in progress (waiting or being generated) at once; one more
/// is a 429 `rateLimited` (the server's default).
pub const REPORTS_IN_PROGRESS_MAX: u32 = 5;
/// Longest one run of a report may take before it is stopped, in seconds (the server's default).
pub const REPORT_DEADLINE_SECS: u64 = 600;
/// Runs a report gets (interrupted or past its deadline) before it is marked `failed`.
pub const REPORT_MAX_ATTEMPTS: u32 = 3;
/// Days a report (its status and its file) is kept once it is completed or failed (the server's
/// default).
pub const REPORT_RETENTION_DAYS: u64 = 7;
/// Most synchronous CSV streams one token may hold open at once (the server's default); one
/// more is a 429 `rateLimited`.
pub const CSV_STREAMS_PER_TOKEN: usize = 2;
/// Most parameters a query string may carry: every endpoint takes far fewer, and a flood of
/// them is refused before any is decoded.
pub const QUERY_PARAMS_MAX: usize = 32;
/// Longest query string accepted, in bytes (every filter at its longest fits several times).
pub const QUERY_MAX_BYTES: usize = 8_192;
