//! The dense table of per-edit node state, indexed by key. Invalidation walks write thousands of
//! rows per edit: one lock and contiguous rows instead of a map lookup per node.

use std::sync::{PoisonError, RwLock};

use crate::NodeKey;
use crate::node::NodeState;

pub(crate) struct StateTable<T> {
  rows: RwLock<Vec<NodeState<T>>>,
}

impl<T> Default for StateTable<T> {
  fn default() -> Self {
    Self {
      rows: RwLock::new(Vec::new()),
    }
  }
}

impl<T> StateTable<T> {
  /// Makes room for `key` (rows of keys not created yet start empty).
  pub(crate) fn ensure_row(&self, key: NodeKey) {
    let mut rows = self.rows.write().unwrap_or_else(PoisonError::into_inner);
    if rows.len() <= key.index() {
      rows.resize_with(key.index() + 1, NodeState::default);
    }
  }

  pub(crate) fn read_row<R>(&self, key: NodeKey, f: impl FnOnce(&NodeState<T>) -> R) -> Option<R> {
    let rows = self.rows.read().unwrap_or_else(PoisonError::into_inner);
    rows.get(key.index()).map(f)
  }

  pub(crate) fn write_row<R>(
    &self,
    key: NodeKey,
    f: impl FnOnce(&mut NodeState<T>) -> R,
  ) -> Option<R> {
    let mut rows = self.rows.write().unwrap_or_else(PoisonError::into_inner);
    rows.get_mut(key.index()).map(f)
  }

  pub(crate) fn write_all<R>(&self, f: impl FnOnce(&mut [NodeState<T>]) -> R) -> R {
    let mut rows = self.rows.write().unwrap_or_else(PoisonError::into_inner);
    f(&mut rows)
  }
}
