//! Large strings handed to JS (module code, source maps).
//!
//! napi creates a JS string from UTF-8 by decoding it; an ASCII string (nearly all output code
//! and every map without non-ASCII sources) is valid Latin-1, which V8 copies without decoding.

use napi::bindgen_prelude::{
  FromNapiValue, Result, ToNapiValue, TypeName, ValidateNapiValue, ValueType,
};
use napi::{Error, check_status, sys};

pub struct JsText(pub String);

impl From<String> for JsText {
  fn from(text: String) -> Self {
    JsText(text)
  }
}

impl TypeName for JsText {
  fn type_name() -> &'static str {
    "String"
  }

  fn value_type() -> ValueType {
    ValueType::String
  }
}

impl ValidateNapiValue for JsText {}

// The napi call takes a pointer and length of the string's bytes, valid during the call.
#[allow(unsafe_code)]
impl ToNapiValue for JsText {
  unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
    let text = val.0;
    if !text.is_ascii() {
      // SAFETY: forwarded as received; napi's own conversion for a `String`.
      return unsafe { String::to_napi_value(env, text) };
    }
    let Ok(len) = isize::try_from(text.len()) else {
      return Err(Error::from_reason("string too long for JS"));
    };
    let mut value = std::ptr::null_mut();
    check_status!(
      // SAFETY: `text` outlives the call; ASCII bytes are the same characters in Latin-1.
      unsafe { sys::napi_create_string_latin1(env, text.as_ptr().cast(), len, &raw mut value) },
      "Failed to create a JS string"
    )?;
    Ok(value)
  }
}

#[allow(unsafe_code)]
impl FromNapiValue for JsText {
  unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
    // SAFETY: forwarded as received; napi's own conversion for a `String`.
    unsafe { String::from_napi_value(env, value) }.map(JsText)
  }
}
