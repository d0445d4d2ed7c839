//! `ven_transform`: turns one module's source (TS/TSX/JS/JSX/JSON) into code for Vite's module runner.
//!
//! Owns: parsing with swc, TypeScript/JSX stripping, `define` replacement, specifier rewriting
//! (through a caller-supplied callback), the module-runner transform (`__vite_ssr_import__` & co.),
//! HMR-accept scanning and the source map of the whole step.
//! Must not know about: files on disk, resolution rules, the module graph, napi or async runtimes.

mod ast_util;
mod bindings;
mod comments;
mod const_fold_guard;
mod define;
mod error;
mod glob_import;
pub use glob_import::{GlobCall, GlobFile, GlobOptions};
mod hmr_scan;
mod json;
mod jsx_pragmas;
mod module_runner;
mod namespaces;
mod nesting;
mod parse;
mod pipeline;
mod redeclare;
mod source_map;
mod specifiers;
mod stack;
mod writer;

/// How an import specifier is used; given to the caller's rewrite callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
  /// `import … from`, `export … from`, `import 'x'`.
  Static,
  /// `import('x')` with a string-literal argument.
  Dynamic,
}

/// Source language, normally derived from the file name by [`Lang::from_path`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
  Js,
  Jsx,
  Ts,
  Tsx,
  Json,
}

impl Lang {
  /// Language from the extension of `id` (any `?query` / `#hash` ignored); `None` when the
  /// extension is not one this crate handles.
  pub fn from_path(id: &str) -> Option<Lang> {
    let path = id.split(['?', '#']).next().unwrap_or(id);
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let ext = file.rsplit_once('.')?.1;
    match ext {
      "js" | "mjs" | "cjs" => Some(Lang::Js),
      "jsx" => Some(Lang::Jsx),
      "ts" | "mts" | "cts" => Some(Lang::Ts),
      "tsx" => Some(Lang::Tsx),
      "json" => Some(Lang::Json),
      _ => None,
    }
  }
}

/// JSX handling, mirroring Vite's oxc defaults (automatic runtime, `react` import source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsxOptions {
  /// `true` = automatic runtime (`react/jsx-runtime`), `false` = classic (`React.createElement`).
  pub automatic: bool,
  pub import_source: String,
  pub pragma: String,
  pub pragma_frag: String,
  pub development: bool,
}

impl Default for JsxOptions {
  fn default() -> Self {
    JsxOptions {
      automatic: true,
      import_source: "react".to_owned(),
      pragma: "React.createElement".to_owned(),
      pragma_frag: "React.Fragment".to_owned(),
      development: true,
    }
  }
}

/// Options of one transform call.
// Independent switches, each one of Vite's config or API flags.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct TransformOptions {
  /// Module id (absolute file path, possibly with a query). Used for error messages and the map.
  pub id: String,
  /// Served url of the module (`/src/a.ts`); `sources` of the map is its basename, like Vite.
  pub url: String,
  pub lang: Lang,
  pub jsx: JsxOptions,
  /// Replacements applied to expressions before the module-runner transform: each entry is a
  /// dotted expression (`import.meta.env.MODE`, `process.env.NODE_ENV`, `__APP__`) and the JS
  /// expression text that replaces it (`"development"`, `{"MODE":"development"}`), as Vite's
  /// `define` plugin does for server environments. Longest key wins.
  pub define: Vec<(String, String)>,
  /// Produce a source map (v3 JSON) from the original source to the output.
  pub source_map: bool,
  /// Embed the source in the map's `sourcesContent` (unless an input map supplies it). `false`
  /// leaves it out for a caller that holds the source already and adds it itself.
  pub sources_content: bool,
  /// A map from an earlier step (e.g. an inline map found in the file), composed with ours.
  pub input_map: Option<String>,
  /// JSON modules: `true` = `export default JSON` only (Vite's `json.stringify`), otherwise
  /// named exports for top-level keys that are valid identifiers plus `default`.
  pub json_stringify: bool,
  /// Report [`HmrInfo::imported_bindings`] (Vite's `experimental.hmrPartialAccept`).
  pub imported_bindings: bool,
}

impl TransformOptions {
  /// The module `id` served at `url`, its language from the id's extension (JS otherwise): no
  /// define, a source map with the source embedded, no input map, Vite's other defaults.
  pub fn new(id: impl Into<String>, url: impl Into<String>) -> Self {
    let id = id.into();
    TransformOptions {
      lang: Lang::from_path(&id).unwrap_or(Lang::Js),
      id,
      url: url.into(),
      jsx: JsxOptions::default(),
      define: Vec::new(),
      source_map: true,
      sources_content: true,
      input_map: None,
      json_stringify: false,
      imported_bindings: false,
    }
  }
}

/// What `import.meta.hot` calls the module makes (for the graph's HMR data).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HmrInfo {
  /// `import.meta.hot.accept()` / `accept(cb)` / `accept(selfUrl…)` seen.
  pub is_self_accepting: bool,
  /// Specifiers passed to `accept('dep')` / `accept(['a','b'])`, already rewritten.
  pub accepted_deps: Vec<String>,
  /// Names passed to `acceptExports([...])`, or `None` when it was not called.
  pub accepted_exports: Option<Vec<String>>,
  /// Vite's `importedBindings` by original static specifier, when
  /// [`TransformOptions::imported_bindings`] is set: which exports the module takes from each
  /// import (`default`, names, `*`). Dynamic imports are not listed (they take `*`).
  pub imported_bindings: Option<Vec<(String, Vec<String>)>>,
}

/// Output of [`transform_module`].
#[derive(Debug, Clone)]
pub struct TransformOutput {
  pub code: String,
  /// Source map v3 JSON when requested.
  pub map: Option<String>,
  /// Rewritten specifiers of static imports/re-exports, in source order, deduplicated.
  pub deps: Vec<String>,
  /// Rewritten string-literal specifiers of dynamic `import()`, in source order, deduplicated.
  pub dynamic_deps: Vec<String>,
  pub hmr: HmrInfo,
}

/// A parse or transform failure, in the shape Vite reports (`loc`, `frame`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformError {
  pub message: String,
  pub id: String,
  /// 1-based line.
  pub line: u32,
  /// 0-based column.
  pub column: u32,
  /// Vite-style code frame around the location.
  pub frame: String,
  /// 0-based offset of the location in UTF-16 units (JS string index), as oxc's `pos`.
  pub pos: u32,
  /// The text of the failing line (without its line break), for oxc-style reports.
  pub source_line: String,
  /// 0-based column in characters (code points), as oxc's reports count it.
  pub char_column: u32,
}

impl TransformError {
  /// The error as oxc reports a diagnostic (what Vite's `vite:oxc` puts in its message): the
  /// code and message, then the place as `<shown_path>:<line>:<column>` with a 1-based column,
  /// and the failing line with the column marked. Without colours.
  pub fn oxc_report(&self, shown_path: &str) -> String {
    let number = self.line.to_string();
    let gutter = " ".repeat(number.len() + 2);
    let marker = " ".repeat(self.char_column as usize);
    let column = self.char_column + 1;
    format!(
      "[PARSE_ERROR] {message}\n{gutter}╭─[ {shown_path}:{line}:{column} ]\n{gutter}│\n \
       {number} │ {text}\n{gutter}│ {marker}┬  \n{gutter}│ {marker}╰── \n{rule}╯\n",
      message = self.message,
      line = self.line,
      text = self.source_line,
      rule = "─".repeat(number.len() + 2),
    )
  }
}

impl std::fmt::Display for TransformError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    write!(
      f,
      "{} ({}:{}:{})",
      self.message, self.id, self.line, self.column
    )
  }
}

impl std::error::Error for TransformError {}

/// Transforms one module for Vite's module runner in a single parse and codegen.
///
/// `rewrite` is called for every static import/re-export specifier, every string-literal
/// dynamic `import()` specifier and every `import.meta.hot.accept` dependency; `Some(new)`
/// replaces the specifier, `None` keeps it.
pub fn transform_module(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<TransformOutput, TransformError> {
  pipeline::run(code, options, rewrite)
}

/// The language step, `define` and import analysis without the module-runner transform: an ES
/// module whose specifiers went through `rewrite` (static and dynamic, as in
/// [`transform_module`]); `hmr` and `deps` are filled. What Vite's transform hooks with
/// `order: 'post'` see, since Vite runs them after its import analysis.
pub fn analyze_imports(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<TransformOutput, TransformError> {
  pipeline::analyze(code, options, rewrite)
}

/// Vite's `vite:import-glob` on its own: the language step, then every `import.meta.glob(…)`
/// call replaced by an object of lazy `import()`s (or eager imports); `expand` lists each call's
/// files. `None` when the code has no such call.
pub fn expand_import_globs(
  code: &str,
  options: &TransformOptions,
  expand: &mut dyn FnMut(&GlobCall) -> Result<Vec<GlobFile>, String>,
) -> Result<Option<TransformOutput>, TransformError> {
  pipeline::globs(code, options, expand)
}

/// Import analysis without output: `rewrite` is called for every specifier (static, dynamic,
/// accepted HMR dependency) that [`transform_module`] would pass it, after the same language
/// step (TypeScript import elision, JSX runtime imports). For finding which specifiers need an
/// answer from elsewhere before the real transform.
pub fn scan_imports(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<(), TransformError> {
  pipeline::scan(code, options, rewrite)
}

/// The language step alone (TS/TSX/JSX strip, JSON to an ES module), with its source map: what
/// plugins that run after Vite's `vite:oxc` see. `deps` and `hmr` are empty.
pub fn strip_types(
  code: &str,
  options: &TransformOptions,
) -> Result<TransformOutput, TransformError> {
  pipeline::strip(code, options)
}
