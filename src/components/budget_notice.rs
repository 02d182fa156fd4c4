//! The notice at the top of the portal when a budget is past an alert level, linking to the
//! Budgets page, and the `usage-portal:budget` host event the first time in a session the
//! portal sees each. Its code is fetched a moment after the portal starts (`lazy`).

use crate::api::ApiClient;
use crate::api::budgets::list_budgets;
use crate::config::{BasePath, Realm};
use crate::format;
use crate::host::{BUDGET, HostEvents};
use crate::js::{object, prop, start};
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use usage_api::budgets::Budget;
use usage_portal_core::budgets::{attention_text, needing_attention, to_announce};
use wasm_bindgen::JsValue;

/// Where the announced budgets are remembered for the tab's session.
const ANNOUNCED_KEY: &str = "usage-portal:budgets-announced";

thread_local! {
    // When the browser keeps no sessionStorage (a sandboxed frame): this page's memory.
    static ANNOUNCED: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn session_storage() -> Option<JsValue> {
    let storage = prop(&web_sys::window()?.into(), "sessionStorage");
    (!storage.is_undefined() && !storage.is_null()).then_some(storage)
}

fn announced() -> Vec<String> {
    let stored = session_storage()
        .and_then(|s| start(&s, "getItem", &[JsValue::from_str(ANNOUNCED_KEY)]).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let mut keys: Vec<String> = stored.lines().map(str::to_owned).collect();
    ANNOUNCED.with_borrow(|a| keys.extend(a.iter().cloned()));
    keys
}

fn remember(keys: &[String]) {
    ANNOUNCED.with_borrow_mut(|a| *a = keys.to_vec());
    if let Some(s) = session_storage() {
        let _ = start(
            &s,
            "setItem",
            &[
                JsValue::from_str(ANNOUNCED_KEY),
                JsValue::from_str(&keys.join("\n")),
            ],
        );
    }
}

/// Tells the host, once a session, of each budget past an alert level.
fn announce(events: Option<&HostEvents>, budgets: &[Budget]) {
    let mut keys = announced();
    let new = to_announce(budgets, &keys);
    if new.is_empty() {
        return;
    }
    for (b, key) in new {
        if let Some(events) = events {
            events.emit(
                BUDGET,
                &object(&[
                    ("budgetId", JsValue::from_str(&b.id)),
                    ("state", JsValue::from_str(b.state.as_str())),
                    ("percent", JsValue::from_f64(b.percent)),
                ]),
            );
        }
        keys.push(key);
    }
    remember(&keys);
}

/// The budgets needing attention (warning or exceeded), read again at each change of page,
/// with a link to the Budgets page; nothing while every budget is on track, or when they
/// cannot be read (the pages say why when asked).
#[component]
pub fn BudgetNotice() -> impl IntoView {
    let client = expect_context::<ApiClient>().unreported();
    let Realm(realm) = expect_context::<Realm>();
    let base = expect_context::<BasePath>();
    let events = use_context::<HostEvents>();
    let location = use_location();
    let budgets = RwSignal::new(Vec::<Budget>::new());
    Effect::new(move |_| {
        location.pathname.track();
        let (client, realm, events) = (client.clone(), realm.clone(), events.clone());
        leptos::task::spawn_local(async move {
            if let Ok(list) = list_budgets(&client, &realm).await {
                announce(events.as_ref(), &list.items);
                budgets.try_set(list.items);
            }
        });
    });
    let href = base.href("/budgets");
    move || {
        budgets.with(|all| {
            let attention = needing_attention(all);
            (!attention.is_empty()).then(|| {
                let text = attention
                    .iter()
                    .map(|b| {
                        format!(
                            "{} ({} % of its threshold)",
                            attention_text(b),
                            format::one_decimal(b.percent)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let exceeded = attention
                    .iter()
                    .any(|b| b.state == usage_api::budgets::BudgetState::Exceeded);
                view! {
                    <div class=if exceeded { "up-notice up-budget-notice up-budget-notice-exceeded" } else { "up-notice up-budget-notice" } role="status">
                        <strong>{if exceeded { "Budget exceeded: " } else { "Budget warning: " }}</strong>
                        {text} ". "
                        <a href=href.clone()>"See the budgets"</a>
                    </div>
                }
            })
        })
    }
}
