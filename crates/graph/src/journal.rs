//! Change journal: lets a JS mirror of the graph catch up with one call instead of one per change.

use std::sync::Mutex;

use crate::NodeKey;

/// One change to the graph, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphEvent {
  Created {
    key: NodeKey,
    url: String,
    id: String,
    file: String,
    /// `false`: Vite's `isSelfAccepting` is `undefined` until the module's analysis.
    analysed: bool,
  },
  Imports {
    key: NodeKey,
    imported: Vec<NodeKey>,
    is_self_accepting: bool,
    accepted_deps: Vec<NodeKey>,
    accepted_exports: Option<Vec<String>>,
    imported_bindings: Option<Vec<(NodeKey, Vec<String>)>>,
  },
}

#[derive(Default)]
pub(crate) struct Journal {
  events: Mutex<Vec<GraphEvent>>,
}

impl Journal {
  pub(crate) fn push(&self, event: GraphEvent) {
    // A poisoned lock only means another thread panicked mid-push; the Vec is still valid.
    self
      .events
      .lock()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
      .push(event);
  }

  pub(crate) fn take(&self) -> Vec<GraphEvent> {
    std::mem::take(
      &mut *self
        .events
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner),
    )
  }
}
