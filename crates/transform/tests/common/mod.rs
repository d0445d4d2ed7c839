//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ven_transform::{
  ImportKind, TransformError, TransformOptions, TransformOutput, transform_module,
};

pub fn options(id: &str) -> TransformOptions {
  TransformOptions {
    source_map: false,
    ..TransformOptions::new(format!("/root{id}"), id)
  }
}

/// Transforms with an identity rewrite.
pub fn run(code: &str, options: &TransformOptions) -> Result<TransformOutput, TransformError> {
  transform_module(code, options, &mut |_, _| None)
}

/// Transforms with a rewrite that prefixes every specifier with `/@id/` (static) or `/@dyn/`.
pub fn run_rewriting(code: &str, options: &TransformOptions) -> TransformOutput {
  transform_module(code, options, &mut |spec, kind| {
    Some(match kind {
      ImportKind::Static => format!("/@id/{spec}"),
      ImportKind::Dynamic => format!("/@dyn/{spec}"),
    })
  })
  .unwrap()
}

/// JS output with whitespace runs collapsed, so expectations fit on one line.
pub fn ssr(code: &str) -> String {
  squash(&run(code, &options("/src/a.js")).unwrap().code)
}

pub fn ssr_lang(code: &str, id: &str) -> String {
  squash(&run(code, &options(id)).unwrap().code)
}

pub fn squash(code: &str) -> String {
  code.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `__vite_ssr_exportName__("name", …return <value>…)` in squashed form.
pub fn export_getter(name: &str, value: &str) -> String {
  format!("__vite_ssr_exportName__(\"{name}\", ()=>{{ try {{ return {value}; }} catch {{}} }});")
}

#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
  assert!(
    haystack.contains(needle),
    "expected\n  {needle}\nin\n  {haystack}"
  );
}

#[track_caller]
pub fn assert_not_contains(haystack: &str, needle: &str) {
  assert!(
    !haystack.contains(needle),
    "did not expect\n  {needle}\nin\n  {haystack}"
  );
}
