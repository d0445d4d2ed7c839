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

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use dashmap::DashMap;

pub use hmr::{Boundary, HmrOutcome};
pub use journal::GraphEvent;
use journal::Journal;
pub use node::{InvalidationState, ModuleNode, NodeKey};

// Keys are small integers and paths we produce ourselves: no need for SipHash's DoS resistance.
type FastMap<K, V> = DashMap<K, V, rustc_hash::FxBuildHasher>;
pub type KeySet = HashSet<NodeKey, rustc_hash::FxBuildHasher>;

/// HMR data of a module, as found in its code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AcceptInfo {
  pub is_self_accepting: bool,
  pub accepted_deps: Vec<NodeKey>,
  pub accepted_exports: Option<Vec<String>>,
}

/// The graph. All methods take `&self`; no dashmap guard is ever returned or held across calls.
pub struct ModuleGraph<T> {
  next_key: AtomicU32,
  nodes: FastMap<NodeKey, ModuleNode<T>>,
  url_to_key: FastMap<String, NodeKey>,
  id_to_key: FastMap<String, NodeKey>,
  file_to_keys: FastMap<String, Vec<NodeKey>>,
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
      url_to_key: FastMap::default(),
      id_to_key: FastMap::default(),
      file_to_keys: FastMap::default(),
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
  pub fn with_node<R>(&self, key: NodeKey, f: impl FnOnce(&ModuleNode<T>) -> R) -> Option<R> {
    self.nodes.get(&key).map(|n| f(&n))
  }

  fn with_node_mut<R>(&self, key: NodeKey, f: impl FnOnce(&mut ModuleNode<T>) -> R) -> Option<R> {
    self.nodes.get_mut(&key).map(|mut n| f(&mut n))
  }

  /// Vite's `_ensureEntryFromUrl` after resolution: the node for `id`, created with `url` when
  /// missing; an existing node gains `url` as an alias.
  pub fn ensure_entry(&self, url: &str, id: &str) -> NodeKey {
    if let Some(key) = self.key_by_id(id) {
      self.url_to_key.entry(url.to_owned()).or_insert(key);
      return key;
    }
    // Insert the node before publishing its id, so a reader that finds the key finds the node.
    let candidate = NodeKey(self.next_key.fetch_add(1, Ordering::Relaxed));
    let file = clean_url(id).to_owned();
    self.nodes.insert(
      candidate,
      ModuleNode::new(candidate, url.to_owned(), id.to_owned(), file.clone()),
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
    self.journal.push(GraphEvent::Created {
      key,
      url: url.to_owned(),
      id: id.to_owned(),
      file,
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
    let previous = self
      .with_node_mut(key, |node| {
        node.is_self_accepting = Some(accept.is_self_accepting);
        node.accepted_hmr_deps = accept.accepted_deps.clone();
        node.accepted_hmr_exports = accept.accepted_exports.clone();
        node.static_imported = static_imported;
        std::mem::replace(&mut node.imported, unique.clone())
      })
      .unwrap_or_default();
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
    self.journal.push(GraphEvent::Imports {
      key,
      imported: unique,
      is_self_accepting: accept.is_self_accepting,
      accepted_deps: accept.accepted_deps,
      accepted_exports: accept.accepted_exports,
    });
    pruned
  }

  /// Stores a transform result unless the node was invalidated after `started_at`
  /// (Vite's rule: a result computed from stale input is returned but not cached).
  pub fn set_transform_result(&self, key: NodeKey, result: Arc<T>, started_at: f64) -> bool {
    self
      .with_node_mut(key, |n| {
        if started_at > n.last_invalidation_timestamp {
          n.transform_result = Some(result);
          n.invalidation_state = InvalidationState::Valid;
          true
        } else {
          false
        }
      })
      .unwrap_or(false)
  }

  pub fn transform_result(&self, key: NodeKey) -> Option<Arc<T>> {
    self
      .with_node(key, |n| n.transform_result.clone())
      .flatten()
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
    // Iterative walk: deep importer chains must not overflow the stack.
    let mut stack = vec![(key, soft)];
    // One buffer for every node's importers: no allocation per visited node.
    let mut importers = Vec::new();
    while let Some((key, soft)) = stack.pop() {
      importers.clear();
      let Some(visit) = self.with_node_mut(key, |node| {
        let previous = node.invalidation_state.kind();
        if soft {
          if node.invalidation_state == InvalidationState::Valid {
            node.invalidation_state = match node.transform_result.take() {
              Some(r) => InvalidationState::Soft(r),
              None => InvalidationState::Hard,
            };
          }
        } else {
          node.invalidation_state = InvalidationState::Hard;
        }
        if seen.contains(&key) && previous == node.invalidation_state.kind() {
          return false;
        }
        if is_hmr {
          node.last_hmr_timestamp = timestamp;
          node.last_hmr_invalidation_received = false;
        } else {
          node.last_invalidation_timestamp = timestamp;
        }
        node.transform_result = None;
        importers.extend(node.importers.iter().copied());
        true
      }) else {
        continue;
      };
      if !visit {
        continue;
      }
      seen.insert(key);
      for &importer in &importers {
        let edge = self.with_node(importer, |imp| {
          (
            imp.accepted_hmr_deps.contains(&key),
            imp.static_imported.contains(&key),
          )
        });
        let Some((accepts, statically_imports)) = edge else {
          continue;
        };
        if !accepts {
          stack.push((importer, statically_imports || soft));
        }
      }
    }
  }

  /// Vite's `onFileChange`: invalidates every module of the file.
  pub fn on_file_change(&self, file: &str, timestamp: f64) -> Vec<NodeKey> {
    let keys = self.keys_by_file(file);
    let mut seen = KeySet::default();
    for key in &keys {
      self.invalidate_module(*key, &mut seen, timestamp, false, false);
    }
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
      });
      self.with_node_mut(key, |n| n.imported.clear());
    }
  }

  /// Vite's `invalidateAll`.
  pub fn invalidate_all(&self, timestamp: f64) {
    let keys: Vec<NodeKey> = self.id_to_key.iter().map(|e| *e.value()).collect();
    let mut seen = KeySet::default();
    for key in keys {
      self.invalidate_module(key, &mut seen, timestamp, false, false);
    }
  }

  /// Writes a node's timestamps (JS code such as Vite's prune handling assigns them).
  pub fn set_timestamps(
    &self,
    key: NodeKey,
    last_hmr: Option<f64>,
    last_invalidation: Option<f64>,
  ) {
    self.with_node_mut(key, |n| {
      if let Some(t) = last_hmr {
        n.last_hmr_timestamp = t;
      }
      if let Some(t) = last_invalidation {
        n.last_invalidation_timestamp = t;
      }
    });
  }

  /// Marks whether `import.meta.hot.invalidate()` was already handled for the node's current
  /// HMR timestamp (Vite's `lastHMRInvalidationReceived`).
  pub fn set_hmr_invalidation_received(&self, key: NodeKey, received: bool) {
    self.with_node_mut(key, |n| n.last_hmr_invalidation_received = received);
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

#[cfg(test)]
mod tests;
