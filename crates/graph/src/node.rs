//! One module node: its identity and edges (changed by import analysis), and its per-edit state
//! (changed by every transform and invalidation), kept apart so that walks touch dense memory.

use std::sync::Arc;

use crate::KeySet;

/// Stable handle of a node; also the identity the JS mirror keys its objects by, and the index
/// of the node's row in the state table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey(pub u32);

impl NodeKey {
  pub(crate) fn index(self) -> usize {
    self.0 as usize
  }
}

/// Vite's `invalidationState`: `Valid` = not invalidated (`undefined` in Vite).
#[derive(Debug, Clone)]
pub enum InvalidationState<T> {
  Valid,
  /// Soft-invalidated: the previous result may be reused as is (SSR results carry no `?t=`).
  Soft(Arc<T>),
  Hard,
}

impl<T> PartialEq for InvalidationState<T> {
  fn eq(&self, other: &Self) -> bool {
    self.kind() == other.kind()
  }
}

impl<T> InvalidationState<T> {
  /// Discriminant only: Vite compares states by identity, which for our purposes is the kind.
  pub fn kind(&self) -> u8 {
    match self {
      Self::Valid => 0,
      Self::Soft(_) => 1,
      Self::Hard => 2,
    }
  }
}

/// A module's identity and edges, as import analysis records them.
#[derive(Debug)]
pub struct ModuleNode {
  pub key: NodeKey,
  pub url: String,
  pub id: String,
  pub file: String,
  pub importers: KeySet,
  pub imported: Vec<NodeKey>,
  /// Subset of `imported` that the code imports statically (used by soft invalidation).
  pub static_imported: KeySet,
  pub accepted_hmr_deps: Vec<NodeKey>,
  pub accepted_hmr_exports: Option<Vec<String>>,
  /// Vite's `importedBindings` (only with `experimental.hmrPartialAccept`).
  pub imported_bindings: Option<Vec<(NodeKey, Vec<String>)>>,
  /// `None` until the module was analysed (HMR propagation stops there, as in Vite).
  pub is_self_accepting: Option<bool>,
}

impl ModuleNode {
  /// `analysed`: Vite's `setIsSelfAccepting` (`false` for a module found by import analysis,
  /// whose own analysis has not run yet).
  pub(crate) fn new(key: NodeKey, url: String, id: String, file: String, analysed: bool) -> Self {
    Self {
      key,
      url,
      id,
      file,
      importers: KeySet::default(),
      imported: Vec::new(),
      static_imported: KeySet::default(),
      accepted_hmr_deps: Vec::new(),
      accepted_hmr_exports: None,
      imported_bindings: None,
      is_self_accepting: analysed.then_some(false),
    }
  }
}

/// The timestamps Vite keeps on a node.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timestamps {
  pub last_hmr: f64,
  pub last_invalidation: f64,
  /// Vite's `lastHMRInvalidationReceived`.
  pub hmr_invalidation_received: bool,
}

/// A node's per-edit state: one row of the graph's dense state table.
#[derive(Debug)]
pub(crate) struct NodeState<T> {
  pub transform_result: Option<Arc<T>>,
  /// A request (not only the native pre-transform of imports) asked for `transform_result`
  /// since it was stored: only then is it Vite's `transformResult`. Vite's server environments
  /// do not pre-transform, so a result nobody requested must not answer `{ cache: true }`.
  pub result_requested: bool,
  /// Changes whenever the result Vite would show (`transformResult`) changes, so JS can keep
  /// one object per result without asking for the result again.
  pub result_version: u32,
  pub invalidation: InvalidationState<T>,
  pub timestamps: Timestamps,
}

impl<T> NodeState<T> {
  /// Vite's `transformResult`: the stored result once a request asked for it.
  pub(crate) fn requested_result(&self) -> Option<&Arc<T>> {
    self
      .transform_result
      .as_ref()
      .filter(|_| self.result_requested)
  }

  /// Replaces the stored result; the version moves when the visible result changes.
  pub(crate) fn store_result(&mut self, result: Option<Arc<T>>, requested: bool) {
    let was_visible = self.result_requested && self.transform_result.is_some();
    let visible = requested && result.is_some();
    let same = match (&self.transform_result, &result) {
      (Some(a), Some(b)) => Arc::ptr_eq(a, b),
      (None, None) => true,
      _ => false,
    };
    if was_visible != visible || (visible && !same) {
      self.result_version = self.result_version.wrapping_add(1);
    }
    self.transform_result = result;
    self.result_requested = requested;
  }

  /// Vite's `invalidateModule` sets `transformResult = null` whatever it held, also an object JS
  /// assigned to it (Vitest's module cache does): the version moves even when no native result
  /// was visible, so a mirror drops such an object as well.
  pub(crate) fn drop_result_on_invalidation(&mut self) {
    self.transform_result = None;
    self.result_requested = false;
    self.result_version = self.result_version.wrapping_add(1);
  }
}

impl<T> Default for NodeState<T> {
  fn default() -> Self {
    Self {
      transform_result: None,
      result_requested: false,
      result_version: 0,
      invalidation: InvalidationState::Valid,
      timestamps: Timestamps::default(),
    }
  }
}
