//! HMR boundary propagation with Vite's rules (`propagateUpdate`, `isNodeWithinCircularImports`,
//! `updateModules`), iterative so that deep importer chains cannot overflow the stack.

use crate::topology::{ACCEPTS_DEP, BINDINGS_ACCEPTED, Topology};
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
  next: usize,
}

impl<T> ModuleGraph<T> {
  /// Vite's `propagateUpdate` from `start`: collects boundaries, returns `true` on a dead end
  /// (an importer chain that reaches a root without being accepted).
  ///
  /// Vite's `isNodeWithinCircularImports(node, chain)` asks whether `node` reaches a module of
  /// the chain through importers. Every module of the chain reaches `node` that way, so the
  /// answer is whether `node` sits in an import cycle at all: a lookup in the snapshot.
  pub fn propagate_update(
    &self,
    start: NodeKey,
    traversed: &mut KeySet,
    boundaries: &mut Vec<Boundary>,
  ) -> bool {
    let topology = self.topology();
    propagate(&topology, start, traversed, boundaries)
  }

  /// Vite's `updateModules` decision for `modules` edited at `timestamp`: boundaries or a full
  /// reload; every module is HMR-invalidated on the way.
  pub fn hmr_update(
    &self,
    modules: &[NodeKey],
    timestamp: f64,
    first_invalidated_by: Option<NodeKey>,
  ) -> HmrOutcome {
    let topology = self.topology();
    let mut invalidated = KeySet::default();
    let mut traversed = KeySet::default();
    let mut full_reload: Option<Option<&'static str>> = modules.is_empty().then_some(None);
    let mut updates = Vec::new();
    for &module in modules {
      let mut boundaries = Vec::new();
      let dead_end = propagate(&topology, module, &mut traversed, &mut boundaries);
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

fn propagate(
  topology: &Topology,
  start: NodeKey,
  traversed: &mut KeySet,
  boundaries: &mut Vec<Boundary>,
) -> bool {
  let mut on_chain = KeySet::default();
  let mut stack: Vec<Frame> = Vec::new();
  // Entering a node: Vite's checks before its importer loop. `Err` = dead end, `Ok(false)` =
  // do not descend.
  let mut enter =
    |node: NodeKey, on_chain: &mut KeySet, boundaries: &mut Vec<Boundary>| -> Result<bool, ()> {
      if !traversed.insert(node) {
        return Ok(false);
      }
      let Some(flags) = topology.node(node) else {
        return Ok(false);
      };
      match flags.self_accepting {
        // Not analysed yet: propagation stops here (Vite #7561).
        None => return Ok(false),
        Some(true) => {
          boundaries.push(Boundary {
            boundary: node,
            accepted_via: node,
            is_within_circular_import: flags.in_cycle,
          });
          return Ok(false);
        }
        Some(false) => {}
      }
      if flags.accepts_exports {
        boundaries.push(Boundary {
          boundary: node,
          accepted_via: node,
          is_within_circular_import: flags.in_cycle,
        });
      } else if topology.importers(node).is_empty() {
        return Err(());
      }
      on_chain.insert(node);
      Ok(true)
    };

  match enter(start, &mut on_chain, boundaries) {
    Err(()) => return true,
    Ok(true) => stack.push(Frame {
      node: start,
      next: 0,
    }),
    Ok(false) => return false,
  }
  while let Some(frame) = stack.last_mut() {
    let node = frame.node;
    let Some(edge) = topology.importers(node).get(frame.next).copied() else {
      stack.pop();
      on_chain.remove(&node);
      continue;
    };
    frame.next += 1;
    if edge.flags & ACCEPTS_DEP != 0 {
      boundaries.push(Boundary {
        boundary: edge.importer,
        accepted_via: node,
        is_within_circular_import: topology.in_cycle(edge.importer),
      });
      continue;
    }
    // The module accepts every export this importer uses (`acceptExports`).
    if edge.flags & BINDINGS_ACCEPTED != 0 || on_chain.contains(&edge.importer) {
      continue;
    }
    match enter(edge.importer, &mut on_chain, boundaries) {
      Err(()) => return true,
      Ok(true) => stack.push(Frame {
        node: edge.importer,
        next: 0,
      }),
      Ok(false) => {}
    }
  }
  false
}
