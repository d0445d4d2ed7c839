//! Throughput check: `cargo run --release -p ven_transform --example bench -- <file>...`.

use std::time::Instant;

use ven_transform::{JsxOptions, Lang, TransformOptions, transform_module};

fn main() {
  for path in std::env::args().skip(1) {
    let code = std::fs::read_to_string(&path).expect("readable file");
    let options = TransformOptions {
      id: path.clone(),
      url: format!("/{path}"),
      lang: Lang::from_path(&path).unwrap_or(Lang::Js),
      jsx: JsxOptions::default(),
      define: vec![(
        "import.meta.env".into(),
        "{\"MODE\":\"development\"}".into(),
      )],
      source_map: true,
      input_map: None,
      json_stringify: false,
    };
    let runs = 10;
    let start = Instant::now();
    for _ in 0..runs {
      let out = transform_module(&code, &options, &mut |_, _| None).expect("transforms");
      std::hint::black_box(out);
    }
    let secs = start.elapsed().as_secs_f64() / f64::from(runs);
    let mb = f64::from(u32::try_from(code.len()).unwrap_or(u32::MAX)) / 1e6;
    println!("{path}: {:.1} ms/run, {:.1} MB/s", secs * 1e3, mb / secs);
  }
}
