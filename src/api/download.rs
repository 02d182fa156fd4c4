//! Streams a download chunk by chunk straight into a file, so a large report is never held
//! whole in wasm or JS memory: the File System Access API's save picker where the browser has
//! one, else the Origin Private File System (then a link to the saved file).

use super::{ApiClient, ApiError};
use crate::js::{call, has_method, object, prop, settle, start};
use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

fn error_name(e: &JsValue) -> String {
    prop(e, "name").as_string().unwrap_or_default()
}

fn failed(what: &str, e: &JsValue) -> ApiError {
    let detail = prop(e, "message").as_string().unwrap_or_default();
    ApiError::local(&format!("The file could not be {what}."), detail, None)
}

/// Where a download is written.
pub struct SaveTarget {
    kind: Kind,
    handle: JsValue,
    writable: JsValue,
    name: String,
}

enum Kind {
    /// A file the user chose with the save picker.
    Picked,
    /// A file in the Origin Private File System (then offered through a link).
    Private(JsValue),
}

/// How a download ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Saved {
    /// Written to the file the user chose.
    ToChosenFile,
    /// Written to the browser's private storage and handed to the browser's download.
    ThroughBrowser,
}

/// Progress of a download.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes written so far.
    pub bytes: u64,
    /// The size, when the server said.
    pub total: Option<u64>,
    /// Milliseconds since the download started.
    pub elapsed_ms: f64,
}

impl Progress {
    /// Percent done, when the size is known.
    pub fn percent(&self) -> Option<f64> {
        self.total
            .filter(|t| *t > 0)
            .map(|t| self.bytes as f64 * 100.0 / t as f64)
    }

    /// Bytes a second.
    pub fn rate(&self) -> f64 {
        if self.elapsed_ms <= 0.0 {
            0.0
        } else {
            self.bytes as f64 * 1000.0 / self.elapsed_ms
        }
    }
}

/// Asks where to save `name`. `Ok(None)` when the user cancelled the picker; an error when
/// this browser can stream to no file at all (the caller then offers the signed link).
pub async fn choose_target(name: &str) -> Result<Option<SaveTarget>, ApiError> {
    let window: JsValue = web_sys::window()
        .map(Into::into)
        .unwrap_or(JsValue::UNDEFINED);
    if has_method(&window, "showSaveFilePicker") {
        let accept = object(&[("text/csv", Array::of1(&JsValue::from_str(".csv")).into())]);
        let types = Array::of1(&object(&[
            ("description", JsValue::from_str("CSV file")),
            ("accept", accept),
        ]));
        let options = object(&[
            ("suggestedName", JsValue::from_str(name)),
            ("types", types.into()),
        ]);
        match call(&window, "showSaveFilePicker", &[options]).await {
            Ok(handle) => {
                let writable = call(&handle, "createWritable", &[])
                    .await
                    .map_err(|e| failed("opened", &e))?;
                return Ok(Some(SaveTarget {
                    kind: Kind::Picked,
                    handle,
                    writable,
                    name: name.to_owned(),
                }));
            }
            Err(e) if error_name(&e) == "AbortError" => return Ok(None),
            Err(_) => {} // A picker that cannot be used here: fall back to private storage.
        }
    }
    let storage = prop(&prop(&window, "navigator"), "storage");
    if has_method(&storage, "getDirectory") {
        let dir = call(&storage, "getDirectory", &[])
            .await
            .map_err(|e| failed("opened", &e))?;
        let options = object(&[("create", JsValue::TRUE)]);
        let handle = call(&dir, "getFileHandle", &[JsValue::from_str(name), options])
            .await
            .map_err(|e| failed("opened", &e))?;
        let writable = call(&handle, "createWritable", &[])
            .await
            .map_err(|e| failed("opened", &e))?;
        return Ok(Some(SaveTarget {
            kind: Kind::Private(dir),
            handle,
            writable,
            name: name.to_owned(),
        }));
    }
    Err(ApiError::local(
        "This browser cannot save a download as it arrives.",
        String::new(),
        None,
    ))
}

impl SaveTarget {
    /// Throws away a partial file.
    async fn discard(&self) {
        let _ = call(&self.writable, "abort", &[]).await;
        match &self.kind {
            Kind::Private(dir) => {
                let _ = call(dir, "removeEntry", &[JsValue::from_str(&self.name)]).await;
            }
            Kind::Picked => {
                if has_method(&self.handle, "remove") {
                    let _ = call(&self.handle, "remove", &[]).await;
                }
            }
        }
    }
}

/// A read started ahead is left unawaited when the loop stops on a failed write; an abort
/// then rejects it with no one listening, which the page would report as an uncaught error.
/// A handler attached at once makes that rejection handled; an awaited read still sees it.
fn handled(read: JsValue) -> JsValue {
    thread_local! {
        static IGNORE: wasm_bindgen::closure::Closure<dyn FnMut(JsValue)> =
            wasm_bindgen::closure::Closure::new(|_: JsValue| {});
    }
    if let Some(promise) = read.dyn_ref::<js_sys::Promise>() {
        IGNORE.with(|ignore| {
            let _ = promise.catch(ignore);
        });
    }
    read
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map(|p| p.now())
        .unwrap_or(0.0)
}

/// Streams `url` into `target`, calling `on_progress` after each chunk. `signal` cancels it:
/// the request is aborted and the partial file discarded.
pub async fn stream_to(
    client: &ApiClient,
    url: &str,
    target: SaveTarget,
    signal: &web_sys::AbortSignal,
    on_progress: impl Fn(Progress),
) -> Result<Saved, ApiError> {
    let started = now_ms();
    let result = async {
        let (resp, request_id) = client.get(url, Some(signal)).await?;
        let total = resp
            .headers()
            .get("content-length")
            .and_then(|v| v.parse().ok());
        let body: JsValue = resp
            .body()
            .map(Into::into)
            .ok_or_else(|| ApiError::unreadable(resp.status(), request_id.clone()))?;
        let reader = call(&body, "getReader", &[])
            .await
            .map_err(|e| failed("read", &e))?;
        let mut bytes = 0_u64;
        on_progress(Progress {
            bytes,
            total,
            elapsed_ms: 0.0,
        });
        let read_error = |e: JsValue| {
            if signal.aborted() {
                ApiError::aborted(request_id.clone())
            } else {
                failed("downloaded completely", &e)
            }
        };
        // Progress is reported ten times a second at most: re-rendering per chunk costs throughput.
        let mut reported = 0.0_f64;
        // The next chunk is read while the current one is written, so network and disk overlap.
        let mut next = handled(start(&reader, "read", &[]).map_err(read_error)?);
        loop {
            let chunk = settle(next).await.map_err(read_error)?;
            if prop(&chunk, "done").is_truthy() {
                break;
            }
            next = handled(start(&reader, "read", &[]).map_err(read_error)?);
            // The chunk stays a JS Uint8Array: it is written without a copy into wasm memory.
            let value = prop(&chunk, "value");
            bytes += value
                .dyn_ref::<Uint8Array>()
                .map_or(0, |a| u64::from(a.length()));
            call(&target.writable, "write", &[value])
                .await
                .map_err(|e| failed("written", &e))?;
            let elapsed_ms = now_ms() - started;
            if elapsed_ms - reported >= 100.0 {
                reported = elapsed_ms;
                on_progress(Progress {
                    bytes,
                    total,
                    elapsed_ms,
                });
            }
        }
        on_progress(Progress {
            bytes,
            total,
            elapsed_ms: now_ms() - started,
        });
        if let Some(t) = total
            && t != bytes
        {
            return Err(ApiError::local(
                "The download was cut short.",
                format!("Received {bytes} of {t} bytes; try again."),
                request_id,
            ));
        }
        call(&target.writable, "close", &[])
            .await
            .map_err(|e| failed("saved", &e))?;
        Ok(())
    }
    .await;
    if let Err(e) = result {
        target.discard().await;
        return Err(e);
    }
    match &target.kind {
        Kind::Picked => Ok(Saved::ToChosenFile),
        Kind::Private(_) => {
            // The saved file is backed by disk: handing it to a link does not load it whole.
            let file = call(&target.handle, "getFile", &[])
                .await
                .map_err(|e| failed("opened", &e))?;
            let blob: web_sys::Blob = file.dyn_into().map_err(|e| failed("opened", &e))?;
            let href = web_sys::Url::create_object_url_with_blob(&blob)
                .map_err(|e| failed("opened", &e))?;
            click_link(&href, &target.name);
            Ok(Saved::ThroughBrowser)
        }
    }
}

/// Follows `href` as a download named `name`.
pub fn click_link(href: &str, name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(a) = document.create_element("a") {
        let a: web_sys::HtmlAnchorElement = a.unchecked_into();
        a.set_href(href);
        a.set_download(name);
        a.click();
    }
}
