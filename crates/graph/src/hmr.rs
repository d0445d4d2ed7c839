//! HMR boundary propagation with Vite's rules (`propagateUpdate`, `isNodeWithinCircularImports`,
//! `updateModules`), iterative so that deep importer chains cannot overflow the stack.

use std::collections::VecDeque;

use crate::{KeySet, ModuleGraph, NodeKey};

/// A module that accepts an update, and through which module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Boundary {
  pub boundary: NodeKey,
  pub accepted_via: NodeKey,
  pub is_within_circular_import: bool,
}

/// What an edit of some modules means for the runners.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HmrOutcome {
  /// Reload everything; `Some(reason)` is Vite's parenthesised reason.
  FullReload(Option<&'static str>),
  Update(Vec<Boundary>),
}

/// One level of the propagation walk: a node and how far through its importers we are.
struct Frame {
  node: NodeKey,
  importers: Vec<NodeKey>,
  next: usize,
}

impl<T> ModuleGraph<T> {
  fn importers_of(&self, key: NodeKey) -> Vec<NodeKey> {
    let mut importers: Vec<NodeKey> = self
      .with_node(key, |n| n.importers.iter().copied().collect())
      .unwrap_or_default();
    // Set order in Vite is insertion order; keys grow with creation, the closest stable proxy.
    importers.sort_unstable();
    importers
  }

  /// Vite's `isNodeWithinCircularImports`: can `node` reach, through importers, any module of
  /// the chain that led to it (the chain includes `node` itself)?
  fn is_within_circular_imports(&self, node: NodeKey, chain: &KeySet) -> bool {
    let mut seen = KeySet::default();
    seen.insert(node);
    let mut queue = VecDeque::from([node]);
    // Order does not matter for a yes/no reachability answer: no sorting, one reused buffer.
    let mut importers = Vec::new();
    while let Some(current) = queue.pop_front() {
      importers.clear();
      self.with_node(current, |n| importers.extend(n.importers.iter().copied()));
      for &importer in &importers {
        if importer == current {
          continue;
        }
        if chain.contains(&importer) {
          return true;
        }
        if seen.insert(importer) {
          queue.push_back(importer);
        }
      }
    }
    false
  }

  /// Vite's `propagateUpdate` from `start`: collects boundaries, returns `true` on a dead end
  /// (an importer chain that reaches a root without being accepted).
  pub fn propagate_update(
    &self,
    start: NodeKey,
    traversed: &mut KeySet,
    boundaries: &mut Vec<Boundary>,
  ) -> bool {
    let mut chain: Vec<NodeKey> = Vec::new();
    let mut on_chain = KeySet::default();
    let mut stack: Vec<Frame> = Vec::new();

    // Entering a node: Vite's checks before its importer loop. `None` = do not descend.
    let mut enter = |node: NodeKey,
                     chain: &mut Vec<NodeKey>,
                     on_chain: &mut KeySet,
                     boundaries: &mut Vec<Boundary>|
     -> Result<Option<Frame>, ()> {
      if !traversed.insert(node) {
        return Ok(None);
      }
      let Some((self_accepting, accepts_exports, has_importers)) = self.with_node(node, |n| {
        (
          n.is_self_accepting,
          n.accepted_hmr_exports.is_some(),
          !n.importers.is_empty(),
        )
      }) else {
        return Ok(None);
      };
      chain.push(node);
      on_chain.insert(node);
      match self_accepting {
        // Not analysed yet: propagation stops here (Vite #7561).
        None => {
          chain.pop();
          on_chain.remove(&node);
          return Ok(None);
        }
        Some(true) => {
          let circular = self.is_within_circular_imports(node, on_chain);
          boundaries.push(Boundary {
            boundary: node,
            accepted_via: node,
            is_within_circular_import: circular,
          });
          chain.pop();
          on_chain.remove(&node);
          return Ok(None);
        }
        Some(false) => {}
      }
      if accepts_exports {
        let circular = self.is_within_circular_imports(node, on_chain);
        boundaries.push(Boundary {
          boundary: node,
          accepted_via: node,
          is_within_circular_import: circular,
        });
      } else if !has_importers {
        return Err(());
      }
      Ok(Some(Frame {
        node,
        importers: self.importers_of(node),
        next: 0,
      }))
    };

    match enter(start, &mut chain, &mut on_chain, boundaries) {
      Err(()) => return true,
      Ok(Some(frame)) => stack.push(frame),
      Ok(None) => return false,
    }
    while let Some(frame) = stack.last_mut() {
      let Some(&importer) = frame.importers.get(frame.next) else {
        stack.pop();
        if let Some(node) = chain.pop() {
          on_chain.remove(&node);
        }
        continue;
      };
      frame.next += 1;
      let node = frame.node;
      if self
        .with_node(importer, |imp| imp.accepted_hmr_deps.contains(&node))
        .unwrap_or(false)
      {
        // The sub-chain of this check ends with the importer.
        let added = on_chain.insert(importer);
        let circular = self.is_within_circular_imports(importer, &on_chain);
        if added {
          on_chain.remove(&importer);
        }
        boundaries.push(Boundary {
          boundary: importer,
          accepted_via: node,
          is_within_circular_import: circular,
        });
        continue;
      }
      if on_chain.contains(&importer) {
        continue;
      }
      match enter(importer, &mut chain, &mut on_chain, boundaries) {
        Err(()) => return true,
        Ok(Some(next)) => stack.push(next),
        Ok(None) => {}
      }
    }
    false
  }

  /// Vite's `updateModules` decision for `modules` edited at `timestamp`: boundaries or a full
  /// reload; every module is HMR-invalidated on the way.
  pub fn hmr_update(
    &self,
    modules: &[NodeKey],
    timestamp: f64,
    first_invalidated_by: Option<NodeKey>,
  ) -> HmrOutcome {
    let mut invalidated = KeySet::default();
    let mut traversed = KeySet::default();
    let mut full_reload: Option<Option<&'static str>> = modules.is_empty().then_some(None);
    let mut updates = Vec::new();
    for &module in modules {
      let mut boundaries = Vec::new();
      let dead_end = self.propagate_update(module, &mut traversed, &mut boundaries);
      self.invalidate_module(module, &mut invalidated, timestamp, true, false);
      if full_reload.is_some() {
        continue;
      }
      if dead_end {
        full_reload = Some(None);
        continue;
      }
      if first_invalidated_by
        .is_some_and(|first| boundaries.iter().any(|b| b.accepted_via == first))
      {
        full_reload = Some(Some("circular import invalidate"));
        continue;
      }
      updates.extend(boundaries);
    }
    match full_reload {
      Some(reason) => HmrOutcome::FullReload(reason),
      None => HmrOutcome::Update(updates),
    }
  }
}
