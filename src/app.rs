//! The app shell: loads the runtime config, then routes.

use crate::api::{ApiClient, ApiError};
use crate::components::error_view::ErrorView;
use crate::config::{self, BasePath, Realm};
use crate::pages::billing::BillingPage;
use crate::pages::record::RecordPage;
use crate::pages::reports::ReportsPage;
use crate::pages::usage::UsagePage;
use leptos::prelude::*;
use leptos_router::components::{A, FlatRoutes, Route, Router};
use leptos_router::path;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    let config = LocalResource::new(|| config::load("config.json"));
    view! {
        <Transition fallback=|| view! { <p class="up-status" role="status">"Loading the portal…"</p> }>
            {move || Suspend::new(async move {
                match config.await {
                    Ok((config, client)) => {
                        let base = BasePath::new(&config.base_path);
                        view! { <Shell client realm=config.realm base /> }.into_any()
                    }
                    Err(e) => view! { <ErrorView error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The routed portal, once configured.
#[component]
fn Shell(
    /// The API client, shared through context.
    client: ApiClient,
    /// The realm shown.
    realm: String,
    /// The path the portal is served under.
    base: BasePath,
) -> impl IntoView {
    provide_context(client);
    provide_context(Realm(realm.clone()));
    provide_context(base.clone());
    let router_base = base.0.clone();
    view! {
        <Router base=router_base>
            <div class="up-root">
                <header class="up-header">
                    <span class="up-brand">"Usage Portal"</span>
                    <nav aria-label="Main">
                        <A href=base.href("/")>"Usage"</A>
                        <A href=base.href("/reports")>"Reports"</A>
                        <A href=base.href("/billing")>"Billing"</A>
                        <A href=base.href("/record")>"Record usage"</A>
                    </nav>
                    <span class="up-realm">"Realm " <strong>{realm}</strong></span>
                </header>
                <main class="up-main" id="main">
                    // No route nests: the flat router does the same for them and is much
                    // smaller in the wasm than the nested one.
                    <FlatRoutes fallback=NotFound>
                        <Route path=path!("/") view=UsagePage />
                        <Route path=path!("/reports") view=ReportsPage />
                        <Route path=path!("/billing") view=BillingPage />
                        <Route path=path!("/record") view=RecordPage />
                    </FlatRoutes>
                </main>
            </div>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let error = ApiError {
        status: 404,
        code: None,
        message: "This page does not exist.".to_owned(),
        description: "Use the navigation above.".to_owned(),
        fields: Vec::new(),
        request_id: None,
    };
    view! { <ErrorView error /> }
}
