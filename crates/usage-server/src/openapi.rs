//! `GET /openapi.json`: the OpenAPI 3.1 document of the API, generated from the handlers'
//! `#[utoipa::path]` attributes and the contract crate's types, so it cannot drift from the code
//! the way a hand-written file would.
//!
//! The query parameters are described here rather than derived from the handlers: every handler
//! reads its raw query string itself (to name every bad parameter, repeats and unknown ones
//! included), so no typed query struct exists to derive them from.

use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::collections::BTreeMap;
use std::sync::LazyLock;
use usage_api::usage::{Channel, DetailLevel, GroupDim, QueryKind, UsageField};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, ObjectBuilder, OpenApi as Document, Ref, RefOr, Required, Type,
};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, ToSchema};

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(openapi_json))
}

/// The document, built once: it depends on nothing but the code.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the OpenAPI document serializes");
    camel_case_links(&mut doc);
    serde_json::to_string_pretty(&doc).expect("the OpenAPI document serializes")
});

/// utoipa 5.5 writes a Link's fields in snake case (`operation_id`), which no tool reads: the
/// specification's names are camel case.
fn camel_case_links(doc: &mut serde_json::Value) {
    let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|r| r.values_mut());
    for resp in responses {
        let Some(links) = resp.get_mut("links").and_then(|l| l.as_object_mut()) else {
            continue;
        };
        for link in links.values_mut().filter_map(|l| l.as_object_mut()) {
            for (snake, camel) in [
                ("operation_id", "operationId"),
                ("operation_ref", "operationRef"),
                ("request_body", "requestBody"),
            ] {
                if let Some(v) = link.remove(snake) {
                    link.insert(camel.to_owned(), v);
                }
            }
        }
    }
}

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, path = "/openapi.json", tag = "service", operation_id = "getOpenApi",
    responses((status = 200, description = "The OpenAPI 3.1 document.", body = Object), PublicErrors))]
async fn openapi_json() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        DOCUMENT.as_str(),
    )
}

/// The whole API as OpenAPI (contract sections 1–12).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Usage API",
        description = "Metered usage by organization, reports, monthly usage per account and usage records, in any time zone, with the records behind every figure, budgets, saved views and the realm's subscriptions (shared/api-contract.md, sections 1–12).",
    ),
    paths(
        crate::routes::usage::get_usage,
        crate::routes::usage::get_csv,
        crate::routes::usage::get_records,
        crate::routes::reports::create,
        crate::routes::reports::list,
        crate::routes::reports::status,
        crate::routes::reports::download,
        crate::routes::billing::monthly,
        crate::routes::usages::create,
        crate::routes::usages::list,
        crate::routes::usages::show,
        crate::routes::orgs::me,
        crate::routes::subscriptions::list,
        crate::routes::budgets::list,
        crate::routes::budgets::put,
        crate::routes::budgets::delete,
        crate::routes::views::list,
        crate::routes::views::create,
        crate::routes::views::delete,
        crate::routes::health::healthz,
        crate::routes::health::readyz,
        crate::ops::metrics,
        openapi_json,
    ),
    components(schemas(usage_api::ErrorBody, UsagesPage, Status)),
    modifiers(&Common),
    tags(
        (name = "usage", description = "Usage by organization (section 1)."),
        (name = "reports", description = "Asynchronous usage reports (section 2)."),
        (name = "billing", description = "Monthly usage per account (section 3)."),
        (name = "usages", description = "Usage records (sections 4 and 6)."),
        (name = "orgs", description = "The caller's organization."),
        (name = "budgets", description = "Budgets the customer sets, with alerts and a forecast (section 10)."),
        (name = "views", description = "Saved views of the usage page (section 11)."),
        (name = "service", description = "Health, metrics and this document (section 5)."),
    )
)]
pub struct ApiDoc;

/// `GET /usages`: a page of usage records, newest first. The handler's own struct is private to
/// its module; this one describes the same JSON. (Not `RecordPage`: that name is section 9's,
/// and two schemas of one name would be one in the document.)
#[derive(ToSchema)]
#[allow(dead_code, reason = "describes a response body; never built")]
pub struct UsagesPage {
    total: u64,
    limit: u32,
    offset: u64,
    items: Vec<usage_api::usages::UsageRecord>,
}

/// `GET /healthz` and `GET /readyz` when they answer 200.
#[derive(ToSchema)]
#[allow(dead_code, reason = "describes a response body; never built")]
pub struct Status {
    /// `ok` (healthz) or `ready` (readyz).
    #[schema(pattern = "^(ok|ready)$")]
    status: String,
}

/// What every operation shares: the bearer scheme, `X-Request-ID` on the way in, the request
/// and correlation ids on every response, and the 429 and 503 of the operability layers.
struct Common;

impl Modify for Common {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token of one org with scopes; the scheme name is case-insensitive.",
                    ))
                    .build(),
            ),
        );
        add_links(doc);
        for item in doc.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_common(op);
            }
        }
    }
}

/// Links from what creates a resource to what reads it, so a client (and schemathesis's
/// stateful phase) can follow a new report or record without guessing its id.
fn add_links(doc: &mut Document) {
    use utoipa::openapi::link::LinkBuilder;
    let follow = [
        (
            "/usage/realms/{realmId}/reports",
            "201",
            &[
                (
                    "getReport",
                    &[
                        ("realmId", "$request.path.realmId"),
                        ("reportId", "$response.body#/id"),
                    ][..],
                ),
                (
                    "downloadReport",
                    &[
                        ("realmId", "$request.path.realmId"),
                        ("reportId", "$response.body#/id"),
                    ][..],
                ),
            ][..],
        ),
        (
            "/usages",
            "201",
            &[("getUsageRecord", &[("id", "$response.body#/id")][..])][..],
        ),
        (
            "/usages",
            "200",
            &[("getUsageRecord", &[("id", "$response.body#/id")][..])][..],
        ),
    ];
    for (path, status, links) in follow {
        let Some(RefOr::T(resp)) = doc
            .paths
            .paths
            .get_mut(path)
            .and_then(|item| item.post.as_mut())
            .and_then(|op| op.responses.responses.get_mut(status))
        else {
            continue;
        };
        for (operation, params) in links {
            let link = params.iter().fold(
                LinkBuilder::new().operation_id(*operation),
                |l, (name, value)| l.parameter(*name, *value),
            );
            resp.links
                .insert((*operation).to_owned(), RefOr::T(link.build()));
        }
    }
}

fn add_common(op: &mut Operation) {
    // The operability layers answer any request: a token over its rate is a 429, and a
    // request shed under load or past its deadline is a 503, whatever the operation.
    for status in [429, 503] {
        op.responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| RefOr::T(error_response(status)));
    }
    op.parameters.get_or_insert_with(Vec::new).push(
        ParameterBuilder::new()
            .name("X-Request-ID")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Echoed on the response; generated when absent. Printable ASCII, at most 200 characters (else 400).",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[ -~]{1,200}$")),
            ))
            .build(),
    );
    for resp in op.responses.responses.values_mut() {
        if let RefOr::T(resp) = resp {
            for (name, what) in [
                (
                    "X-Request-ID",
                    "The client's request id, or one generated for it.",
                ),
                ("X-Correlation-ID", "Generated for every response."),
            ] {
                resp.headers.entry(name.to_owned()).or_insert_with(|| {
                    HeaderBuilder::new()
                        .schema(ObjectBuilder::new().schema_type(Type::String))
                        .description(Some(what))
                        .build()
                });
            }
        }
    }
}

fn header_of(what: &str, ty: Type) -> utoipa::openapi::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(ty))
        .description(Some(what))
        .build()
}

/// The contract's error body for `status`, with the headers the server sends with it.
fn error_response(status: u16) -> Response {
    let description = match status {
        400 => "Invalid parameters or body: `fields` names every offending one.",
        401 => "No token, an unknown, revoked or expired one.",
        403 => "The token lacks the scope, or may not see this realm or account.",
        404 => "No such resource, or one the caller may not see (answered alike).",
        405 => "The path exists, not with this method (see `Allow`).",
        409 => "The request conflicts with what is stored.",
        413 => "The body is too large.",
        415 => "The body is not JSON.",
        416 => "The `Range` cannot be satisfied.",
        422 => "A quantity the contract refuses, or a limit that would be exceeded.",
        429 => {
            "Over the token's request rate or its share of a bounded resource (open CSV streams, reports in progress); retry after `Retry-After` seconds."
        }
        503 => "The service is busy or not ready; retry after `Retry-After` seconds.",
        _ => "An error.",
    };
    let resp = ResponseBuilder::new().description(description).content(
        "application/json",
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build(),
    );
    // utoipa's Header has no `required`; the descriptions say which are always sent.
    match status {
        401 => resp.header(
            "WWW-Authenticate",
            header_of("`Bearer`: the scheme to authenticate with.", Type::String),
        ),
        405 => resp.header(
            "Allow",
            header_of("The methods this path answers.", Type::String),
        ),
        429 | 503 => resp.header(
            "Retry-After",
            header_of(
                "Seconds to wait before retrying; always sent.",
                Type::Integer,
            ),
        ),
        _ => resp,
    }
    .build()
}

fn errors(statuses: &[u16]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|s| (s.to_string(), RefOr::T(error_response(*s))))
        .collect()
}

macro_rules! error_set {
    ($($(#[$m:meta])* $name:ident = [$($s:literal),+];)+) => {$(
        $(#[$m])*
        pub struct $name;
        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                errors(&[$($s),+])
            }
        }
    )+};
}

error_set! {
    /// No auth, no database.
    PublicErrors = [400, 405];
    /// `GET /readyz`.
    ReadyErrors = [400, 405, 503];
    /// A realm's usage page, its report list and a report's status.
    RealmReadErrors = [400, 401, 403, 404, 405, 503];
    /// A realm's usage CSV: open streams are capped per token.
    CsvErrors = [400, 401, 403, 404, 405, 429, 503];
    /// Creating a report: in-progress reports are capped per realm.
    ReportCreateErrors = [400, 401, 403, 404, 405, 413, 415, 429, 503];
    /// A report's CSV.
    DownloadErrors = [400, 401, 403, 404, 405, 409, 416, 503];
    /// Monthly usage per account, the caller's org.
    AccountReadErrors = [400, 401, 403, 405, 503];
    /// Recording usage.
    UsageWriteErrors = [400, 401, 403, 404, 405, 409, 413, 415, 422, 503];
    /// Reading usage records.
    UsageReadErrors = [400, 401, 403, 404, 405, 503];
    /// Setting a budget or saving a view: budgets and views are capped per realm, view names
    /// unique.
    RealmWriteErrors = [400, 401, 403, 404, 405, 409, 413, 415, 422, 503];
    /// Deleting a budget or a view.
    RealmDeleteErrors = [400, 401, 403, 404, 405, 503];
}

/// `{realmId}/budgets/{budgetId}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct BudgetPath {
    /// The org: 5–30 characters of `[A-Za-z0-9_-]`.
    #[param(
        rename = "realmId",
        pattern = "^[A-Za-z0-9_-]{5,30}$",
        example = "northwind"
    )]
    realm_id: String,
    /// The customer's name for it: 1–64 characters of `[A-Za-z0-9_-]`.
    #[param(
        rename = "budgetId",
        pattern = "^[A-Za-z0-9_-]{1,64}$",
        example = "routing-monthly"
    )]
    budget_id: String,
}

/// `{realmId}/views/{viewId}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct ViewPath {
    /// The org: 5–30 characters of `[A-Za-z0-9_-]`.
    #[param(
        rename = "realmId",
        pattern = "^[A-Za-z0-9_-]{5,30}$",
        example = "northwind"
    )]
    realm_id: String,
    /// The id the server gave the view.
    #[param(rename = "viewId", example = "view_3f2a9c1d7e5b")]
    view_id: String,
}

/// `{realmId}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct RealmPath {
    /// The org: 5–30 characters of `[A-Za-z0-9_-]`.
    #[param(
        rename = "realmId",
        pattern = "^[A-Za-z0-9_-]{5,30}$",
        example = "northwind"
    )]
    realm_id: String,
}

/// `{realmId}` and `{reportId}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct ReportPath {
    /// The org: 5–30 characters of `[A-Za-z0-9_-]`.
    #[param(
        rename = "realmId",
        pattern = "^[A-Za-z0-9_-]{5,30}$",
        example = "northwind"
    )]
    realm_id: String,
    /// `REPORT-1001` and up.
    #[param(rename = "reportId", example = "REPORT-1001")]
    report_id: String,
}

/// `{id}` of a usage record.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct RecordPath {
    /// The client's `id`, or the server's `rec_N` for a record loaded without one.
    #[param(example = "rec_1")]
    id: String,
}

/// Builds the parameters shared by the usage page, its CSV, report creation and the records
/// behind them, as `kind` takes them.
fn usage_query(kind: QueryKind) -> Vec<Parameter> {
    let report = kind == QueryKind::Report;
    let records = kind == QueryKind::Records;
    let paged = matches!(kind, QueryKind::Page | QueryKind::Records);
    let q = |name: &str, required: bool, what: &str, schema: RefOr<utoipa::openapi::Schema>| {
        ParameterBuilder::new()
            .name(name)
            .parameter_in(ParameterIn::Query)
            .required(if required {
                Required::True
            } else {
                Required::False
            })
            .description(Some(what))
            .schema(Some(schema))
            .build()
    };
    // A range that is always valid, so the examples reach the query, not only the validation.
    let example = |p: Parameter, v: &str| ParameterBuilder::from(p).example(Some(v.into())).build();
    let time = || usage_api::time::input_schema().build().into();
    let text = |max: usize| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(max))
            .build()
            .into()
    };
    let enum_of = |names: Vec<&str>| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(names))
            .build()
            .into()
    };
    let list_of = |names: Vec<&str>, min: usize| {
        utoipa::openapi::ArrayBuilder::new()
            .items(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(names)),
            )
            .unique_items(true)
            .min_items(Some(min))
            .build()
            .into()
    };
    let comma = |mut p: Parameter| {
        p.style = Some(utoipa::openapi::path::ParameterStyle::Form);
        p.explode = Some(false);
        p
    };
    let limits = usage_api::limits::PAGE_LIMIT_MAX;
    let mut details: Vec<&str> = DetailLevel::ALL.iter().map(|d| d.as_str()).collect();
    if report {
        details.retain(|d| *d != DetailLevel::Hour.as_str());
    }
    let mut out = vec![
        example(
            q(
                "startDate",
                true,
                "Start, included, a wall-clock time in `timeZone`. `startTime` is an alias: give one of the two.",
                time(),
            ),
            "2026-01-01",
        ),
        example(
            q(
                "endDate",
                true,
                "End, excluded, in `timeZone`: after startDate, at most 95 days later. `endTime` is an alias.",
                time(),
            ),
            "2026-02-01T00:00:00",
        ),
        q(
            "timeZone",
            false,
            "An IANA time zone: the range is read and the buckets cut in it; `UTC` by default.",
            enum_of(usage_api::zone::zone_names().collect()),
        ),
        q("featureId", false, "Exact match.", text(256)),
        q("appId", false, "Exact match.", text(128)),
        q(
            "channelId",
            false,
            "Exact match.",
            enum_of(Channel::ALL.iter().map(|c| c.as_str()).collect()),
        ),
        q("projectHrn", false, "Exact match.", text(256)),
        q("billingTag", false, "Exact match.", text(500)),
        q("category", false, "Exact match.", text(128)),
    ];
    if records {
        out.push(q(
            "billingSubscriptionId",
            false,
            "Exact match.",
            text(usage_api::limits::BILLING_SUBSCRIPTION_ID_MAX),
        ));
    } else {
        out.extend([q(
            "detailLevel",
            false,
            if report {
                "Time buckets; `summarized` by default (`hour` is not offered for reports)."
            } else {
                "Time buckets; `summarized` by default."
            },
            enum_of(details),
        ),
        comma(q(
            "groupBy",
            false,
            if report {
                "Dimensions added to the grouping, comma separated (at most 256 characters); `appId,billingTag` by default."
            } else {
                "Dimensions added to the grouping, comma separated (at most 256 characters)."
            },
            list_of(GroupDim::ALL.iter().map(|g| g.as_str()).collect(), 0),
        )),
        comma(q(
            "usageFields",
            false,
            "Keep only these fields of each item, comma separated.",
            list_of(UsageField::ALL.iter().map(|f| f.as_str()).collect(), 1),
        ))]);
    }
    if paged {
        out.push(q(
            "limit",
            false,
            if records {
                "Page size; 50 by default."
            } else {
                "Page size; 100 by default."
            },
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .maximum(Some(limits))
                .build()
                .into(),
        ));
        out.push(q(
            "offset",
            false,
            "A page number (not a record offset); 0 by default.",
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(0))
                .maximum(Some(if records {
                    usage_api::limits::RECORDS_OFFSET_MAX
                } else {
                    u32::MAX
                }))
                .build()
                .into(),
        ));
    }
    out
}

/// The query of `GET /usage/realms/{realmId}`.
pub struct UsagePageParams;
impl IntoParams for UsagePageParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        usage_query(QueryKind::Page)
    }
}

/// The query of `GET /usage/realms/{realmId}/csv`: the page's, without paging.
pub struct CsvParams;
impl IntoParams for CsvParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        usage_query(QueryKind::Csv)
    }
}

/// The query of `POST /usage/realms/{realmId}/reports`.
pub struct ReportParams;
impl IntoParams for ReportParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        usage_query(QueryKind::Report)
    }
}

/// The query of `GET /usage/realms/{realmId}/records`.
pub struct RecordsParams;
impl IntoParams for RecordsParams {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        usage_query(QueryKind::Records)
    }
}

/// Paging of `GET /usage/realms/{realmId}/reports`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct ReportListParams {
    /// Page size; 100 by default.
    #[param(minimum = 1, maximum = 100, required = false)]
    limit: u32,
    /// A page number; 0 by default.
    #[param(minimum = 0, maximum = 4294967295_u64, required = false)]
    offset: u32,
}

/// The signature of a `downloadUrl`, which stands in for the bearer token.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct DownloadParams {
    /// Unix seconds after which the link is refused. Give both or neither.
    #[param(required = false)]
    expires: i64,
    /// The link's signature. Give both or neither.
    #[param(required = false)]
    signature: String,
}

/// The query of `GET /express/usage/month`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct MonthlyParams {
    /// Accounts, comma separated: the caller's org or its sub-accounts (the caller's org by default).
    #[param(style = Form, explode = false, required = false, inline)]
    accounts: Vec<AccountId>,
    /// First month, `yyyy-MM`; eleven months before `to` by default.
    #[param(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$",
        required = false,
        example = "2026-01"
    )]
    from: String,
    /// Last month, included, `yyyy-MM`, at most 24 months after `from`; this month by default.
    #[param(
        pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$",
        required = false,
        example = "2026-03"
    )]
    to: String,
    /// The page, from 1.
    #[param(minimum = 1, maximum = 4294967295_u64, required = false)]
    page: u32,
    /// Items a page; 50 by default.
    #[param(minimum = 1, maximum = 100, required = false)]
    per_page: u32,
}

/// A realm id.
#[derive(ToSchema)]
#[schema(value_type = String, pattern = "^[A-Za-z0-9_-]{5,30}$")]
#[allow(dead_code, reason = "describes a value; never built")]
pub struct AccountId(String);

/// The query of `GET /usages`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "describes parameters; never built")]
pub struct UsagesListParams {
    /// The subscription (`billingSubscriptionId`); one the caller may not read is a 404.
    #[param(rename = "subscriptionId", min_length = 1, example = "SUB-1000-RTG")]
    subscription_id: String,
    /// Page size; 20 by default.
    #[param(minimum = 1, maximum = 100, required = false)]
    limit: u32,
    /// A page number; 0 by default.
    #[param(minimum = 0, maximum = 1000000, required = false)]
    offset: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use usage_api::limits;

    fn param<'a>(
        doc: &'a serde_json::Value,
        path: &str,
        method: &str,
        name: &str,
    ) -> &'a serde_json::Value {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .unwrap_or_else(|| panic!("{method} {path} has no parameter {name}"))
    }

    /// The attributes take literals only: they must agree with the contract crate's limits.
    #[test]
    fn limits_in_attributes_are_the_contract_crate_limits() {
        let doc: serde_json::Value = serde_json::from_str(&DOCUMENT).unwrap();
        let max = |p: &serde_json::Value| p["schema"]["maximum"].as_u64().unwrap();
        assert_eq!(
            max(param(&doc, "/usages", "get", "limit")),
            u64::from(limits::USAGES_LIMIT_MAX)
        );
        assert_eq!(
            max(param(&doc, "/usages", "get", "offset")),
            limits::USAGES_OFFSET_MAX
        );
        assert_eq!(
            max(param(
                &doc,
                "/usage/realms/{realmId}/reports",
                "get",
                "limit"
            )),
            u64::from(limits::PAGE_LIMIT_MAX)
        );
        let realm = param(&doc, "/usage/realms/{realmId}", "get", "realmId");
        assert_eq!(
            realm["schema"]["pattern"],
            format!(
                "^[A-Za-z0-9_-]{{{},{}}}$",
                limits::REALM_ID_LEN.start(),
                limits::REALM_ID_LEN.end()
            )
        );
    }
}
