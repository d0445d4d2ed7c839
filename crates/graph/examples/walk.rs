//! Times the per-edit graph walks on a synthetic 10,000-module graph shaped like the HMR
//! benchmark app (ternary backbone, 2-5 imports per module towards higher indices, cycles at
//! every 25th module). `cargo run --release --example walk -p ven_graph`
use std::time::Instant;

use ven_graph::{AcceptInfo, KeySet, ModuleGraph, NodeKey};

fn main() {
  let n = 10_000usize;
  let g: ModuleGraph<()> = ModuleGraph::new();
  let keys: Vec<NodeKey> = (0..n)
    .map(|i| g.ensure_entry(&format!("/m{i}"), &format!("/r/m{i}")))
    .collect();
  let mut seed = 42u64;
  let mut rand = |bound: usize| {
    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (seed >> 33) as usize % bound
  };
  for i in 0..n {
    let mut deps: Vec<NodeKey> = (1..=3)
      .map(|c| 3 * i + c)
      .filter(|&j| j < n)
      .map(|j| keys[j])
      .collect();
    for _ in 0..2 {
      if i + 1 < n {
        deps.push(keys[i + 1 + rand(n - i - 1)]);
      }
    }
    if i % 25 == 0 && i > 0 {
      deps.push(keys[(i - 1) / 3]);
    }
    let accept = AcceptInfo {
      is_self_accepting: i >= n - 20,
      ..AcceptInfo::default()
    };
    let statics: KeySet = deps.iter().copied().collect();
    g.update_module_info(keys[i], deps, statics, accept);
  }
  let mut t = 1.0;
  let rounds = 20;
  let start = Instant::now();
  for r in 0..rounds {
    t += 1.0;
    g.on_file_change(&format!("/r/m{}", n - 1 - r % 20), t);
  }
  let file_change = start.elapsed() / rounds as u32;
  let start = Instant::now();
  for r in 0..rounds {
    t += 1.0;
    let _ = g.hmr_update(&[keys[n - 1 - r % 20]], t, None);
  }
  let hmr = start.elapsed() / rounds as u32;
  println!("on_file_change {file_change:?} per edit, hmr_update {hmr:?} per edit");
}
