//! The persistent cache in the pipeline: what a module's record holds, and the checks that make
//! a record usable after a restart. A record is used only when the module's load produced the
//! same code, map and module type (content hash), it is requested as the same url, and every
//! specifier its import analysis decided resolves as it did (a file that now shadows a
//! resolution, a changed `package.json`, lockfile or tsconfig `paths` changes some answer).
//! Everything that applies to every module (config, plugins, versions) is the store's key: a
//! store made under another key is emptied when it opens.

use std::collections::HashSet;
use std::sync::Arc;

use ven_cache::{Hmr, Import, ModuleCache, ModuleRecord, Opened, Resolution, StoreKey};
use ven_graph::NodeKey;
use ven_transform::{HmrInfo, ImportKind, TransformOutput};

use crate::pipeline::{FoundImport, Resolutions};
use crate::plugins::{Loaded, Plugins, SpecifierResolution};
use crate::{EnvError, Environment, TransformResult};

pub use ven_cache::Stats as CacheStats;

/// What opening the cache needs beyond the environment's own config.
pub struct CacheOptions {
  pub path: std::path::PathBuf,
  /// Key parts the JS side knows (resolved config, plugin list and filters, versions, lockfile).
  pub key: Vec<(String, String)>,
  /// Names the JS engine, for code-cache entries.
  pub runtime: String,
  /// Empty the store first (`vite --force`).
  pub clear: bool,
  /// Plugins whose `load`/`transform` hooks the user declared pure: modules they touch are
  /// cached too.
  pub cacheable_plugins: Vec<String>,
}

pub(crate) struct PersistentCache {
  pub(crate) store: ModuleCache,
  cacheable_plugins: HashSet<String>,
}

/// The hash a record is valid for: everything the load step produced.
pub(crate) fn source_hash(loaded: &Loaded) -> u128 {
  let map = loaded.map.as_deref().unwrap_or_default();
  let has_map: &[u8] = if loaded.map.is_some() { b"1" } else { b"0" };
  ven_cache::content_hash(&[
    loaded.code.as_bytes(),
    has_map,
    map.as_bytes(),
    loaded.module_type.as_bytes(),
  ])
}

fn to_cached(resolution: &SpecifierResolution) -> Resolution {
  match resolution {
    SpecifierResolution::Module { id } => Resolution::Module(id.clone()),
    SpecifierResolution::External { id } => Resolution::External(id.clone()),
    SpecifierResolution::Keep => Resolution::Keep,
  }
}

pub(crate) fn record(
  url: String,
  source_hash: u128,
  output: &TransformOutput,
  imports: &[FoundImport],
  resolutions: &Resolutions,
) -> ModuleRecord {
  ModuleRecord {
    url,
    source_hash,
    code: output.code.clone(),
    map: output.map.clone(),
    deps: output.deps.clone(),
    dynamic_deps: output.dynamic_deps.clone(),
    imports: imports
      .iter()
      .map(|i| Import {
        specifier: i.specifier.clone(),
        url: i.url.clone(),
        id: i.id.clone(),
        dynamic: i.kind == ImportKind::Dynamic,
      })
      .collect(),
    resolutions: resolutions
      .iter()
      .map(|(specifier, r)| (specifier.clone(), to_cached(r)))
      .collect(),
    hmr: Hmr {
      is_self_accepting: output.hmr.is_self_accepting,
      accepted_deps: output.hmr.accepted_deps.clone(),
      accepted_exports: output.hmr.accepted_exports.clone(),
      imported_bindings: output.hmr.imported_bindings.clone(),
    },
  }
}

impl Environment {
  /// Opens the environment's persistent cache (replacing one already open). Its key is the
  /// environment's resolved config as the engine uses it plus `options.key`.
  pub fn open_cache(&self, options: CacheOptions) -> Result<Opened, String> {
    self.close_cache();
    let mut key = StoreKey::new()
      .part("engine", env!("CARGO_PKG_VERSION"))
      .part("config", format!("{:?}", self.config_for_key()));
    for (name, value) in &options.key {
      key = key.part(name, value);
    }
    let mut cacheable: Vec<&str> = options
      .cacheable_plugins
      .iter()
      .map(String::as_str)
      .collect();
    cacheable.sort_unstable();
    key = key.part("cacheable-plugins", cacheable.join("\0"));
    let store = ModuleCache::open(&options.path, &key, &options.runtime, options.clear)
      .map_err(|e| e.to_string())?;
    let opened = store.stats().opened;
    *self
      .persistent
      .write()
      .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::new(PersistentCache {
      store,
      cacheable_plugins: options.cacheable_plugins.into_iter().collect(),
    }));
    Ok(opened)
  }

  /// The parts of the config that can change a module's output or resolution (everything but
  /// the environment's name and the `server.fs` rules, which only allow or deny a load).
  fn config_for_key(&self) -> impl std::fmt::Debug + '_ {
    let c = &self.config;
    (
      &c.resolve,
      &c.define,
      &c.jsx,
      c.json_stringify,
      c.source_map,
      c.hmr_partial_accept,
      c.import_glob_restore_extension,
    )
  }

  /// Commits what is queued and closes the store file (another server may open it).
  pub fn close_cache(&self) {
    let cache = self
      .persistent
      .write()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
      .take();
    if let Some(cache) = cache {
      cache.store.close();
      *self
        .closed_cache_stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(cache.store.stats());
    }
  }

  pub(crate) fn persistent_cache(&self) -> Option<Arc<PersistentCache>> {
    self
      .persistent
      .read()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
      .clone()
  }

  /// The cache's counters: of the open cache, else the final ones of the last one closed.
  pub fn cache_stats(&self) -> Option<CacheStats> {
    match self.persistent_cache() {
      Some(cache) => Some(cache.store.stats()),
      None => *self
        .closed_cache_stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner),
    }
  }

  /// Waits until every record queued so far is committed.
  pub fn flush_cache(&self) {
    if let Some(cache) = self.persistent_cache() {
      cache.store.flush();
    }
  }

  /// The code-cache seam: bytes a runner stored for this module id and code hash (and this
  /// runtime), if any.
  pub fn code_cache_get(&self, id: &str, code_hash: &str) -> Option<Vec<u8>> {
    self.persistent_cache()?.store.get_code_cache(id, code_hash)
  }

  pub fn code_cache_put(&self, id: &str, code_hash: &str, bytes: Vec<u8>) {
    if let Some(cache) = self.persistent_cache() {
      cache.store.put_code_cache(id, code_hash, bytes);
    }
  }

  /// Some hook `hooks` names would run and its plugin is not declared cacheable.
  pub(crate) fn hooks_uncacheable<'a, I: Iterator<Item = &'a str>>(
    &self,
    plugins: Option<&'a Plugins>,
    hooks: impl FnOnce(&'a ven_plugin::PluginSet) -> I,
  ) -> bool {
    let Some(plugins) = plugins else {
      return false;
    };
    let Some(cache) = self.persistent_cache() else {
      return true;
    };
    hooks(&plugins.set).any(|name| !cache.cacheable_plugins.contains(name))
  }

  /// The specifier as the import analysis would resolve it now: what the transform's rewrite
  /// decides (externalized before any hook, else `pre` hooks, the native resolver, `post` hooks).
  async fn current_resolution(
    &self,
    specifier: &str,
    importer: &str,
    plugins: Option<&Plugins>,
  ) -> Result<SpecifierResolution, EnvError> {
    if self
      .resolver
      .externalized_before_resolve(specifier, Some(importer))
    {
      return Ok(SpecifierResolution::Keep);
    }
    self
      .resolve_with_plugins(specifier, Some(importer), plugins)
      .await
  }

  /// Every recorded specifier resolves as it did. Like the import analysis, the specifiers are
  /// resolved concurrently (those a JS `resolveId` hook answers wait on JS).
  async fn resolutions_hold(
    &self,
    record: &ModuleRecord,
    id: &str,
    plugins: Option<&Plugins>,
  ) -> bool {
    let checks = record
      .resolutions
      .iter()
      .map(|(specifier, recorded)| async move {
        matches!(
          self.current_resolution(specifier, id, plugins).await,
          Ok(now) if to_cached(&now) == *recorded
        )
      });
    futures_util::future::join_all(checks)
      .await
      .into_iter()
      .all(|holds| holds)
  }

  /// The module's cached result when its record still holds: recorded in the graph exactly as a
  /// transform records it (imports, HMR accept data), its static imports pre-transformed.
  #[allow(clippy::too_many_arguments)]
  pub(crate) async fn cached_module(
    self: &Arc<Self>,
    cache: &PersistentCache,
    key: NodeKey,
    id: &str,
    url: &str,
    source_hash: u128,
    started_at: f64,
    plugins: Option<&Plugins>,
  ) -> Result<Option<Arc<TransformResult>>, EnvError> {
    let Some(record) = cache.store.get(id) else {
      return Ok(None);
    };
    if record.url != url
      || record.source_hash != source_hash
      || !self.resolutions_hold(&record, id, plugins).await
    {
      cache.store.note_rejected();
      return Ok(None);
    }
    if self.is_closing() {
      return Err(EnvError::new("ERR_CLOSED_SERVER", "Server is closed"));
    }
    cache.store.note_hit();
    let ModuleRecord {
      code,
      map,
      deps,
      dynamic_deps,
      imports,
      hmr,
      ..
    } = record;
    let imports: Vec<FoundImport> = imports
      .into_iter()
      .map(|i| FoundImport {
        specifier: i.specifier,
        url: i.url,
        id: i.id,
        kind: if i.dynamic {
          ImportKind::Dynamic
        } else {
          ImportKind::Static
        },
      })
      .collect();
    let hmr = HmrInfo {
      is_self_accepting: hmr.is_self_accepting,
      accepted_deps: hmr.accepted_deps,
      accepted_exports: hmr.accepted_exports,
      imported_bindings: hmr.imported_bindings,
    };
    // As the glob step does for a module without `import.meta.glob`.
    self.globs.remove(id);
    crate::guard("updating the module graph for", id, || {
      crate::inject_panic("graph", id);
      self.record_imports(key, &imports, &[], &hmr);
    })?;
    let result = Arc::new(TransformResult::new(code, map, deps, dynamic_deps));
    self
      .graph
      .set_pre_transformed_result(key, Arc::clone(&result), started_at);
    self.pre_transform_imports(&imports);
    Ok(Some(result))
  }
}

#[cfg(test)]
#[path = "persist_tests.rs"]
mod tests;
