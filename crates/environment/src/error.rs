//! Errors in Vite's shape: a message plus the fields Vite's overlay and loggers read.

use std::fmt;
use std::path::{Component, Path};

use ven_transform::Lang;

/// One failure of the pipeline. Field names follow Vite's `RollupError`-like error objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvError {
  /// Vite's error code, e.g. `ERR_LOAD_URL`, `ERR_MODULE_NOT_FOUND`, `PARSE_ERROR`.
  pub code: Option<String>,
  pub message: String,
  /// Module id the error is about.
  pub id: Option<String>,
  /// The (native) plugin that failed, e.g. `vite:oxc`-equivalent `vite-env-native:transform`.
  pub plugin: Option<String>,
  /// `file`, 1-based `line`, 0-based `column`.
  pub loc: Option<Location>,
  pub frame: Option<String>,
  /// The JS stack of a failed plugin hook.
  pub stack: Option<String>,
  /// Offset of a module-runner parse failure in its code (UTF-16 units), as Vite's `pos`.
  pub pos: Option<u32>,
  /// Vite's `pluginCode`: the code the failing plugin was given.
  pub plugin_code: Option<String>,
  /// The diagnostics behind the error, as Vite's `vite:oxc` error lists them (`errors`).
  pub errors: Vec<Diagnostic>,
}

/// One diagnostic of oxc, as in the `errors` of Vite's `vite:oxc` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
  /// `PARSE_ERROR` (also its `kind`).
  pub code: String,
  pub message: String,
  pub id: String,
  /// 1-based line, 0-based column (UTF-16 units).
  pub loc: Location,
  /// Offset in UTF-16 units.
  pub pos: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
  pub file: String,
  pub line: u32,
  pub column: u32,
}

impl EnvError {
  pub fn new(code: &str, message: impl Into<String>) -> Self {
    Self {
      code: Some(code.to_owned()),
      message: message.into(),
      ..Self::default()
    }
  }

  /// Vite's `ERR_LOAD_URL` for a url that resolves to nothing loadable; `id` is the resolved
  /// id, or the url itself when nothing resolved it (as Vite reports it).
  pub fn load_url(url: &str, id: Option<&str>, importer: Option<&str>) -> Self {
    let resolved = id
      .map(|id| format!(" (resolved id: {id})"))
      .unwrap_or_default();
    let importer = importer.map(|i| format!(" in {i}")).unwrap_or_default();
    Self {
      id: id.map(str::to_owned),
      ..Self::new(
        "ERR_LOAD_URL",
        format!("Failed to load url {url}{resolved}{importer}. Does the file exist?"),
      )
    }
  }

  /// Vite's `ERR_DENIED_ID`: `server.fs` forbids the file behind an asset-like id.
  pub fn denied_id(id: &str) -> Self {
    Self {
      id: Some(id.to_owned()),
      ..Self::new("ERR_DENIED_ID", format!("Denied ID {id}"))
    }
  }

  /// A transform's syntax error (or other located error), in the shape Vite gives the same
  /// failure, so that overlays and logs that print only `message` still say where:
  ///
  /// - TypeScript, TSX and JSX (`lang`, the language the failing step read): Vite's `vite:oxc`
  ///   fails first. Its message is oxc's report, `Transform failed with 1 error:` then
  ///   `[PARSE_ERROR] …` with the place as
  ///   `<path relative to the working directory>:<line>:<1-based column>` and the marked line;
  ///   `plugin` is `vite:oxc`, `pluginCode` the module's code, `errors` the one diagnostic (its
  ///   `loc` with a 0-based column); no `code`, `loc` or `frame` on the error itself.
  /// - Anything else (JavaScript, JSON, virtual modules): Vite's module-runner transform
  ///   (`ssrTransform`) fails: `Parse failure: …\nAt file: <url>:<line>:<0-based column>`, with
  ///   `code` `PARSE_ERROR`, `id` and `loc.file` the url, `pos`, `loc` and `frame`; no `plugin`.
  ///
  /// `url` is the module's url, `code` the source the failing step read.
  pub fn from_transform(
    err: &ven_transform::TransformError,
    lang: Lang,
    url: &str,
    code: &str,
  ) -> Self {
    if err.frame.is_empty() {
      // Not about a place in the source (an internal error): no location to point at.
      return Self {
        id: Some(err.id.clone()),
        plugin: Some(crate::TRANSFORM_PLUGIN_NAME.to_owned()),
        message: err.message.clone(),
        ..Self::default()
      };
    }
    if matches!(lang, Lang::Ts | Lang::Tsx | Lang::Jsx) {
      let report = err.oxc_report(&shown_path(&err.id));
      return Self {
        message: format!("Transform failed with 1 error:\n\n{report}"),
        id: Some(err.id.clone()),
        plugin: Some(OXC_PLUGIN_NAME.to_owned()),
        plugin_code: Some(code.to_owned()),
        errors: vec![Diagnostic {
          code: "PARSE_ERROR".to_owned(),
          message: report,
          id: err.id.clone(),
          loc: Location {
            file: err.id.clone(),
            line: err.line,
            column: err.column,
          },
          pos: err.pos,
        }],
        ..Self::default()
      };
    }
    let url = if url.is_empty() { &err.id } else { url };
    Self {
      code: Some("PARSE_ERROR".to_owned()),
      message: format!(
        "Parse failure: {}\nAt file: {url}:{}:{}",
        err.message, err.line, err.column
      ),
      id: Some(url.to_owned()),
      pos: Some(err.pos),
      loc: Some(Location {
        file: url.to_owned(),
        line: err.line,
        column: err.column,
      }),
      frame: Some(err.frame.clone()),
      ..Self::default()
    }
  }

  /// A located error of a native step that Vite reports from its own plugin (`plugin`), such
  /// as `vite:import-glob`: the step's message as is, `loc` and `frame` saying where.
  pub fn located(err: &ven_transform::TransformError, plugin: &str) -> Self {
    Self {
      message: err.message.clone(),
      id: Some(err.id.clone()),
      plugin: Some(plugin.to_owned()),
      loc: Some(Location {
        file: err.id.clone(),
        line: err.line,
        column: err.column,
      }),
      frame: (!err.frame.is_empty()).then(|| err.frame.clone()),
      ..Self::default()
    }
  }
}

/// The plugin Vite names in a TypeScript/JSX syntax error: the step we run natively in its place.
const OXC_PLUGIN_NAME: &str = "vite:oxc";

/// How oxc names a file in its reports: relative to the working directory (`../` included),
/// `/` separated; the id itself when it is not an absolute path or there is no such directory.
fn shown_path(id: &str) -> String {
  let path = Path::new(id);
  let Ok(cwd) = std::env::current_dir() else {
    return id.to_owned();
  };
  if !path.is_absolute() {
    return id.to_owned();
  }
  relative_path(&cwd, path).unwrap_or_else(|| id.to_owned())
}

fn relative_path(from: &Path, to: &Path) -> Option<String> {
  let from: Vec<Component<'_>> = from.components().collect();
  let to: Vec<Component<'_>> = to.components().collect();
  // Different roots (Windows drives) have no relative path.
  if from.first() != to.first() {
    return None;
  }
  let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
  let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
  parts.extend(
    to[common..]
      .iter()
      .map(|c| c.as_os_str().to_string_lossy().into_owned()),
  );
  Some(parts.join("/"))
}

impl fmt::Display for EnvError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&self.message)
  }
}

impl std::error::Error for EnvError {}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn relative_paths_climb_with_dot_dot() {
    let rel = |a: &str, b: &str| relative_path(Path::new(a), Path::new(b));
    assert_eq!(rel("/a/b", "/a/b/c/d.ts").as_deref(), Some("c/d.ts"));
    assert_eq!(rel("/a/b/x", "/a/b/c.ts").as_deref(), Some("../c.ts"));
    assert_eq!(rel("/", "/a/c.ts?x").as_deref(), Some("a/c.ts?x"));
  }
}
