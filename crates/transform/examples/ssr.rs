//! Prints the module-runner output for a file: `cargo run -p ven_transform --example ssr -- a.ts`.

use ven_transform::{JsxOptions, Lang, TransformOptions, transform_module};

fn main() {
  let path = std::env::args().nth(1).expect("usage: ssr <file>");
  let code = std::fs::read_to_string(&path).expect("readable file");
  let options = TransformOptions {
    id: path.clone(),
    url: format!("/{path}"),
    lang: Lang::from_path(&path).unwrap_or(Lang::Js),
    jsx: JsxOptions::default(),
    define: vec![
      ("import.meta.env.MODE".into(), "\"development\"".into()),
      (
        "import.meta.env".into(),
        "{\"MODE\":\"development\",\"DEV\":true}".into(),
      ),
    ],
    source_map: std::env::var_os("MAP").is_some(),
    sources_content: true,
    input_map: None,
    json_stringify: false,
    imported_bindings: false,
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
