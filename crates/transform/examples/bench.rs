//! Throughput check, options as the binding's `moduleRunnerTransform` (source map, no define):
//!
//! `cargo run --release -p ven_transform --example bench -- [--rounds N] [--no-map] <file>... | @list`
//!
//! `@list` reads one file path per line (e.g. the corpus of `bench/transform.mjs`). Prints the
//! median and best round over all files.

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use ven_transform::{TransformOptions, transform_module};

fn main() {
  let mut rounds = 10;
  let mut source_map = true;
  let mut paths = Vec::new();
  let mut args = std::env::args().skip(1);
  while let Some(arg) = args.next() {
    if arg == "--rounds" {
      rounds = args
        .next()
        .and_then(|n| n.parse().ok())
        .expect("--rounds N");
    } else if arg == "--no-map" {
      source_map = false;
    } else if let Some(list) = arg.strip_prefix('@') {
      let text = std::fs::read_to_string(list).expect("readable list");
      paths.extend(text.lines().filter(|l| !l.is_empty()).map(str::to_owned));
    } else {
      paths.push(arg);
    }
  }
  let files: Vec<(String, TransformOptions)> = paths
    .iter()
    .map(|path| {
      let code = std::fs::read_to_string(path).expect("readable file");
      let options = TransformOptions {
        source_map,
        ..TransformOptions::new(path.clone(), format!("/{path}"))
      };
      (code, options)
    })
    .collect();
  let bytes: usize = files.iter().map(|(code, _)| code.len()).sum();
  let mut times = Vec::with_capacity(rounds);
  for _ in 0..rounds {
    let start = Instant::now();
    for (code, options) in &files {
      // Files the parser rejects still cost their parse; the corpus of the JS bench has none.
      let out = transform_module(code, options, &mut |_, _| None);
      std::hint::black_box(out.ok());
    }
    times.push(start.elapsed().as_secs_f64());
  }
  times.sort_by(f64::total_cmp);
  let mb = f64::from(u32::try_from(bytes).unwrap_or(u32::MAX)) / 1024.0 / 1024.0;
  println!(
    "{} files, {mb:.2} MB, {rounds} rounds: median {:.1} MB/s, best {:.1} MB/s",
    files.len(),
    mb / times[times.len() / 2],
    mb / times[0],
  );
}
