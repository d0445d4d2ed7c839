//! Vite's `server.fs` rules for module requests (`isFileLoadingAllowed`,
//! `isServerAccessDeniedForTransform`): what a runner behind a transport that does not skip the
//! check (a worker, HTTP, WebSocket) may make the server read. The in-process runner's server hot
//! channel skips it, as in Vite.

use crate::{EnvError, Environment};

/// Whether a request applies `server.fs` (Vite's `skipFsCheck` option of `transformRequest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FsCheck {
  Apply,
  Skip,
}

/// One `server.fs.deny` glob as picomatch compiles it for Vite (`nocase`, `dot`, a bare name
/// under `**/`). picomatch also matches an input equal to the glob itself.
#[derive(Debug, Clone)]
pub struct DenyGlob {
  pub glob: String,
  pub regex: regress::Regex,
}

impl DenyGlob {
  fn matches(&self, path: &str) -> bool {
    path == self.glob || self.regex.find(path).is_some()
  }
}

/// Vite's resolved `server.fs` plus the environment's transport rule.
#[derive(Debug, Clone)]
pub struct FsConfig {
  /// `server.fs.strict`; off: every file may be loaded.
  pub strict: bool,
  /// `server.fs.allow`, as Vite resolves it: absolute, normalized, forward slashes.
  pub allow: Vec<String>,
  pub deny: Vec<DenyGlob>,
  /// Vite's `isCaseInsensitiveFS`: allow-list prefixes compare without case.
  pub case_insensitive: bool,
  /// Vite's `_skipFsCheck`: the transport says it is in-process (`skipFsCheck` on a hot channel
  /// that is not the WebSocket server). Its `transformRequest` and `fetchModule` skip the rules.
  pub transport_skips_check: bool,
}

impl FsConfig {
  /// No restriction (`strict: false`, the transport skips the check).
  pub fn unrestricted() -> Self {
    Self {
      strict: false,
      allow: Vec::new(),
      deny: Vec::new(),
      case_insensitive: false,
      transport_skips_check: true,
    }
  }
}

/// Vite's `[?&]raw\b`-style test: `name` right after `?` or `&`, then a non-word character or the
/// end (`\b` in a JS regex without the `u` flag: ASCII word characters).
fn has_query_flag(id: &str, name: &str, ends: impl Fn(Option<u8>) -> bool) -> bool {
  let bytes = id.as_bytes();
  id.match_indices(name).any(|(at, _)| {
    at > 0 && matches!(bytes[at - 1], b'?' | b'&') && ends(bytes.get(at + name.len()).copied())
  })
}

fn word_boundary_after(next: Option<u8>) -> bool {
  next.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
}

/// Ids whose load hooks (assets, `?raw`, `?url`, `?inline`, svg, wasm) read files without Vite's
/// load-time check, so Vite checks them before loading.
fn is_guarded_for_transform(id: &str) -> bool {
  let svg = id
    .match_indices(".svg")
    .any(|(at, m)| word_boundary_after(id.as_bytes().get(at + m.len()).copied()));
  // `(?<![?#].*)\.wasm$`: the file part itself ends with `.wasm`.
  let wasm = id
    .strip_suffix(".wasm")
    .is_some_and(|before| !before.contains(['?', '#']));
  has_query_flag(id, "raw", word_boundary_after)
    || has_query_flag(id, "url", word_boundary_after)
    || has_query_flag(id, "inline", word_boundary_after)
    || svg
    || wasm
    || has_query_flag(id, "vite-wasm-instance", |next| {
      next.is_none_or(|b| b == b'&')
    })
}

/// Vite's `slash`.
fn slash(path: &str) -> String {
  path.replace('\\', "/")
}

/// A Windows 8.3 short name segment (`PROGRA~1`), which could alias a denied long name.
fn looks_like_windows_short_name(path: &str) -> bool {
  path.contains('~')
    && path.split('/').any(|segment| {
      let (name, ext) = segment.split_once('.').unwrap_or((segment, ""));
      let Some((stem, digits)) = name.split_once('~') else {
        return false;
      };
      (1..=6).contains(&stem.len())
        && !stem.contains(['~', '.'])
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && ext.len() <= 3
        && !ext.contains(['~', '.'])
    })
}

fn has_drive_letter(path: &str) -> bool {
  let bytes = path.as_bytes();
  bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Vite's `isFileInTargetPath`: `path` is `target` or inside it.
fn is_file_in_target_path(target: &str, path: &str, case_insensitive: bool) -> bool {
  let inside = |target: &str, path: &str| {
    path == target
      || path
        .strip_prefix(target)
        .is_some_and(|rest| target.ends_with('/') || rest.starts_with('/'))
  };
  inside(target, path) || (case_insensitive && inside(&target.to_lowercase(), &path.to_lowercase()))
}

impl FsConfig {
  /// Vite's `isFileLoadingAllowed` for an absolute path with forward slashes; `safe` is Vite's
  /// `safeModulePaths` lookup.
  fn file_loading_allowed(&self, path: &str, safe: impl Fn(&str) -> bool) -> bool {
    if !self.strict {
      return true;
    }
    if cfg!(windows) && looks_like_windows_short_name(path) {
      return false;
    }
    let without_drive = if cfg!(windows) && has_drive_letter(path) {
      &path[2..]
    } else {
      path
    };
    // A `:` could name an alternate data stream or a device on Windows.
    if without_drive.contains(':') {
      return false;
    }
    let without_trailing_slash = path.strip_suffix('/').unwrap_or(path);
    if self
      .deny
      .iter()
      .any(|glob| glob.matches(without_trailing_slash))
    {
      return false;
    }
    if safe(path) {
      return true;
    }
    self
      .allow
      .iter()
      .any(|dir| is_file_in_target_path(dir, path, self.case_insensitive))
  }
}

impl Environment {
  /// Whether a request with `check` skips the rules.
  pub(crate) fn skips_fs_check(&self, check: FsCheck) -> bool {
    check == FsCheck::Skip || !self.config.fs.strict
  }

  /// The check the environment's own `transformRequest` / `fetchModule` use (its transport's).
  pub fn transport_fs_check(&self) -> FsCheck {
    if self.config.fs.transport_skips_check {
      FsCheck::Skip
    } else {
      FsCheck::Apply
    }
  }

  /// Vite's `isFileLoadingAllowed(config, path)`. Vite's paths are normalized; a path that still
  /// has `.`/`..` segments (a plugin's id) must be allowed both as written and normalized, so
  /// `/root/../secret` never passes as a file inside `/root`.
  pub fn is_file_loading_allowed(&self, path: &str) -> bool {
    let path = slash(path);
    let safe = |p: &str| self.safe_module_paths.contains(p);
    let fs = &self.config.fs;
    fs.file_loading_allowed(&path, safe)
      && (!ven_resolver::has_dot_segment(&path)
        || fs.file_loading_allowed(&ven_resolver::normalize_absolute(&path), safe))
  }

  /// Vite's `isServerAccessDeniedForTransform`: an asset-like id (`?raw`, `?url`, `?inline`, svg,
  /// wasm) whose file, or the id as a path, may not be loaded.
  pub(crate) fn is_denied_for_transform(&self, id: &str) -> bool {
    is_guarded_for_transform(id)
      && (!self.is_file_loading_allowed(ven_graph::clean_url(id))
        || !self.is_file_loading_allowed(id))
  }

  /// Vite's guard before `load` in `loadAndTransform` (virtual `\0` ids are not files).
  pub(crate) fn check_transform_access(&self, id: &str, check: FsCheck) -> Result<(), EnvError> {
    if self.skips_fs_check(check) || id.starts_with('\0') || !self.is_denied_for_transform(id) {
      return Ok(());
    }
    Err(EnvError::denied_id(id))
  }

  /// Vite's `safeModulePaths`: a file a loaded module imports may be loaded even outside
  /// `server.fs.allow` (never past `server.fs.deny`).
  pub fn add_safe_module_path(&self, path: &str) {
    if !self.safe_module_paths.contains(path) {
      self.safe_module_paths.insert(path.to_owned());
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  fn glob(glob: &str, source: &str) -> DenyGlob {
    DenyGlob {
      glob: glob.to_owned(),
      regex: regress::Regex::with_flags(source, "i").unwrap(),
    }
  }

  fn config() -> FsConfig {
    FsConfig {
      strict: true,
      allow: vec!["/work/app".to_owned()],
      // picomatch's output for `**/.env` and `**/*.pem` with Vite's options.
      deny: vec![
        glob(
          "**/.env",
          r"^(?:(?:^|\/|(?:(?:(?!(?:^|\/)\.{1,2}(?:\/|$)).)*?)\/)\.env)$",
        ),
        glob(
          "**/*.pem",
          r"^(?:(?:^|\/|(?:(?:(?!(?:^|\/)\.{1,2}(?:\/|$)).)*?)\/)(?!\.{1,2}(?:\/|$))(?=.)[^/]*?\.pem)$",
        ),
      ],
      case_insensitive: false,
      transport_skips_check: false,
    }
  }

  #[test]
  fn guarded_ids_are_vites() {
    for id in [
      "/a/x.txt?raw",
      "/a/x.txt?import&raw",
      "/a/x.txt?raw=1",
      "/a/x.png?url",
      "/a/x.css?inline",
      "/a/icon.svg",
      "/a/icon.svg?import",
      "/a/m.wasm",
      "/a/m.js?vite-wasm-instance",
      "/a/m.js?x&vite-wasm-instance&y",
    ] {
      assert!(is_guarded_for_transform(id), "{id}");
    }
    for id in [
      "/a/x.js",
      "/a/x.txt?rawx",
      "/a/x.txt?RAW",
      "/a/raw.js",
      "/a/icon.svgz",
      "/a/m.wasm?init",
      "/a/m.js?vite-wasm-instancex",
    ] {
      assert!(!is_guarded_for_transform(id), "{id}");
    }
  }

  #[test]
  fn allow_deny_and_safe_paths() {
    let c = config();
    let none = |_: &str| false;
    assert!(c.file_loading_allowed("/work/app/src/a.js", none));
    assert!(c.file_loading_allowed("/work/app", none));
    assert!(!c.file_loading_allowed("/work/app-other/a.js", none));
    assert!(!c.file_loading_allowed("/etc/passwd", none));
    assert!(!c.file_loading_allowed("/work/app/.env", none));
    assert!(!c.file_loading_allowed("/work/app/.ENV", none), "nocase");
    assert!(!c.file_loading_allowed("/work/app/certs/key.pem", none));
    assert!(!c.file_loading_allowed("/work/app/a.js:stream", none));
    let safe = |p: &str| p == "/lib/shared.js" || p == "/lib/.env";
    assert!(c.file_loading_allowed("/lib/shared.js", safe));
    assert!(!c.file_loading_allowed("/lib/.env", safe), "deny wins");
    let loose = FsConfig {
      strict: false,
      ..config()
    };
    assert!(loose.file_loading_allowed("/work/app/.env", none));
  }

  #[test]
  fn case_insensitive_allow_list() {
    let c = FsConfig {
      case_insensitive: true,
      ..config()
    };
    assert!(c.file_loading_allowed("/WORK/App/a.js", |_| false));
    assert!(!config().file_loading_allowed("/WORK/App/a.js", |_| false));
  }

  #[test]
  fn windows_short_names() {
    assert!(looks_like_windows_short_name("C:/PROGRA~1/x.js"));
    assert!(looks_like_windows_short_name("/a/SECRET~1.ENV"));
    assert!(!looks_like_windows_short_name("/a/~user/x.js"));
    assert!(!looks_like_windows_short_name("/a/b~c/x.js"));
  }
}
