//! The JS plugin steps of the pipeline: `load`, the `transform` groups around the native TS step,
//! and specifier resolution that consults JS `resolveId` hooks. Every step first asks the
//! compiled filters; a module that no JS hook wants never crosses into JS.

use std::sync::Arc;

use ven_plugin::{BridgeError, HookGroup, PluginBridge, PluginSet};
use ven_resolver::Resolved;

use crate::{EnvError, Environment, FsCheck, Location};

/// The JS plugins of the environment and the way to call them.
pub struct Plugins {
  pub set: PluginSet,
  pub bridge: Arc<dyn PluginBridge>,
}

/// How an import specifier ends up in the transformed code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecifierResolution {
  /// A module of this environment: rewritten to its url, recorded in the graph.
  Module { id: String },
  /// Rewritten to a plugin's external id, left to the runner.
  External { id: String },
  /// Left as written (builtins, externalized packages, unresolvable specifiers).
  Keep,
}

/// A module's code between steps.
pub struct Loaded {
  pub code: String,
  /// Map of `code` to the original source (chained through every step so far).
  pub map: Option<String>,
  /// Vite's `moduleType`.
  pub module_type: String,
  /// Files the JS hooks so far passed to `this.addWatchFile` (Vite's `_addedImports`): the
  /// module's import analysis adds them as imports.
  pub watch_files: Vec<String>,
}

/// What a read of a module's file saw (modification time and length, taken before the read):
/// whether the file still is what the module was loaded from, without comparing clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceFingerprint {
  modified: Option<std::time::SystemTime>,
  len: u64,
}

impl SourceFingerprint {
  pub fn of(metadata: &std::fs::Metadata) -> Self {
    Self {
      modified: metadata.modified().ok(),
      len: metadata.len(),
    }
  }
}

impl From<BridgeError> for EnvError {
  fn from(e: BridgeError) -> Self {
    Self {
      code: e.code,
      message: e.message,
      id: e.id,
      plugin: e.plugin,
      loc: e
        .loc
        .map(|(file, line, column)| Location { file, line, column }),
      frame: e.frame,
      stack: e.stack,
      plugin_code: e.plugin_code,
      ..Self::default()
    }
  }
}

/// Vite's `getModuleTypeFromId`, for the extensions the pipeline distinguishes. A script
/// extension ending the whole id, query included (`Comp.vue?vue&type=script&lang.ts`, the
/// sub-requests of single-file component plugins), decides, as Vite's TS step reads such ids
/// (its filter and its `lang` take the whole id when it ends in `.<ext>`).
pub fn module_type_from_id(id: &str) -> &'static str {
  const SCRIPT_EXTENSIONS: [&str; 8] = ["ts", "mts", "cts", "tsx", "jsx", "js", "mjs", "cjs"];
  let ext = match id.rsplit_once('.') {
    Some((_, ext)) if SCRIPT_EXTENSIONS.contains(&ext) => ext,
    _ => ven_graph::clean_url(id)
      .rsplit_once('.')
      .map_or("", |(_, ext)| ext),
  };
  match ext {
    "jsx" => "jsx",
    "ts" | "mts" | "cts" => "ts",
    "tsx" => "tsx",
    "json" => "json",
    "css" => "css",
    "txt" => "text",
    _ => "js",
  }
}

/// The swc language for a module type, `None` for types only plugins can turn into JS. Like
/// Vite's `vite:oxc`, whose `createFilter` never matches an id containing `\0`, a virtual
/// module (`\0x.ts`) is not stripped: its code is read as JavaScript, its imports not elided.
pub fn lang_for(module_type: &str, id: &str) -> Option<ven_transform::Lang> {
  use ven_transform::Lang;
  let stripped = |lang| Some(if id.contains('\0') { Lang::Js } else { lang });
  match module_type {
    "js" => Some(Lang::Js),
    "jsx" => stripped(Lang::Jsx),
    "ts" => stripped(Lang::Ts),
    "tsx" => stripped(Lang::Tsx),
    "json" => Some(Lang::Json),
    _ => None,
  }
}

impl Environment {
  pub(crate) fn plugins(&self) -> Option<Arc<Plugins>> {
    self
      .plugins
      .read()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
      .clone()
  }

  /// Installs the JS plugins (after Vite's `options` hooks ran, so filters are final).
  pub fn set_plugins(&self, set: PluginSet, bridge: Arc<dyn PluginBridge>) {
    let plugins = (!set.is_empty()).then(|| Arc::new(Plugins { set, bridge }));
    *self
      .plugins
      .write()
      .unwrap_or_else(std::sync::PoisonError::into_inner) = plugins;
  }

  /// Vite's `loadAndTransform` load step: JS `load` hooks, then the file system when `server.fs`
  /// allows the file (a denied file fails as a missing one, as in Vite). A file read also gives
  /// its fingerprint.
  pub(crate) async fn load(
    &self,
    url: &str,
    id: &str,
    plugins: Option<&Plugins>,
    check: FsCheck,
  ) -> Result<(Loaded, Option<SourceFingerprint>), EnvError> {
    let mut watch_files = Vec::new();
    if let Some(plugins) = plugins.filter(|p| p.set.wants_load(id)) {
      let loaded = plugins.bridge.load(id.to_owned()).await?;
      watch_files = loaded.watch_files;
      if let Some(code) = loaded.code {
        let loaded = Loaded {
          code,
          map: loaded.map,
          module_type: loaded
            .module_type
            .unwrap_or_else(|| module_type_from_id(id).to_owned()),
          watch_files,
        };
        return Ok((loaded, None));
      }
    }
    let file = ven_graph::clean_url(id);
    if id.starts_with('\0') || !(self.skips_fs_check(check) || self.is_file_loading_allowed(file)) {
      return Err(EnvError::load_url(url, Some(id), None));
    }
    // Taken before the read: a write in between makes the fingerprint older than the content,
    // never newer.
    let fingerprint = tokio::fs::metadata(file)
      .await
      .ok()
      .map(|metadata| SourceFingerprint::of(&metadata));
    // Vite reads every file as UTF-8 text, replacing invalid sequences.
    let bytes = tokio::fs::read(file)
      .await
      .map_err(|_| EnvError::load_url(url, Some(id), None))?;
    let mut code = match String::from_utf8(bytes) {
      Ok(code) => code,
      Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    // Like Vite, only files read here (not plugin loads) have their own map extracted.
    let map = crate::file_map::extract(&mut code, file);
    let loaded = Loaded {
      code,
      map,
      module_type: module_type_from_id(id).to_owned(),
      watch_files,
    };
    Ok((loaded, fingerprint))
  }

  /// Runs a group of JS `transform` hooks when one of them matches.
  pub(crate) async fn transform_group(
    &self,
    group: HookGroup,
    id: &str,
    loaded: Loaded,
    plugins: Option<&Plugins>,
  ) -> Result<Loaded, EnvError> {
    let Some(plugins) = plugins.filter(|p| {
      p.set
        .wants_transform(group, id, &loaded.code, &loaded.module_type)
    }) else {
      return Ok(loaded);
    };
    let mut watch_files = loaded.watch_files;
    // Vite's container combines the chain with the map it is given, so the answer's map already
    // points at the original source (and plugin error positions are mapped the same way).
    let out = plugins
      .bridge
      .transform(
        group,
        id.to_owned(),
        loaded.code,
        loaded.module_type,
        loaded.map,
      )
      .await?;
    for file in out.watch_files {
      if !watch_files.contains(&file) {
        watch_files.push(file);
      }
    }
    Ok(Loaded {
      code: out.code,
      map: out.map,
      module_type: out.module_type,
      watch_files,
    })
  }

  /// Resolution of one specifier with JS hooks: `pre` group, native resolver, `post` group.
  pub(crate) async fn resolve_with_plugins(
    &self,
    specifier: &str,
    importer: Option<&str>,
    plugins: Option<&Plugins>,
  ) -> Result<SpecifierResolution, EnvError> {
    let from_js = |r: ven_plugin::ResolveOutput| {
      if r.external {
        SpecifierResolution::External { id: r.id }
      } else {
        SpecifierResolution::Module { id: r.id }
      }
    };
    if let Some(plugins) = plugins.filter(|p| p.set.wants_resolve(HookGroup::Pre, specifier))
      && let Some(r) = plugins
        .bridge
        .resolve_id(
          HookGroup::Pre,
          specifier.to_owned(),
          importer.map(str::to_owned),
        )
        .await?
    {
      return Ok(from_js(r));
    }
    // Externalization is decided before the hooks (`externalized_before_resolve`).
    match self.resolver.resolve_to_file(specifier, importer) {
      Ok(Resolved::Module { id }) => Ok(SpecifierResolution::Module { id }),
      Ok(Resolved::Builtin { .. } | Resolved::External { .. }) => Ok(SpecifierResolution::Keep),
      Err(_) => match plugins.filter(|p| p.set.wants_resolve(HookGroup::Post, specifier)) {
        Some(plugins) => Ok(
          plugins
            .bridge
            .resolve_id(
              HookGroup::Post,
              specifier.to_owned(),
              importer.map(str::to_owned),
            )
            .await?
            .map_or(SpecifierResolution::Keep, from_js),
        ),
        None => Ok(SpecifierResolution::Keep),
      },
    }
  }

  /// The module id of a url a runner asks for: natively, else through JS `resolveId` hooks
  /// (a plugin's virtual module imported by its bare id).
  pub(crate) async fn url_to_id(&self, url: &str) -> Result<Option<String>, EnvError> {
    let plugins = self.plugins();
    let plugins = plugins.as_deref();
    // Vite resolves every requested url through the whole container: `pre` hooks come first.
    if let Some(plugins) = plugins.filter(|p| p.set.wants_resolve(HookGroup::Pre, url))
      && let Some(r) = plugins
        .bridge
        .resolve_id(HookGroup::Pre, url.to_owned(), None)
        .await?
      && !r.external
    {
      return Ok(Some(r.id));
    }
    if let Some(id) = self.resolver.url_to_id(url) {
      return Ok(Some(id));
    }
    match plugins.filter(|p| p.set.wants_resolve(HookGroup::Post, url)) {
      Some(plugins) => Ok(
        plugins
          .bridge
          .resolve_id(HookGroup::Post, url.to_owned(), None)
          .await?
          .filter(|r| !r.external)
          .map(|r| r.id),
      ),
      None => Ok(None),
    }
  }
}
