//! Mapping between resolved module ids and the urls modules are requested by
//! (Vite's `normalizeResolvedIdToUrl`, `wrapId`/`unwrapId`, `fsPathFromId`, query cleanup).

use std::path::Path;

use crate::util::{
  file_url_to_path, is_absolute_path, normalize_absolute, path_to_id, split_postfix,
};

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

/// Vite's `fsPathFromId` for the part after `/@fs/`: normalized (`..` applied), no symlinks
/// followed and no existence check.
fn fs_path_from_fs_url(rest: &str) -> String {
  if is_absolute_path(rest) {
    normalize_absolute(rest)
  } else {
    normalize_absolute(&format!("/{rest}"))
  }
}

/// Vite's `tryFsResolve` for an exact file: the normalized path when it is a file, its real path
/// unless `preserve_symlinks` (so a symlink inside the root to a file outside it is the outside
/// file, and `server.fs` judges that one).
fn existing_file(path: &str, preserve_symlinks: bool) -> Option<String> {
  let path = normalize_absolute(path);
  if !Path::new(&path).is_file() {
    return None;
  }
  if preserve_symlinks {
    return Some(path);
  }
  Some(std::fs::canonicalize(&path).map_or(path, |real| path_to_id(&real)))
}

/// See [`crate::EnvResolver::url_to_id`]. `resolve` resolves a specifier from the root to a
/// module id (used for extension-less urls and bare ids).
pub fn url_to_id(
  root: &str,
  url: &str,
  preserve_symlinks: bool,
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
  if let Some(rest) = url.strip_prefix(FS_PREFIX) {
    let (file, postfix) = split_postfix(rest);
    return Some(format!("{}{postfix}", fs_path_from_fs_url(file)));
  }
  if url.starts_with('\0') {
    return Some(url);
  }
  // Vite's resolve plugin turns a `file://` url into its path, then treats it as any other
  // absolute url.
  let url = if url.starts_with("file://") {
    let (file, postfix) = split_postfix(&url);
    format!("{}{postfix}", file_url_to_path(file)?)
  } else {
    url
  };
  let (file, postfix) = split_postfix(&url);
  if let Some(relative) = file.strip_prefix('/') {
    // `path.resolve(root, url.slice(1))`, then the url as an absolute path.
    let in_root = if is_absolute_path(relative) {
      relative.to_owned()
    } else {
      format!("{}/{relative}", root.trim_end_matches('/'))
    };
    if let Some(id) =
      existing_file(&in_root, preserve_symlinks).or_else(|| existing_file(file, preserve_symlinks))
    {
      return Some(format!("{id}{postfix}"));
    }
  }
  // Extension-less / directory urls, urls relative to the root (`./x`, `x/y.js`) and bare ids:
  // go through the resolver, as from `<root>/index.html`.
  resolve(&url)
}
