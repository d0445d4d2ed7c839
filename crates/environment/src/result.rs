//! A cached transform result and the code `fetchModule` hands to runners.

use std::sync::Mutex;

use base64::Engine as _;

/// Vite's SSR `TransformResult`: `{ code, map, ssr: true, deps, dynamicDeps }`.
#[derive(Debug)]
pub struct TransformResult {
  pub code: String,
  /// Source map v3 JSON, when produced.
  pub map: Option<String>,
  pub deps: Vec<String>,
  pub dynamic_deps: Vec<String>,
  /// Code with the inline map appended, per runner `startOffset` (normally one entry).
  inlined: Mutex<Vec<(u32, std::sync::Arc<str>)>>,
}

impl TransformResult {
  pub fn new(
    code: String,
    map: Option<String>,
    deps: Vec<String>,
    dynamic_deps: Vec<String>,
  ) -> Self {
    Self {
      code,
      map,
      deps,
      dynamic_deps,
      inlined: Mutex::new(Vec::new()),
    }
  }

  /// The code as a runner evaluates it: hashbang blanked, the source map inlined with
  /// `start_offset` empty lines prepended to its mappings (the lines the evaluator's
  /// `AsyncFunction` wrapper adds), and `sourceURL` set to the module id.
  pub fn code_for_runner(
    &self,
    id: &str,
    start_offset: u32,
    inline_map: bool,
  ) -> std::sync::Arc<str> {
    if !inline_map || self.map.is_none() {
      return blank_hashbang(&self.code).into();
    }
    let mut cache = self
      .inlined
      .lock()
      .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, code)) = cache.iter().find(|(offset, _)| *offset == start_offset) {
      return code.clone();
    }
    let code: std::sync::Arc<str> = self.inline(id, start_offset).into();
    cache.push((start_offset, code.clone()));
    code
  }

  fn inline(&self, id: &str, start_offset: u32) -> String {
    let code = blank_hashbang(&self.code);
    let map = self.map.as_deref().unwrap_or_default();
    let map = match serde_json::from_str::<serde_json::Value>(map) {
      Ok(mut value) if start_offset > 0 => {
        if let Some(serde_json::Value::String(mappings)) = value.get_mut("mappings") {
          mappings.insert_str(0, &";".repeat(start_offset as usize));
        }
        value.to_string()
      }
      _ => map.to_owned(),
    };
    let encoded = base64::engine::general_purpose::STANDARD.encode(map);
    let source_url = id
      .replace('\n', "%0A")
      .replace('\r', "%0D")
      .replace('\t', "%09");
    format!(
      "{}\n//# sourceURL={source_url}\n//# sourceMappingSource=vite-generated\n//# sourceMappingURL=data:application/json;base64,{encoded}\n",
      code.trim_end()
    )
  }
}

/// Runners evaluate code inside a function body, where `#!` is a syntax error: Vite blanks it.
fn blank_hashbang(code: &str) -> String {
  if let Some(rest) = code.strip_prefix("#!") {
    let end = rest.find('\n').unwrap_or(rest.len());
    let mut out = " ".repeat(end + 2);
    out.push_str(&rest[end..]);
    out
  } else {
    code.to_owned()
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn hashbang_is_blanked_keeping_columns() {
    assert_eq!(
      blank_hashbang("#!/usr/bin/env node\nx"),
      format!("{}\nx", " ".repeat(19))
    );
    assert_eq!(blank_hashbang("x"), "x");
  }

  #[test]
  fn inline_map_prefixes_mappings_per_offset() {
    let r = TransformResult::new(
      "a\n".into(),
      Some(r#"{"version":3,"mappings":"AAAA"}"#.into()),
      vec![],
      vec![],
    );
    let code = r.code_for_runner("/r/a.ts", 3, true);
    assert!(code.starts_with("a\n//# sourceURL=/r/a.ts\n//# sourceMappingSource=vite-generated\n"));
    let b64 = code.rsplit(',').next().unwrap().trim();
    let json = String::from_utf8(
      base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap(),
    )
    .unwrap();
    assert!(json.contains(r#""mappings":";;;AAAA""#), "{json}");
    // Another offset gets its own copy; the first stays cached.
    let two = r.code_for_runner("/r/a.ts", 2, true);
    let json2 = base64::engine::general_purpose::STANDARD
      .decode(two.rsplit(',').next().unwrap().trim())
      .unwrap();
    assert!(
      String::from_utf8(json2)
        .unwrap()
        .contains(r#""mappings":";;AAAA""#)
    );
    assert!(std::sync::Arc::ptr_eq(
      &code,
      &r.code_for_runner("/r/a.ts", 3, true)
    ));
  }

  #[test]
  fn no_map_means_plain_code() {
    let r = TransformResult::new("x".into(), None, vec![], vec![]);
    assert_eq!(&*r.code_for_runner("/a", 3, true), "x");
  }
}
