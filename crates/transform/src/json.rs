//! JSON files as ES modules (Vite's json plugin): validated, then turned into module text that
//! goes through the normal pipeline.

use std::fmt::Write as _;

use crate::TransformError;
use crate::error::error_at_line_and_byte_column;

/// Local name of the parsed value; named exports read from it, so `default.a === a`.
const VALUE: &str = "__vite_json__";

/// Module text for a JSON document. With `stringify` only the default export, parsed at
/// runtime by `JSON.parse`; otherwise also one named export per top-level key that is a legal,
/// non-reserved identifier.
pub fn to_module(code: &str, id: &str, stringify: bool) -> Result<String, TransformError> {
  let source = code.strip_prefix('\u{feff}').unwrap_or(code);
  // Vite's `JSON.parse` has no depth limit; serde's default of 128 would refuse deeper files.
  // The call runs on a stack sized for the source (`crate::stack`).
  let mut reader = serde_json::Deserializer::from_str(source);
  reader.disable_recursion_limit();
  let value = serde::Deserialize::deserialize(&mut reader)
    .and_then(|value: serde_json::Value| reader.end().map(|()| value))
    .map_err(|e| {
      error_at_line_and_byte_column(
        source,
        id,
        e.line(),
        e.column().saturating_sub(1),
        format!("Failed to parse JSON file: {e}"),
      )
    })?;
  // A literal `"__proto__"` key would set the prototype in an object literal: parse instead.
  let literal = if stringify || source.contains("__proto__") {
    let quoted = serde_json::to_string(source.trim()).unwrap_or_default();
    format!("JSON.parse({quoted})")
  } else {
    // JSON text is a JS expression (ES2019 allows U+2028/2029 in strings); parens keep `{`
    // from starting a block.
    format!("({})", source.trim())
  };
  let mut out = String::with_capacity(literal.len() + 64);
  let _ = writeln!(out, "const {VALUE} = {literal};");
  if !stringify && let serde_json::Value::Object(map) = &value {
    for key in map.keys() {
      if key != VALUE && is_legal_identifier(key) {
        let _ = writeln!(out, "export const {key} = {VALUE}.{key};");
      }
    }
  }
  let _ = writeln!(out, "export default {VALUE};");
  Ok(out)
}

fn is_legal_identifier(name: &str) -> bool {
  let mut chars = name.chars();
  let Some(first) = chars.next() else {
    return false;
  };
  (first.is_ascii_alphabetic() || first == '_' || first == '$')
    && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    && !RESERVED.contains(&name)
}

/// Reserved words plus names a strict-mode `const` cannot bind.
const RESERVED: &[&str] = &[
  "arguments",
  "await",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "continue",
  "debugger",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "function",
  "if",
  "implements",
  "import",
  "in",
  "instanceof",
  "interface",
  "let",
  "new",
  "null",
  "package",
  "private",
  "protected",
  "public",
  "return",
  "static",
  "super",
  "switch",
  "this",
  "throw",
  "true",
  "try",
  "typeof",
  "undefined",
  "var",
  "void",
  "while",
  "with",
  "yield",
  "NaN",
  "Infinity",
];

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn named_exports_only_for_legal_keys() {
    let m = to_module(
      r#"{"a": 1, "b-c": 2, "default": 3, "$x": [1]}"#,
      "/a.json",
      false,
    )
    .unwrap();
    assert!(m.contains("export const a = __vite_json__.a;"));
    assert!(m.contains("export const $x = __vite_json__.$x;"));
    assert!(!m.contains("b-c ="));
    assert!(!m.contains("export const default"));
    assert!(m.ends_with("export default __vite_json__;\n"));
  }

  #[test]
  fn invalid_json_reports_position() {
    let err = to_module("{\n  \"a\": 1,\n}", "/a.json", false).unwrap_err();
    assert_eq!(err.line, 3);
    assert!(err.frame.contains('^'));
  }
}
