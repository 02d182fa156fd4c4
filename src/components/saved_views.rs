//! The Usage page's saved views (contract section 11): save what the page shows under a name,
//! open a saved view again, delete one. Its code is fetched when the menu is first opened
//! (`lazy`).

use crate::api::ApiClient;
use crate::api::views::{create_view, delete_view, list_views};
use crate::components::error_view::ErrorView;
use crate::components::field::Field;
use crate::config::{BasePath, Realm};
use crate::format;
use crate::state::{Preset, today_utc};
use leptos::prelude::*;
use usage_api::usage::UsageQuery;
use usage_api::views::{SavedView, check_view_name};
use usage_portal_core::record::errors_of;
use usage_portal_core::saved_views::{
    open_query, range_words, relative_ranges, view_query, view_zone,
};

/// Today in `zone` by the browser's clock (UTC's when the browser does not know the zone).
fn today_in(zone: &str) -> chrono::NaiveDate {
    if zone == "UTC" {
        today_utc()
    } else {
        format::today_in(zone).unwrap_or_else(today_utc)
    }
}

/// The realm's saved views: a form saving the page's view under a name (a preset's range kept
/// relative), and a table of the views, each opening as a link and with a delete button.
#[component]
pub fn SavedViews(
    /// What the Usage page shows now.
    #[prop(into)]
    query: Signal<UsageQuery>,
) -> impl IntoView {
    let client = expect_context::<ApiClient>();
    let Realm(realm) = expect_context::<Realm>();
    let base = expect_context::<BasePath>();
    let views = {
        let (client, realm) = (client.clone(), realm.clone());
        LocalResource::new(move || {
            let (client, realm) = (client.clone(), realm.clone());
            async move { list_views(&client, &realm).await }
        })
    };
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    // The presets the page's range is today, and which one the view keeps (none: the dates).
    let relatives =
        Memo::new(move |_| query.with(|q| relative_ranges(q, today_in(q.time_zone.name()))));
    let keep = RwSignal::new(None::<usize>);
    Effect::new(move |_| keep.set((!relatives.get().is_empty()).then_some(0)));

    let save = {
        let (client, realm) = (client.clone(), realm.clone());
        Action::new_local(move |(name, query): &(String, String)| {
            let (client, realm, name, query) =
                (client.clone(), realm.clone(), name.clone(), query.clone());
            async move { create_view(&client, &realm, &name, &query).await }
        })
    };
    let remove = {
        let (client, realm) = (client.clone(), realm.clone());
        Action::new_local(move |view: &SavedView| {
            let (client, realm, view) = (client.clone(), realm.clone(), view.clone());
            async move {
                delete_view(&client, &realm, &view.id)
                    .await
                    .map(|()| view.name)
            }
        })
    };
    // Each answer: said in words, the list read again.
    Effect::new(move |_| match save.value().get() {
        Some(Ok(v)) => {
            status.set(format!("Saved the view “{}”.", v.name));
            name.set(String::new());
            views.refetch();
        }
        Some(Err(e)) => {
            let at_name = errors_of(&e.fields, "name");
            if e.status == 409 {
                name_error.set(format!("{} {}", e.message, e.description).trim().to_owned());
            } else if !at_name.is_empty() {
                name_error.set(at_name);
            }
            status.set(String::new());
        }
        None => {}
    });
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(n)) => {
            status.set(format!("Deleted the view “{n}”."));
            views.refetch();
        }
        Some(Err(_)) => status.set(String::new()),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        match check_view_name(Some(&name.get_untracked())) {
            Err(e) => name_error.set(e.description),
            Ok(n) => {
                name_error.set(String::new());
                let relative = keep
                    .get_untracked()
                    .and_then(|i| relatives.with_untracked(|r| r.get(i).copied()));
                let saved = query.with_untracked(|q| view_query(q, relative));
                save.dispatch((n, saved));
            }
        }
    };
    // A failed save that is not about the name (a refused query, the service down).
    let save_error = move || match save.value().get() {
        Some(Err(e)) if e.status != 409 && errors_of(&e.fields, "name").is_empty() => {
            Some(view! { <ErrorView error=e /> })
        }
        _ => None,
    };
    let range_choice = move || {
        let presets: Vec<Preset> = relatives.get();
        (!presets.is_empty()).then(|| {
            let fixed = query.with(format::range_text);
            view! {
                <Field id="v-range" label="Range kept as">
                    <select id="v-range" on:change=move |ev| keep.set(event_target_value(&ev).parse().ok())>
                        {presets.iter().enumerate().map(|(i, p)| view! {
                            <option value=i.to_string() selected=move || keep.get() == Some(i)>
                                {format!("{}, moving with today", p.label())}
                            </option>
                        }).collect_view()}
                        <option value="fixed" selected=move || keep.get().is_none()>{format!("These dates: {fixed}")}</option>
                    </select>
                </Field>
            }
        })
    };
    let rows = move || {
        views.with(|v| match v {
            None => view! { <p class="up-status" role="status">"Loading the saved views…"</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorView error=e.clone() /> }.into_any(),
            Some(Ok(list)) if list.items.is_empty() => {
                view! { <p class="up-empty">"No saved views yet."</p> }.into_any()
            }
            Some(Ok(list)) => {
                let items = list.items.clone();
                let base = base.clone();
                view! {
                    <div class="up-table-wrap" tabindex="0" role="region" aria-label="Saved views">
                        <table class="up-table up-views-table">
                            <caption>"Saved views"</caption>
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Range"</th><th scope="col">"Saved"</th><th scope="col">"Delete"</th></tr></thead>
                            <tbody>
                                <For each=move || items.clone() key=|v| v.id.clone() let:v>
                                    {
                                        let href = format!("{}?{}", base.href("/"), open_query(&v.query, today_in(&view_zone(&v.query))));
                                        let label = format!("Delete the view “{}”", v.name);
                                        let view = v.clone();
                                        view! {
                                            <tr>
                                                <th scope="row"><a class="up-view-open" href=href>{v.name.clone()}</a></th>
                                                <td>{range_words(&v.query)}</td>
                                                <td>{format::time_utc(v.created)}" UTC"</td>
                                                <td>
                                                    <button type="button" class="up-button up-button-subtle" aria-label=label
                                                        disabled=move || remove.pending().get()
                                                        on:click=move |_| { remove.dispatch(view.clone()); }>"Delete"</button>
                                                </td>
                                            </tr>
                                        }
                                    }
                                </For>
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };
    let remove_error = move || match remove.value().get() {
        Some(Err(e)) => Some(view! { <ErrorView error=e /> }),
        _ => None,
    };

    view! {
        <div class="up-views">
            <form class="up-views-save" on:submit=on_submit aria-label="Save this view" novalidate>
                <Field id="v-name" label="View name" error=name_error>
                    <input id="v-name" type="text" autocomplete="off" maxlength="100"
                        prop:value=move || name.get()
                        on:input=move |ev| { name.set(event_target_value(&ev)); name_error.set(String::new()); }
                        aria-invalid=move || (!name_error.get().is_empty()).to_string()
                        aria-describedby="v-name-error" />
                </Field>
                {range_choice}
                <button type="submit" class="up-button" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save view" }}
                </button>
            </form>
            <p class="up-status" role="status">{move || status.get()}</p>
            {save_error}
            {remove_error}
            {rows}
        </div>
    }
}
