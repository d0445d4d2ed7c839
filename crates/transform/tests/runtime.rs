//! Runs transformed modules in Node with a minimal module runner (same context protocol as
//! Vite's `ESModulesEvaluator`) to check runtime behaviour: live bindings, TDZ-safe getters,
//! `this` of called imports, re-exports, default exports. Skipped when `node` is missing.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::options;

const RUNNER: &str = r#"
const AsyncFunction = (async () => {}).constructor;
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const cache = new Map();
async function load(url) {
  if (cache.has(url)) return cache.get(url);
  const exports = Object.create(null);
  Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
  cache.set(url, exports);
  const code = input.modules[url];
  if (code === undefined) throw new Error('no module ' + url);
  const meta = { url, env: {} };
  await new AsyncFunction('__vite_ssr_exports__', '__vite_ssr_import_meta__', '__vite_ssr_import__',
    '__vite_ssr_dynamic_import__', '__vite_ssr_exportAll__', '__vite_ssr_exportName__',
    '"use strict";\n' + code)(
    exports, meta, (u) => load(u), (u) => load(u),
    (mod) => { for (const k in mod) if (k !== 'default' && !(k in exports))
      Object.defineProperty(exports, k, { enumerable: true, configurable: true, get: () => mod[k] }); },
    (name, get) => Object.defineProperty(exports, name, { enumerable: true, configurable: true, get }));
  Object.seal(exports);
  return exports;
}
load(input.entry).then((m) => {
  process.stdout.write(JSON.stringify(m.result));
}, (e) => { process.stdout.write('ERROR: ' + e.message); });
"#;

/// Transforms `modules` (url, source) and runs the first; returns `JSON.stringify(result)`.
fn run_modules(modules: &[(&str, &str)]) -> Option<String> {
  if Command::new("node").arg("--version").output().is_err() {
    eprintln!("node not found: skipping runtime test");
    return None;
  }
  let mut map = serde_json::Map::new();
  for (url, code) in modules {
    let out = common::run(code, &options(url)).unwrap();
    map.insert((*url).to_owned(), serde_json::Value::String(out.code));
  }
  let input = serde_json::json!({ "entry": modules[0].0, "modules": map }).to_string();
  let mut child = Command::new("node")
    .args(["-e", RUNNER])
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
  child
    .stdin
    .take()
    .unwrap()
    .write_all(input.as_bytes())
    .unwrap();
  let out = child.wait_with_output().unwrap();
  Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn live_bindings_and_cycles() {
  let result = run_modules(&[
    (
      "/main.js",
      "import { count, inc } from '/counter.js';
import * as ns from '/counter.js';
const before = count; inc(); inc();
export const result = [before, count, ns.count, typeof ns.inc];",
    ),
    (
      "/counter.js",
      "export let count = 0;\nexport function inc() { count++; }",
    ),
  ]);
  if let Some(r) = result {
    assert_eq!(r, r#"[0,2,2,"function"]"#);
  }
}

#[test]
fn called_imports_get_undefined_this_and_tdz_getters_work() {
  let result = run_modules(&[
    (
      "/main.js",
      "import { whoami, tag } from '/lib.js';
import * as lib from '/lib.js';
export const result = [whoami(), tag`x`, Object.keys(lib).sort(), lib.late];",
    ),
    (
      "/lib.js",
      "export function whoami() { return this === undefined }
export const tag = function () { return this === undefined };
export const late = 'late';",
    ),
  ]);
  if let Some(r) = result {
    // A tagged template is not a call for Vite: the tag's `this` is the import object.
    assert_eq!(r, r#"[true,false,["late","tag","whoami"],"late"]"#);
  }
}

#[test]
fn re_exports_and_defaults() {
  let result = run_modules(&[
    (
      "/main.js",
      "import def, { a, b, c, ns, 'd-e' as de, Named } from '/re.js';
export const result = [def(), a, b, c, ns.a, de, new Named().x, Named.name];",
    ),
    (
      "/re.js",
      "export * from '/a.js';
export { a as b, default } from '/a.js';
export * as ns from '/a.js';
import { a as local } from '/a.js';
export { local as c, local as 'd-e' };
export class Named { x = 1 }",
    ),
    (
      "/a.js",
      "export const a = 'A';\nexport default function () { return 'def' }",
    ),
  ]);
  if let Some(r) = result {
    assert_eq!(r, r#"["def","A","A","A","A","A",1,"Named"]"#);
  }
}

#[test]
fn assigning_an_import_throws() {
  let result = run_modules(&[
    (
      "/main.js",
      "import { a } from '/a.js';\na = 2;\nexport const result = a;",
    ),
    ("/a.js", "export let a = 1;"),
  ]);
  if let Some(r) = result {
    assert!(r.starts_with("ERROR: "), "{r}");
  }
}

#[test]
fn typescript_runtime() {
  let result = run_modules(&[
    (
      "/main.ts",
      "import { E, N, P } from '/lib.ts';
import type { T } from '/types.ts';
const t: T | undefined = undefined;
export const result = [E.B, E[5], N.v, new P(3).q, t];",
    ),
    (
      "/lib.ts",
      "export enum E { A, B = 5 }
export namespace N { export const v: number = 7 }
export class P { constructor(public q: number) {} }",
    ),
  ]);
  if let Some(r) = result {
    assert_eq!(r, r#"[5,"B",7,3,null]"#);
  }
}
