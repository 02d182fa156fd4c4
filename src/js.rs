//! Small helpers for calling browser and host-page JavaScript through `Reflect`, for APIs that
//! web-sys does not bind (the File System Access API) or that the host page supplies.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `obj[key]`, or `undefined`.
pub fn prop(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// True when `obj[key]` is a function.
pub fn has_method(obj: &JsValue, key: &str) -> bool {
    prop(obj, key).is_function()
}

/// Calls `obj.method(...args)` without awaiting what it returns.
pub fn start(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = prop(obj, method).dyn_into()?;
    f.apply(obj, &args.iter().collect::<Array>())
}

/// Awaits a value that may be a promise.
pub async fn settle(v: JsValue) -> Result<JsValue, JsValue> {
    match v.dyn_into::<Promise>() {
        Ok(p) => JsFuture::from(p).await,
        Err(v) => Ok(v),
    }
}

/// Calls `obj.method(...args)` and awaits it when it returns a promise.
pub async fn call(obj: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    settle(start(obj, method, args)?).await
}

/// A plain object with these properties.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}
