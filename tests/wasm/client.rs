//! The portal's client, state and components in headless Chromium, against the real server
//! that scripts/test.sh starts with demo data (`USAGE_TEST_API`, default http://127.0.0.1:18080).

#![cfg(target_arch = "wasm32")]

mod common;

use leptos::prelude::*;
use usage_api::usage::{Column, DetailLevel, QueryKind, UsageField, UsageItem, UsageQuery};
use usage_api::{ErrorCode, Quantity, Timestamp};
use usage_portal::api::ApiClient;
use usage_portal::api::usage::{page_url, usage_page};
use usage_portal::components::usage_table::UsageTable;
use usage_portal::config;
use usage_portal::state::query_from_url;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const API: &str = match option_env!("USAGE_TEST_API") {
    Some(v) => v,
    None => "http://127.0.0.1:18080",
};

fn query(s: &str) -> UsageQuery {
    let pairs: Vec<(&str, &str)> = s.split('&').map(|p| p.split_once('=').unwrap()).collect();
    UsageQuery::from_pairs(pairs, QueryKind::Page).unwrap()
}

/// A whole month of the demo data, two months before the run's (`USAGE_TEST_NOW`, where
/// scripts/test.sh made the test server's demo data end), then `rest`.
fn month_query(rest: &str) -> UsageQuery {
    use usage_test_clock::{midnight, months_ago, range};
    let month = range(midnight(months_ago(2)), midnight(months_ago(1)));
    if rest.is_empty() {
        query(&month)
    } else {
        query(&format!("{month}&{rest}"))
    }
}

async fn configured() -> (config::PortalConfig, ApiClient) {
    config::load(&format!("{API}/config.json"))
        .await
        .expect("config.json from the test server")
}

#[wasm_bindgen_test]
async fn config_resolves_the_api_against_its_own_url() {
    let (cfg, client) = configured().await;
    assert_eq!(cfg.realm, "northwind");
    assert_eq!(client.base(), API.trim_end_matches('/'));
}

#[wasm_bindgen_test]
async fn reads_a_page_of_usage() {
    let (cfg, client) = configured().await;
    let q = month_query("detailLevel=day&limit=7&offset=1");
    let page = usage_page(&client, &cfg.realm, &q, None).await.unwrap();
    assert_eq!(page.limit, 7);
    assert_eq!(page.offset, 1);
    assert_eq!(page.items.len(), 7);
    assert!(page.total > 14);
    assert!(
        page.items
            .iter()
            .all(|i| i.usage_date_time.is_some() && i.usage_value.is_some())
    );
}

#[wasm_bindgen_test]
async fn errors_carry_code_words_and_request_id() {
    let (_, client) = configured().await;
    let q = month_query("");
    let err = usage_page(&client, "contoso", &q, None).await.unwrap_err();
    assert_eq!(err.status, 403);
    assert_eq!(err.code, Some(ErrorCode::Forbidden));
    let id = err.request_id.clone().expect("request id");
    assert!(err.to_string().contains(&id), "{err}");
    assert!(
        !err.to_string().contains("ApiError"),
        "words, not Debug: {err}"
    );

    let anonymous = ApiClient::new(client.base(), Some("upt_wrong".to_owned()));
    let err = usage_page(&anonymous, "northwind", &q, None)
        .await
        .unwrap_err();
    assert_eq!(err.status, 401);
    assert_eq!(err.code, Some(ErrorCode::Unauthorized));
}

#[wasm_bindgen_test]
async fn a_request_started_early_is_answered_once_by_it() {
    let (cfg, client) = configured().await;
    let q = month_query("detailLevel=day&limit=13&offset=2");
    let url = page_url(&client, &cfg.realm, &q);
    let perf = web_sys::window().unwrap().performance().unwrap();
    perf.clear_resource_timings();
    // The browser records a fetch in its timeline a moment after the answer is read.
    let fetched = || async {
        let wait = js_sys::Promise::new(&mut |done, _| {
            let _ = web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&done, 100);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(wait).await;
        // The fetch's URL is the request's, which gloo-net ends with '&'.
        perf.get_entries_by_type("resource")
            .iter()
            .filter(|e| {
                js_sys::Reflect::get(e, &"name".into())
                    .ok()
                    .and_then(|n| n.as_string())
                    .is_some_and(|n| n.starts_with(&url))
            })
            .count()
    };
    client.start_early(vec![url.clone()]);
    let early = usage_page(&client, &cfg.realm, &q, None).await.unwrap();
    assert_eq!(fetched().await, 1, "the read took the early answer");
    // Taken once: the next read asks again.
    let again = usage_page(&client, &cfg.realm, &q, None).await.unwrap();
    assert_eq!(fetched().await, 2);
    // The same page; only when it was read (asOf, in whole seconds) may differ.
    let read = |p: &usage_api::usage::UsagePage| usage_api::usage::UsagePage {
        as_of: None,
        ..p.clone()
    };
    assert_eq!(read(&early), read(&again));
    assert_eq!(early.items.len(), 13);
}

#[wasm_bindgen_test]
async fn an_aborted_request_says_so() {
    let (cfg, client) = configured().await;
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let q = month_query("");
    let err = usage_page(&client, &cfg.realm, &q, Some(&controller.signal()))
        .await
        .unwrap_err();
    assert!(err.is_aborted(), "{err}");
}

#[wasm_bindgen_test]
async fn an_unreachable_server_is_explained() {
    let client = ApiClient::new("http://127.0.0.1:9", None);
    let q = month_query("");
    let err = usage_page(&client, "northwind", &q, None)
        .await
        .unwrap_err();
    assert_eq!(err.status, 0);
    assert!(err.to_string().contains("could not be reached"), "{err}");
    assert!(
        err.request_id.is_some(),
        "a request id to quote even without an answer"
    );
}

#[wasm_bindgen_test]
fn url_state_replaces_bad_values_and_reports_them() {
    let today = usage_test_clock::today();
    let pairs = vec![
        ("limit".to_owned(), "0".to_owned()),
        ("detailLevel".to_owned(), "day".to_owned()),
        ("endDate".to_owned(), "yesterday".to_owned()),
    ];
    let (q, errors) = query_from_url(&pairs, today);
    let names: Vec<&str> = errors.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["limit", "endDate"]);
    assert_eq!(q.limit, 100);
    assert_eq!(q.detail, DetailLevel::Day, "valid settings are kept");
    // The last 30 days, today included.
    assert_eq!(q.start, Timestamp::start_of(today - chrono::Days::new(29)));
    assert_eq!(q.end, Timestamp::start_of(today + chrono::Days::new(1)));
}

#[wasm_bindgen_test]
fn usage_table_renders_a_real_table() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let items = vec![UsageItem {
        name: Some("Routing".to_owned()),
        usage_value: Some(Quantity(1_234_567_500)),
        ..UsageItem::default()
    }];
    let columns = vec![
        Column::Field(UsageField::Name),
        Column::Field(UsageField::UsageValue),
    ];
    let _mounted = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <UsageTable columns=columns.clone() items=items.clone() caption="Test usage" /> }
    });
    let heads = host.query_selector_all("thead th[scope=col]").unwrap();
    assert_eq!(heads.length(), 2);
    let cells = host.query_selector_all("tbody td").unwrap();
    assert_eq!(cells.get(0).unwrap().text_content().unwrap(), "Routing");
    // Exact, with the locale's grouping (en-US in the test browser).
    assert_eq!(cells.get(1).unwrap().text_content().unwrap(), "1,234,567.5");
    assert_eq!(
        host.query_selector("caption")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "Test usage"
    );
}

/// A host page's `getToken`: answers `first` when asked plainly and `refreshed` when asked to
/// refresh, and records the `refresh` flag of every call.
fn host_tokens(
    first: &'static str,
    refreshed: String,
) -> (
    usage_portal::api::auth::HostTokens,
    std::rc::Rc<std::cell::RefCell<Vec<bool>>>,
) {
    use wasm_bindgen::prelude::*;
    let calls = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen = calls.clone();
    let f = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |ctx: JsValue| {
        let refresh = js_sys::Reflect::get(&ctx, &"refresh".into())
            .unwrap()
            .is_truthy();
        seen.borrow_mut().push(refresh);
        let token = if refresh { refreshed.as_str() } else { first };
        js_sys::Promise::resolve(&JsValue::from_str(token)).into()
    });
    let tokens = usage_portal::api::auth::HostTokens::register(f.into_js_value().unchecked_into());
    (tokens, calls)
}

#[wasm_bindgen_test]
async fn a_refused_host_token_is_refreshed_once_then_works() {
    use usage_portal::api::auth::TokenSource;
    let (cfg, client) = configured().await;
    let valid = cfg.token.clone().expect("the test config has a token");
    let (tokens, calls) = host_tokens("upt_expired", valid);
    let client = ApiClient::with_tokens(client.base(), TokenSource::Host(tokens.clone()));
    let q = month_query("limit=3");
    let page = usage_page(&client, &cfg.realm, &q, None).await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(
        *calls.borrow(),
        [false, true],
        "asked, refused, asked to refresh"
    );
    tokens.forget();
}

#[wasm_bindgen_test]
async fn a_host_token_refused_twice_means_signed_out() {
    use usage_portal::api::auth::TokenSource;
    let (cfg, client) = configured().await;
    let (tokens, calls) = host_tokens("upt_expired", "upt_still-wrong".to_owned());
    let client = ApiClient::with_tokens(client.base(), TokenSource::Host(tokens.clone()));
    let q = month_query("limit=3");
    let err = usage_page(&client, &cfg.realm, &q, None).await.unwrap_err();
    assert_eq!(*calls.borrow(), [false, true], "one refresh, no more");
    assert_eq!(err.status, 401);
    assert!(err.is_signed_out(), "{err}");
    assert_eq!(err.message, usage_portal::api::SIGNED_OUT);
    assert!(err.request_id.is_some());
    tokens.forget();
    // Once forgotten (unmounted), the callback is not called again.
    let err = usage_page(&client, &cfg.realm, &q, None).await.unwrap_err();
    assert!(err.is_signed_out(), "{err}");
    assert_eq!(calls.borrow().len(), 2);
}

#[wasm_bindgen_test]
async fn a_failing_get_token_is_a_sign_in_error_in_words() {
    use usage_portal::api::auth::{HostTokens, TokenSource};
    use wasm_bindgen::prelude::*;
    let (cfg, client) = configured().await;
    let f = Closure::<dyn FnMut(JsValue) -> JsValue>::new(|_| {
        js_sys::Promise::reject(&js_sys::Error::new("the admin session has ended")).into()
    });
    let tokens = HostTokens::register(f.into_js_value().unchecked_into());
    let client = ApiClient::with_tokens(client.base(), TokenSource::Host(tokens.clone()));
    let q = month_query("limit=3");
    let err = usage_page(&client, &cfg.realm, &q, None).await.unwrap_err();
    assert!(err.is_signed_out(), "{err}");
    let words = err.to_string();
    assert!(words.starts_with("You are signed out"), "{words}");
    assert!(
        words.contains("the admin session has ended"),
        "the host's reason: {words}"
    );
    assert!(err.request_id.is_some(), "a request id to quote");
    tokens.forget();
}

#[wasm_bindgen_test]
async fn mount_and_unmount_in_a_host_element() {
    use wasm_bindgen::prelude::*;
    let (cfg, _) = configured().await;
    let valid = cfg.token.clone().expect("token");
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let options = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&options, &k.into(), v).unwrap();

    // Bad options are refused with words that name the option.
    let message = |e: JsError| {
        let v = JsValue::from(e);
        js_sys::Reflect::get(&v, &"message".into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    let err = usage_portal::embed::mount(host.clone(), options.clone().into())
        .err()
        .unwrap();
    assert!(message(err).contains("options.apiBase"));
    set("apiBase", &API.into());
    set("realm", &"north wind!".into());
    let err = usage_portal::embed::mount(host.clone(), options.clone().into())
        .err()
        .unwrap();
    assert!(message(err).contains("options.realm"));
    assert_eq!(
        host.child_element_count(),
        0,
        "nothing mounted on bad options"
    );

    set("realm", &cfg.realm.clone().into());
    let get_token = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |_| {
        js_sys::Promise::resolve(&JsValue::from_str(&valid)).into()
    });
    set("getToken", &get_token.into_js_value());
    let mut mounted = usage_portal::embed::mount(host.clone(), options.into()).unwrap();
    assert!(host.query_selector(".up-root nav").unwrap().is_some());
    // The events reach the host element.
    let navigations = std::rc::Rc::new(std::cell::Cell::new(0));
    let count = navigations.clone();
    let listener = Closure::<dyn FnMut()>::new(move || count.set(count.get() + 1));
    host.add_event_listener_with_callback(
        usage_portal::embed::NAVIGATE,
        listener.as_ref().unchecked_ref(),
    )
    .unwrap();
    for _ in 0..100 {
        if host
            .query_selector("table.up-records tbody tr")
            .unwrap()
            .is_some()
        {
            break;
        }
        common::sleep_ms(50).await;
    }
    assert!(
        host.query_selector("table.up-records tbody tr")
            .unwrap()
            .is_some(),
        "real rows through getToken: {}",
        host.text_content().unwrap_or_default()
    );
    assert!(navigations.get() >= 1, "the first page shown is announced");
    mounted.unmount();
    assert_eq!(host.child_element_count(), 0, "unmount removes every node");
    mounted.unmount();
    host.remove();
    drop(listener);
}
