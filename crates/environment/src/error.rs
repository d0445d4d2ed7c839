//! Errors in Vite's shape: a message plus the fields Vite's overlay and loggers read.

use std::fmt;

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

  /// A transform's error. A located one (a syntax error) reads like Vite's own module-runner
  /// parse failures, `Parse failure: …\nAt file: <file>:<line>:<column>`, so that overlays and
  /// logs that print only `message` still say where; `loc` and `frame` carry the same place.
  pub fn from_transform(err: &ven_transform::TransformError) -> Self {
    if err.frame.is_empty() {
      // Not about a place in the source (an internal error): no location to point at.
      return Self {
        id: Some(err.id.clone()),
        plugin: Some(crate::TRANSFORM_PLUGIN_NAME.to_owned()),
        message: err.message.clone(),
        ..Self::default()
      };
    }
    Self {
      code: Some("PARSE_ERROR".to_owned()),
      message: format!(
        "Parse failure: {}\nAt file: {}:{}:{}",
        err.message, err.id, err.line, err.column
      ),
      id: Some(err.id.clone()),
      plugin: Some(crate::TRANSFORM_PLUGIN_NAME.to_owned()),
      loc: Some(Location {
        file: err.id.clone(),
        line: err.line,
        column: err.column,
      }),
      frame: Some(err.frame.clone()),
      stack: None,
    }
  }
}

impl fmt::Display for EnvError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&self.message)
  }
}

impl std::error::Error for EnvError {}
