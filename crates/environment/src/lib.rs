//! `ven_environment`: one Vite dev environment's request pipeline, on tokio.
//!
//! Owns: `transformRequest` (in-flight dedup, invalidation timestamps, load, transform, graph
//! update), pre-transforming static imports to remove the cold-start waterfall, `warmupRequest`,
//! and `fetchModule` with Vite's externalization rules and `FetchResult` shapes.
//! Must not know about: napi or JS values (the binding converts), how a runner evaluates code.

// `EnvError` is large (Vite's error fields), but errors are the slow path and are shared behind an
// `Arc` once they leave the pipeline; boxing every internal `Result` would only add noise.
#![allow(clippy::result_large_err)]

mod clock;
mod config;
mod container;
mod error;
mod fault;
mod fetch;
mod file_map;
mod fs_access;
mod glob;
mod pipeline;
mod plugins;
mod result;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use dashmap::DashMap;
use futures_util::future::{BoxFuture, Shared};
use tokio::sync::Semaphore;
use ven_graph::ModuleGraph;
use ven_resolver::EnvResolver;

pub use clock::monotonic_now;
pub use config::EnvironmentConfig;
pub use container::ContainerTransformOutput;
pub use error::{EnvError, Location};
pub use fault::{INJECT_PANIC_VAR, INTERNAL_ERROR_CODE, guard, inject_panic, internal_error};
pub use fetch::{FetchOptions, FetchResult, LazySourceMap};
pub use fs_access::{DenyGlob, FsCheck, FsConfig};
pub use plugins::{SpecifierResolution, lang_for, module_type_from_id};
pub use result::TransformResult;
pub use ven_graph::{Boundary, GraphEvent, HmrOutcome, NodeKey};

/// Name reported as `plugin` on errors of the native transform step.
pub const TRANSFORM_PLUGIN_NAME: &str = "vite-env-native:transform";

pub type SharedResult = Result<Arc<TransformResult>, Arc<EnvError>>;
type PendingFuture = Shared<BoxFuture<'static, SharedResult>>;

/// An in-flight `transformRequest`, shared by every caller of the same url (Vite's `_pendingRequests`).
#[derive(Clone)]
struct PendingRequest {
  /// Identifies the request that registered the entry, so only it removes the entry.
  id: u64,
  started_at: f64,
  future: PendingFuture,
}

/// One environment: its resolver, module graph and pipeline state.
pub struct Environment {
  config: EnvironmentConfig,
  resolver: EnvResolver,
  graph: ModuleGraph<TransformResult>,
  pending: DashMap<String, PendingRequest>,
  /// Bounds concurrent CPU-heavy transforms to the machine's cores.
  transform_slots: Semaphore,
  closing: AtomicBool,
  /// JS plugins, installed once the JS side has resolved them (None: native only).
  plugins: std::sync::RwLock<Option<Arc<plugins::Plugins>>>,
  next_request_id: std::sync::atomic::AtomicU64,
  /// Modules that lost their last importer, until JS sends Vite's `prune` payload for them.
  pruned: std::sync::Mutex<Vec<NodeKey>>,
  has_pruned: AtomicBool,
  /// The last module with imports needed JS `resolveId` answers: scan the next one first
  /// instead of transforming it twice (plugins that claim every specifier make it the rule).
  pub(crate) expect_js_resolution: AtomicBool,
  /// `import.meta.glob` patterns per importer id, for HMR of created/deleted files.
  pub(crate) globs: DashMap<String, Vec<glob::GlobMatcher>>,
  /// Vite's `safeModulePaths`: files imported by transformed modules (and those Vite's JS side
  /// registers), loadable outside `server.fs.allow`.
  pub(crate) safe_module_paths: dashmap::DashSet<String>,
  /// What the last load of each module read from its file (modules loaded by a plugin have none).
  /// What each module's last load read, and when its request started (before the read).
  pub(crate) source_fingerprints: DashMap<NodeKey, (plugins::SourceFingerprint, f64)>,
}

impl Environment {
  pub fn new(config: EnvironmentConfig) -> Arc<Self> {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    Arc::new(Self {
      resolver: EnvResolver::new(config.resolve.clone()),
      config,
      graph: ModuleGraph::new(),
      pending: DashMap::new(),
      transform_slots: Semaphore::new(cores),
      closing: AtomicBool::new(false),
      plugins: std::sync::RwLock::new(None),
      next_request_id: std::sync::atomic::AtomicU64::new(0),
      pruned: std::sync::Mutex::new(Vec::new()),
      has_pruned: AtomicBool::new(false),
      expect_js_resolution: AtomicBool::new(false),
      globs: DashMap::new(),
      safe_module_paths: dashmap::DashSet::new(),
      source_fingerprints: DashMap::new(),
    })
  }

  pub fn config(&self) -> &EnvironmentConfig {
    &self.config
  }

  pub fn graph(&self) -> &ModuleGraph<TransformResult> {
    &self.graph
  }

  pub fn resolver(&self) -> &EnvResolver {
    &self.resolver
  }

  /// Vite's `resolvedIdToModuleUrl`: the url a module has in the graph. Virtual ids stay
  /// unwrapped (`\0virtual:x`); code imports them by their browser url (`/@id/__x00__virtual:x`).
  pub fn module_url(&self, id: &str) -> String {
    ven_resolver::unwrap_id(&self.resolver.id_to_url(id))
  }

  /// Vite's `moduleGraph.ensureEntryFromUrl`: the node of `url`, resolved like any url (JS
  /// `resolveId` hooks of the `pre` group, the native resolver, the `post` group) unless the
  /// graph knows the url or `resolved_id` is given. As in Vite, a url nothing resolves is its own
  /// id (a `load` hook may still serve it), and the node's url is the url asked for
  /// ([`entry_url`]), so `virtual:x` names the node of `\0virtual:x`.
  pub async fn ensure_entry_from_url(
    &self,
    url: &str,
    resolved_id: Option<String>,
  ) -> Result<NodeKey, EnvError> {
    let url = pipeline::module_url_of_request(url);
    if let Some(key) = self.graph.key_by_url(&url) {
      return Ok(key);
    }
    let id = match resolved_id {
      Some(id) => id,
      None => self.url_to_id(&url).await?.unwrap_or_else(|| url.clone()),
    };
    Ok(self.ensure_entry_of_request(&url, &id))
  }

  /// The node of `id` requested as `url`: created with Vite's entry url when missing; the url
  /// becomes an alias of the node either way (Vite's unresolved-url map).
  pub(crate) fn ensure_entry_of_request(&self, url: &str, id: &str) -> NodeKey {
    let key = match self.graph.key_by_id(id) {
      Some(key) => key,
      None => self.graph.ensure_entry(&entry_url(url, id), id),
    };
    self.graph.ensure_entry(url, id);
    key
  }

  /// Invalidate one module (and importers, per Vite's rules).
  /// Vite's `invalidateModule`. Whether a transform is newer than the invalidation compares its
  /// start, stamped by [`monotonic_now`], with this time: a time from another clock (JS's
  /// `Date.now()`, which can equal or trail it within a millisecond) could keep a result
  /// transformed before the invalidation, or drop one transformed after it. So the time is
  /// this clock's now, or the caller's when that is later.
  pub fn invalidate_module(&self, key: NodeKey, timestamp: Option<f64>, is_hmr: bool, soft: bool) {
    let now = monotonic_now();
    let timestamp = timestamp.map_or(now, |t| if is_hmr { t } else { t.max(now) });
    self.graph.invalidate_module(
      key,
      &mut ven_graph::KeySet::default(),
      timestamp,
      is_hmr,
      soft,
    );
  }

  /// Vite's `updateModules` decision for edited modules (HMR-invalidates them); the caller
  /// sends the payload. `first_invalidated_by` is the url of the module that called
  /// `import.meta.hot.invalidate()`, if any.
  pub fn hmr_update(
    &self,
    modules: &[NodeKey],
    timestamp: f64,
    first_invalidated_by: Option<&str>,
  ) -> HmrOutcome {
    let first = first_invalidated_by.and_then(|url| self.graph.key_by_url(url));
    self.graph.hmr_update(modules, timestamp, first)
  }

  /// The node of a requested `url` and its result version, when `result` is the node's
  /// `transformResult` (a result computed from input invalidated meanwhile is not cached).
  pub fn requested_result_version(
    &self,
    url: &str,
    result: &Arc<TransformResult>,
  ) -> Option<(NodeKey, u32)> {
    let key = self
      .graph
      .key_by_url(&pipeline::module_url_of_request(url))?;
    let current = self.graph.transform_result(key)?;
    if !Arc::ptr_eq(&current, result) {
      return None;
    }
    Some((key, self.graph.result_version(key)?))
  }

  /// The module's last load read its file as the file is now (same modification time and
  /// length): a module loaded after its file was created already runs that content.
  pub fn holds_current_source(&self, key: NodeKey) -> bool {
    let Some((loaded, _)) = self.source_fingerprints.get(&key).map(|f| *f) else {
      return false;
    };
    let Some(file) = self.graph.with_node(key, |n| n.file.clone()) else {
      return false;
    };
    std::fs::metadata(&file)
      .is_ok_and(|metadata| plugins::SourceFingerprint::of(&metadata) == loaded)
  }

  /// A module of `file` was last read from content the file no longer has, and no change of it
  /// was reported since (a write the file watcher did not report: chokidar drops a second
  /// `change` of a path within 50 ms, and an editor's save is a truncation and a write). Whether
  /// the read was transformed or failed does not matter: a runner keeps what it got (Vite's
  /// runner even keeps a failed import) until a change is reported.
  pub fn serves_outdated_source(&self, file: &str) -> bool {
    let current = std::fs::metadata(file)
      .ok()
      .map(|m| plugins::SourceFingerprint::of(&m));
    self.graph.keys_by_file(file).into_iter().any(|key| {
      let Some((loaded, read_started)) = self.source_fingerprints.get(&key).map(|f| *f) else {
        return false;
      };
      let reported_since = self
        .graph
        .timestamps(key)
        .is_some_and(|t| t.last_invalidation > read_started);
      !reported_since && current != Some(loaded)
    })
  }

  pub fn on_file_change(&self, file: &str) -> Vec<NodeKey> {
    inject_panic("invalidate", file);
    self.graph.on_file_change(file, monotonic_now())
  }

  pub fn on_file_delete(&self, file: &str) {
    self.graph.on_file_delete(file);
  }

  pub fn invalidate_all(&self) {
    self.graph.invalidate_all(monotonic_now());
  }

  /// Some module was pruned since the last [`Self::take_pruned`] (cheap check for every fetch).
  pub fn has_pruned(&self) -> bool {
    self.has_pruned.load(Ordering::Relaxed)
  }

  /// Vite's `handlePrunedModules`: the pruned modules' urls, their HMR timestamp set to `now`.
  pub fn take_pruned(&self) -> Vec<String> {
    let keys = std::mem::take(
      &mut *self
        .pruned
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    self.has_pruned.store(false, Ordering::Relaxed);
    let now = monotonic_now();
    keys
      .into_iter()
      .filter_map(|key| {
        self.graph.set_timestamps(key, Some(now), None);
        self.graph.set_hmr_invalidation_received(key, false);
        self.graph.with_node(key, |n| n.url.clone())
      })
      .collect()
  }

  pub(crate) fn record_pruned(&self, keys: Vec<NodeKey>) {
    if keys.is_empty() {
      return;
    }
    self
      .pruned
      .lock()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
      .extend(keys);
    self.has_pruned.store(true, Ordering::Relaxed);
  }

  /// Stop accepting work; in-flight requests finish.
  pub fn close(&self) {
    self.closing.store(true, Ordering::Relaxed);
  }

  pub fn is_closing(&self) -> bool {
    self.closing.load(Ordering::Relaxed)
  }
}

/// Vite's `_resolveUrl`: the url a node created for a request gets, the url as asked for, with
/// the resolved file's extension added when the url lacks it (`/src/a` → `/src/a.ts`); virtual
/// urls (`virtual:x`, anything with `\0`) stay as they are.
pub(crate) fn entry_url(url: &str, id: &str) -> String {
  if url == id || url.contains('\0') || url.starts_with("virtual:") {
    return url.to_owned();
  }
  let file = ven_graph::clean_url(id);
  let name = file.rsplit('/').next().unwrap_or(file);
  // Node's `extname`: the last dot that does not start the name.
  let ext = match name.rfind('.') {
    Some(dot) if dot > 0 => &name[dot..],
    _ => return url.to_owned(),
  };
  let path = ven_graph::clean_url(url);
  if path.ends_with(ext) {
    return url.to_owned();
  }
  format!("{path}{ext}{}", &url[path.len()..])
}

#[cfg(test)]
mod tests;
