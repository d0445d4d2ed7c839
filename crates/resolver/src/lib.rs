//! `ven_resolver`: module resolution for one Vite dev environment of a server consumer.
//!
//! Owns:
//! - resolving import specifiers with Vite's rules for that environment (alias, builtins,
//!   external URLs, relative/absolute/root-relative paths, bare packages with the env's
//!   conditions/mainFields/extensions, `dedupe`, TS-style `.js → .ts` fallbacks), on
//!   `oxc_resolver`;
//! - externalization decisions (Vite's `shouldExternalize`) and the resolution of externals
//!   for `fetchModule` (file URL + ESM/CJS kind);
//! - the mapping between resolved ids and module urls (`/src/a.ts`, `/@fs/…`, `/@id/…`).
//!
//! Must not know about: the module graph, transforms, napi or async runtimes. Everything here
//! is synchronous, string in / string out, with forward-slash paths.

mod alias;
mod builtins;
mod config;
mod externalize;
mod js_regex;
mod url;
mod util;

use std::{
  fmt,
  path::{Path, PathBuf},
};

use dashmap::DashMap;
use oxc_resolver::{ModuleType, ResolveOptions, Resolver};

pub use crate::{
  alias::{apply_alias, matches_alias},
  builtins::{NODE_BUILTIN_NAMES, node_builtins},
  config::{Alias, AliasPattern, DEV_PROD_CONDITION, External, NoExternal, Pattern, ResolveConfig},
  externalize::{can_externalize_file, is_in_node_modules},
  js_regex::JsRegex,
  url::{remove_import_query, remove_timestamp_query, unwrap_id, wrap_id},
  util::{has_dot_segment, normalize_absolute},
};
use crate::{
  url::FS_PREFIX,
  util::{
    clean_url, file_url_to_path, is_absolute_path, is_external_url, npm_package_name, path_to_id,
    split_query,
  },
};

/// Outcome of resolving one specifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
  /// A module we load and transform: absolute file path (normalized, forward slashes) + query/fragment kept (e.g. `?raw`).
  Module { id: String },
  /// Node builtin (`fs`, `node:fs`): left for the runner to import natively.
  Builtin { id: String },
  /// Bare specifier that Vite would externalize for this environment, or a `data:`/http(s)
  /// URL: keep the specifier as written.
  External { specifier: String },
}

/// A specifier that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
  pub specifier: String,
  pub importer: Option<String>,
  pub message: String,
  /// Vite's error code, where Vite sets one (`ERR_MODULE_NOT_FOUND`, …).
  pub code: Option<&'static str>,
}

impl fmt::Display for ResolveError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&self.message)
  }
}

impl std::error::Error for ResolveError {}

/// How Node will load an externalized file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalKind {
  Module,
  Commonjs,
}

/// An externalized bare import as `fetchModule` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalTarget {
  /// `file:///abs/path`, percent-encoded like Node's `pathToFileURL`.
  pub file_url: String,
  pub kind: ExternalKind,
}

/// The resolver of one environment. `Send + Sync`; share it behind an `Arc`.
pub struct EnvResolver {
  config: ResolveConfig,
  /// Normalized root without a trailing slash (`/` stays `/`).
  root: String,
  /// Imports: env conditions + `import`, mainFields + `main`, env extensions, `.js → .ts`.
  imports: Resolver,
  /// `shouldExternalize` probe: like `imports` but with the external conditions.
  externals_probe: Resolver,
  /// `fetchModule`'s `tryNodeResolve`: mainFields `main`, external conditions, `.js .cjs .json`.
  node: Resolver,
  /// Vite's `processedIds`: decisions per specifier.
  externalized: DashMap<String, bool>,
}

impl fmt::Debug for EnvResolver {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.debug_struct("EnvResolver")
      .field("config", &self.config)
      .finish_non_exhaustive()
  }
}

fn base_options(config: &ResolveConfig) -> ResolveOptions {
  ResolveOptions {
    condition_names: config.import_conditions(),
    main_fields: config.main_fields_with_main(),
    main_files: vec!["index".to_owned()],
    extensions: config.extensions.clone(),
    // Vite's tryCleanFsResolve tries `x.ts`/`x.tsx` for a missing `x.js` (any importer),
    // `.mts` for `.mjs`, `.cts` for `.cjs`, `.tsx` for `.jsx`.
    extension_alias: vec![
      (
        ".js".to_owned(),
        vec![".js".to_owned(), ".ts".to_owned(), ".tsx".to_owned()],
      ),
      (
        ".jsx".to_owned(),
        vec![".jsx".to_owned(), ".tsx".to_owned()],
      ),
      (
        ".mjs".to_owned(),
        vec![".mjs".to_owned(), ".mts".to_owned()],
      ),
      (
        ".cjs".to_owned(),
        vec![".cjs".to_owned(), ".cts".to_owned()],
      ),
    ],
    alias_fields: Vec::new(),
    symlinks: !config.preserve_symlinks,
    tsconfig: config
      .tsconfig_paths
      .then_some(oxc_resolver::TsconfigDiscovery::Auto),
    node_path: false,
    builtin_modules: false,
    allow_package_exports_in_directory_resolve: true,
    ..ResolveOptions::default()
  }
}

fn normalize_root(root: &Path) -> String {
  let mut root = path_to_id(root);
  while root.len() > 1 && root.ends_with('/') {
    root.pop();
  }
  if root.is_empty() {
    "/".to_owned()
  } else {
    root
  }
}

impl EnvResolver {
  pub fn new(config: ResolveConfig) -> Self {
    let base = base_options(&config);
    let imports = Resolver::new(base.clone());
    let externals_probe = imports.clone_with_options(ResolveOptions {
      condition_names: config.external_import_conditions(false),
      ..base.clone()
    });
    let node = imports.clone_with_options(ResolveOptions {
      condition_names: config.external_import_conditions(config.is_production),
      main_fields: vec!["main".to_owned()],
      extensions: vec![".js".to_owned(), ".cjs".to_owned(), ".json".to_owned()],
      extension_alias: Vec::new(),
      module_type: true,
      ..base
    });
    Self {
      root: normalize_root(&config.root),
      config,
      imports,
      externals_probe,
      node,
      externalized: DashMap::new(),
    }
  }

  pub fn config(&self) -> &ResolveConfig {
    &self.config
  }

  /// The normalized root (forward slashes, no trailing slash).
  pub fn root(&self) -> &str {
    &self.root
  }

  fn root_path(&self) -> &Path {
    Path::new(&self.root)
  }

  /// Directory relative specifiers are resolved from: the importer's, or the root.
  fn importer_dir(&self, importer: Option<&str>) -> PathBuf {
    importer
      .map(clean_url)
      .filter(|i| is_absolute_path(i))
      .and_then(|i| Path::new(i).parent())
      .map_or_else(|| self.root_path().to_path_buf(), Path::to_path_buf)
  }

  /// Directory bare specifiers are resolved from (Vite's `tryNodeResolve` basedir): the root
  /// for deduped packages and for importers that are not existing files.
  fn bare_basedir(&self, specifier: &str, importer: Option<&str>) -> PathBuf {
    if self.is_deduped(specifier) {
      return self.root_path().to_path_buf();
    }
    match importer_file(importer) {
      Some(i) => Path::new(i)
        .parent()
        .map_or_else(|| self.root_path().to_path_buf(), Path::to_path_buf),
      None => self.root_path().to_path_buf(),
    }
  }

  fn is_deduped(&self, specifier: &str) -> bool {
    npm_package_name(clean_url(specifier))
      .is_some_and(|name| self.config.dedupe.iter().any(|d| d == name))
  }

  /// A bare specifier: through the `paths` of the importer's nearest tsconfig first when
  /// `resolve.tsconfigPaths` is on (oxc finds that tsconfig only from a file), else as a package
  /// from [`Self::bare_basedir`].
  fn resolve_bare(&self, file: &str, importer: Option<&str>) -> Option<oxc_resolver::Resolution> {
    if self.config.tsconfig_paths
      && !self.is_deduped(file)
      && let Some(importer) = importer_file(importer)
      && let Ok(resolution) = self.imports.resolve_file(importer, file)
    {
      return Some(resolution);
    }
    self
      .imports
      .resolve(self.bare_basedir(file, importer), file)
      .ok()
  }

  fn error(specifier: &str, importer: Option<&str>, message: String) -> ResolveError {
    ResolveError {
      specifier: specifier.to_owned(),
      importer: importer.map(str::to_owned),
      message,
      code: None,
    }
  }

  /// Vite's `Failed to resolve import "x" from "src/a.ts". Does the file exist?`.
  fn not_found(&self, specifier: &str, importer: Option<&str>) -> ResolveError {
    let from = match importer {
      Some(i) => {
        let prefix = format!("{}/", self.root.trim_end_matches('/'));
        i.strip_prefix(&prefix).unwrap_or(i).to_owned()
      }
      None => self.root.clone(),
    };
    Self::error(
      specifier,
      importer,
      format!("Failed to resolve import \"{specifier}\" from \"{from}\". Does the file exist?"),
    )
  }

  fn module_id(resolution: &oxc_resolver::Resolution, query: &str) -> String {
    let mut id = path_to_id(resolution.path());
    if let Some(q) = resolution.query() {
      id.push_str(q);
    }
    if let Some(f) = resolution.fragment() {
      id.push_str(f);
    }
    id.push_str(query);
    id
  }

  /// Resolves an absolute-looking file part: `/@fs/x`, then root-relative, then absolute.
  fn resolve_absolute(&self, file: &str) -> Option<oxc_resolver::Resolution> {
    if let Some(rest) = file.strip_prefix(FS_PREFIX) {
      let fs_path = if is_absolute_path(rest) {
        rest.to_owned()
      } else {
        format!("/{rest}")
      };
      return self.imports.resolve(self.root_path(), &fs_path).ok();
    }
    let root_prefix = format!("{}/", self.root.trim_end_matches('/'));
    let already_in_root = file.starts_with(&root_prefix);
    if file.starts_with('/')
      && !already_in_root
      && self.root != "/"
      && let Ok(r) = self.imports.resolve(self.root_path(), &format!(".{file}"))
    {
      return Some(r);
    }
    self.imports.resolve(self.root_path(), file).ok()
  }

  /// Resolve `specifier` imported from the module file `importer` (absolute path; None = from root).
  ///
  /// Order: alias → builtins → `data:`/http(s) URLs (External) → `\0` virtual ids (kept) →
  /// `file://` URLs, relative, absolute/root-relative (`/@fs/` too), `#imports` →
  /// bare: `should_externalize` ⇒ External, else resolution from the importer (root if deduped).
  pub fn resolve(&self, specifier: &str, importer: Option<&str>) -> Result<Resolved, ResolveError> {
    self.resolve_with(specifier, importer, true)
  }

  /// Like [`Self::resolve`], but bare packages resolve to their files even when the environment
  /// externalizes them: what Vite's resolve plugin answers to a plugin's `this.resolve()`
  /// (externalization is import analysis' decision, not the resolver's).
  pub fn resolve_to_file(
    &self,
    specifier: &str,
    importer: Option<&str>,
  ) -> Result<Resolved, ResolveError> {
    self.resolve_with(specifier, importer, false)
  }

  fn resolve_with(
    &self,
    specifier: &str,
    importer: Option<&str>,
    externalize: bool,
  ) -> Result<Resolved, ResolveError> {
    let aliased = alias::apply_alias(&self.config.alias, specifier);
    let spec = aliased.as_deref().unwrap_or(specifier);
    if self.is_builtin(spec) {
      return Ok(Resolved::Builtin {
        id: spec.to_owned(),
      });
    }
    if spec.starts_with("data:") || (is_external_url(spec) && !spec.starts_with("file://")) {
      return Ok(Resolved::External {
        specifier: spec.to_owned(),
      });
    }
    if spec.starts_with('\0') {
      return Ok(Resolved::Module {
        id: spec.to_owned(),
      });
    }
    let (file, query) = split_query(spec);
    if file.is_empty() {
      return Err(self.not_found(specifier, importer));
    }
    let resolution = if let Some(path) = file_url_to_path(file) {
      self.imports.resolve(self.root_path(), &path).ok()
    } else if file.starts_with('.') {
      self.imports.resolve(self.importer_dir(importer), file).ok()
    } else if is_absolute_path(file) {
      self.resolve_absolute(file)
    } else if file.starts_with('#') {
      self.imports.resolve(self.importer_dir(importer), file).ok()
    } else {
      if externalize && self.should_externalize(spec, importer) {
        return Ok(Resolved::External {
          specifier: spec.to_owned(),
        });
      }
      // Vite's container resolves a request without importer as if from `<root>/index.html`,
      // and Vite's resolver prefers a relative file for a bare specifier from an html importer.
      let relative = prefers_relative(importer)
        .then(|| {
          self
            .imports
            .resolve(self.importer_dir(importer), &format!("./{file}"))
            .ok()
        })
        .flatten();
      relative.or_else(|| self.resolve_bare(file, importer))
    };
    match resolution {
      Some(r) => Ok(Resolved::Module {
        id: Self::module_id(&r, query),
      }),
      None => Err(self.not_found(specifier, importer)),
    }
  }

  /// Vite's import analysis for a server environment leaves `specifier` for the runtime before
  /// any `resolveId` hook sees it: unless an alias matches it, a `data:` or network url, or a
  /// specifier `shouldExternalize` (builtins included) decides is external. A plugin that answers
  /// every import (`this.resolve(…, { skipSelf: true })`) therefore never inlines such a package.
  pub fn externalized_before_resolve(&self, specifier: &str, importer: Option<&str>) -> bool {
    if alias::matches_alias(&self.config.alias, specifier) {
      return false;
    }
    if specifier.starts_with("data:")
      || (is_external_url(specifier) && !specifier.starts_with("file://"))
    {
      return true;
    }
    // Relative and absolute ids are never external (checked first: no cache entry per file).
    !specifier.starts_with('.')
      && !is_absolute_path(specifier)
      && self.should_externalize(specifier, importer)
  }

  /// Vite's `shouldExternalize(env, id, importer)`, cached per id like Vite's `processedIds`
  /// (the first importer asking decides). Builtins are external, relative/absolute ids never;
  /// `external` (exact id) forces; a listed package name or `external: All` only lifts the
  /// `node_modules` requirement; `no_external` vetoes; by default the id must resolve with the
  /// external conditions to a `.js`/`.mjs`/`.cjs`/extension-less file inside `node_modules`.
  pub fn should_externalize(&self, specifier: &str, importer: Option<&str>) -> bool {
    if let Some(cached) = self.externalized.get(specifier) {
      return *cached;
    }
    let decision = externalize::should_externalize_uncached(&self.config, specifier, |id| {
      let (file, _) = split_query(id);
      let basedir = self.bare_basedir(file, importer);
      self
        .externals_probe
        .resolve(basedir, file)
        .ok()
        .map(|r| path_to_id(r.path()))
    });
    self.externalized.insert(specifier.to_owned(), decision);
    decision
  }

  /// fetchModule's externalization of a bare specifier (Vite's `tryNodeResolve` with mainFields
  /// `main`, the external conditions + `import`, extensions `.js .cjs .json`). Builtins are not
  /// handled here (check [`Self::is_builtin`] first).
  pub fn resolve_external(
    &self,
    specifier: &str,
    importer: Option<&str>,
  ) -> Result<ExternalTarget, ResolveError> {
    let (file, _) = split_query(specifier);
    let basedir = self.bare_basedir(file, importer);
    let resolution = self.node.resolve(&basedir, file).map_err(|_| {
      // Vite's `tryNodeResolve`: a package that exists but whose entry does not resolve is an
      // entry failure; a missing package or deep file is "Cannot find module".
      if !is_deep_import(file)
        && let Some(name) = npm_package_name(file)
        && package_json_above(&basedir, name)
      {
        return ResolveError {
          code: Some("ERR_RESOLVE_PACKAGE_ENTRY_FAIL"),
          ..Self::error(
            specifier,
            importer,
            format!(
              "Failed to resolve entry for package \"{specifier}\". The package may have \
               incorrect main/module/exports specified in its package.json."
            ),
          )
        };
      }
      let from = importer.unwrap_or(&self.root);
      ResolveError {
        code: Some("ERR_MODULE_NOT_FOUND"),
        ..Self::error(
          specifier,
          importer,
          format!("Cannot find module '{specifier}' imported from '{from}'"),
        )
      }
    })?;
    let kind = match resolution.module_type() {
      Some(ModuleType::Module) => ExternalKind::Module,
      _ => ExternalKind::Commonjs,
    };
    Ok(ExternalTarget {
      file_url: util::path_to_file_url(&path_to_id(resolution.path())),
      kind,
    })
  }

  pub fn is_builtin(&self, id: &str) -> bool {
    builtins::is_builtin(&self.config.builtins, id)
  }

  /// Vite's `normalizeResolvedIdToUrl`: inside root ⇒ `/src/a.ts` (query kept); other
  /// absolute paths ⇒ `/@fs/abs/path`; virtual ids ⇒ `/@id/<id>` with `\0` as `__x00__`.
  pub fn id_to_url(&self, id: &str) -> String {
    url::id_to_url(&self.root, id)
  }

  /// Inverse of [`Self::id_to_url`] for urls the runner asks for; `None` when nothing matches.
  pub fn url_to_id(&self, url: &str) -> Option<String> {
    url::url_to_id(
      &self.root,
      url,
      self.config.preserve_symlinks,
      // Vite's `ensureEntryFromUrl` resolves through the container, which never externalizes.
      |spec| match self.resolve_to_file(spec, None) {
        Ok(Resolved::Module { id }) => Some(id),
        _ => None,
      },
    )
  }

  /// Clears oxc's caches and the externalization decisions (after package.json or
  /// `node_modules` changes). Callers must not resolve concurrently with this.
  pub fn clear_cache(&self) {
    self.imports.clear_cache();
    self.externalized.clear();
  }
}

/// Vite's resolver prefers a relative file for bare specifiers from an html importer, which a
/// request without importer gets (`<root>/index.html`, the plugin container's default).
#[expect(
  clippy::case_sensitive_file_extension_comparisons,
  reason = "Vite's test is case-sensitive"
)]
fn prefers_relative(importer: Option<&str>) -> bool {
  importer.is_none_or(|i| i.ends_with(".html"))
}

/// Vite's `deepImportRE`: a bare specifier with a path after the package name.
fn is_deep_import(specifier: &str) -> bool {
  npm_package_name(specifier).is_some_and(|name| specifier.len() > name.len())
}

/// Vite's `resolvePackageData` found something: `node_modules/<name>/package.json` in `basedir`
/// or a directory above it.
fn package_json_above(basedir: &Path, name: &str) -> bool {
  basedir.ancestors().any(|dir| {
    dir
      .join("node_modules")
      .join(name)
      .join("package.json")
      .is_file()
  })
}

/// The importer as an existing file (without its query), if it is one.
fn importer_file(importer: Option<&str>) -> Option<&str> {
  importer
    .map(clean_url)
    .filter(|i| is_absolute_path(i) && Path::new(i).is_file())
}
