//! Output of the module-runner transform for the cases of Vite's `ssrTransform.spec.ts`.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use common::{assert_contains, assert_not_contains, export_getter, options, run_rewriting, ssr};

#[test]
fn named_import_reads_from_import_object() {
  let out = ssr("import { foo } from 'vue';\nfoo;");
  assert_eq!(
    out,
    r#"const __vite_ssr_import_0__ = await __vite_ssr_import__("vue", { importedNames: [ "foo" ] }); __vite_ssr_import_0__.foo;"#
  );
}

#[test]
fn default_and_renamed_imports() {
  let out = ssr("import def, { bar as baz } from 'vue';\nconsole.log(def, baz);");
  assert_contains(&out, r#"importedNames: [ "default", "bar" ]"#);
  assert_contains(
    &out,
    "console.log(__vite_ssr_import_0__.default, __vite_ssr_import_0__.bar);",
  );
}

#[test]
fn namespace_import_has_no_imported_names() {
  let out = ssr("import * as vue from 'vue';\nvue.ref(1);");
  assert_eq!(
    out,
    r#"const __vite_ssr_import_0__ = await __vite_ssr_import__("vue"); __vite_ssr_import_0__.ref(1);"#
  );
}

#[test]
fn side_effect_import_has_no_metadata() {
  assert_eq!(
    ssr("import 'foo';"),
    r#"const __vite_ssr_import_0__ = await __vite_ssr_import__("foo");"#
  );
}

#[test]
fn string_import_names_use_computed_access() {
  let out = ssr("import { 'a-b' as ab } from 'x';\nab;");
  assert_contains(&out, r#"importedNames: [ "a-b" ]"#);
  assert_contains(&out, r#"__vite_ssr_import_0__["a-b"];"#);
}

#[test]
fn one_import_object_per_declaration_and_deduplicated_deps() {
  let code = "import { a } from 'x';\nimport { b } from 'y';\nimport { c } from 'x';\na + b + c;";
  let out = run_rewriting(code, &options("/src/a.js"));
  let squashed = common::squash(&out.code);
  assert_contains(
    &squashed,
    r#"const __vite_ssr_import_2__ = await __vite_ssr_import__("/@id/x""#,
  );
  assert_contains(
    &squashed,
    "__vite_ssr_import_0__.a + __vite_ssr_import_1__.b + __vite_ssr_import_2__.c;",
  );
  assert_eq!(out.deps, ["/@id/x", "/@id/y"]);
}

#[test]
fn imports_are_hoisted_above_code() {
  let out = ssr("console.log(a);\nimport { a } from 'x';\nfunction f() {}");
  assert!(
    out.starts_with("const __vite_ssr_import_0__ = await __vite_ssr_import__(\"x\""),
    "{out}"
  );
  assert_contains(
    &out,
    "console.log(__vite_ssr_import_0__.a); function f() {}",
  );
}

#[test]
fn called_imports_lose_this() {
  let out = ssr("import { fn } from 'x';\nfn(1);\nfn?.(2);\nobj.fn();");
  assert_contains(&out, "(0, __vite_ssr_import_0__.fn)(1);");
  assert_contains(&out, "(0, __vite_ssr_import_0__.fn)?.(2);");
  assert_contains(&out, "obj.fn();");
}

#[test]
fn tagged_template_imports_keep_the_import_object_as_this() {
  // Vite rewrites a tag like any reference (not as a call): `this` is the import object.
  let out = ssr("import { css } from 'x';\ncss`a`;");
  assert_contains(&out, "__vite_ssr_import_0__.css`a`;");
}

#[test]
fn new_and_typeof_on_imports() {
  let out = ssr("import { A } from 'x';\nnew A();\ntypeof A;");
  assert_contains(
    &out,
    "new __vite_ssr_import_0__.A(); typeof __vite_ssr_import_0__.A;",
  );
}

#[test]
fn shorthand_property_is_expanded() {
  let out = ssr("import { a } from 'x';\nconst o = { a, b: a };");
  assert_contains(
    &out,
    "const o = { a: __vite_ssr_import_0__.a, b: __vite_ssr_import_0__.a };",
  );
}

#[test]
fn shadowing_bindings_are_untouched() {
  let code = "import { a, b } from 'x';
function f(a) { return a }
function g({ a = b, ...rest }, [c = a]) { return a + rest + c }
const h = (a) => a;
try {} catch (a) { a }
{ let a = 1; a }
class K { m(a) { return a } }
const e = function a() { return a };
for (const a of []) a;
a;";
  let out = ssr(code);
  assert_contains(&out, "function f(a) { return a; }");
  assert_contains(
    &out,
    "function g({ a = __vite_ssr_import_0__.b, ...rest }, [c = a]) { return a + rest + c; }",
  );
  assert_contains(&out, "const h = (a)=>a;");
  assert_contains(&out, "catch (a) { a; }");
  assert_contains(&out, "{ let a = 1; a; }");
  assert_contains(&out, "m(a) { return a; }");
  assert_contains(&out, "function a() { return a; }");
  assert_contains(&out, "for (const a of [])a;");
  assert!(out.ends_with("__vite_ssr_import_0__.a;"), "{out}");
}

#[test]
fn labels_and_property_keys_are_untouched() {
  let code = "import { a } from 'x';
a: for (;;) { break a; }
obj.a; ({ a: 1 }); class C { a() {} static a = 1 } obj?.a;";
  let out = ssr(code);
  assert_contains(&out, "a: for(;;){ break a; }");
  assert_contains(&out, "obj.a;");
  assert_contains(&out, "({ a: 1 });");
  assert_contains(&out, "class C { a() {} static a = 1; }");
  assert_not_contains(&out, "__vite_ssr_import_0__.a");
}

#[test]
fn class_extends_import() {
  // As in Vite: a class declaration extends a `const` snapshot declared before the top-level
  // statement that holds it (once per name); class expressions read the import directly.
  let out = ssr(
    "import { Base } from 'x';\nf();\nexport class A extends Base {}\nfunction g() { class B extends Base {} }\nconst C = class extends Base {};",
  );
  assert_contains(
    &out,
    "f(); const Base = __vite_ssr_import_0__.Base; class A extends Base { }",
  );
  assert_eq!(out.matches("const Base =").count(), 1, "{out}");
  assert_contains(&out, "class B extends Base { }");
  assert_contains(&out, "class extends __vite_ssr_import_0__.Base { }");
}

#[test]
fn assignment_to_import_targets_the_import_object() {
  let out = ssr("import { a } from 'x';\na = 1;\n({ a } = {});\n[a] = [];\na++;");
  assert_contains(&out, "__vite_ssr_import_0__.a = 1;");
  // Vite leaves an object-pattern shorthand as written (an assignment to an undeclared name).
  assert_contains(&out, "({ a } = {});");
  assert_contains(&out, "[__vite_ssr_import_0__.a] = [];");
  assert_contains(&out, "__vite_ssr_import_0__.a++;");
}

#[test]
fn export_variable_declarations() {
  let out = ssr("export const a = 1, { b, c: [d], ...e } = obj;\nexport let f;\nexport var g = 2;");
  for name in ["a", "b", "d", "e", "f", "g"] {
    assert_contains(&out, &export_getter(name, name));
  }
  assert_contains(
    &out,
    "const a = 1, { b, c: [d], ...e } = obj; let f; var g = 2;",
  );
}

#[test]
fn export_function_and_class() {
  let out = ssr("export function f() {}\nexport class C {}");
  assert_eq!(
    out,
    format!(
      "{} {} function f() {{}} class C {{ }}",
      export_getter("f", "f"),
      export_getter("C", "C")
    )
  );
}

#[test]
fn export_list_of_locals() {
  let out = ssr("const a = 1, b = 2;\nexport { a, b as c, a as default, b as 'some-name' };");
  assert_eq!(
    out,
    format!(
      "{} {} {} {} const a = 1, b = 2;",
      export_getter("a", "a"),
      export_getter("c", "b"),
      export_getter("default", "a"),
      export_getter("some-name", "b")
    )
  );
}

#[test]
fn export_default_expression() {
  let out = ssr("export default { a: 1 };");
  assert_eq!(
    out,
    format!(
      "{} const __vite_ssr_export_default__ = {{ a: 1 }};",
      export_getter("default", "__vite_ssr_export_default__")
    )
  );
}

#[test]
fn export_default_named_function_and_class_keep_declarations() {
  let out = ssr("f();\nexport default function f() {}");
  assert_eq!(
    out,
    format!("{} f(); function f() {{}}", export_getter("default", "f"))
  );
  let out = ssr("export default class C {}");
  assert_eq!(
    out,
    format!("{} class C {{ }}", export_getter("default", "C"))
  );
}

#[test]
fn export_default_anonymous_function() {
  let out = ssr("export default function () {}");
  assert_contains(&out, "const __vite_ssr_export_default__ = function() {};");
  let out = ssr("export default class {}");
  assert_contains(&out, "const __vite_ssr_export_default__ = class { };");
}

#[test]
fn named_re_exports() {
  let out = ssr("export { a, b as c, default, default as d, e as 'f-g' } from 'x';");
  assert_contains(
    &out,
    r#"await __vite_ssr_import__("x", { importedNames: [ "a", "b", "default", "default", "e" ] });"#,
  );
  assert_contains(&out, &export_getter("a", "__vite_ssr_import_0__.a"));
  assert_contains(&out, &export_getter("c", "__vite_ssr_import_0__.b"));
  assert_contains(
    &out,
    &export_getter("default", "__vite_ssr_import_0__.default"),
  );
  assert_contains(&out, &export_getter("d", "__vite_ssr_import_0__.default"));
  assert_contains(&out, &export_getter("f-g", "__vite_ssr_import_0__.e"));
}

#[test]
fn export_all_and_export_namespace() {
  let out = ssr("export * from 'x';\nexport * as ns from 'y';");
  assert_eq!(
    out,
    format!(
      "{} const __vite_ssr_import_0__ = await __vite_ssr_import__(\"x\"); __vite_ssr_exportAll__(__vite_ssr_import_0__); const __vite_ssr_import_1__ = await __vite_ssr_import__(\"y\");",
      export_getter("ns", "__vite_ssr_import_1__")
    )
  );
}

#[test]
fn exporting_imported_bindings() {
  let out = ssr("import { a } from 'x';\nimport * as ns from 'y';\nexport { a, ns, a as b };");
  assert_contains(&out, &export_getter("a", "__vite_ssr_import_0__.a"));
  assert_contains(&out, &export_getter("ns", "__vite_ssr_import_1__"));
  assert_contains(&out, &export_getter("b", "__vite_ssr_import_0__.a"));
}

#[test]
fn exports_come_before_imports_and_after_hashbang() {
  let out = run_rewriting(
    "#!/usr/bin/env node\nimport 'x';\nexport const a = 1;",
    &options("/a.js"),
  );
  assert!(
    out
      .code
      .starts_with("#!/usr/bin/env node\n__vite_ssr_exportName__(\"a\""),
    "{}",
    out.code
  );
  let squashed = common::squash(&out.code);
  let export_at = squashed.find("__vite_ssr_exportName__").unwrap();
  let import_at = squashed.find("__vite_ssr_import__(").unwrap();
  assert!(export_at < import_at);
}

#[test]
fn import_meta_is_replaced() {
  let out = ssr("console.log(import.meta.url, import.meta);");
  assert_eq!(
    out,
    "console.log(__vite_ssr_import_meta__.url, __vite_ssr_import_meta__);"
  );
}

#[test]
fn dynamic_imports() {
  let code =
    "import('./a');\nimport(`./b`, { with: { type: 'json' } });\nimport(name);\nimport('./a');";
  let out = run_rewriting(code, &options("/src/m.js"));
  let squashed = common::squash(&out.code);
  assert_contains(&squashed, r#"__vite_ssr_dynamic_import__("/@dyn/./a");"#);
  assert_contains(
    &squashed,
    r#"__vite_ssr_dynamic_import__("/@dyn/./b", { with: { type: 'json' } });"#,
  );
  assert_contains(&squashed, "__vite_ssr_dynamic_import__(name);");
  // Like Vite, only string literals are recorded (the template is still rewritten).
  assert_eq!(out.dynamic_deps, ["/@dyn/./a"]);
  assert!(out.deps.is_empty());
}

#[test]
fn deps_in_source_order_with_rewrites() {
  let code = "import 'a';\nexport * from 'b';\nexport { c } from 'c';\nimport d from 'a';\nd;";
  let out = run_rewriting(code, &options("/src/m.js"));
  assert_eq!(out.deps, ["/@id/a", "/@id/b", "/@id/c"]);
  assert_contains(&out.code, r#"__vite_ssr_import__("/@id/a")"#);
}

#[test]
fn top_level_await_is_kept() {
  let out = ssr("const x = await fetch('/');\nfor await (const y of z) {}");
  assert_eq!(
    out,
    "const x = await fetch('/'); for await (const y of z){}"
  );
}

#[test]
fn import_attributes_are_dropped() {
  let out = ssr("import data from './d.json' with { type: 'json' };\ndata;");
  assert_contains(
    &out,
    r#"__vite_ssr_import__("./d.json", { importedNames: [ "default" ] });"#,
  );
}

#[test]
fn runner_names_are_not_captured_by_locals() {
  // A local named like a generated binding must not break the import reference.
  let out = ssr("import { a } from 'x';\nfunction f(__vite_ssr_import_0__) { return a }");
  assert_contains(
    &out,
    "function f(__vite_ssr_import_0__1) { return __vite_ssr_import_0__.a; }",
  );
}
