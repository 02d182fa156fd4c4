//! The portal in the user's language: English as written, German from a catalog fetched when
//! German is first shown (a wasm file of its own in the release build).
//!
//! The words are translated where they are shown: an observer over the portal's root element
//! replaces each text node, and each `aria-label`, `title` and `placeholder`, that the catalog
//! knows (see [`usage_portal_core::i18n::Catalog::translate`]) as soon as the page writes it,
//! before the browser paints. No page holds a word of German or a call per word, so the first
//! load carries no language but its own. An element marked `translate="no"` (and `<code>`,
//! which holds ids) is left as it is. The English a node showed is kept on the node, so
//! switching back restores it.

pub mod de;

use leptos::prelude::*;
use usage_portal_core::i18n::{Catalog, Lang};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The attributes a screen reader or a pointer shows besides the text.
const ATTRIBUTES: [&str; 3] = ["aria-label", "title", "placeholder"];
/// Where a node keeps the English it showed (`__upEn` for a text, `__upEn:<attribute>`).
const ENGLISH: &str = "__upEn";
/// Where the user's choice is kept between visits.
const STORAGE_KEY: &str = "usage-portal:lang";

/// The language the portal is shown in, in context.
#[derive(Clone, Copy)]
pub struct Language(pub RwSignal<Lang>);

/// The user's earlier choice, kept in `localStorage`.
pub fn saved() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(STORAGE_KEY)
        .ok()?
}

/// Keeps `lang` as the user's choice.
pub fn save(lang: Lang) {
    if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = s.set_item(STORAGE_KEY, lang.code());
    }
}

/// The browser's languages, most preferred first.
pub fn browser_languages() -> Vec<String> {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Vec::new();
    };
    let list: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|l| l.as_string())
        .collect();
    if list.is_empty() {
        nav.language().into_iter().collect()
    } else {
        list
    }
}

/// Starts translating `root` into `lang`: nothing for English, the portal's own words.
///
/// German's catalog and the translator itself are in the German wasm file
/// ([`crate::lazy::german`]): the first load carries neither.
pub async fn translate(lang: Lang, root: web_sys::Element) -> Option<Translator> {
    match lang {
        Lang::En => None,
        #[cfg(portal_split)]
        Lang::De => crate::lazy::german(Box::new(root)).await.ok()?,
        #[cfg(not(portal_split))]
        Lang::De => start_german(&root),
    }
}

/// The German translator over `root` (the German catalog made the first time).
pub fn start_german(root: &web_sys::Element) -> Option<Translator> {
    thread_local! {
        static DE: std::cell::OnceCell<&'static Catalog> = const { std::cell::OnceCell::new() };
    }
    // Made here, in the German file, so that sorting it costs the first load nothing.
    let c = DE.with(|d| *d.get_or_init(|| Box::leak(Box::new(Catalog::new(de::DE)))));
    Translator::start(root, c)
}

fn kept(node: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(node, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

fn keep(node: &JsValue, key: &str, english: &str) {
    let _ = js_sys::Reflect::set(node, &JsValue::from_str(key), &JsValue::from_str(english));
}

/// True for what is never translated: ids in `<code>`, what the user types, and what the page
/// marks `translate="no"`.
fn untouchable(el: &web_sys::Element) -> bool {
    matches!(
        el.tag_name().as_str(),
        "CODE" | "SCRIPT" | "STYLE" | "TEXTAREA"
    ) || el.get_attribute("translate").as_deref() == Some("no")
}

fn inside_untouchable(node: &web_sys::Node) -> bool {
    node.parent_element()
        .and_then(|p| {
            p.closest("code, script, style, textarea, [translate=no]")
                .ok()
        })
        .flatten()
        .is_some()
}

fn text_node(node: &web_sys::Node, to: Option<&Catalog>) {
    let Some(text) = node.node_value() else {
        return;
    };
    match to {
        Some(c) => {
            if let Some(t) = c.translate(&text) {
                keep(node, ENGLISH, &text);
                node.set_node_value(Some(&t));
            }
        }
        None => {
            if let Some(en) = kept(node, ENGLISH).filter(|en| *en != text) {
                node.set_node_value(Some(&en));
            }
        }
    }
}

fn attribute(el: &web_sys::Element, name: &str, to: Option<&Catalog>) {
    let Some(value) = el.get_attribute(name) else {
        return;
    };
    let key = format!("{ENGLISH}:{name}");
    match to {
        Some(c) => {
            if let Some(t) = c.translate(&value) {
                keep(el, &key, &value);
                let _ = el.set_attribute(name, &t);
            }
        }
        None => {
            if let Some(en) = kept(el, &key).filter(|en| *en != value) {
                let _ = el.set_attribute(name, &en);
            }
        }
    }
}

/// Translates `node` and everything under it to `to` (English when none).
fn walk(node: &web_sys::Node, to: Option<&Catalog>) {
    match node.node_type() {
        web_sys::Node::TEXT_NODE => text_node(node, to),
        web_sys::Node::ELEMENT_NODE => {
            let el: &web_sys::Element = node.unchecked_ref();
            if untouchable(el) {
                return;
            }
            for a in ATTRIBUTES {
                attribute(el, a, to);
            }
            let children = node.child_nodes();
            for i in 0..children.length() {
                if let Some(child) = children.item(i) {
                    walk(&child, to);
                }
            }
        }
        _ => {}
    }
}

/// Translates `root` now and everything the page writes under it from now on, until dropped.
pub struct Translator {
    // Made by `start`, so that stopping (and the walk back to English) is code of the German
    // file, not of the first load.
    stop: Box<dyn FnOnce(&web_sys::Element)>,
}

impl Translator {
    /// Starts translating `root` into `to`.
    fn start(root: &web_sys::Element, to: &'static Catalog) -> Option<Self> {
        let callback = Closure::<dyn FnMut(js_sys::Array, web_sys::MutationObserver)>::new(
            move |records: js_sys::Array, _| {
                for r in records.iter() {
                    let r: web_sys::MutationRecord = r.unchecked_into();
                    let Some(target) = r.target() else { continue };
                    match r.type_().as_str() {
                        "childList" => {
                            let added = r.added_nodes();
                            for i in 0..added.length() {
                                if let Some(n) = added.item(i)
                                    && !inside_untouchable(&n)
                                {
                                    walk(&n, Some(to));
                                }
                            }
                        }
                        "characterData" if !inside_untouchable(&target) => {
                            text_node(&target, Some(to));
                        }
                        "attributes" => {
                            if let (Some(name), Some(el)) =
                                (r.attribute_name(), target.dyn_ref::<web_sys::Element>())
                                && !untouchable(el)
                            {
                                attribute(el, &name, Some(to));
                            }
                        }
                        _ => {}
                    }
                }
            },
        );
        let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let init = web_sys::MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        init.set_character_data(true);
        init.set_attributes(true);
        init.set_attribute_filter(
            &ATTRIBUTES
                .iter()
                .map(|a| JsValue::from_str(a))
                .collect::<js_sys::Array>(),
        );
        observer.observe_with_options(root, &init).ok()?;
        walk(root, Some(to));
        Some(Self {
            stop: Box::new(move |root| {
                observer.disconnect();
                drop(callback);
                walk(root, None);
            }),
        })
    }

    /// Stops translating, and puts the English back.
    pub fn stop(self, root: &web_sys::Element) {
        (self.stop)(root);
    }
}
