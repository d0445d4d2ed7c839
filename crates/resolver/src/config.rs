//! Resolution settings of one environment, mirroring Vite's `resolve.*` options for a
//! server (`consumer: 'server'`) environment in dev.

use std::path::PathBuf;

use crate::{builtins::node_builtins, js_regex::JsRegex};

/// Vite's placeholder condition, replaced by `development` or `production`.
pub const DEV_PROD_CONDITION: &str = "development|production";

/// A string-or-regex matcher, as Vite accepts in `builtins`, `noExternal`, ….
#[derive(Debug, Clone)]
pub enum Pattern {
  /// Matches the whole value exactly.
  Exact(String),
  /// Matches when the regex finds a match anywhere in the value (`RegExp.prototype.test`).
  Regex(JsRegex),
  /// A picomatch glob (`noExternal` strings): the value equals the glob, or matches the regex
  /// picomatch compiles for it (what picomatch's matcher tests).
  Glob { glob: String, regex: JsRegex },
}

impl Pattern {
  pub fn matches(&self, value: &str) -> bool {
    match self {
      Self::Exact(s) => s == value,
      Self::Regex(re) => re.test(value),
      Self::Glob { glob, regex } => !value.is_empty() && (glob == value || regex.test(value)),
    }
  }
}

impl From<&str> for Pattern {
  fn from(s: &str) -> Self {
    Self::Exact(s.to_owned())
  }
}

impl From<JsRegex> for Pattern {
  fn from(re: JsRegex) -> Self {
    Self::Regex(re)
  }
}

/// What an alias entry matches (like `@rollup/plugin-alias`).
#[derive(Debug, Clone)]
pub enum AliasPattern {
  /// The whole specifier, or a `find/` prefix of it.
  Exact(String),
  /// A regex, replaced as `String.prototype.replace` does (`$1`, `$<name>`, `g`).
  Regex(JsRegex),
}

/// One `resolve.alias` entry.
#[derive(Debug, Clone)]
pub struct Alias {
  pub find: AliasPattern,
  pub replacement: String,
}

/// `resolve.external` (`ssr.external`).
#[derive(Debug, Clone, Default)]
pub enum External {
  /// `external: true`: every bare import that resolves to an externalizable file.
  All,
  /// Package names or exact specifiers.
  List(Vec<String>),
  /// Nothing configured (`[]`), the default.
  #[default]
  None,
}

/// `resolve.noExternal` (`ssr.noExternal`).
#[derive(Debug, Clone, Default)]
pub enum NoExternal {
  /// Nothing configured, the default.
  #[default]
  None,
  /// `noExternal: true`: nothing is externalized unless listed in `external`.
  All,
  /// Patterns matched against the package name of the specifier (strings are picomatch globs).
  List(Vec<Pattern>),
}

/// Resolution settings of one environment. `Default` gives Vite's server defaults with root `/`.
#[derive(Debug, Clone)]
pub struct ResolveConfig {
  /// Project root (absolute).
  pub root: PathBuf,
  /// `resolve.conditions`. A `development|production` entry is replaced using `is_production`.
  /// `import` is appended for ESM imports.
  pub conditions: Vec<String>,
  /// `resolve.externalConditions`, used to decide and resolve externals (`import` appended).
  pub external_conditions: Vec<String>,
  /// `resolve.mainFields` (Vite appends `main`; so do we when it is missing).
  pub main_fields: Vec<String>,
  /// `resolve.extensions`, with leading dots.
  pub extensions: Vec<String>,
  /// `resolve.alias`, applied first, first match wins.
  pub alias: Vec<Alias>,
  /// Bare package names resolved from the root instead of the importer.
  pub dedupe: Vec<String>,
  /// `resolve.preserveSymlinks`.
  pub preserve_symlinks: bool,
  /// `resolve.tsconfigPaths`: `compilerOptions.paths` of the tsconfig nearest to the importer.
  pub tsconfig_paths: bool,
  /// `resolve.external`.
  pub external: External,
  /// `resolve.noExternal`.
  pub no_external: NoExternal,
  /// `resolve.builtins`: ids left to the runtime.
  pub builtins: Vec<Pattern>,
  /// Picks `production` for the `development|production` condition (Vite: `isProduction`).
  pub is_production: bool,
}

fn strings(items: &[&str]) -> Vec<String> {
  items.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for ResolveConfig {
  fn default() -> Self {
    Self {
      root: PathBuf::from("/"),
      conditions: strings(&["module", "node", DEV_PROD_CONDITION]),
      external_conditions: strings(&["node", "module-sync"]),
      main_fields: strings(&["module", "jsnext:main", "jsnext"]),
      extensions: strings(&[".mjs", ".js", ".mts", ".ts", ".jsx", ".tsx", ".json"]),
      alias: Vec::new(),
      dedupe: Vec::new(),
      preserve_symlinks: false,
      tsconfig_paths: false,
      external: External::None,
      no_external: NoExternal::None,
      builtins: node_builtins(),
      is_production: false,
    }
  }
}

impl ResolveConfig {
  /// Conditions for ESM imports: `conditions` (with `development|production` substituted) + `import`.
  pub(crate) fn import_conditions(&self) -> Vec<String> {
    with_import(&self.conditions, self.is_production)
  }

  /// Conditions for externals: `external_conditions` (substituted) + `import`.
  /// Vite's `shouldExternalize` always uses `isProduction: false`; `fetchModule` uses the config's.
  pub(crate) fn external_import_conditions(&self, is_production: bool) -> Vec<String> {
    with_import(&self.external_conditions, is_production)
  }

  /// `main_fields` with `main` appended like Vite's resolve plugin.
  pub(crate) fn main_fields_with_main(&self) -> Vec<String> {
    let mut fields = self.main_fields.clone();
    if !fields.iter().any(|f| f == "main") {
      fields.push("main".to_owned());
    }
    fields
  }
}

fn with_import(conditions: &[String], is_production: bool) -> Vec<String> {
  let mut out: Vec<String> = conditions
    .iter()
    .map(|c| {
      if c == DEV_PROD_CONDITION {
        if is_production {
          "production"
        } else {
          "development"
        }
        .to_owned()
      } else {
        c.clone()
      }
    })
    .collect();
  if !out.iter().any(|c| c == "import") {
    out.push("import".to_owned());
  }
  out
}
