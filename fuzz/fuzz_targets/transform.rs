//! The transform the environment runs on every module, on arbitrary source: it must return the
//! code or an error located in the file, never panic, overflow its stack, or hang (libFuzzer's
//! `-timeout`). The entry points are the public ones the environment calls, so each input runs
//! with the nesting check and on the stack `ven_transform` sizes for it.
//!
//! Input: one byte of settings, then the source (lossy UTF-8). Settings: language (bits 0-2:
//! JS, JSX, TS, TSX, JSON), entry point (bits 3-5: module runner, import analysis, scan, type
//! strip, `import.meta.glob` expansion), source map and JSON `stringify` (bit 6), and bit 7: the
//! bytes after the first 0xFF are an input source map.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ven_transform::{
  GlobCall, GlobFile, ImportKind, Lang, TransformError, TransformOptions, analyze_imports,
  expand_import_globs, scan_imports, strip_types, transform_module,
};

const LANGS: [(Lang, &str); 5] = [
  (Lang::Js, "js"),
  (Lang::Jsx, "jsx"),
  (Lang::Ts, "ts"),
  (Lang::Tsx, "tsx"),
  (Lang::Json, "json"),
];

fuzz_target!(|data: &[u8]| {
  let Some((&settings, rest)) = data.split_first() else {
    return;
  };
  let (lang, ext) = LANGS[usize::from(settings & 7) % LANGS.len()];
  let (source, input_map) = match rest.iter().position(|&b| b == 0xff) {
    Some(split) if settings & 0x80 != 0 => (&rest[..split], Some(&rest[split + 1..])),
    _ => (rest, None),
  };
  let code = String::from_utf8_lossy(source);
  let id = format!("/app/src/fuzz.{ext}");
  let mut options = TransformOptions::new(id.clone(), format!("/src/fuzz.{ext}"));
  options.lang = lang;
  options.source_map = settings & 0x40 != 0;
  options.json_stringify = settings & 0x40 != 0;
  options.imported_bindings = true;
  options.input_map = input_map.map(|map| String::from_utf8_lossy(map).into_owned());
  // What Vite's `define` gives a server environment, plus a user key.
  options.define = [
    ("import.meta.env.MODE", "\"development\""),
    ("import.meta.env.DEV", "true"),
    (
      "import.meta.env",
      "{\"MODE\":\"development\",\"DEV\":true,\"SSR\":true}",
    ),
    ("process.env.NODE_ENV", "\"development\""),
    ("__APP_VERSION__", "\"1.0.0\""),
  ]
  .iter()
  .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
  .collect();

  // Specifiers rewritten as import analysis does: relative ones to root urls, bare ones to ids.
  let mut rewrite = |specifier: &str, _kind: ImportKind| -> Option<String> {
    if specifier.starts_with('.') {
      Some(format!("/src/{specifier}"))
    } else if specifier.starts_with('/') {
      None
    } else {
      Some(format!("/@id/{specifier}"))
    }
  };
  // Each pattern matches a file named by the pattern itself, so its text reaches the output.
  let mut expand = |call: &GlobCall| -> Result<Vec<GlobFile>, String> {
    if call.globs.iter().any(|glob| glob.contains("error")) {
      return Err("no such directory".to_owned());
    }
    Ok(
      call
        .globs
        .iter()
        .filter(|glob| !glob.starts_with('!'))
        .map(|glob| GlobFile {
          key: glob.clone(),
          import_path: glob.clone(),
        })
        .collect(),
    )
  };

  let result: Result<(), TransformError> = match (settings >> 3) & 7 {
    0 | 5 => transform_module(&code, &options, &mut rewrite).map(drop),
    1 | 6 => analyze_imports(&code, &options, &mut rewrite).map(drop),
    2 | 7 => scan_imports(&code, &options, &mut rewrite),
    3 => strip_types(&code, &options).map(drop),
    _ => expand_import_globs(&code, &options, &mut expand).map(drop),
  };
  if let Err(error) = result {
    let lines = code.split('\n').count();
    assert!(
      error.id == id && !error.message.is_empty(),
      "error without message or id: {error:?}"
    );
    assert!(
      error.line >= 1 && error.line as usize <= lines,
      "error outside the file's {lines} lines: {error:?}"
    );
  }
});
