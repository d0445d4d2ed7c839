//! Languages, define, HMR scan, JSON, errors and source maps.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{assert_contains, assert_not_contains, options, run, run_rewriting, squash, ssr_lang};
use ven_transform::{ImportKind, JsxOptions, Lang};

#[test]
fn lang_from_path() {
  assert_eq!(Lang::from_path("/a/b.ts?v=1"), Some(Lang::Ts));
  assert_eq!(Lang::from_path("/a/b.mts"), Some(Lang::Ts));
  assert_eq!(Lang::from_path("/a/b.cts"), Some(Lang::Ts));
  assert_eq!(Lang::from_path("/a/b.tsx"), Some(Lang::Tsx));
  assert_eq!(Lang::from_path("/a/b.jsx#x"), Some(Lang::Jsx));
  assert_eq!(Lang::from_path("/a/b.mjs"), Some(Lang::Js));
  assert_eq!(Lang::from_path("/a/b.cjs"), Some(Lang::Js));
  assert_eq!(Lang::from_path("/a/b.json?import"), Some(Lang::Json));
  assert_eq!(Lang::from_path("/a/b.css"), None);
  assert_eq!(Lang::from_path("/a.b/c"), None);
}

#[test]
fn jsx_options_default() {
  let o = JsxOptions::default();
  assert!(o.automatic && o.development);
  assert_eq!(o.import_source, "react");
  assert_eq!(o.pragma, "React.createElement");
  assert_eq!(o.pragma_frag, "React.Fragment");
}

// ---- TypeScript ----

#[test]
fn ts_types_and_type_only_imports_are_removed() {
  let code = "import type { T } from './t';
import { U, v } from './u';
import { OnlyType } from './o';
export type { T };
export type X = string;
export interface I { a: number }
let x: OnlyType = v as U;
export { x };";
  let out = run(code, &options("/src/a.ts")).unwrap();
  assert_eq!(out.deps, ["./u"]);
  let code = squash(&out.code);
  assert_contains(
    &code,
    r#"__vite_ssr_import__("./u", { importedNames: [ "v" ] });"#,
  );
  assert_contains(&code, "let x = __vite_ssr_import_0__.v;");
  assert_not_contains(&code, "OnlyType");
  assert_not_contains(&code, "interface");
}

#[test]
fn ts_enum_namespace_and_parameter_properties() {
  let code = "export enum E { A, B = 5, C }
export namespace N { export const v = E.B }
export class P { constructor(public readonly q: number, private r = 1) {} }";
  let out = ssr_lang(code, "/src/a.ts");
  assert_contains(&out, r#"E[E["A"] = 0] = "A";"#);
  assert_contains(&out, r#"E[E["C"] = 6] = "C";"#);
  assert_contains(&out, "N.v = 5;");
  assert_contains(&out, "this.q = q;");
  assert_contains(&out, "this.r = r;");
  for name in ["E", "N", "P"] {
    assert_contains(&out, &common::export_getter(name, name));
  }
}

#[test]
fn ts_generics_and_satisfies_are_stripped() {
  let out = ssr_lang(
    "const f = <T,>(x: T): T => x;\nexport const y = f<number>(1) satisfies number;",
    "/src/a.ts",
  );
  assert_contains(&out, "const f = (x)=>x;");
  assert_contains(&out, "const y = f(1);");
}

// ---- JSX ----

#[test]
fn tsx_automatic_development_runtime() {
  let code =
    "import React from 'react';\nexport const A = () => <div className=\"x\"><>{1}</></div>;";
  let out = run(code, &options("/src/a.tsx")).unwrap();
  assert_eq!(out.deps, ["react/jsx-dev-runtime"]);
  let code = squash(&out.code);
  assert_contains(&code, r#"importedNames: [ "jsxDEV", "Fragment" ]"#);
  assert_contains(
    &code,
    r#"(0, __vite_ssr_import_0__.jsxDEV)("div", { className: "x","#,
  );
  assert_contains(&code, "__vite_ssr_import_0__.Fragment");
}

#[test]
fn jsx_automatic_production_runtime_and_import_source() {
  let mut o = options("/src/a.jsx");
  o.jsx.development = false;
  o.jsx.import_source = "preact".into();
  let out = run("export const a = <p>{x}</p>;", &o).unwrap();
  assert_eq!(out.deps, ["preact/jsx-runtime"]);
  assert_contains(
    &squash(&out.code),
    r#"(0, __vite_ssr_import_0__.jsx)("p", { children: x })"#,
  );
}

#[test]
fn tsx_classic_runtime_keeps_pragma_import() {
  let mut o = options("/src/a.tsx");
  o.jsx.automatic = false;
  let out = run("import React from 'react';\nexport const a = <p />;", &o).unwrap();
  assert_eq!(out.deps, ["react"]);
  assert_contains(
    &squash(&out.code),
    r#"__vite_ssr_import_0__.default.createElement("p""#,
  );
}

/// Found by fuzzing: a JSX pragma whose value is no expression made swc's JSX pass panic. oxc
/// (Vite) ignores such a pragma and keeps the default; the comment stays as written.
#[test]
fn jsx_pragma_that_is_no_expression_is_ignored() {
  let code = "/** @jsx while */\nexport default <a/>";
  for id in ["/src/a.jsx", "/src/a.tsx"] {
    let out = run(code, &options(id)).unwrap().code;
    assert_contains(&out, "/** @jsx while */");
    assert_contains(&out, "jsxDEV");
  }
  let mut classic = options("/src/a.jsx");
  classic.jsx.automatic = false;
  let code = "/** @jsxRuntime classic @jsx a. @jsxFrag if */\nexport default <><b/></>";
  let out = run(code, &classic).unwrap().code;
  assert_contains(&out, "React.createElement(React.Fragment");
  assert_contains(&out, "/** @jsxRuntime classic @jsx a. @jsxFrag if */");
}

// ---- define ----

fn define_options() -> ven_transform::TransformOptions {
  let mut o = options("/src/a.js");
  o.define = vec![
    (
      "import.meta.env".into(),
      r#"{"MODE":"development","DEV":true}"#.into(),
    ),
    ("import.meta.env.MODE".into(), r#""dev-mode""#.into()),
    ("__APP_VERSION__".into(), r#""1.2.3""#.into()),
    ("process.env.NODE_ENV".into(), r#""development""#.into()),
  ];
  o
}

#[test]
fn define_longest_key_wins() {
  // Without an `import.meta.env` object entry every key is substituted.
  let mut o = define_options();
  o.define.retain(|(k, _)| k != "import.meta.env");
  o.define.push(("__CFG__".into(), r#"{"a":1}"#.into()));
  o.define.push(("__CFG__.a".into(), "2".into()));
  let out = run(
    "a(import.meta.env.MODE, __CFG__.a, __CFG__.b, __CFG__, import.meta.url);",
    &o,
  )
  .unwrap();
  assert_eq!(
    squash(&out.code),
    r#"a("dev-mode", 2, { "a": 1 }.b, { "a": 1 }, __vite_ssr_import_meta__.url);"#
  );
}

#[test]
fn define_import_meta_env_is_assigned_per_module_like_vite() {
  // Vite's import analysis prepends `import.meta.env = {…};` to a module that reads
  // `import.meta.env`, and the reads stay property reads (writes and aliases then work).
  let out = run(
    "import { x } from './x';\na(import.meta.env.MODE, import.meta.env, x);",
    &define_options(),
  )
  .unwrap();
  assert_contains(
    &squash(&out.code),
    r#"const __vite_ssr_import_0__ = await __vite_ssr_import__("./x", { importedNames: [ "x" ] }); __vite_ssr_import_meta__.env = { "MODE": "development", "DEV": true }; a(__vite_ssr_import_meta__.env.MODE, __vite_ssr_import_meta__.env, __vite_ssr_import_0__.x);"#,
  );
  // A module that never reads it gets nothing.
  let out = run("a(import.meta.url, __APP_VERSION__);", &define_options()).unwrap();
  assert_eq!(
    squash(&out.code),
    r#"a(__vite_ssr_import_meta__.url, "1.2.3");"#
  );
}

#[test]
fn define_identifiers_respect_shadowing_and_assignment() {
  let code =
    "a(__APP_VERSION__, typeof __APP_VERSION__, process.env.NODE_ENV, { __APP_VERSION__ });
function f(__APP_VERSION__) { return __APP_VERSION__ }
{ const process = {}; process.env.NODE_ENV }
__APP_VERSION__ = 1; __APP_VERSION__++; obj.__APP_VERSION__;";
  let out = squash(&run(code, &define_options()).unwrap().code);
  assert_contains(
    &out,
    r#"a("1.2.3", typeof "1.2.3", "development", { __APP_VERSION__: "1.2.3" });"#,
  );
  assert_contains(
    &out,
    "function f(__APP_VERSION__) { return __APP_VERSION__; }",
  );
  assert_contains(&out, "process.env.NODE_ENV; }");
  assert_contains(
    &out,
    "__APP_VERSION__ = 1; __APP_VERSION__++; obj.__APP_VERSION__;",
  );
}

#[test]
fn define_replaces_names_typed_by_ambient_declarations() {
  // `declare const KEY: T` types a define for TypeScript; it binds nothing at runtime.
  let mut o = define_options();
  o.id = "/root/src/a.ts".into();
  o.url = "/src/a.ts".into();
  o.lang = ven_transform::Lang::Ts;
  let code = "declare const __APP_VERSION__: string;
declare global { const process: { env: Record<string, string> } }
export const v = __APP_VERSION__, m = process.env.NODE_ENV, o = { __APP_VERSION__ };
function f() { const __APP_VERSION__ = 'local'; return __APP_VERSION__ }
import { type T } from './t';";
  let out = squash(&run(code, &o).unwrap().code);
  assert_contains(
    &out,
    r#"const v = "1.2.3", m = "development", o = { __APP_VERSION__: "1.2.3" };"#,
  );
  // A real binding still shadows the key.
  assert_contains(
    &out,
    "const __APP_VERSION__ = 'local'; return __APP_VERSION__;",
  );
}

#[test]
fn define_object_needs_parens_in_statement_position() {
  let mut o = define_options();
  o.define.push(("__CFG__".into(), r#"{"DEV":true}"#.into()));
  let out = run("__CFG__.DEV && go();", &o).unwrap();
  assert_eq!(squash(&out.code), r#"({ "DEV": true }).DEV && go();"#);
}

// ---- HMR ----

#[test]
fn hmr_self_accepting() {
  let o = options("/src/a.js");
  assert!(
    run("import.meta.hot.accept()", &o)
      .unwrap()
      .hmr
      .is_self_accepting
  );
  assert!(
    run("import.meta.hot.accept((m) => {})", &o)
      .unwrap()
      .hmr
      .is_self_accepting
  );
  assert!(
    run("import.meta.hot?.accept(() => {})", &o)
      .unwrap()
      .hmr
      .is_self_accepting
  );
  let none = run("const hot = 1; other.hot.accept()", &o).unwrap().hmr;
  assert_eq!(none, ven_transform::HmrInfo::default());
}

#[test]
fn hmr_accepted_deps_are_rewritten() {
  let code = "if (import.meta.hot) {
  import.meta.hot.accept('./a', () => {});
  import.meta.hot.accept(['./b', './c'], () => {});
}";
  let out = run_rewriting(code, &options("/src/m.js"));
  assert_eq!(out.hmr.accepted_deps, ["/@id/./a", "/@id/./b", "/@id/./c"]);
  assert!(!out.hmr.is_self_accepting);
  assert!(out.deps.is_empty());
}

#[test]
fn hmr_accepted_exports() {
  let o = options("/src/a.js");
  let hmr = run("import.meta.hot.acceptExports(['a', 'b'], () => {})", &o)
    .unwrap()
    .hmr;
  assert_eq!(
    hmr.accepted_exports,
    Some(vec!["a".to_owned(), "b".to_owned()])
  );
  let hmr = run("import.meta.hot?.acceptExports('c')", &o).unwrap().hmr;
  assert_eq!(hmr.accepted_exports, Some(vec!["c".to_owned()]));
  assert_eq!(run("x", &o).unwrap().hmr.accepted_exports, None);
}

// ---- JSON ----

#[test]
fn json_named_and_default_exports() {
  let out = ssr_lang(r#"{"a": 1, "b-c": [true], "class": null}"#, "/src/d.json");
  assert_contains(&out, &common::export_getter("a", "a"));
  assert_contains(
    &out,
    &common::export_getter("default", "__vite_ssr_export_default__"),
  );
  assert_not_contains(&out, "\"b-c\", ()");
  assert_not_contains(&out, "\"class\", ()");
  assert_contains(&out, "const a = __vite_json__.a;");
}

#[test]
fn json_stringify_uses_json_parse() {
  let mut o = options("/src/d.json");
  o.json_stringify = true;
  let out = squash(&run(r#"{"a": 1}"#, &o).unwrap().code);
  assert_contains(&out, r#"JSON.parse("{\"a\": 1}")"#);
  assert_not_contains(&out, "__vite_ssr_exportName__(\"a\"");
}

#[test]
fn json_non_object_and_proto_key() {
  let out = ssr_lang("[1, 2]", "/src/d.json");
  assert_contains(&out, "const __vite_json__ = [ 1, 2 ];");
  let out = ssr_lang(r#"{"__proto__": {"x": 1}}"#, "/src/d.json");
  assert_contains(&out, "JSON.parse(");
}

#[test]
fn json_syntax_error() {
  let err = run("{\n  \"a\": 1,\n}", &options("/src/d.json")).unwrap_err();
  assert_eq!(err.line, 3);
  assert_eq!(err.id, "/root/src/d.json");
  assert!(err.message.contains("JSON"), "{}", err.message);
}

/// Found by fuzzing: `serde_json` counts columns in bytes, and the code frame of a long line cut
/// its window past the end of the line (a panic, reported as an internal error).
#[test]
fn json_syntax_error_after_non_ascii_text_on_a_long_line_is_located() {
  let code = format!("{{\"k\": \"{}\", x}}", "é".repeat(150));
  let err = run(&code, &options("/src/d.json")).unwrap_err();
  assert!(err.message.contains("JSON"), "{}", err.message);
  let x = code.find(", x").unwrap() + 2;
  assert_eq!(
    (err.line, err.column),
    (1, code[..x].chars().count() as u32)
  );
  assert!(err.frame.contains("éé\", x}"), "{}", err.frame);
  assert!(err.frame.ends_with('^'), "{}", err.frame);
}

// ---- errors ----

#[test]
fn syntax_error_has_location_and_frame() {
  let code = "const a = 1;\nconst b = 2;\nconst c = a +* b;\nconst d = 4;\n";
  let err = run(code, &options("/src/a.js")).unwrap_err();
  assert_eq!((err.line, err.column), (3, 13));
  assert_eq!(err.id, "/root/src/a.js");
  assert_eq!(
    err.frame,
    "1  |  const a = 1;\n2  |  const b = 2;\n3  |  const c = a +* b;\n   |               ^\n4  |  const d = 4;\n5  |  "
  );
  assert!(err.to_string().contains("/root/src/a.js:3:13"));
}

/// Columns count UTF-16 units: on a long line of astral characters the column is past the
/// line's character count, and the frame must still cut a window around it.
#[test]
fn syntax_error_on_a_long_line_of_astral_characters_has_a_frame() {
  let code = format!("const s = '{}'; )", "😀".repeat(130));
  let err = run(&code, &options("/src/a.js")).unwrap_err();
  let paren = code.rfind(')').unwrap();
  let column: usize = code[..paren].chars().map(char::len_utf16).sum();
  assert_eq!((err.line, err.column), (1, column as u32));
  let lines: Vec<&str> = err.frame.lines().collect();
  // A window starting inside a surrogate pair shows U+FFFD, as Vite's lone surrogate prints.
  assert!(
    lines[0].starts_with("1  |  ...") && lines[0].ends_with("😀'; )"),
    "{}",
    err.frame
  );
  // The marker stands under the `)`, in UTF-16 units as in Vite's frame.
  let shown: usize = lines[0]["1  |  ".len()..]
    .chars()
    .map(char::len_utf16)
    .sum();
  assert_eq!(lines[1], format!("   |  {}^", " ".repeat(shown - 1)));
}

#[test]
fn ts_syntax_in_js_is_an_error() {
  let err = run("let a: number = 1;", &options("/src/a.js")).unwrap_err();
  assert_eq!(err.line, 1);
}

#[test]
fn jsx_in_ts_is_an_error() {
  assert!(run("const a = <div />;", &options("/src/a.ts")).is_err());
}

// ---- source maps ----

fn lookup(map: &swc_sourcemap::SourceMap, code: &str, needle: &str) -> (u32, u32) {
  let (line, col) = code
    .lines()
    .enumerate()
    .find_map(|(i, l)| l.find(needle).map(|c| (i as u32, c as u32)))
    .unwrap();
  let token = map.lookup_token(line, col).unwrap();
  (token.get_src_line(), token.get_src_col())
}

#[test]
fn source_map_maps_identifiers_back() {
  let mut o = options("/src/page.ts?v=1");
  o.source_map = true;
  let code =
    "import { foo } from './foo';\n\ninterface X {}\nexport const value: number = foo(42);\n";
  let out = run(code, &o).unwrap();
  let map_json = out.map.unwrap();
  let map = swc_sourcemap::SourceMap::from_slice(map_json.as_bytes()).unwrap();
  assert_eq!(map.get_source(0).map(|s| &**s), Some("page.ts"));
  assert_eq!(map.get_source_contents(0).map(|s| &**s), Some(code));
  // `value` in `const value = …` is on line 4 (0-based 3), column 13.
  assert_eq!(lookup(&map, &out.code, "value ="), (3, 13));
  // The reference `foo` became `__vite_ssr_import_0__.foo` but still maps to `foo(42)`.
  assert_eq!(
    lookup(&map, &out.code, "__vite_ssr_import_0__.foo)(42)"),
    (3, 29)
  );
}

#[test]
fn no_source_map_unless_asked() {
  assert!(run("a", &options("/src/a.js")).unwrap().map.is_none());
}

#[test]
fn source_map_composes_with_input_map() {
  // Input: generated `let b = 1;` (line 0) came from line 5, col 2 of `orig.ts`.
  let mut builder = swc_sourcemap::SourceMapBuilder::new(None);
  let src = builder.add_source("orig.ts".into());
  builder.add_raw(0, 0, 5, 2, Some(src), None, false);
  builder.add_raw(0, 4, 5, 6, Some(src), None, false);
  let mut input = Vec::new();
  builder.into_sourcemap().to_writer(&mut input).unwrap();

  let mut o = options("/src/a.js");
  o.source_map = true;
  o.input_map = Some(String::from_utf8(input).unwrap());
  let out = run("let b = 1;\n", &o).unwrap();
  let map = swc_sourcemap::SourceMap::from_slice(out.map.unwrap().as_bytes()).unwrap();
  assert_eq!(map.get_source(0).map(|s| &**s), Some("orig.ts"));
  let (line, col) = lookup(&map, &out.code, "b = 1");
  assert_eq!((line, col), (5, 6));
}

#[test]
fn json_source_map_is_empty() {
  let mut o = options("/src/d.json");
  o.source_map = true;
  let map = run("{}", &o).unwrap().map.unwrap();
  assert_contains(&map, r#""mappings":"""#);
  assert_contains(&map, r#""sources":["d.json"]"#);
}

#[test]
fn module_accepting_all_its_exports_is_self_accepting() {
  let o = options("/src/a.js");
  let all = "export const a = 1; export function b() {}\nimport.meta.hot.acceptExports(['a', 'b'])";
  let hmr = run(all, &o).unwrap().hmr;
  assert!(hmr.is_self_accepting);
  let some =
    "export const a = 1; export { c as d }; const c = 2\nimport.meta.hot.acceptExports('a')";
  let hmr = run(some, &o).unwrap().hmr;
  assert!(!hmr.is_self_accepting);
  assert_eq!(hmr.accepted_exports, Some(vec!["a".to_owned()]));
}

#[test]
fn imported_bindings_by_specifier() {
  let mut o = options("/src/a.ts");
  let code = "import d, { a, b as c } from './x'\nimport * as ns from './y'\nimport './z'\n\
    export { e } from './w'\nimport type { T } from './t'\nimport { f } from './x'\n\
    export * from './v'\nconsole.log(d, a, c, ns, f, import('./u'))";
  assert_eq!(run(code, &o).unwrap().hmr.imported_bindings, None);
  o.imported_bindings = true;
  let names = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
  assert_eq!(
    run(code, &o).unwrap().hmr.imported_bindings,
    Some(vec![
      ("./x".to_owned(), names(&["default", "a", "b", "f"])),
      ("./y".to_owned(), names(&["*"])),
      ("./z".to_owned(), Vec::new()),
      ("./w".to_owned(), Vec::new()),
      ("./v".to_owned(), Vec::new()),
    ])
  );
}

#[test]
fn import_analysis_alone_rewrites_specifiers_and_keeps_esm() {
  let code = "import { a } from './a'\nexport * from './b'\nexport { c } from './c'\n\
    import.meta.hot.accept('./a', () => {})\nconst d = import('./d')\nconst e = import(`./e`)\n\
    export const f: number = a\n";
  let mut seen = Vec::new();
  let out = ven_transform::analyze_imports(code, &options("/src/m.ts"), &mut |spec, kind| {
    seen.push((spec.to_owned(), kind));
    Some(format!("/src/{}.ts", spec.trim_start_matches("./")))
  })
  .unwrap();
  let squashed = squash(&out.code);
  for expected in [
    "import { a } from \"/src/a.ts\"",
    "export * from \"/src/b.ts\"",
    "export { c } from \"/src/c.ts\"",
    "import.meta.hot.accept(\"/src/a.ts\"",
    "import(\"/src/d.ts\")",
    "import(\"/src/e.ts\")",
    "export const f = a",
  ] {
    assert!(squashed.contains(expected), "{expected} in {squashed}");
  }
  assert!(!out.code.contains("__vite_ssr_"), "{}", out.code);
  assert_eq!(out.deps, vec!["/src/a.ts", "/src/b.ts", "/src/c.ts"]);
  assert_eq!(out.dynamic_deps, vec!["/src/d.ts"]);
  assert_eq!(out.hmr.accepted_deps, vec!["/src/a.ts"]);
  assert!(seen.contains(&("./d".to_owned(), ImportKind::Dynamic)));
}

#[test]
fn scan_reports_what_import_analysis_sees() {
  let code = "import type { T } from './types'\nimport { unused } from './elided'\n\
    import { a } from './a'\nexport * from './b'\nimport.meta.hot?.accept('./c', () => {})\n\
    const d = import('./d')\nexport const x: T = a\n";
  let mut seen = Vec::new();
  ven_transform::scan_imports(code, &options("/src/m.ts"), &mut |spec, kind| {
    seen.push((spec.to_owned(), kind));
    None
  })
  .unwrap();
  seen.sort_by(|a, b| a.0.cmp(&b.0));
  // Type-only and unused imports are elided by the TypeScript step first, as with Vite's oxc.
  assert_eq!(
    seen,
    vec![
      ("./a".to_owned(), ImportKind::Static),
      ("./b".to_owned(), ImportKind::Static),
      ("./c".to_owned(), ImportKind::Static),
      ("./d".to_owned(), ImportKind::Dynamic),
    ]
  );
  let mut jsx = Vec::new();
  let mut o = options("/src/m.jsx");
  o.jsx.automatic = true;
  o.jsx.import_source = "react".into();
  ven_transform::scan_imports("export const el = <div />", &o, &mut |spec, _| {
    jsx.push(spec.to_owned());
    None
  })
  .unwrap();
  assert_eq!(jsx, vec!["react/jsx-dev-runtime"]);
}
