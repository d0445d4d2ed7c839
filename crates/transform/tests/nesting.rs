//! Deeply nested input: a located error or a correct result, never a stack overflow.
//!
//! Every call runs on a thread with a 256 KB stack, so the transform must bring its own: a
//! construct whose recursion needs more stack per source byte than `stack.rs` provides crashes
//! this test binary.

use ven_transform::{
  TransformOptions, expand_import_globs, scan_imports, strip_types, transform_module,
};

/// Deep enough that the stack per source byte dominates the fixed part (at 1,500 levels
/// parentheses need ~5 MB of stack in a release build, ~10x that unoptimised), shallow enough
/// for a debug build to stay quick. `__test__/robustness.test.mjs` runs 100,000 levels through
/// the release addon.
const DEPTH: usize = 1500;

/// `depth` levels of one construct, in a module of the given extension.
fn nested(construct: &str, depth: usize) -> String {
  let open_close = |open: &str, inner: &str, close: &str| {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
  };
  match construct {
    "parentheses" => format!("export const x = {};", open_close("(", "1", ")")),
    "brackets" => format!("export const x = {};", open_close("[", "1", "]")),
    "objects" => format!("export const x = {};", open_close("{a:", "1", "}")),
    "blocks" => open_close("{", "f();", "}"),
    "calls" => format!("export const x = {};", open_close("f(", "1", ")")),
    "templates" => format!("export const x = {};", open_close("`${", "1", "}`")),
    "arrows" => format!("export const x = {}1;", "a => ".repeat(depth)),
    "functions" => open_close("function f(){", "", "}"),
    "else-if" => format!("if (a) f();{}", " else if (a) f();".repeat(depth)),
    "conditionals" => format!("export const x = {}1;", "a ? 1 : ".repeat(depth)),
    "assignments" => format!("let a; a = {}1;", "a = ".repeat(depth)),
    "unary" => format!("export const x = {}1;", "!".repeat(depth)),
    "new" => format!("export const x = {}A;", "new ".repeat(depth)),
    "members" => format!("export const x = a{};", ".b".repeat(depth)),
    "binary" => format!("export const x = 1{};", "+1".repeat(depth)),
    "call-chain" => format!("export const x = a{};", "()".repeat(depth)),
    "jsx" => format!("export const x = {};", open_close("<a>", "", "</a>")),
    "type-arguments" => format!("export let x: {};", open_close("A<", "1", ">")),
    "namespaces" => format!(
      "export namespace N{} {{ export const x = 1 }}",
      ".N".repeat(depth)
    ),
    "json" => open_close("[", "1", "]"),
    other => panic!("unknown construct {other}"),
  }
}

fn extensions(construct: &str) -> &'static [&'static str] {
  match construct {
    "jsx" => &["jsx", "tsx"],
    "type-arguments" | "namespaces" => &["ts", "tsx"],
    "json" => &["json"],
    _ => &["js", "ts", "tsx"],
  }
}

const CONSTRUCTS: &[&str] = &[
  "parentheses",
  "brackets",
  "objects",
  "blocks",
  "calls",
  "templates",
  "arrows",
  "functions",
  "else-if",
  "conditionals",
  "assignments",
  "unary",
  "new",
  "members",
  "binary",
  "call-chain",
  "jsx",
  "type-arguments",
  "namespaces",
  "json",
];

/// Every entry point of the crate on `code`, on a small thread stack; the module runner's
/// output (with its source map) or the first error.
fn transform_on_small_stack(code: String, ext: &str) -> Result<String, String> {
  let ext = ext.to_owned();
  std::thread::Builder::new()
    .stack_size(256 << 10)
    .spawn(move || {
      let options = TransformOptions {
        source_map: true,
        ..TransformOptions::new(format!("/root/deep.{ext}"), format!("/deep.{ext}"))
      };
      strip_types(&code, &options).map_err(|e| e.to_string())?;
      scan_imports(&code, &options, &mut |_, _| None).map_err(|e| e.to_string())?;
      expand_import_globs(&code, &options, &mut |_| Ok(Vec::new())).map_err(|e| e.to_string())?;
      transform_module(&code, &options, &mut |_, _| None)
        .map(|out| out.code)
        .map_err(|e| format!("{e}\n{}", e.frame))
    })
    .expect("thread starts")
    .join()
    .expect("no panic escapes the transform")
}

#[test]
fn every_construct_nested_up_to_the_limit_transforms() {
  for construct in CONSTRUCTS {
    for ext in extensions(construct) {
      let result = transform_on_small_stack(nested(construct, DEPTH), ext);
      assert!(
        result.is_ok(),
        "{construct} in .{ext}: {}",
        result.unwrap_err()
      );
    }
  }
}

#[test]
fn brackets_beyond_the_limit_are_a_located_error() {
  for construct in [
    "parentheses",
    "brackets",
    "objects",
    "calls",
    "templates",
    "json",
  ] {
    for ext in extensions(construct) {
      let code = nested(construct, 100_000);
      let error = transform_on_small_stack(code, ext).expect_err("too deep");
      assert!(
        error.starts_with("Nesting too deep: more than 4096 levels"),
        "{construct} in .{ext}: {error}"
      );
      // The error names the module and the bracket that opened one level too many.
      assert!(error.contains(&format!("/root/deep.{ext}:1:")), "{error}");
    }
  }
}

#[test]
fn unbracketed_chains_of_any_length_transform() {
  // Nothing limits these lexically; the stack grows with the file instead.
  for construct in ["members", "binary", "call-chain", "else-if"] {
    let result = transform_on_small_stack(nested(construct, 20_000), "js");
    assert!(result.is_ok(), "{construct}: {}", result.unwrap_err());
  }
}

#[test]
fn deep_json_is_read_past_serdes_default_limit() {
  let code = transform_on_small_stack(nested("json", 1000), "json").expect("deep JSON");
  assert_eq!(code.matches('[').count(), 1000, "{code}");
}

#[test]
fn long_operator_chains_in_typescript_print_as_in_javascript() {
  // swc's TypeScript constant folding is quadratic in a chain's length (20,000 `+` would take
  // minutes and tens of GB); long chains are kept from it and must come out unchanged.
  let code = nested("binary", 20_000);
  let js = transform_on_small_stack(code.clone(), "js").expect("js");
  let ts = transform_on_small_stack(code, "ts").expect("ts");
  // TS output is indented with tabs, as oxc prints it; the rest is the same code.
  assert_eq!(ts.replace('\t', "    "), js);
  // Short initializers are still folded into the enums that use them.
  let folded = transform_on_small_stack(
    "const A = 1 + 2; export enum E { X = A * 2 }".to_owned(),
    "ts",
  )
  .expect("enum");
  assert!(folded.contains("= 6"), "{folded}");
}
