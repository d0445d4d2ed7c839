//! `ven_graph`: the module graph of one environment, with Vite 8's `EnvironmentModuleGraph` rules.
//!
//! Owns: nodes (url, id, file, importers/imported edges, HMR accept data, cached transform
//! result, timestamps), the url/id/file maps, invalidation and pruning rules, and a journal of
//! changes that lets a JS mirror of the graph catch up in one call.
//! Must not know about: how urls resolve, how modules are transformed, napi or async runtimes.
//! The cached result is generic (`T`) so the graph does not depend on the transform crate.

mod hmr;
mod journal;
mod node;
mod state;
mod topology;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use dashmap::DashMap;

pub use hmr::{Boundary, HmrOutcome};
pub use journal::GraphEvent;
use journal::Journal;
pub use node::{InvalidationState, ModuleNode, NodeKey, Timestamps};
use state::StateTable;
use topology::{ACCEPTS_DEP, STATIC, Topology};

// Keys are small integers and paths we produce ourselves: no need for SipHash's DoS resistance.
type FastMap<K, V> = DashMap<K, V, rustc_hash::FxBuildHasher>;
pub type KeySet = HashSet<NodeKey, rustc_hash::FxBuildHasher>;

/// HMR data of a module, as found in its code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptInfo {
  pub is_self_accepting: bool,
  pub accepted_deps: Vec<NodeKey>,
  pub accepted_exports: Option<Vec<String>>,
  /// Vite's `importedBindings` (only with `experimental.hmrPartialAccept`): the exports this
  /// module takes from each import; `*` for a namespace or dynamic import.
  pub imported_bindings: Option<Vec<(NodeKey, Vec<String>)>>,
}

/// The graph. All methods take `&self`; no dashmap guard is ever returned or held across calls.
pub struct ModuleGraph<T> {
  next_key: AtomicU32,
  /// Identity and edges.
  nodes: FastMap<NodeKey, ModuleNode>,
  /// Per-edit state (results, invalidation, timestamps), dense by key.
  states: StateTable<T>,
  url_to_key: FastMap<String, NodeKey>,
  id_to_key: FastMap<String, NodeKey>,
  file_to_keys: FastMap<String, Vec<NodeKey>>,
  /// Bumped by every change of nodes or edges; the topology snapshot is rebuilt when it moved.
  structure_version: AtomicU64,
  topology: Mutex<Option<Arc<Topology>>>,
  journal: Journal,
}

impl<T> Default for ModuleGraph<T> {
  fn default() -> Self {
    Self::new()
  }
}

/// Strips a `?query`/`#hash` the way Vite's `cleanUrl` does.
pub fn clean_url(url: &str) -> &str {
  url.find(['?', '#']).map_or(url, |i| &url[..i])
}

impl<T> ModuleGraph<T> {
  pub fn new() -> Self {
    Self {
      next_key: AtomicU32::new(1),
      nodes: FastMap::default(),
      states: StateTable::default(),
      url_to_key: FastMap::default(),
      id_to_key: FastMap::default(),
      file_to_keys: FastMap::default(),
      structure_version: AtomicU64::new(0),
      topology: Mutex::new(None),
      journal: Journal::default(),
    }
  }

  pub fn len(&self) -> usize {
    self.id_to_key.len()
  }

  pub fn is_empty(&self) -> bool {
    self.id_to_key.is_empty()
  }

  pub fn key_by_url(&self, url: &str) -> Option<NodeKey> {
    self.url_to_key.get(url).map(|k| *k)
  }

  pub fn key_by_id(&self, id: &str) -> Option<NodeKey> {
    self.id_to_key.get(id).map(|k| *k)
  }

  pub fn keys_by_file(&self, file: &str) -> Vec<NodeKey> {
    self
      .file_to_keys
      .get(file)
      .map(|k| k.clone())
      .unwrap_or_default()
  }

  /// Read a node through a closure (the guard never escapes).
  pub fn with_node<R>(&self, key: NodeKey, f: impl FnOnce(&ModuleNode) -> R) -> Option<R> {
    self.nodes.get(&key).map(|n| f(&n))
  }

  fn with_node_mut<R>(&self, key: NodeKey, f: impl FnOnce(&mut ModuleNode) -> R) -> Option<R> {
    self.nodes.get_mut(&key).map(|mut n| f(&mut n))
  }

  fn structure_changed(&self) {
    self.structure_version.fetch_add(1, Ordering::Release);
  }

  /// The edge snapshot for walks, rebuilt when the structure changed since the last one.
  fn topology(&self) -> Arc<Topology> {
    let mut cached = self.topology.lock().unwrap_or_else(PoisonError::into_inner);
    // Read the version before building: a change made during the build forces the next rebuild.
    let version = self.structure_version.load(Ordering::Acquire);
    if let Some(topology) = cached.as_ref().filter(|t| t.version == version) {
      return Arc::clone(topology);
    }
    let len = self.next_key.load(Ordering::Acquire) as usize;
    let topology = Arc::new(Topology::build(&self.nodes, len, version));
    *cached = Some(Arc::clone(&topology));
    topology
  }

  /// Vite's `_ensureEntryFromUrl` after resolution: the node for `id`, created with `url` when
  /// missing; an existing node gains `url` as an alias.
  pub fn ensure_entry(&self, url: &str, id: &str) -> NodeKey {
    self.ensure_entry_with(url, id, true)
  }

  /// [`Self::ensure_entry`] for an import found by import analysis: a new node is not analysed
  /// (Vite's `setIsSelfAccepting = false`), so HMR propagation stops at it until its own
  /// transform ran, unless `analysed` (modules Vite never analyses: JSON, maps, watched files).
  pub fn ensure_import_entry(&self, url: &str, id: &str, analysed: bool) -> NodeKey {
    self.ensure_entry_with(url, id, analysed)
  }

  fn ensure_entry_with(&self, url: &str, id: &str, analysed: bool) -> NodeKey {
    if let Some(key) = self.key_by_id(id) {
      self.url_to_key.entry(url.to_owned()).or_insert(key);
      return key;
    }
    // Insert the node before publishing its id, so a reader that finds the key finds the node.
    let candidate = NodeKey(self.next_key.fetch_add(1, Ordering::AcqRel));
    self.states.ensure_row(candidate);
    let file = clean_url(id).to_owned();
    self.nodes.insert(
      candidate,
      ModuleNode::new(
        candidate,
        url.to_owned(),
        id.to_owned(),
        file.clone(),
        analysed,
      ),
    );
    let key = *self.id_to_key.entry(id.to_owned()).or_insert(candidate);
    if key != candidate {
      // Another caller created the node first.
      self.nodes.remove(&candidate);
      self.url_to_key.entry(url.to_owned()).or_insert(key);
      return key;
    }
    self.url_to_key.entry(url.to_owned()).or_insert(key);
    self.file_to_keys.entry(file.clone()).or_default().push(key);
    self.structure_changed();
    self.journal.push(GraphEvent::Created {
      key,
      url: url.to_owned(),
      id: id.to_owned(),
      file,
      analysed,
    });
    key
  }

  /// Vite's `updateModuleInfo`: replaces the node's imports and HMR data; returns the modules
  /// that lost their last importer (to be pruned).
  pub fn update_module_info(
    &self,
    key: NodeKey,
    imported: Vec<NodeKey>,
    static_imported: KeySet,
    accept: AcceptInfo,
  ) -> Vec<NodeKey> {
    let mut unique = Vec::with_capacity(imported.len());
    let mut seen = KeySet::with_capacity_and_hasher(imported.len(), rustc_hash::FxBuildHasher);
    for dep in imported {
      if seen.insert(dep) {
        unique.push(dep);
      }
    }
    let (previous, changed) = self
      .with_node_mut(key, |node| {
        let changed = node.imported != unique
          || node.static_imported != static_imported
          || node.is_self_accepting != Some(accept.is_self_accepting)
          || node.accepted_hmr_deps != accept.accepted_deps
          || node.accepted_hmr_exports != accept.accepted_exports
          || node.imported_bindings != accept.imported_bindings;
        node.is_self_accepting = Some(accept.is_self_accepting);
        node.accepted_hmr_deps.clone_from(&accept.accepted_deps);
        node
          .accepted_hmr_exports
          .clone_from(&accept.accepted_exports);
        node.imported_bindings.clone_from(&accept.imported_bindings);
        node.static_imported = static_imported;
        (
          std::mem::replace(&mut node.imported, unique.clone()),
          changed,
        )
      })
      .unwrap_or_default();
    if !changed {
      // Re-analysis with the same result (every HMR re-transform of an unchanged import list).
      return Vec::new();
    }
    for dep in &unique {
      self.with_node_mut(*dep, |n| n.importers.insert(key));
    }
    let mut pruned = Vec::new();
    for dep in previous {
      if seen.contains(&dep) {
        continue;
      }
      let now_orphan = self
        .with_node_mut(dep, |n| {
          n.importers.remove(&key);
          n.importers.is_empty()
        })
        .unwrap_or(false);
      if now_orphan {
        pruned.push(dep);
      }
    }
    self.structure_changed();
    self.journal.push(GraphEvent::Imports {
      key,
      imported: unique,
      is_self_accepting: accept.is_self_accepting,
      accepted_deps: accept.accepted_deps,
      accepted_exports: accept.accepted_exports,
      imported_bindings: accept.imported_bindings,
    });
    pruned
  }

  /// Stores a transform result a request asked for (it becomes Vite's `transformResult`), unless
  /// the node was invalidated after `started_at` (Vite's rule: a result computed from stale
  /// input is returned but not cached).
  pub fn set_transform_result(&self, key: NodeKey, result: Arc<T>, started_at: f64) -> bool {
    self.store_result(key, result, started_at, true)
  }

  /// Stores the result of the native pre-transform of an import: reused by the next request,
  /// but not Vite's `transformResult` until a request asks for it ([`Self::mark_requested`]).
  pub fn set_pre_transformed_result(&self, key: NodeKey, result: Arc<T>, started_at: f64) -> bool {
    self.store_result(key, result, started_at, false)
  }

  fn store_result(&self, key: NodeKey, result: Arc<T>, started_at: f64, requested: bool) -> bool {
    self
      .states
      .write_row(key, |row| {
        if started_at > row.timestamps.last_invalidation {
          // A result a request already has stays: Vite's `transformResult` only changes through
          // an invalidation or a request.
          if !requested && row.requested_result().is_some() {
            return false;
          }
          row.store_result(Some(result), requested);
          row.invalidation = InvalidationState::Valid;
          true
        } else {
          false
        }
      })
      .unwrap_or(false)
  }

  /// A request received `result`: when it is the stored one, it becomes Vite's `transformResult`.
  pub fn mark_requested(&self, key: NodeKey, result: &Arc<T>) -> bool {
    self
      .states
      .write_row(key, |row| {
        let stored = row
          .transform_result
          .as_ref()
          .is_some_and(|r| Arc::ptr_eq(r, result));
        if stored && !row.result_requested {
          row.store_result(Some(Arc::clone(result)), true);
        }
        stored
      })
      .unwrap_or(false)
  }

  /// Vite's `transformResult`: the result a request asked for since the last invalidation.
  pub fn transform_result(&self, key: NodeKey) -> Option<Arc<T>> {
    self
      .states
      .read_row(key, |row| row.requested_result().cloned())
      .flatten()
  }

  /// The stored result, requested or only pre-transformed: what the next request can reuse.
  pub fn stored_result(&self, key: NodeKey) -> Option<Arc<T>> {
    self
      .states
      .read_row(key, |row| row.transform_result.clone())
      .flatten()
  }

  /// Moves whenever [`Self::transform_result`] of the node changes.
  pub fn result_version(&self, key: NodeKey) -> Option<u32> {
    self.states.read_row(key, |row| row.result_version)
  }

  /// A soft-invalidated result that can be served again without transforming.
  pub fn reusable_result(&self, key: NodeKey) -> Option<Arc<T>> {
    self
      .states
      .read_row(key, |row| match &row.invalidation {
        InvalidationState::Soft(result) => Some(Arc::clone(result)),
        _ => None,
      })
      .flatten()
  }

  pub fn timestamps(&self, key: NodeKey) -> Option<Timestamps> {
    self.states.read_row(key, |row| row.timestamps)
  }

  /// Vite's `invalidateModule`: clears the node's result, records the timestamp and walks up to
  /// importers that do not accept it. Soft invalidation keeps the previous result for reuse.
  pub fn invalidate_module(
    &self,
    key: NodeKey,
    seen: &mut KeySet,
    timestamp: f64,
    is_hmr: bool,
    soft: bool,
  ) {
    let topology = self.topology();
    self.states.write_all(|rows| {
      invalidate(&topology, rows, key, seen, timestamp, is_hmr, soft);
    });
  }

  /// Vite's `onFileChange`: invalidates every module of the file.
  pub fn on_file_change(&self, file: &str, timestamp: f64) -> Vec<NodeKey> {
    let keys = self.keys_by_file(file);
    self.invalidate_each(&keys, timestamp);
    keys
  }

  /// Vite's `onFileDelete`: the file's modules stop being importers of their imports.
  pub fn on_file_delete(&self, file: &str) {
    for key in self.keys_by_file(file) {
      let imported = self
        .with_node(key, |n| n.imported.clone())
        .unwrap_or_default();
      for dep in imported {
        self.with_node_mut(dep, |n| n.importers.remove(&key));
      }
      self.journal.push(GraphEvent::Imports {
        key,
        imported: Vec::new(),
        is_self_accepting: self
          .with_node(key, |n| n.is_self_accepting == Some(true))
          .unwrap_or(false),
        accepted_deps: Vec::new(),
        accepted_exports: None,
        imported_bindings: None,
      });
      self.with_node_mut(key, |n| n.imported.clear());
      self.structure_changed();
    }
  }

  /// Vite's `invalidateAll`.
  pub fn invalidate_all(&self, timestamp: f64) {
    let keys: Vec<NodeKey> = self.id_to_key.iter().map(|e| *e.value()).collect();
    self.invalidate_each(&keys, timestamp);
  }

  /// Non-HMR invalidation of `keys` sharing one `seen` set, under one lock.
  fn invalidate_each(&self, keys: &[NodeKey], timestamp: f64) {
    let topology = self.topology();
    let mut seen = KeySet::default();
    self.states.write_all(|rows| {
      for &key in keys {
        invalidate(&topology, rows, key, &mut seen, timestamp, false, false);
      }
    });
  }

  /// Writes a node's timestamps (JS code such as Vite's prune handling assigns them).
  pub fn set_timestamps(
    &self,
    key: NodeKey,
    last_hmr: Option<f64>,
    last_invalidation: Option<f64>,
  ) {
    self.states.write_row(key, |row| {
      if let Some(t) = last_hmr {
        row.timestamps.last_hmr = t;
      }
      if let Some(t) = last_invalidation {
        row.timestamps.last_invalidation = t;
      }
    });
  }

  /// Marks whether `import.meta.hot.invalidate()` was already handled for the node's current
  /// HMR timestamp (Vite's `lastHMRInvalidationReceived`).
  pub fn set_hmr_invalidation_received(&self, key: NodeKey, received: bool) {
    self.states.write_row(key, |row| {
      row.timestamps.hmr_invalidation_received = received;
    });
  }

  /// Drains the structural changes (nodes, edges, accept data) since the last call, for a JS
  /// mirror. Timestamps and results are not journaled: the mirror reads them on demand.
  pub fn take_events(&self) -> Vec<GraphEvent> {
    self.journal.take()
  }

  /// Importer edges as (importer url, imported url) pairs, sorted; for tests and diagnostics.
  pub fn edges(&self) -> Vec<(String, String)> {
    // Collect keys first: no guard is held while other nodes are read.
    let pairs: Vec<(NodeKey, NodeKey)> = self
      .nodes
      .iter()
      .flat_map(|n| n.imported.iter().map(|d| (n.key, *d)).collect::<Vec<_>>())
      .collect();
    let url = |k| self.with_node(k, |n| n.url.clone());
    let mut out: Vec<(String, String)> = pairs
      .into_iter()
      .filter_map(|(a, b)| Some((url(a)?, url(b)?)))
      .collect();
    out.sort();
    out
  }
}

/// The walk of Vite's `invalidateModule` over the snapshot's importers and the dense state rows.
fn invalidate<T>(
  topology: &Topology,
  rows: &mut [node::NodeState<T>],
  key: NodeKey,
  seen: &mut KeySet,
  timestamp: f64,
  is_hmr: bool,
  soft: bool,
) {
  // Iterative walk: deep importer chains must not overflow the stack.
  let mut stack = vec![(key, soft)];
  while let Some((key, soft)) = stack.pop() {
    let Some(row) = rows.get_mut(key.index()) else {
      continue;
    };
    if topology.node(key).is_none() {
      continue;
    }
    let previous = row.invalidation.kind();
    if soft {
      if row.invalidation == InvalidationState::Valid {
        row.invalidation = match row.transform_result.clone() {
          Some(result) => InvalidationState::Soft(result),
          None => InvalidationState::Hard,
        };
      }
    } else {
      row.invalidation = InvalidationState::Hard;
    }
    if seen.contains(&key) && previous == row.invalidation.kind() {
      continue;
    }
    if is_hmr {
      row.timestamps.last_hmr = timestamp;
      row.timestamps.hmr_invalidation_received = false;
    } else {
      row.timestamps.last_invalidation = timestamp;
    }
    row.drop_result_on_invalidation();
    seen.insert(key);
    for edge in topology.importers(key) {
      if edge.flags & ACCEPTS_DEP == 0 {
        stack.push((edge.importer, edge.flags & STATIC != 0 || soft));
      }
    }
  }
}

#[cfg(test)]
mod tests;
