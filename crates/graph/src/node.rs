//! One module node and its invalidation state.

use std::sync::Arc;

use crate::KeySet;

/// Stable handle of a node; also the identity the JS mirror keys its objects by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeKey(pub u32);

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

/// A module of the graph.
#[derive(Debug)]
pub struct ModuleNode<T> {
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
  /// `None` until the module was analysed (HMR propagation stops there, as in Vite).
  pub is_self_accepting: Option<bool>,
  pub transform_result: Option<Arc<T>>,
  pub invalidation_state: InvalidationState<T>,
  pub last_hmr_timestamp: f64,
  pub last_hmr_invalidation_received: bool,
  pub last_invalidation_timestamp: f64,
}

impl<T> ModuleNode<T> {
  pub(crate) fn new(key: NodeKey, url: String, id: String, file: String) -> Self {
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
      is_self_accepting: Some(false),
      transform_result: None,
      invalidation_state: InvalidationState::Valid,
      last_hmr_timestamp: 0.0,
      last_hmr_invalidation_received: false,
      last_invalidation_timestamp: 0.0,
    }
  }

  /// A soft-invalidated result that can be served again without transforming.
  pub fn reusable_result(&self) -> Option<Arc<T>> {
    match &self.invalidation_state {
      InvalidationState::Soft(r) => Some(r.clone()),
      _ => None,
    }
  }
}
