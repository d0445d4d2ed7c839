//! Resolution, externalization and url mapping against the fixture project in
//! `tests/fixtures/project`.

use std::path::PathBuf;

use ven_resolver::{
  Alias, AliasPattern, EnvResolver, External, ExternalKind, JsRegex, NoExternal, Pattern,
  ResolveConfig, Resolved,
};

fn fixtures() -> PathBuf {
  std::fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
    .expect("fixtures dir")
}

fn root() -> String {
  fixtures()
    .join("project")
    .to_string_lossy()
    .replace('\\', "/")
}

fn config() -> ResolveConfig {
  ResolveConfig {
    root: PathBuf::from(root()),
    ..ResolveConfig::default()
  }
}

fn resolver() -> EnvResolver {
  EnvResolver::new(config())
}

/// A resolver that never externalizes, to observe import resolution of packages.
fn inlining(mut config: ResolveConfig) -> EnvResolver {
  config.no_external = NoExternal::All;
  EnvResolver::new(config)
}

fn main_ts() -> String {
  format!("{}/src/main.ts", root())
}

fn module(r: &EnvResolver, spec: &str, importer: Option<&str>) -> String {
  match r.resolve(spec, importer) {
    Ok(Resolved::Module { id }) => id,
    other => panic!("expected a module for {spec}, got {other:?}"),
  }
}

fn in_root(rel: &str) -> String {
  format!("{}/{rel}", root())
}

// ---------- relative / absolute / root-relative ----------

#[test]
fn relative_with_extension() {
  assert_eq!(
    module(&resolver(), "./a.ts", Some(&main_ts())),
    in_root("src/a.ts")
  );
}

#[test]
fn relative_extensionless() {
  assert_eq!(
    module(&resolver(), "./a", Some(&main_ts())),
    in_root("src/a.ts")
  );
}

#[test]
fn js_specifier_falls_back_to_ts() {
  assert_eq!(
    module(&resolver(), "./a.js", Some(&main_ts())),
    in_root("src/a.ts")
  );
}

#[test]
fn existing_js_file_wins() {
  assert_eq!(
    module(&resolver(), "./plain.js", Some(&main_ts())),
    in_root("src/plain.js")
  );
}

#[test]
fn jsx_falls_back_to_tsx_and_mjs_to_mts() {
  let r = resolver();
  assert_eq!(
    module(&r, "./comp/Button.jsx", Some(&main_ts())),
    in_root("src/comp/Button.tsx")
  );
  assert_eq!(
    module(&r, "./comp/Button.js", Some(&main_ts())),
    in_root("src/comp/Button.tsx")
  );
  assert_eq!(
    module(&r, "./lib/mod.mjs", Some(&main_ts())),
    in_root("src/lib/mod.mts")
  );
}

#[test]
fn directory_index() {
  assert_eq!(
    module(&resolver(), "./lib", Some(&main_ts())),
    in_root("src/lib/index.ts")
  );
}

#[test]
fn json_file() {
  assert_eq!(
    module(&resolver(), "./data.json", Some(&main_ts())),
    in_root("src/data.json")
  );
}

#[test]
fn parent_relative_from_nested_importer() {
  let importer = in_root("src/lib/index.ts");
  assert_eq!(
    module(&resolver(), "../a", Some(&importer)),
    in_root("src/a.ts")
  );
}

#[test]
fn root_relative_specifier() {
  let r = resolver();
  assert_eq!(module(&r, "/src/a", None), in_root("src/a.ts"));
  assert_eq!(
    module(&r, "/src/a.ts", Some(&main_ts())),
    in_root("src/a.ts")
  );
}

#[test]
fn absolute_fs_path_and_fs_prefix() {
  let r = resolver();
  let outside = format!("{}/outside.ts", fixtures().to_string_lossy());
  assert_eq!(module(&r, &outside, Some(&main_ts())), outside);
  assert_eq!(module(&r, &in_root("src/a"), None), in_root("src/a.ts"));
  assert_eq!(module(&r, &format!("/@fs{outside}"), None), outside);
}

#[test]
fn query_is_kept() {
  let r = resolver();
  assert_eq!(
    module(&r, "./a.ts?raw", Some(&main_ts())),
    format!("{}?raw", in_root("src/a.ts"))
  );
  assert_eq!(
    module(&r, "./a?inline&x=1", Some(&main_ts())),
    format!("{}?inline&x=1", in_root("src/a.ts"))
  );
}

#[test]
fn importer_with_query_is_cleaned() {
  let importer = format!("{}?raw", main_ts());
  assert_eq!(
    module(&resolver(), "./a", Some(&importer)),
    in_root("src/a.ts")
  );
}

#[test]
fn subpath_imports() {
  assert_eq!(
    module(&resolver(), "#internal", Some(&main_ts())),
    in_root("src/lib/internal.ts")
  );
}

#[test]
fn missing_relative_is_an_error() {
  let err = resolver().resolve("./nope", Some(&main_ts())).unwrap_err();
  assert_eq!(err.specifier, "./nope");
  assert_eq!(err.importer.as_deref(), Some(main_ts().as_str()));
  assert_eq!(
    err.message,
    r#"Failed to resolve import "./nope" from "src/main.ts". Does the file exist?"#
  );
  assert_eq!(err.to_string(), err.message);
}

#[test]
fn missing_bare_package_is_an_error() {
  let err = resolver()
    .resolve("not-installed", Some(&main_ts()))
    .unwrap_err();
  assert!(err.message.contains("\"not-installed\""), "{}", err.message);
}

// ---------- alias ----------

#[test]
fn alias_exact_and_prefix() {
  let mut c = config();
  c.alias = vec![
    Alias {
      find: AliasPattern::Exact("@".into()),
      replacement: format!("{}/src", root()),
    },
    Alias {
      find: AliasPattern::Exact("the-a".into()),
      replacement: "/src/a.ts".into(),
    },
  ];
  let r = EnvResolver::new(c);
  assert_eq!(
    module(&r, "@/lib", Some(&main_ts())),
    in_root("src/lib/index.ts")
  );
  assert_eq!(module(&r, "the-a", Some(&main_ts())), in_root("src/a.ts"));
  // `the-a2` / `@scope/pkg` are not `find` nor `find/…`.
  assert!(r.resolve("the-a2", Some(&main_ts())).is_err());
  assert_eq!(
    r.resolve("@scope/pkg", Some(&main_ts())).unwrap(),
    Resolved::External {
      specifier: "@scope/pkg".into()
    }
  );
}

#[test]
fn alias_regex_with_capture() {
  let mut c = config();
  c.alias = vec![
    Alias {
      find: AliasPattern::Regex(JsRegex::new("^~/(.*)$", "").unwrap()),
      replacement: "/src/$1".into(),
    },
    Alias {
      find: AliasPattern::Regex(JsRegex::new("^~/a$", "").unwrap()),
      replacement: "/never".into(),
    },
  ];
  let r = EnvResolver::new(c);
  // First matching entry wins.
  assert_eq!(module(&r, "~/a", Some(&main_ts())), in_root("src/a.ts"));
  assert_eq!(
    module(&r, "~/lib/mod.mjs", Some(&main_ts())),
    in_root("src/lib/mod.mts")
  );
}

#[test]
fn alias_applies_before_builtins() {
  let mut c = config();
  c.alias = vec![Alias {
    find: AliasPattern::Exact("fs".into()),
    replacement: "/src/a.ts".into(),
  }];
  assert_eq!(
    module(&EnvResolver::new(c), "fs", None),
    in_root("src/a.ts")
  );
}

// ---------- builtins / urls ----------

#[test]
fn builtins() {
  let r = resolver();
  for id in ["fs", "node:fs", "node:test", "fs/promises", "path"] {
    assert_eq!(
      r.resolve(id, Some(&main_ts())).unwrap(),
      Resolved::Builtin { id: id.into() }
    );
    assert!(r.is_builtin(id), "{id}");
  }
  assert!(!r.is_builtin("test"));
  assert!(!r.is_builtin("fsx"));
  assert!(!r.is_builtin("cjs-only"));
}

#[test]
fn custom_builtins_replace_defaults() {
  let mut c = config();
  c.builtins = vec![Pattern::Exact("cloudflare:workers".into())];
  let r = EnvResolver::new(c);
  assert!(r.is_builtin("cloudflare:workers"));
  assert!(!r.is_builtin("fs"));
}

#[test]
fn data_and_http_urls_are_external() {
  let r = resolver();
  for spec in [
    "data:text/javascript,export default 1",
    "https://esm.sh/x",
    "http://a/b.js",
    "//cdn/x.js",
  ] {
    assert_eq!(
      r.resolve(spec, None).unwrap(),
      Resolved::External {
        specifier: spec.into()
      }
    );
  }
}

#[test]
fn file_url_specifier_resolves_to_path() {
  let spec = format!("file://{}", in_root("src/a.ts"));
  assert_eq!(module(&resolver(), &spec, None), in_root("src/a.ts"));
}

// ---------- conditions / main fields ----------

#[test]
fn conditions_follow_exports_key_order() {
  // exports: browser, development, node{import,require}, import, default
  let r = inlining(config());
  assert_eq!(
    module(&r, "esm-cond", Some(&main_ts())),
    in_root("node_modules/esm-cond/dist/dev.js")
  );
  let mut prod = config();
  prod.is_production = true;
  let r = inlining(prod);
  assert_eq!(
    module(&r, "esm-cond", Some(&main_ts())),
    in_root("node_modules/esm-cond/dist/node.mjs")
  );
  let mut no_node = config();
  no_node.conditions = vec!["module".into()];
  let r = inlining(no_node);
  assert_eq!(
    module(&r, "esm-cond", Some(&main_ts())),
    in_root("node_modules/esm-cond/dist/import.js")
  );
}

#[test]
fn development_production_condition_substitution() {
  let r = inlining(config());
  assert_eq!(
    module(&r, "dev-cond", None),
    in_root("node_modules/dev-cond/dev.js")
  );
  let mut prod = config();
  prod.is_production = true;
  assert_eq!(
    module(&inlining(prod), "dev-cond", None),
    in_root("node_modules/dev-cond/prod.js")
  );
  // An already-substituted condition list is used as is.
  let mut explicit = config();
  explicit.conditions = vec!["node".into(), "production".into()];
  assert_eq!(
    module(&inlining(explicit), "dev-cond", None),
    in_root("node_modules/dev-cond/prod.js")
  );
}

#[test]
fn subpath_exports_and_deep_imports() {
  let r = inlining(config());
  assert_eq!(
    module(&r, "esm-cond/sub", None),
    in_root("node_modules/esm-cond/dist/sub.js")
  );
  assert_eq!(
    module(&r, "@scope/pkg/feature", None),
    in_root("node_modules/@scope/pkg/feature.mjs")
  );
  assert_eq!(
    module(&r, "cjs-only/lib/extra", None),
    in_root("node_modules/cjs-only/lib/extra.js")
  );
  assert!(
    r.resolve("esm-cond/dist/dev.js", None).is_err(),
    "not exported"
  );
}

#[test]
fn module_main_field_preferred_on_server() {
  let r = inlining(config());
  assert_eq!(
    module(&r, "module-field", None),
    in_root("node_modules/module-field/module.mjs")
  );
  assert_eq!(
    module(&r, "cjs-only", None),
    in_root("node_modules/cjs-only/lib/index.js")
  );
}

#[test]
fn browser_only_package_is_not_resolved_for_server() {
  let r = inlining(config());
  assert!(r.resolve("browser-only", Some(&main_ts())).is_err());
  assert!(!resolver().should_externalize("browser-only", Some(&main_ts())));
}

#[test]
fn dedupe_resolves_from_root() {
  let importer = in_root("node_modules/has-nested/index.js");
  let r = inlining(config());
  assert_eq!(
    module(&r, "cjs-only", Some(&importer)),
    in_root("node_modules/has-nested/node_modules/cjs-only/nested.js")
  );
  let mut c = config();
  c.dedupe = vec!["cjs-only".into()];
  let r = inlining(c);
  assert_eq!(
    module(&r, "cjs-only", Some(&importer)),
    in_root("node_modules/cjs-only/lib/index.js")
  );
}

#[test]
fn symlinked_package_resolves_to_real_path_unless_preserved() {
  let r = inlining(config());
  assert_eq!(
    module(&r, "linked-pkg", None),
    in_root("packages/linked-pkg/index.js")
  );
  let mut c = config();
  c.preserve_symlinks = true;
  let r = inlining(c);
  assert_eq!(
    module(&r, "linked-pkg", None),
    in_root("node_modules/linked-pkg/index.js")
  );
}

// ---------- externalization ----------

#[test]
fn default_externalization_rule() {
  let r = resolver();
  let importer = main_ts();
  let imp = Some(importer.as_str());
  assert!(r.should_externalize("cjs-only", imp));
  assert!(r.should_externalize("esm-cond", imp));
  assert!(r.should_externalize("@scope/pkg", imp));
  assert!(r.should_externalize("sync-pkg", imp));
  assert!(r.should_externalize("fs", imp), "builtins are external");
  assert!(
    !r.should_externalize("ts-pkg", imp),
    ".ts entry cannot be externalized"
  );
  assert!(
    !r.should_externalize("esm-cond/style.css", imp),
    ".css cannot be externalized"
  );
  assert!(
    !r.should_externalize("linked-pkg", imp),
    "linked package outside node_modules"
  );
  assert!(!r.should_externalize("not-installed", imp));
  assert!(!r.should_externalize("./a", imp));
  assert!(!r.should_externalize("/src/a.ts", imp));
  assert!(!r.should_externalize("\0virtual", imp));
}

/// Found by `scripts/fuzz.mjs`: a specifier starting with a multi-byte character panicked in
/// the externalization check. Vite's `bareImportRE` takes it for no package (`\w` is ASCII).
#[test]
fn specifier_starting_with_a_non_ascii_character_fails_to_resolve() {
  let r = resolver();
  let importer = main_ts();
  for specifier in ["ѵid/__x00__", "é", "日本/x.js"] {
    assert!(!r.should_externalize(specifier, Some(&importer)));
    assert!(!r.externalized_before_resolve(specifier, Some(&importer)));
    assert!(
      r.resolve(specifier, Some(&importer)).is_err(),
      "{specifier}"
    );
  }
}

#[test]
fn preserved_symlink_inside_node_modules_is_externalized() {
  let mut c = config();
  c.preserve_symlinks = true;
  assert!(EnvResolver::new(c).should_externalize("linked-pkg", None));
}

#[test]
fn resolve_returns_external_for_externalized_bare_imports() {
  let r = resolver();
  assert_eq!(
    r.resolve("cjs-only", Some(&main_ts())).unwrap(),
    Resolved::External {
      specifier: "cjs-only".into()
    }
  );
  assert_eq!(
    module(&r, "ts-pkg", Some(&main_ts())),
    in_root("node_modules/ts-pkg/index.ts"),
    "not externalizable: inlined"
  );
}

#[test]
fn resolve_to_file_ignores_externalization() {
  let r = resolver();
  let Resolved::Module { id } = r.resolve_to_file("cjs-only", Some(&main_ts())).unwrap() else {
    panic!("expected the package file");
  };
  assert!(id.ends_with("node_modules/cjs-only/lib/index.js"), "{id}");
  assert!(matches!(
    r.resolve_to_file("node:fs", None).unwrap(),
    Resolved::Builtin { .. }
  ));
}

#[test]
fn external_list() {
  let mut c = config();
  c.external = External::List(vec![
    "linked-pkg".into(),
    "virtual-thing".into(),
    "ts-pkg".into(),
  ]);
  let r = EnvResolver::new(c);
  assert!(
    r.should_externalize("linked-pkg", None),
    "listed package may live outside node_modules"
  );
  assert!(
    r.should_externalize("virtual-thing", None),
    "exact id is forced even if unresolvable"
  );
  assert!(r.should_externalize("ts-pkg", None), "exact id is forced");
  assert!(
    !r.should_externalize("ts-pkg/other", None),
    "package listed, file still must resolve"
  );
}

#[test]
fn no_external_list_and_regex() {
  let mut c = config();
  c.no_external = NoExternal::List(vec![
    Pattern::Exact("cjs-only".into()),
    Pattern::Regex(JsRegex::new("^@scope/", "").unwrap()),
  ]);
  let r = EnvResolver::new(c);
  assert!(!r.should_externalize("cjs-only", None));
  assert!(
    !r.should_externalize("cjs-only/lib/extra", None),
    "matched by package name"
  );
  assert!(!r.should_externalize("@scope/pkg", None));
  assert!(!r.should_externalize("@scope/pkg/feature", None));
  assert!(r.should_externalize("esm-cond", None));
  assert_eq!(
    module(&r, "cjs-only", None),
    in_root("node_modules/cjs-only/lib/index.js")
  );
}

#[test]
fn no_external_all_with_external_override() {
  let mut c = config();
  c.no_external = NoExternal::All;
  c.external = External::List(vec!["cjs-only".into()]);
  let r = EnvResolver::new(c);
  assert!(r.should_externalize("cjs-only", None));
  assert!(!r.should_externalize("esm-cond", None));
  assert!(r.should_externalize("node:fs", None));
}

#[test]
fn external_all() {
  let mut c = config();
  c.external = External::All;
  let r = EnvResolver::new(c);
  assert!(r.should_externalize("linked-pkg", None));
  assert!(r.should_externalize("cjs-only", None));
  assert!(!r.should_externalize("ts-pkg", None));
}

#[test]
fn externalization_is_cached_per_id_until_cleared() {
  let r = resolver();
  let importer = in_root("node_modules/has-nested/index.js");
  assert!(r.should_externalize("cjs-only", Some(&importer)));
  // Cached: the same answer whatever the importer.
  assert!(r.should_externalize("cjs-only", None));
  r.clear_cache();
  assert!(r.should_externalize("cjs-only", None));
}

// ---------- resolve_external ----------

#[test]
fn resolve_external_commonjs_main() {
  let t = resolver()
    .resolve_external("cjs-only", Some(&main_ts()))
    .unwrap();
  assert_eq!(
    t.file_url,
    format!("file://{}", in_root("node_modules/cjs-only/lib/index.js"))
  );
  assert_eq!(t.kind, ExternalKind::Commonjs);
}

#[test]
fn resolve_external_type_module_js() {
  let t = resolver()
    .resolve_external("type-module", Some(&main_ts()))
    .unwrap();
  assert_eq!(
    t.file_url,
    format!("file://{}", in_root("node_modules/type-module/index.js"))
  );
  assert_eq!(t.kind, ExternalKind::Module);
}

#[test]
fn resolve_external_uses_external_conditions() {
  let r = resolver();
  // node → import
  let t = r.resolve_external("esm-cond", Some(&main_ts())).unwrap();
  assert_eq!(
    t.file_url,
    format!("file://{}", in_root("node_modules/esm-cond/dist/node.mjs"))
  );
  assert_eq!(t.kind, ExternalKind::Module);
  // module-sync
  let t = r.resolve_external("sync-pkg", Some(&main_ts())).unwrap();
  assert!(t.file_url.ends_with("/sync-pkg/sync.mjs"), "{}", t.file_url);
  assert_eq!(t.kind, ExternalKind::Module);
  // `module` main field is ignored: only `main`
  let t = r
    .resolve_external("module-field", Some(&main_ts()))
    .unwrap();
  assert!(
    t.file_url.ends_with("/module-field/main.cjs"),
    "{}",
    t.file_url
  );
  assert_eq!(t.kind, ExternalKind::Commonjs);
}

#[test]
fn resolve_external_from_nested_importer() {
  let importer = in_root("node_modules/has-nested/index.js");
  let t = resolver()
    .resolve_external("cjs-only", Some(&importer))
    .unwrap();
  assert!(
    t.file_url
      .ends_with("/has-nested/node_modules/cjs-only/nested.js"),
    "{}",
    t.file_url
  );
}

#[test]
fn resolve_external_missing() {
  let err = resolver()
    .resolve_external("not-installed", Some("/x/y.js"))
    .unwrap_err();
  assert_eq!(
    err.message,
    "Cannot find module 'not-installed' imported from '/x/y.js'"
  );
  assert_eq!(err.specifier, "not-installed");
}

// ---------- url <-> id ----------

#[test]
fn id_to_url_inside_and_outside_root() {
  let r = resolver();
  assert_eq!(r.id_to_url(&in_root("src/a.ts")), "/src/a.ts");
  assert_eq!(
    r.id_to_url(&format!("{}?raw", in_root("src/a.ts"))),
    "/src/a.ts?raw"
  );
  assert_eq!(r.id_to_url(&root()), "/");
  let outside = format!("{}/outside.ts", fixtures().to_string_lossy());
  assert_eq!(r.id_to_url(&outside), format!("/@fs{outside}"));
  // A sibling directory sharing the root's name prefix is outside the root.
  assert_eq!(
    r.id_to_url(&format!("{}-other/x.ts", root())),
    format!("/@fs{}-other/x.ts", root())
  );
}

#[test]
fn id_to_url_virtual_ids() {
  let r = resolver();
  assert_eq!(r.id_to_url("\0virtual:foo"), "/@id/__x00__virtual:foo");
  assert_eq!(r.id_to_url("virtual:bar"), "/@id/virtual:bar");
  assert_eq!(r.id_to_url("/@id/already"), "/@id/already");
}

#[test]
fn url_to_id_basic_mappings() {
  let r = resolver();
  assert_eq!(
    r.url_to_id("/src/a.ts").as_deref(),
    Some(in_root("src/a.ts").as_str())
  );
  assert_eq!(
    r.url_to_id("/@id/__x00__virtual:foo").as_deref(),
    Some("\0virtual:foo")
  );
  assert_eq!(
    r.url_to_id("/@id/virtual:bar").as_deref(),
    Some("virtual:bar")
  );
  let outside = format!("{}/outside.ts", fixtures().to_string_lossy());
  assert_eq!(
    r.url_to_id(&format!("/@fs{outside}")).as_deref(),
    Some(outside.as_str())
  );
  assert_eq!(
    r.url_to_id(&format!("file://{outside}")).as_deref(),
    Some(outside.as_str())
  );
  assert_eq!(
    r.url_to_id(&outside).as_deref(),
    Some(outside.as_str()),
    "absolute fs path"
  );
}

#[test]
fn url_to_id_strips_timestamp_and_import_queries() {
  let r = resolver();
  let a = in_root("src/a.ts");
  assert_eq!(r.url_to_id("/src/a.ts?t=123").unwrap(), a);
  assert_eq!(r.url_to_id("/src/a.ts?t=1700000000000").unwrap(), a);
  assert_eq!(r.url_to_id("/src/a.ts?import").unwrap(), a);
  assert_eq!(
    r.url_to_id("/src/a.ts?import&t=5&raw").unwrap(),
    format!("{a}?raw")
  );
  assert_eq!(
    r.url_to_id("/src/a.ts?raw&t=5").unwrap(),
    format!("{a}?raw")
  );
  assert_eq!(r.url_to_id("/src/a.ts?tx=5").unwrap(), format!("{a}?tx=5"));
}

#[test]
fn url_to_id_extensionless_and_missing() {
  let r = resolver();
  assert_eq!(r.url_to_id("/src/a").unwrap(), in_root("src/a.ts"));
  assert_eq!(
    r.url_to_id("/src/lib").unwrap(),
    in_root("src/lib/index.ts")
  );
  assert_eq!(
    r.url_to_id("/src/a?raw").unwrap(),
    format!("{}?raw", in_root("src/a.ts"))
  );
  assert_eq!(r.url_to_id("/src/nope.ts"), None);
  assert_eq!(r.url_to_id(""), None);
}

#[test]
fn url_to_id_normalizes_dot_segments_like_vite() {
  let r = resolver();
  let outside = format!("{}/outside.ts", fixtures().to_string_lossy());
  // `/@fs/` paths are normalized (Vite's `fsPathFromId`), existing or not.
  assert_eq!(
    r.url_to_id(&format!("/@fs{}/../outside.ts", root())),
    Some(outside.clone())
  );
  assert_eq!(
    r.url_to_id(&format!("/@fs{}/src/../nope.ts?raw", root())),
    Some(format!("{}/nope.ts?raw", root()))
  );
  // Root-relative urls are `path.resolve(root, url)`: `..` may leave the root.
  assert_eq!(r.url_to_id("/../outside.ts"), Some(outside.clone()));
  assert_eq!(
    r.url_to_id("/src/../../outside.ts?raw"),
    Some(format!("{outside}?raw"))
  );
  assert_eq!(
    r.url_to_id(&format!("file://{}/../outside.ts", root())),
    Some(outside)
  );
  // Percent-encoded separators are not decoded (Vite does not either): nothing resolves.
  assert_eq!(r.url_to_id("/%2e%2e/outside.ts"), None);
  assert_eq!(r.url_to_id("/src%2F..%2F..%2Foutside.ts"), None);
}

#[test]
fn url_to_id_follows_symlinks_unless_preserved_except_under_fs_prefix() {
  let linked = in_root("node_modules/linked-pkg/index.js");
  let real = in_root("packages/linked-pkg/index.js");
  let r = resolver();
  assert_eq!(
    r.url_to_id("/node_modules/linked-pkg/index.js"),
    Some(real.clone())
  );
  assert_eq!(r.url_to_id(&linked), Some(real));
  // Vite's `/@fs/` branch takes the path as written.
  assert_eq!(r.url_to_id(&format!("/@fs{linked}")), Some(linked.clone()));
  let mut c = config();
  c.preserve_symlinks = true;
  let r = EnvResolver::new(c);
  assert_eq!(
    r.url_to_id("/node_modules/linked-pkg/index.js"),
    Some(linked)
  );
}

#[test]
fn id_url_round_trips() {
  let r = resolver();
  let outside = format!("{}/outside.ts", fixtures().to_string_lossy());
  for id in [
    in_root("src/a.ts"),
    format!("{}?raw", in_root("src/a.ts")),
    in_root("node_modules/esm-cond/dist/dev.js"),
    outside,
    "\0virtual:foo".to_owned(),
    "virtual:bar".to_owned(),
  ] {
    let url = r.id_to_url(&id);
    assert_eq!(r.url_to_id(&url).as_deref(), Some(id.as_str()), "via {url}");
  }
}

#[test]
fn resolver_is_send_sync_and_config_is_kept() {
  fn assert_send_sync<T: Send + Sync>() {}
  assert_send_sync::<EnvResolver>();
  let r = resolver();
  assert_eq!(r.config().root, PathBuf::from(root()));
  assert_eq!(r.config().extensions.len(), 7);
}

#[test]
fn default_config_is_vite_server_defaults() {
  let c = ResolveConfig::default();
  assert_eq!(c.root, PathBuf::from("/"));
  assert_eq!(c.conditions, ["module", "node", "development|production"]);
  assert_eq!(c.external_conditions, ["node", "module-sync"]);
  assert_eq!(c.main_fields, ["module", "jsnext:main", "jsnext"]);
  assert_eq!(
    c.extensions,
    [".mjs", ".js", ".mts", ".ts", ".jsx", ".tsx", ".json"]
  );
  assert!(matches!(c.external, External::None));
  assert!(matches!(c.no_external, NoExternal::None));
  assert!(!c.preserve_symlinks);
  assert!(
    ven_resolver::node_builtins()
      .iter()
      .any(|p| p.matches("node:sqlite"))
  );
}

#[test]
fn clear_cache_picks_up_package_changes() {
  let dir = std::env::temp_dir().join(format!("ven-resolver-cache-{}", std::process::id()));
  let _ = std::fs::remove_dir_all(&dir);
  let pkg = dir.join("node_modules/pkg");
  std::fs::create_dir_all(&pkg).unwrap();
  std::fs::write(
    pkg.join("package.json"),
    r#"{"name":"pkg","main":"./a.js"}"#,
  )
  .unwrap();
  std::fs::write(pkg.join("a.js"), "module.exports = 1;").unwrap();
  std::fs::write(pkg.join("b.mjs"), "export default 1;").unwrap();
  let dir = std::fs::canonicalize(&dir).unwrap();
  let r = EnvResolver::new(ResolveConfig {
    root: dir.clone(),
    ..ResolveConfig::default()
  });

  assert!(r.should_externalize("pkg", None));
  assert!(
    r.resolve_external("pkg", None)
      .unwrap()
      .file_url
      .ends_with("/pkg/a.js")
  );

  std::fs::write(
    pkg.join("package.json"),
    r#"{"name":"pkg","main":"./b.mjs"}"#,
  )
  .unwrap();
  std::fs::remove_file(pkg.join("a.js")).unwrap();
  // Cached until cleared.
  assert!(
    r.resolve_external("pkg", None)
      .unwrap()
      .file_url
      .ends_with("/pkg/a.js")
  );
  r.clear_cache();
  let t = r.resolve_external("pkg", None).unwrap();
  assert!(t.file_url.ends_with("/pkg/b.mjs"), "{}", t.file_url);
  assert_eq!(t.kind, ExternalKind::Module);

  std::fs::remove_dir_all(pkg.clone()).unwrap();
  assert!(r.should_externalize("pkg", None), "decision cached per id");
  r.clear_cache();
  assert!(!r.should_externalize("pkg", None));
  let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tsconfig_paths_when_enabled() {
  let root = fixtures().join("tsconfig-paths");
  let root_str = root.to_string_lossy().replace('\\', "/");
  let importer = format!("{root_str}/src/main.ts");
  let config = |tsconfig_paths| ResolveConfig {
    root: root.clone(),
    tsconfig_paths,
    ..ResolveConfig::default()
  };
  let with_paths = EnvResolver::new(config(true));
  assert_eq!(
    module(&with_paths, "@/util", Some(&importer)),
    format!("{root_str}/src/util.ts")
  );
  assert_eq!(
    module(&with_paths, "~lib", Some(&importer)),
    format!("{root_str}/src/lib/index.ts")
  );
  // Off (Vite's default): `@/util` is a package name that does not exist.
  assert!(
    EnvResolver::new(config(false))
      .resolve("@/util", Some(&importer))
      .is_err()
  );
}

// ---------- JS regexes, globs, requests without importer ----------

#[test]
fn alias_regex_has_js_semantics() {
  let mut c = config();
  // A look-ahead (rejected by Rust's `regex` crate) and a JS replacement pattern.
  c.alias = vec![Alias {
    find: AliasPattern::Regex(JsRegex::new(r"^~(?!\/never)\/(?<rest>.*)$", "").unwrap()),
    replacement: "/src/$<rest>".into(),
  }];
  let r = EnvResolver::new(c);
  assert_eq!(module(&r, "~/a", Some(&main_ts())), in_root("src/a.ts"));
  assert!(r.resolve("~/never", Some(&main_ts())).is_err());
}

#[test]
fn no_external_glob_matches_like_picomatch() {
  let mut c = config();
  // What picomatch compiles for `@scope/p*` and `cjs-*` (Vite's `createFilter` with `dot`).
  c.no_external = NoExternal::List(vec![
    Pattern::Glob {
      glob: "@scope/p*".into(),
      regex: JsRegex::new(r"^(?:@scope\/p[^/]*?\/?)$", "").unwrap(),
    },
    Pattern::Glob {
      glob: "cjs-*".into(),
      regex: JsRegex::new(r"^(?:^(?:cjs\-[^/]*?)$)$", "").unwrap(),
    },
  ]);
  let r = EnvResolver::new(c);
  assert!(!r.should_externalize("@scope/pkg", None));
  assert!(!r.should_externalize("cjs-only/lib/extra", None));
  assert!(r.should_externalize("esm-cond", None));
}

#[test]
fn externalized_before_resolve_follows_import_analysis() {
  let mut c = config();
  c.alias = vec![Alias {
    find: AliasPattern::Exact("aliased".into()),
    replacement: "cjs-only".into(),
  }];
  let r = EnvResolver::new(c);
  let importer = main_ts();
  assert!(r.externalized_before_resolve("cjs-only", Some(&importer)));
  assert!(r.externalized_before_resolve("node:fs", Some(&importer)));
  assert!(r.externalized_before_resolve("data:text/javascript,1", Some(&importer)));
  assert!(r.externalized_before_resolve("https://x.test/a.js", Some(&importer)));
  // An alias match is resolved by the hooks, never externalized on the specifier as written.
  assert!(!r.externalized_before_resolve("aliased", Some(&importer)));
  assert!(!r.externalized_before_resolve("./a", Some(&importer)));
  assert!(!r.externalized_before_resolve("ts-pkg", Some(&importer)));
}

#[test]
fn requests_without_importer_prefer_files_under_the_root() {
  let r = resolver();
  // `src/a` names `<root>/src/a.ts` (as from `<root>/index.html`), not a package `src`.
  assert_eq!(module(&r, "src/a", None), in_root("src/a.ts"));
  assert_eq!(r.url_to_id("./src/a.ts").unwrap(), in_root("src/a.ts"));
  assert_eq!(r.url_to_id("src/a.ts").unwrap(), in_root("src/a.ts"));
  assert_eq!(
    r.url_to_id("./src/lib").unwrap(),
    in_root("src/lib/index.ts")
  );
  // A bare url without importer is resolved to its file (the container never externalizes).
  assert_eq!(
    r.url_to_id("cjs-only").unwrap(),
    in_root("node_modules/cjs-only/lib/index.js")
  );
  // From a module, a bare specifier is still a package.
  assert!(r.resolve("src/a", Some(&main_ts())).is_err());
}

#[test]
fn resolve_external_package_entry_failure() {
  let r = resolver();
  let e = r
    .resolve_external("broken-entry", Some(&main_ts()))
    .unwrap_err();
  assert_eq!(e.code, Some("ERR_RESOLVE_PACKAGE_ENTRY_FAIL"));
  assert_eq!(
    e.message,
    "Failed to resolve entry for package \"broken-entry\". The package may have incorrect \
     main/module/exports specified in its package.json."
  );
  // A deep import or a missing package is not an entry failure.
  let deep = r
    .resolve_external("broken-entry/missing", Some(&main_ts()))
    .unwrap_err();
  assert_eq!(deep.code, Some("ERR_MODULE_NOT_FOUND"));
  let missing = r
    .resolve_external("no-such-pkg", Some(&main_ts()))
    .unwrap_err();
  assert_eq!(missing.code, Some("ERR_MODULE_NOT_FOUND"));
}
