//! The app shell: loads the runtime config, then routes.

use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use crate::config::{self, BasePath, Realm};
use crate::host::{HostEvents, NAVIGATE, emit};
// The release build fetches these five pages' code when they are first shown (lazy).
#[cfg(portal_split)]
use crate::lazy::{
    LazyBillingPage as BillingPage, LazyBudgetsPage as BudgetsPage, LazyRecordPage as RecordPage,
    LazyRecordsPage as RecordsPage, LazyReportsPage as ReportsPage,
};
use crate::pages::usage::UsagePage;
#[cfg(not(portal_split))]
use crate::pages::{
    billing::BillingPage, budgets::BudgetsPage, record::RecordPage, records::RecordsPage,
    reports::ReportsPage,
};
use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Route, Router};
use leptos_router::hooks::use_location;
use leptos_router::path;
use wasm_bindgen::JsValue;

/// The standalone portal (index.html): loads `config.json`, then shows the portal.
#[component]
pub fn App() -> impl IntoView {
    let events = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .map(|b| HostEvents::new(b.into()));
    // So that an error loading config.json is announced like every other error.
    if let Some(events) = &events {
        provide_context(events.clone());
    }
    // A signal set when config.json is read, not a resource under <Transition>: this is the
    // way to every first paint, and index.html has already asked for the file (a preload).
    let (loaded, set_loaded) = signal_local(None);
    {
        let events = events.clone();
        leptos::task::spawn_local(async move {
            let config = config::load("config.json").await;
            // The Usage page's data is asked for now, not once the app around it is built.
            if let Ok((config, client)) = &config
                && let Some(search) = usage_page_search(&BasePath::new(&config.base_path))
            {
                client.start_early(crate::api::usage::first_request_urls(
                    client,
                    &config.realm,
                    &search,
                    crate::state::today_utc(),
                ));
            }
            // Before there is a client: said to the host here.
            if let (Err(e), Some(events)) = (&config, &events) {
                events.error(e);
            }
            set_loaded.try_set(Some(config));
        });
    }
    move || {
        let events = events.clone();
        loaded.with(|c| match c {
            None => view! {
                <div class="up-root"><p class="up-status" role="status">"Loading the portal…"</p></div>
            }
            .into_any(),
            Some(Ok((config, client))) => {
                let base = BasePath::new(&config.base_path);
                view! { <Portal client=client.clone() realm=config.realm.clone() base events /> }
                    .into_any()
            }
            Some(Err(e)) => view! { <div class="up-root"><ErrorView error=e.clone() /></div> }.into_any(),
        })
    }
}

/// The address's query when the address is the Usage page's (where most visits start).
fn usage_page_search(base: &BasePath) -> Option<String> {
    let location = web_sys::window()?.location();
    let path = location.pathname().ok()?;
    let rest = path.strip_prefix(base.0.as_str())?;
    (rest.is_empty() || rest == "/")
        .then(|| location.search().ok())
        .flatten()
}

/// The routed portal: the root of both the standalone page and an embedded one.
#[component]
pub fn Portal(
    /// The API client, shared through context.
    client: ApiClient,
    /// The realm shown.
    realm: String,
    /// The path the portal is served under.
    base: BasePath,
    /// Where the portal's DOM events go (the element it is mounted in).
    events: Option<HostEvents>,
    /// The host page's language (an embedding page's `lang`); none for the standalone page,
    /// whose `<html lang>` is the portal's own.
    #[prop(default = None)]
    host_lang: Option<String>,
) -> impl IntoView {
    let standalone = host_lang.is_none();
    let browser = crate::i18n::browser_languages();
    let lang = RwSignal::new(usage_portal_core::i18n::Lang::pick(
        crate::i18n::saved().as_deref(),
        host_lang.as_deref(),
        browser.iter().map(String::as_str),
    ));
    provide_context(crate::i18n::Language(lang));
    let root = NodeRef::<leptos::html::Div>::new();
    let translator = StoredValue::new_local(None::<crate::i18n::Translator>);
    Effect::new(move |_| {
        let l = lang.get();
        let Some(el) = root.get() else { return };
        if let Some(t) = translator.try_update_value(Option::take).flatten() {
            t.stop(&el);
        }
        if standalone
            && let Some(html) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("lang", l.code());
        }
        leptos::task::spawn_local(async move {
            if let Some(t) = crate::i18n::translate(l, (**el).clone()).await {
                if lang.try_get_untracked() == Some(l) {
                    translator.try_set_value(Some(t));
                } else {
                    t.stop(&el);
                }
            }
        });
    });
    on_cleanup(move || {
        if let (Some(t), Some(el)) = (
            translator.try_update_value(Option::take).flatten(),
            root.get_untracked(),
        ) {
            t.stop(&el);
        }
    });
    // Every error the client returns reaches the host page, once, from here.
    let client = match &events {
        Some(events) => {
            let events = events.clone();
            client.with_error_sink(crate::api::ErrorSink::new(move |e| events.error(e)))
        }
        None => client,
    };
    provide_context(client);
    provide_context(Realm(realm.clone()));
    provide_context(base.clone());
    if let Some(events) = events {
        provide_context(events);
    }
    let router_base = base.0.clone();
    view! {
        <div class="up-root" node_ref=root lang=move || lang.get().code()>
            <Router base=router_base>
                <NavigationEvents />
                <header class="up-header">
                    <span class="up-brand" translate="no">"Usage Portal"</span>
                    <nav aria-label="Main">
                        <A href=base.href("/")>"Usage"</A>
                        <A href=base.href("/reports")>"Reports"</A>
                        <A href=base.href("/billing")>"Billing"</A>
                        <A href=base.href("/budgets")>"Budgets"</A>
                        <A href=base.href("/record")>"Record usage"</A>
                    </nav>
                    <span class="up-realm">"Realm " <strong translate="no">{realm}</strong></span>
                    <LanguageSwitch lang />
                </header>
                <main class="up-main">
                    <DelayedBudgetNotice />
                    // No route nests: the flat router does the same for them and is much
                    // smaller in the wasm than the nested one.
                    <FlatRoutes fallback=NotFound>
                        <Route path=path!("/") view=UsagePage />
                        <Route path=path!("/reports") view=ReportsPage />
                        <Route path=path!("/billing") view=BillingPage />
                        <Route path=path!("/budgets") view=BudgetsPage />
                        <Route path=path!("/record") view=RecordPage />
                        <Route path=path!("/records") view=RecordsPage />
                    </FlatRoutes>
                </main>
            </Router>
        </div>
    }
}

/// The language switch: the portal's languages, each named in itself; the choice is kept for
/// the next visit.
#[component]
fn LanguageSwitch(
    /// The language shown.
    lang: RwSignal<usage_portal_core::i18n::Lang>,
) -> impl IntoView {
    use usage_portal_core::i18n::Lang;
    let options = Lang::ALL
        .into_iter()
        .map(|l| view! { <option value=l.code() lang=l.code() selected=move || lang.get() == l>{l.name()}</option> })
        .collect_view();
    view! {
        <span class="up-lang">
            <label for="up-lang">"Language"</label>
            <select id="up-lang" translate="no" on:change=move |ev| {
                if let Some(l) = Lang::parse(&event_target_value(&ev)) {
                    crate::i18n::save(l);
                    lang.set(l);
                }
            }>{options}</select>
        </span>
    }
}

/// The budget notice, started a moment after the portal is: its request and code never
/// compete with the first page's.
#[component]
fn DelayedBudgetNotice() -> impl IntoView {
    #[cfg(not(portal_split))]
    use crate::components::budget_notice::BudgetNotice;
    #[cfg(portal_split)]
    use crate::lazy::LazyBudgetNotice as BudgetNotice;
    let started = RwSignal::new(false);
    if let Ok(handle) = set_timeout_with_handle(
        move || started.set(true),
        std::time::Duration::from_millis(BUDGET_NOTICE_DELAY_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    move || started.get().then(|| view! { <BudgetNotice /> })
}

/// How long after the portal starts the budgets are first read for the notice.
const BUDGET_NOTICE_DELAY_MS: u64 = 1_500;

/// Tells the host page about every page the portal shows.
#[component]
fn NavigationEvents() -> impl IntoView {
    let location = use_location();
    Effect::new(move |_| {
        let (path, search) = (location.pathname.get(), location.search.get());
        emit(
            NAVIGATE,
            &[
                ("path", JsValue::from_str(&path)),
                ("search", JsValue::from_str(&search)),
            ],
        );
    });
}

#[component]
fn NotFound() -> impl IntoView {
    let error = ApiError {
        kind: crate::api::ErrorKind::Http,
        status: 404,
        code: None,
        message: "This page does not exist.".to_owned(),
        description: "Use the navigation above.".to_owned(),
        fields: Vec::new(),
        request_id: None,
    };
    view! { <ErrorView error /> }
}
