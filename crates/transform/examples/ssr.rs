//! Prints the module-runner output for a file: `cargo run -p ven_transform --example ssr -- a.ts`.

use ven_transform::{TransformOptions, transform_module};

fn main() {
  let path = std::env::args().nth(1).expect("usage: ssr <file>");
  let code = std::fs::read_to_string(&path).expect("readable file");
  let options = TransformOptions {
    define: vec![
      ("import.meta.env.MODE".into(), "\"development\"".into()),
      (
        "import.meta.env".into(),
        "{\"MODE\":\"development\",\"DEV\":true}".into(),
      ),
    ],
    source_map: std::env::var_os("MAP").is_some(),
    ..TransformOptions::new(path.clone(), format!("/{path}"))
  };
  match transform_module(&code, &options, &mut |_, _| None) {
    Ok(out) => {
      println!("{}", out.code);
      eprintln!(
        "deps={:?} dynamic={:?} hmr={:?}",
        out.deps, out.dynamic_deps, out.hmr
      );
      if let Some(map) = out.map {
        eprintln!("{map}");
      }
    }
    Err(e) => eprintln!("{e}\n{}", e.frame),
  }
}
