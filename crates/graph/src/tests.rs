// Timestamps are whole milliseconds, stored exactly in f64: exact comparison is intended.
#![allow(clippy::float_cmp)]

use std::sync::Arc;

use super::*;

fn graph_abc() -> (ModuleGraph<String>, NodeKey, NodeKey, NodeKey) {
  // a imports b statically, b imports c statically.
  let g = ModuleGraph::new();
  let a = g.ensure_entry("/a.ts", "/r/a.ts");
  let b = g.ensure_entry("/b.ts", "/r/b.ts");
  let c = g.ensure_entry("/c.ts", "/r/c.ts");
  g.update_module_info(a, vec![b], KeySet::from_iter([b]), AcceptInfo::default());
  g.update_module_info(b, vec![c], KeySet::from_iter([c]), AcceptInfo::default());
  for k in [a, b, c] {
    assert!(g.set_transform_result(k, Arc::new(format!("code{}", k.0)), 1.0));
  }
  (g, a, b, c)
}

#[test]
fn ensure_entry_is_idempotent_and_aliases_urls() {
  let g: ModuleGraph<()> = ModuleGraph::new();
  let a = g.ensure_entry("/src/a.ts", "/root/src/a.ts");
  let again = g.ensure_entry("/src/a", "/root/src/a.ts");
  assert_eq!(a, again);
  assert_eq!(g.key_by_url("/src/a"), Some(a));
  assert_eq!(g.key_by_url("/src/a.ts"), Some(a));
  assert_eq!(g.len(), 1);
}

#[test]
fn file_map_ignores_queries() {
  let g: ModuleGraph<()> = ModuleGraph::new();
  let a = g.ensure_entry("/a.ts", "/r/a.ts");
  let raw = g.ensure_entry("/a.ts?raw", "/r/a.ts?raw");
  assert_ne!(a, raw);
  assert_eq!(g.keys_by_file("/r/a.ts"), vec![a, raw]);
}

#[test]
fn update_module_info_sets_importers_and_reports_pruned() {
  let (g, a, b, c) = graph_abc();
  assert!(g.with_node(b, |n| n.importers.contains(&a)).unwrap());
  assert!(g.with_node(c, |n| n.importers.contains(&b)).unwrap());
  let pruned = g.update_module_info(b, vec![], KeySet::default(), AcceptInfo::default());
  assert_eq!(pruned, vec![c]);
  assert!(g.with_node(c, |n| n.importers.is_empty()).unwrap());
}

#[test]
fn duplicate_imports_are_recorded_once() {
  let (g, a, b, _) = graph_abc();
  g.update_module_info(a, vec![b, b], KeySet::from_iter([b]), AcceptInfo::default());
  assert_eq!(g.with_node(a, |n| n.imported.clone()).unwrap(), vec![b]);
}

#[test]
fn invalidation_walks_importers_and_clears_results() {
  let (g, a, b, c) = graph_abc();
  let mut seen = KeySet::default();
  g.invalidate_module(c, &mut seen, 5.0, false, false);
  assert!(g.transform_result(c).is_none());
  // Importers that statically import are soft-invalidated: result kept for reuse.
  assert!(g.transform_result(b).is_none());
  assert_eq!(
    g.reusable_result(b).map(|r| (*r).clone()),
    Some(format!("code{}", b.0))
  );
  assert!(g.reusable_result(a).is_some());
  assert_eq!(g.timestamps(c).unwrap().last_invalidation, 5.0);
  assert_eq!(g.timestamps(a).unwrap().last_invalidation, 5.0);
  assert_eq!(seen.len(), 3);
}

#[test]
fn invalidation_moves_the_result_version_of_nodes_without_a_result() {
  // JS may have assigned `transformResult` of a node the native pipeline never transformed
  // (Vitest's module cache does); Vite's invalidation clears it, so the version must move.
  let g: ModuleGraph<String> = ModuleGraph::new();
  let a = g.ensure_entry("/a.ts", "/r/a.ts");
  let b = g.ensure_entry("/b.ts", "/r/b.ts");
  g.update_module_info(a, vec![b], KeySet::from_iter([b]), AcceptInfo::default());
  let versions = || (g.result_version(a), g.result_version(b));
  let before = versions();
  g.invalidate_module(b, &mut KeySet::default(), 5.0, false, false);
  let after = versions();
  assert_ne!(after.0, before.0, "the soft-invalidated importer");
  assert_ne!(after.1, before.1, "the invalidated module");
  g.on_file_change("/r/b.ts", 6.0);
  assert_ne!(versions(), after);
}

#[test]
fn accepted_dep_stops_invalidation() {
  let (g, a, b, c) = graph_abc();
  g.update_module_info(
    b,
    vec![c],
    KeySet::from_iter([c]),
    AcceptInfo {
      is_self_accepting: false,
      accepted_deps: vec![c],
      accepted_exports: None,
      imported_bindings: None,
    },
  );
  g.invalidate_module(c, &mut KeySet::default(), 7.0, true, false);
  assert!(g.transform_result(b).is_some());
  assert!(g.transform_result(a).is_some());
  assert_eq!(g.timestamps(c).unwrap().last_hmr, 7.0);
  assert_eq!(g.timestamps(c).unwrap().last_invalidation, 0.0);
}

#[test]
fn stale_results_are_not_cached() {
  let (g, _, _, c) = graph_abc();
  g.invalidate_module(c, &mut KeySet::default(), 10.0, false, false);
  assert!(!g.set_transform_result(c, Arc::new("old".into()), 9.0));
  assert!(g.transform_result(c).is_none());
  assert!(g.set_transform_result(c, Arc::new("new".into()), 11.0));
  assert_eq!(
    g.transform_result(c).as_deref().map(String::as_str),
    Some("new")
  );
}

#[test]
fn cycles_terminate() {
  let (g, a, _, c) = graph_abc();
  g.update_module_info(c, vec![a], KeySet::from_iter([a]), AcceptInfo::default());
  let mut seen = KeySet::default();
  g.invalidate_module(a, &mut seen, 3.0, false, false);
  assert_eq!(seen.len(), 3);
}

/// m0 → m1 → … → m(n-1), each statically importing the next.
fn chain(n: usize) -> (ModuleGraph<()>, Vec<NodeKey>) {
  let g: ModuleGraph<()> = ModuleGraph::new();
  let keys: Vec<NodeKey> = (0..n)
    .map(|i| g.ensure_entry(&format!("/m{i}"), &format!("/r/m{i}")))
    .collect();
  for pair in keys.windows(2) {
    g.update_module_info(
      pair[0],
      vec![pair[1]],
      KeySet::from_iter([pair[1]]),
      AcceptInfo::default(),
    );
  }
  (g, keys)
}

#[test]
fn deep_chains_do_not_overflow() {
  let (g, keys) = chain(50_000);
  let mut seen = KeySet::default();
  g.invalidate_module(keys[keys.len() - 1], &mut seen, 1.0, false, false);
  assert_eq!(seen.len(), keys.len());
}

#[test]
fn file_change_and_delete() {
  let (g, a, b, c) = graph_abc();
  assert_eq!(g.on_file_change("/r/c.ts", 2.0), vec![c]);
  assert!(g.transform_result(a).is_none());
  g.on_file_delete("/r/b.ts");
  assert!(g.with_node(c, |n| !n.importers.contains(&b)).unwrap());
}

#[test]
fn journal_reports_changes_in_order_once() {
  let (g, a, b, _) = graph_abc();
  let events = g.take_events();
  assert!(matches!(events[0], GraphEvent::Created { key, .. } if key == a));
  assert!(events.iter().any(
    |e| matches!(e, GraphEvent::Imports { key, imported, .. } if *key == a && imported == &vec![b])
  ));
  assert!(g.take_events().is_empty());
  // Invalidation changes no structure: nothing to journal.
  g.invalidate_all(4.0);
  assert!(g.take_events().is_empty());
}

#[test]
fn edges_lists_importer_pairs() {
  let (g, ..) = graph_abc();
  assert_eq!(
    g.edges(),
    vec![
      ("/a.ts".to_owned(), "/b.ts".to_owned()),
      ("/b.ts".to_owned(), "/c.ts".to_owned())
    ]
  );
}

mod hmr {
  use super::*;

  fn accept(is_self_accepting: bool, deps: Vec<NodeKey>) -> AcceptInfo {
    AcceptInfo {
      is_self_accepting,
      accepted_deps: deps,
      accepted_exports: None,
      imported_bindings: None,
    }
  }

  #[test]
  fn self_accepting_module_is_its_own_boundary() {
    let (g, _, _, c) = graph_abc();
    g.update_module_info(c, vec![], KeySet::default(), accept(true, vec![]));
    let outcome = g.hmr_update(&[c], 9.0, None);
    assert_eq!(
      outcome,
      HmrOutcome::Update(vec![Boundary {
        boundary: c,
        accepted_via: c,
        is_within_circular_import: false
      }])
    );
    assert_eq!(g.timestamps(c).unwrap().last_hmr, 9.0);
    assert!(g.transform_result(c).is_none());
  }

  #[test]
  fn importer_accepting_the_dep_is_the_boundary() {
    let (g, _, b, c) = graph_abc();
    g.update_module_info(b, vec![c], KeySet::from_iter([c]), accept(false, vec![c]));
    assert_eq!(
      g.hmr_update(&[c], 1.0, None),
      HmrOutcome::Update(vec![Boundary {
        boundary: b,
        accepted_via: c,
        is_within_circular_import: false
      }])
    );
  }

  #[test]
  fn no_boundary_means_full_reload() {
    let (g, _, _, c) = graph_abc();
    assert_eq!(g.hmr_update(&[c], 1.0, None), HmrOutcome::FullReload(None));
    assert_eq!(g.hmr_update(&[], 1.0, None), HmrOutcome::FullReload(None));
  }

  #[test]
  fn an_import_not_analysed_yet_stops_propagation_until_it_is() {
    let (g, _, b, _) = graph_abc();
    // Found by b's import analysis, never transformed: Vite's `isSelfAccepting` is undefined.
    let new = g.ensure_import_entry("/new.ts", "/r/new.ts", false);
    g.update_module_info(
      b,
      vec![new],
      KeySet::from_iter([new]),
      accept(false, vec![]),
    );
    assert_eq!(g.hmr_update(&[new], 1.0, None), HmrOutcome::Update(vec![]));
    // Its own analysis ran: an edit propagates to the root, nothing accepts it.
    g.update_module_info(new, vec![], KeySet::default(), accept(false, vec![]));
    assert_eq!(
      g.hmr_update(&[new], 2.0, None),
      HmrOutcome::FullReload(None)
    );
    // A module Vite never analyses (a watched file) propagates at once.
    let watched = g.ensure_import_entry("/data.txt", "/r/data.txt", true);
    g.update_module_info(b, vec![watched], KeySet::default(), accept(false, vec![]));
    assert_eq!(
      g.hmr_update(&[watched], 3.0, None),
      HmrOutcome::FullReload(None)
    );
  }

  #[test]
  fn boundary_inside_a_cycle_is_flagged() {
    let (g, a, b, c) = graph_abc();
    // c accepts itself and imports a: a → b → c → a.
    g.update_module_info(c, vec![a], KeySet::from_iter([a]), accept(true, vec![]));
    let HmrOutcome::Update(boundaries) = g.hmr_update(&[c], 1.0, None) else {
      panic!("expected an update")
    };
    assert_eq!(
      boundaries,
      vec![Boundary {
        boundary: c,
        accepted_via: c,
        is_within_circular_import: true
      }]
    );
    let _ = b;
  }

  #[test]
  fn invalidation_accepted_by_its_first_invalidator_reloads() {
    let (g, _, b, c) = graph_abc();
    g.update_module_info(b, vec![c], KeySet::from_iter([c]), accept(false, vec![c]));
    assert_eq!(
      g.hmr_update(&[c], 1.0, Some(c)),
      HmrOutcome::FullReload(Some("circular import invalidate"))
    );
  }

  #[test]
  fn deep_chains_propagate_without_recursion() {
    let (g, keys) = chain(50_000);
    g.update_module_info(
      keys[0],
      vec![keys[1]],
      KeySet::from_iter([keys[1]]),
      accept(true, vec![]),
    );
    let HmrOutcome::Update(boundaries) = g.hmr_update(&[keys[keys.len() - 1]], 1.0, None) else {
      panic!("expected an update")
    };
    assert_eq!(boundaries.len(), 1);
    assert_eq!(boundaries[0].boundary, keys[0]);
  }

  fn accept_exports(exports: &[&str]) -> AcceptInfo {
    AcceptInfo {
      accepted_exports: Some(exports.iter().map(|e| (*e).to_owned()).collect()),
      ..AcceptInfo::default()
    }
  }

  fn bindings(dep: NodeKey, names: &[&str]) -> AcceptInfo {
    AcceptInfo {
      imported_bindings: Some(vec![(dep, names.iter().map(|e| (*e).to_owned()).collect())]),
      ..AcceptInfo::default()
    }
  }

  #[test]
  fn accepted_exports_stop_at_importers_using_only_them() {
    let (g, _, b, c) = graph_abc();
    g.update_module_info(c, vec![], KeySet::default(), accept_exports(&["x", "y"]));
    g.update_module_info(b, vec![c], KeySet::from_iter([c]), bindings(c, &["x"]));
    assert_eq!(
      g.hmr_update(&[c], 1.0, None),
      HmrOutcome::Update(vec![Boundary {
        boundary: c,
        accepted_via: c,
        is_within_circular_import: false
      }])
    );
    // b uses an export c does not accept: propagation goes on to the root, a full reload.
    g.update_module_info(b, vec![c], KeySet::from_iter([c]), bindings(c, &["x", "z"]));
    assert_eq!(g.hmr_update(&[c], 2.0, None), HmrOutcome::FullReload(None));
    // Without importedBindings (hmrPartialAccept off) Vite propagates as well.
    g.update_module_info(b, vec![c], KeySet::from_iter([c]), AcceptInfo::default());
    assert_eq!(g.hmr_update(&[c], 3.0, None), HmrOutcome::FullReload(None));
  }

  #[test]
  fn self_imports_are_not_cycles() {
    let (g, _, _, c) = graph_abc();
    g.update_module_info(c, vec![c], KeySet::from_iter([c]), accept(true, vec![]));
    let HmrOutcome::Update(boundaries) = g.hmr_update(&[c], 1.0, None) else {
      panic!("expected an update")
    };
    assert!(!boundaries[0].is_within_circular_import);
  }

  /// Vite's `isNodeWithinCircularImports` by its definition: does `node` reach itself through
  /// importers other than itself? (Compared with the snapshot's component answer.)
  fn reaches_itself<T>(g: &ModuleGraph<T>, node: NodeKey) -> bool {
    let mut seen = KeySet::default();
    let mut queue = vec![node];
    while let Some(current) = queue.pop() {
      for importer in g
        .with_node(current, |n| n.importers.clone())
        .unwrap_or_default()
      {
        if importer == current {
          continue;
        }
        if importer == node {
          return true;
        }
        if seen.insert(importer) {
          queue.push(importer);
        }
      }
    }
    false
  }

  #[test]
  fn cycle_flags_match_a_reachability_walk_on_random_graphs() {
    let mut seed = 7u64;
    let mut rand = |bound: usize| {
      seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
      usize::try_from(seed >> 33).unwrap_or(0) % bound
    };
    for _ in 0..20 {
      let g: ModuleGraph<()> = ModuleGraph::new();
      let keys: Vec<NodeKey> = (0..40)
        .map(|i| g.ensure_entry(&format!("/m{i}"), &format!("/r/m{i}")))
        .collect();
      for &key in &keys {
        let deps: Vec<NodeKey> = (0..rand(3)).map(|_| keys[rand(keys.len())]).collect();
        let statics = deps.iter().copied().collect();
        g.update_module_info(key, deps, statics, accept(true, vec![]));
      }
      for &key in &keys {
        let HmrOutcome::Update(boundaries) = g.hmr_update(&[key], 1.0, None) else {
          panic!("a self-accepting module is its own boundary")
        };
        assert_eq!(
          boundaries[0].is_within_circular_import,
          reaches_itself(&g, key)
        );
      }
    }
  }

  #[test]
  fn unchanged_module_info_keeps_the_snapshot() {
    let (g, a, b, _) = graph_abc();
    let _ = g.hmr_update(&[b], 1.0, None);
    let version = g
      .structure_version
      .load(std::sync::atomic::Ordering::Acquire);
    assert!(
      g.update_module_info(a, vec![b], KeySet::from_iter([b]), AcceptInfo::default())
        .is_empty()
    );
    assert_eq!(
      g.structure_version
        .load(std::sync::atomic::Ordering::Acquire),
      version
    );
    g.update_module_info(a, vec![], KeySet::default(), AcceptInfo::default());
    assert!(
      g.structure_version
        .load(std::sync::atomic::Ordering::Acquire)
        > version
    );
  }
}
