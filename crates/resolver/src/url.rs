//! Mapping between resolved module ids and the urls modules are requested by
//! (Vite's `normalizeResolvedIdToUrl`, `wrapId`/`unwrapId`, `fsPathFromId`, query cleanup).

use std::path::Path;

use crate::util::{file_url_to_path, is_absolute_path, split_postfix};

/// Prefix for file-system paths outside the root.
pub const FS_PREFIX: &str = "/@fs/";
/// Prefix for ids that are not valid urls (virtual modules, bare ids).
pub const VALID_ID_PREFIX: &str = "/@id/";
/// Replacement of the `\0` byte in urls.
pub const NULL_BYTE_PLACEHOLDER: &str = "__x00__";

/// Vite's `wrapId`: `/@id/` prefix, first `\0` replaced by `__x00__`.
pub fn wrap_id(id: &str) -> String {
  if id.starts_with(VALID_ID_PREFIX) {
    id.to_owned()
  } else {
    format!(
      "{VALID_ID_PREFIX}{}",
      id.replacen('\0', NULL_BYTE_PLACEHOLDER, 1)
    )
  }
}

/// Vite's `unwrapId`.
pub fn unwrap_id(id: &str) -> String {
  match id.strip_prefix(VALID_ID_PREFIX) {
    Some(rest) => rest.replacen(NULL_BYTE_PLACEHOLDER, "\0", 1),
    None => id.to_owned(),
  }
}

/// Removes query parameters matching `drop` from `url`, keeping the others and any `#hash`
/// (Vite's `url.replace(re, '$1').replace(trailingSeparatorRE, '')`).
fn remove_query_params(url: &str, drop: impl Fn(&str) -> bool) -> String {
  let Some(q) = url.find('?') else {
    return url.to_owned();
  };
  let (file, rest) = url.split_at(q);
  let (query, hash) = match rest.find('#') {
    Some(h) => rest.split_at(h),
    None => (rest, ""),
  };
  let kept: Vec<&str> = query[1..]
    .split('&')
    .filter(|p| !p.is_empty() && !drop(p))
    .collect();
  if kept.is_empty() {
    format!("{file}{hash}")
  } else {
    format!("{file}?{}{hash}", kept.join("&"))
  }
}

/// Vite's `removeTimestampQuery` (`t=<digits>`; Vite requires 13 digits, any count is
/// accepted here).
pub fn remove_timestamp_query(url: &str) -> String {
  remove_query_params(url, |p| {
    p.strip_prefix("t=")
      .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
  })
}

/// Vite's `removeImportQuery` (`import` / `import=`).
pub fn remove_import_query(url: &str) -> String {
  remove_query_params(url, |p| p == "import" || p == "import=")
}

/// See [`crate::EnvResolver::id_to_url`].
pub fn id_to_url(root: &str, id: &str) -> String {
  if id.starts_with(VALID_ID_PREFIX) {
    return id.to_owned();
  }
  if id.starts_with('\0') || !is_absolute_path(id) {
    return wrap_id(id);
  }
  let id = if id.contains('\\') {
    id.replace('\\', "/")
  } else {
    id.to_owned()
  };
  let (file, postfix) = split_postfix(&id);
  if file == root {
    return format!("/{postfix}");
  }
  let root_with_slash = if root.ends_with('/') {
    root.to_owned()
  } else {
    format!("{root}/")
  };
  if let Some(rest) = id.strip_prefix(&root_with_slash) {
    return format!("/{rest}");
  }
  format!("{FS_PREFIX}{}", id.trim_start_matches('/'))
}

/// Vite's `fsPathFromId` for the part after `/@fs/`.
fn fs_path_from_fs_url(rest: &str) -> String {
  if is_absolute_path(rest) {
    rest.to_owned()
  } else {
    format!("/{rest}")
  }
}

/// See [`crate::EnvResolver::url_to_id`]. `resolve` resolves a specifier from the root to a
/// module id (used for extension-less urls and bare ids).
pub fn url_to_id(
  root: &str,
  url: &str,
  resolve: impl Fn(&str) -> Option<String>,
) -> Option<String> {
  if url.is_empty() {
    return None;
  }
  let url = remove_import_query(&remove_timestamp_query(url));
  if let Some(rest) = url.strip_prefix(VALID_ID_PREFIX) {
    let id = unwrap_id(&format!("{VALID_ID_PREFIX}{rest}"));
    return (!id.is_empty()).then_some(id);
  }
  if url.starts_with("file://") {
    let (file, postfix) = split_postfix(&url);
    let path = file_url_to_path(file)?;
    return Some(format!("{path}{postfix}"));
  }
  if let Some(rest) = url.strip_prefix(FS_PREFIX) {
    return Some(fs_path_from_fs_url(rest));
  }
  if url.starts_with('\0') {
    return Some(url);
  }
  let (file, postfix) = split_postfix(&url);
  if file.starts_with('/') {
    let root_trimmed = root.trim_end_matches('/');
    let in_root = format!("{root_trimmed}{file}");
    if Path::new(&in_root).is_file() {
      return Some(format!("{in_root}{postfix}"));
    }
    if Path::new(file).is_file() {
      return Some(url.clone());
    }
  }
  // Extension-less / directory urls, bare ids: go through the resolver.
  if file.starts_with('.') {
    return None;
  }
  resolve(&url)
}
