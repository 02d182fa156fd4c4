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
/// Longest `groupBy` value.
pub const GROUP_BY_MAX: usize = 256;
/// Shortest and longest realm id.
pub const REALM_ID_LEN: std::ops::RangeInclusive<usize> = 5..=30;
