//! Small string/path helpers shared by the modules (ids are strings with forward slashes).

use std::{fmt::Write as _, path::Path};

/// Splits `id` into the file part and the `?query`/`#hash` postfix (Vite's `splitFileAndPostfix`).
pub fn split_postfix(id: &str) -> (&str, &str) {
  match id.find(['?', '#']) {
    Some(i) => id.split_at(i),
    None => (id, ""),
  }
}

/// Splits only at `?` (fragments stay with the file part; oxc interprets them).
pub fn split_query(id: &str) -> (&str, &str) {
  match id.find('?') {
    Some(i) => id.split_at(i),
    None => (id, ""),
  }
}

/// Vite's `cleanUrl`: the id without `?query` / `#hash`.
pub fn clean_url(id: &str) -> &str {
  split_postfix(id).0
}

/// A path as an id string: lossy UTF-8, forward slashes.
pub fn path_to_id(path: &Path) -> String {
  let s = path.to_string_lossy();
  if s.contains('\\') {
    s.replace('\\', "/")
  } else {
    s.into_owned()
  }
}

/// Whether `id` is an absolute file-system path (`/x`, `C:/x`, `C:\x`).
pub fn is_absolute_path(id: &str) -> bool {
  let b = id.as_bytes();
  id.starts_with('/')
    || (b.len() >= 3
      && b[0].is_ascii_alphabetic()
      && b[1] == b':'
      && (b[2] == b'/' || b[2] == b'\\'))
}

/// Vite's `bareImportRE`: `/^(?![a-zA-Z]:)[\w@](?!.*:\/\/)/`. `\w` is ASCII only (no `u` flag)
/// and `.` stops at a line terminator, so `://` on a later line does not count.
pub fn is_bare_import(id: &str) -> bool {
  let b = id.as_bytes();
  let Some(&first) = b.first() else {
    return false;
  };
  if b.len() >= 2 && first.is_ascii_alphabetic() && b[1] == b':' {
    return false;
  }
  // `first` is ASCII from here on, so byte 1 starts a character.
  if !(first.is_ascii_alphanumeric() || first == b'_' || first == b'@') {
    return false;
  }
  let first_line = id[1..]
    .split(['\n', '\r', '\u{2028}', '\u{2029}'])
    .next()
    .unwrap_or_default();
  !first_line.contains("://")
}

/// Vite's `isExternalUrl` (`/^([a-z]+:)?\/\//i`), excluding nothing.
pub fn is_external_url(id: &str) -> bool {
  let scheme_len = id.bytes().take_while(u8::is_ascii_alphabetic).count();
  let rest = &id[scheme_len..];
  if scheme_len == 0 {
    rest.starts_with("//")
  } else {
    rest.starts_with("://")
  }
}

/// Vite's `getNpmPackageName`: `@scope/name` or `name`; `None` for a lone `@scope`.
pub fn npm_package_name(id: &str) -> Option<&str> {
  if id.starts_with('@') {
    let mut parts = id.splitn(3, '/');
    let scope = parts.next()?;
    let name = parts.next().filter(|n| !n.is_empty())?;
    Some(&id[..scope.len() + 1 + name.len()])
  } else {
    Some(id.split('/').next().unwrap_or(id))
  }
}

/// `path.extname` of the file part of `id` (with the dot), `""` when none.
pub fn extname(id: &str) -> &str {
  let file = clean_url(id);
  let base = file.rsplit('/').next().unwrap_or(file);
  match base.rfind('.') {
    Some(0) | None => "",
    Some(i) => &base[i..],
  }
}

/// Node's `path.posix.normalize` for an absolute path (`/x` or `C:/x`): `.` and empty segments
/// dropped, `..` applied (never above the root), a trailing slash kept.
pub fn normalize_absolute(path: &str) -> String {
  let bytes = path.as_bytes();
  let prefix_len = if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
    2
  } else {
    0
  };
  let (prefix, rest) = path.split_at(prefix_len);
  let mut segments: Vec<&str> = Vec::new();
  for segment in rest.split('/') {
    match segment {
      "" | "." => {}
      ".." => {
        segments.pop();
      }
      _ => segments.push(segment),
    }
  }
  let mut out = format!("{prefix}/{}", segments.join("/"));
  if rest.ends_with('/') && !out.ends_with('/') {
    out.push('/');
  }
  out
}

/// Whether `path` has a `.` or `..` segment (it is not in the normal form ids have).
pub fn has_dot_segment(path: &str) -> bool {
  path
    .split('/')
    .any(|segment| segment == "." || segment == "..")
}

/// Percent-decodes `%XX` sequences (invalid sequences are kept verbatim).
pub fn percent_decode(s: &str) -> String {
  let bytes = s.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    if bytes[i] == b'%'
      && let (Some(h), Some(l)) = (
        bytes.get(i + 1).and_then(|c| (*c as char).to_digit(16)),
        bytes.get(i + 2).and_then(|c| (*c as char).to_digit(16)),
      )
    {
      out.push((h * 16 + l) as u8);
      i += 3;
      continue;
    }
    out.push(bytes[i]);
    i += 1;
  }
  String::from_utf8_lossy(&out).into_owned()
}

/// Node's `pathToFileURL(path).href` for an absolute path with forward slashes.
pub fn path_to_file_url(path: &str) -> String {
  let mut out = String::from("file://");
  if !path.starts_with('/') {
    out.push('/');
  }
  for &b in path.as_bytes() {
    let keep = b.is_ascii_graphic()
      && !matches!(
        b,
        b'"' | b'#' | b'%' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}' | b'\\'
      );
    if keep {
      out.push(b as char);
    } else {
      let _ = write!(out, "%{b:02X}");
    }
  }
  out
}

/// `file:///x` to `/x` (decoded); `None` for other urls.
pub fn file_url_to_path(url: &str) -> Option<String> {
  let rest = url.strip_prefix("file://")?;
  // `file://localhost/x` and `file:///x`
  let rest = rest.strip_prefix("localhost").unwrap_or(rest);
  if !rest.starts_with('/') {
    return None;
  }
  let (path, _) = split_postfix(rest);
  let decoded = percent_decode(path);
  // `file:///C:/x` on Windows.
  let b = decoded.as_bytes();
  if b.len() >= 3 && b[1].is_ascii_alphabetic() && b[2] == b':' {
    return Some(decoded[1..].to_owned());
  }
  Some(decoded)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn package_names() {
    assert_eq!(npm_package_name("react"), Some("react"));
    assert_eq!(npm_package_name("react/jsx-runtime"), Some("react"));
    assert_eq!(npm_package_name("@scope/pkg/deep/x"), Some("@scope/pkg"));
    assert_eq!(npm_package_name("@scope"), None);
    assert_eq!(npm_package_name("@scope/"), None);
  }

  #[test]
  fn bare_imports() {
    assert!(is_bare_import("react"));
    assert!(is_bare_import("@scope/pkg"));
    assert!(is_bare_import("_x"));
    assert!(!is_bare_import("./a"));
    assert!(!is_bare_import("/a"));
    assert!(!is_bare_import("C:/a"));
    assert!(!is_bare_import("https://x"));
    assert!(!is_bare_import("#internal"));
    assert!(!is_bare_import(""));
    // Found by fuzzing: a multi-byte first character made the `://` check slice inside it.
    assert!(!is_bare_import("ѵid"));
    assert!(!is_bare_import("é/x"));
    assert!(is_bare_import("pkg/\n://x"));
    assert!(!is_bare_import("pkg/a://x"));
  }

  #[test]
  fn extnames() {
    assert_eq!(extname("/a/b.js?x=1.ts"), ".js");
    assert_eq!(extname("/a.b/c"), "");
    assert_eq!(extname("/a/.bin"), "");
    assert_eq!(extname("/a/b.d.mts"), ".mts");
  }

  #[test]
  fn file_urls() {
    assert_eq!(
      path_to_file_url("/a b/c#d%e?.js"),
      "file:///a%20b/c%23d%25e%3F.js"
    );
    assert_eq!(path_to_file_url("/ü.js"), "file:///%C3%BC.js");
    assert_eq!(
      file_url_to_path("file:///a%20b/%C3%BC.js").as_deref(),
      Some("/a b/ü.js")
    );
    assert_eq!(
      file_url_to_path("file:///C:/x.js").as_deref(),
      Some("C:/x.js")
    );
    assert_eq!(file_url_to_path("http://x"), None);
    assert_eq!(percent_decode("%zz%41"), "%zzA");
  }

  #[test]
  fn absolute_paths_normalize_like_node() {
    assert_eq!(normalize_absolute("/a/b/../c"), "/a/c");
    assert_eq!(normalize_absolute("/a//b/./c"), "/a/b/c");
    assert_eq!(normalize_absolute("/../../etc/passwd"), "/etc/passwd");
    assert_eq!(normalize_absolute("/a/b/"), "/a/b/");
    assert_eq!(normalize_absolute("/a/b/.."), "/a");
    assert_eq!(normalize_absolute("/a/b/../"), "/a/");
    assert_eq!(normalize_absolute("/"), "/");
    assert_eq!(normalize_absolute("C:/a/../b"), "C:/b");
    assert!(has_dot_segment("/a/../b"));
    assert!(has_dot_segment("/a/."));
    assert!(!has_dot_segment("/a/..b/.c"));
  }

  #[test]
  fn external_urls_and_postfix() {
    assert!(is_external_url("https://a"));
    assert!(is_external_url("//a"));
    assert!(!is_external_url("/a"));
    assert!(!is_external_url("data:x"));
    assert_eq!(split_postfix("/a.ts?raw#h"), ("/a.ts", "?raw#h"));
    assert_eq!(split_query("/a.ts#h?raw"), ("/a.ts#h", "?raw"));
  }
}
