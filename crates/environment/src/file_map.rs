//! A file's own source map (Vite's `extractSourcemapFromFile`): pre-compiled JavaScript shipped
//! with its map, inline (`//# sourceMappingURL=data:…`) or beside it (`//# sourceMappingURL=x.map`).
//! The map becomes the input map of the transform, so stacks point into the original source,
//! and every `sourceMappingURL` comment is blanked with spaces (positions unchanged), as Vite
//! does with convert-source-map's regular expressions, whose rules are followed here.

use std::path::{Component, Path, PathBuf};

use base64::Engine;

const KEY: &str = "sourceMappingURL=";

/// One `sourceMappingURL` comment: the bytes it covers and its url.
struct Comment<'a> {
  start: usize,
  end: usize,
  url: &'a str,
  /// The comment is the first thing on its line (convert-source-map's inline-map rule).
  starts_line: bool,
}

/// The map JSON of `code` (read from `file`'s directory for a map file), with the comments
/// blanked in `code`; `None` (and `code` untouched) when it has none or the map is unreadable.
pub fn extract(code: &mut String, file: &str) -> Option<String> {
  if !code.contains(KEY) {
    return None;
  }
  let comments = comments(code);
  // The last inline map that starts a line wins; otherwise the first map comment names a file.
  let map = match comments
    .iter()
    .rev()
    .find(|c| c.starts_line && c.url.starts_with("data:"))
  {
    Some(inline) => decode_data_url(inline.url)?,
    None => read_map_file(file, comments.first()?.url)?,
  };
  let spans: Vec<(usize, usize)> = comments.iter().map(|c| (c.start, c.end)).collect();
  // Each span starts at a `/` and ends at its line's end: both char boundaries.
  for (start, end) in spans {
    code.replace_range(start..end, &" ".repeat(end - start));
  }
  Some(map)
}

/// Every comment convert-source-map's `mapFileCommentRegex` matches: `//[#@] sourceMappingURL=url`
/// ending its line (spaces and tabs allowed), or `/*[#@] sourceMappingURL=url */` ending it.
fn comments(code: &str) -> Vec<Comment<'_>> {
  let bytes = code.as_bytes();
  let mut found = Vec::new();
  let mut from = 0;
  while let Some(at) = code[from..].find(KEY).map(|i| from + i) {
    from = at + KEY.len();
    // Back over `[ \t]+`, then `#` or `@`, then `//` or `/*`.
    let mut i = at;
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
      i -= 1;
    }
    if i == at || i < 3 || !matches!(bytes[i - 1], b'#' | b'@') || bytes[i - 3] != b'/' {
      continue;
    }
    let block = match bytes[i - 2] {
      b'/' => false,
      b'*' => true,
      _ => continue,
    };
    let start = i - 3;
    let line_end = code[from..]
      .find(['\n', '\r'])
      .map_or(code.len(), |n| from + n);
    let rest = &code[from..line_end];
    let (url, after) = if block {
      let Some(close) = rest.find("*/") else {
        continue;
      };
      (
        rest[..close].trim_end_matches([' ', '\t']),
        &rest[close + 2..],
      )
    } else {
      let url_len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '`'))
        .unwrap_or(rest.len());
      (&rest[..url_len], &rest[url_len..])
    };
    if url.is_empty() || (block && url.contains('*')) || !after.trim_matches([' ', '\t']).is_empty()
    {
      continue;
    }
    let line_start = code[..start].rfind(['\n', '\r']).map_or(0, |n| n + 1);
    found.push(Comment {
      start,
      // Trailing spaces and tabs belong to the comment, the line break does not.
      end: line_end,
      url,
      starts_line: code[line_start..start].trim().is_empty(),
    });
  }
  found
}

/// `data:[application|text/json][;charset=…][;base64],payload` as JSON text.
fn decode_data_url(url: &str) -> Option<String> {
  let (meta, payload) = url.strip_prefix("data:")?.split_once(',')?;
  let mut parts = meta.split(';');
  let media = parts.next().unwrap_or("");
  if !(media.is_empty() || media == "application/json" || media == "text/json") {
    return None;
  }
  let base64 = meta.ends_with(";base64");
  let text = if base64 {
    String::from_utf8(
      base64::engine::general_purpose::STANDARD
        .decode(payload.trim_end())
        .ok()?,
    )
    .ok()?
  } else {
    percent_decode(payload)?
  };
  serde_json::from_str::<serde_json::Value>(&text).ok()?;
  Some(text)
}

/// `decodeURIComponent`: unlike the resolver's lenient `percent_decode`, a malformed escape or
/// UTF-8 fails (convert-source-map throws there, and Vite takes no map).
fn percent_decode(text: &str) -> Option<String> {
  let bytes = text.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    if bytes[i] == b'%' {
      let hex = text.get(i + 1..i + 3)?;
      out.push(u8::from_str_radix(hex, 16).ok()?);
      i += 3;
    } else {
      out.push(bytes[i]);
      i += 1;
    }
  }
  String::from_utf8(out).ok()
}

/// A map file named relative to `file`; inside `node_modules` it must stay in the package
/// (Vite answers `{}` for one outside, and warns).
fn read_map_file(file: &str, url: &str) -> Option<String> {
  let dir = Path::new(file).parent()?;
  let path = PathBuf::from(ven_resolver::normalize_absolute(
    &dir.join(url).to_string_lossy(),
  ));
  if let Some(package) = package_root(Path::new(file))
    && !path.starts_with(&package)
  {
    return Some("{}".to_owned());
  }
  let text = std::fs::read_to_string(path).ok()?;
  serde_json::from_str::<serde_json::Value>(&text).ok()?;
  Some(text)
}

/// The package folder of a file inside `node_modules` (`node_modules/pkg` or
/// `node_modules/@scope/pkg`, the innermost one).
fn package_root(file: &Path) -> Option<PathBuf> {
  let parts: Vec<Component<'_>> = file.components().collect();
  let at = parts
    .iter()
    .rposition(|c| c.as_os_str() == "node_modules")?;
  let name = parts.get(at + 1)?;
  let take = if name.as_os_str().to_string_lossy().starts_with('@') {
    at + 3
  } else {
    at + 2
  };
  (take <= parts.len()).then(|| parts[..take].iter().collect())
}

#[cfg(test)]
mod tests {
  use super::extract;

  const MAP: &str = r#"{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}"#;

  fn base64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
  }

  #[test]
  fn inline_maps_are_extracted_and_blanked_in_place() {
    let comment = format!(
      "//# sourceMappingURL=data:application/json;charset=utf-8;base64,{}",
      base64(MAP)
    );
    let mut code = format!("export const a = 1;\n{comment}\n");
    let before = code.len();
    assert_eq!(extract(&mut code, "/app/a.js").as_deref(), Some(MAP));
    assert_eq!(code.len(), before);
    assert_eq!(
      code,
      format!("export const a = 1;\n{}\n", " ".repeat(comment.len()))
    );
  }

  #[test]
  fn url_encoded_maps_and_block_comments() {
    let encoded = MAP.replace('"', "%22").replace('{', "%7B");
    let mut code = format!("a();\n/*# sourceMappingURL=data:application/json,{encoded} */\n");
    assert_eq!(extract(&mut code, "/app/a.js").as_deref(), Some(MAP));
    assert!(!code.contains("sourceMappingURL"));
  }

  #[test]
  fn no_comment_or_a_comment_inside_code_leaves_the_code() {
    let mut code = "const s = '//# sourceMappingURL=x.map'; f()\n".to_owned();
    let before = code.clone();
    assert_eq!(extract(&mut code, "/app/a.js"), None);
    assert_eq!(code, before);
  }

  #[test]
  fn map_files_beside_the_module() {
    let dir = std::env::temp_dir().join(format!("ven-file-map-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    std::fs::write(dir.join("dist/a.js.map"), MAP).unwrap();
    let file = dir.join("dist/a.js");
    let mut code = "a();\n//# sourceMappingURL=a.js.map".to_owned();
    assert_eq!(
      extract(&mut code, file.to_str().unwrap()).as_deref(),
      Some(MAP)
    );
    assert_eq!(code.trim_end(), "a();");
    // Inside node_modules, a map outside the package is not read.
    let file = dir.join("node_modules/pkg/index.js");
    let mut code = "a();\n//# sourceMappingURL=../../dist/a.js.map".to_owned();
    assert_eq!(
      extract(&mut code, file.to_str().unwrap()).as_deref(),
      Some("{}")
    );
    std::fs::remove_dir_all(dir).unwrap();
  }
}
