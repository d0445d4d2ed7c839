use super::*;

fn re(source: &str) -> regress::Regex {
  compile_regex(source, "").unwrap()
}

fn hook(filter: Option<HookFilter>) -> BridgedHook {
  BridgedHook {
    plugin_name: "p".into(),
    filter,
  }
}

#[test]
fn js_regex_semantics_including_lookbehind() {
  let wasm = re(r"(?<![?#].*)\.wasm$");
  assert!(wasm.find("/a/b.wasm").is_some());
  assert!(wasm.find("/a/b.js?x.wasm").is_none());
  assert!(
    compile_regex(r"\.VUE$", "gi")
      .unwrap()
      .find("/a.vue")
      .is_some()
  );
  assert!(compile_regex("(", "").is_err());
}

#[test]
fn include_exclude_rules_match_vite() {
  let only_exclude = PatternFilter {
    include: vec![],
    exclude: vec![re(r"node_modules")],
  };
  assert!(only_exclude.matches("/src/a.ts"));
  assert!(!only_exclude.matches("/node_modules/x.js"));
  let both = PatternFilter {
    include: vec![re(r"\.vue$")],
    exclude: vec![re(r"skip")],
  };
  assert!(both.matches("/a.vue"));
  assert!(!both.matches("/skip.vue"));
  assert!(!both.matches("/a.ts"));
}

#[test]
fn transform_filter_checks_module_type_id_then_code() {
  let filter = HookFilter {
    id: Some(PatternFilter {
      include: vec![re(r"\.ts$")],
      exclude: vec![],
    }),
    code: Some((
      vec![CodeMatcher::Substring("import.meta.glob".into())],
      vec![],
    )),
    module_type: Some(vec!["js".into()]),
  };
  assert!(filter.matches("/a.ts", Some("import.meta.glob('./x')"), "js"));
  assert!(!filter.matches("/a.ts", Some("plain"), "js"));
  assert!(!filter.matches("/a.ts", Some("import.meta.glob"), "css"));
  assert!(!filter.matches("/a.js", Some("import.meta.glob"), "js"));
  assert!(filter.matches_without_code("/a.ts", "js"));
  let code_regex = HookFilter {
    code: Some((vec![CodeMatcher::Regex(re(r"\bReact\b"))], vec![])),
    ..HookFilter::default()
  };
  assert!(code_regex.matches("/a", Some("React.x"), "js"));
  assert!(!code_regex.matches("/a", Some("Reactive"), "js"));
}

#[test]
fn plugin_set_crosses_only_for_matching_hooks() {
  let vue = HookFilter {
    id: Some(PatternFilter {
      include: vec![re(r"\.vue$")],
      exclude: vec![],
    }),
    ..HookFilter::default()
  };
  let set = PluginSet {
    transform_post: vec![hook(Some(vue))],
    resolve_post: vec![hook(None)],
    ..PluginSet::default()
  };
  assert!(!set.is_empty());
  assert!(set.wants_transform(HookGroup::Post, "/a.vue", "", "js"));
  assert!(!set.wants_transform(HookGroup::Post, "/a.ts", "", "js"));
  assert!(!set.wants_transform(HookGroup::Pre, "/a.vue", "", "js"));
  assert!(set.wants_resolve(HookGroup::Post, "anything"));
  assert!(!set.wants_resolve(HookGroup::Pre, "anything"));
  assert!(!set.wants_load("/a.ts"));
  assert!(PluginSet::default().is_empty());
}

#[test]
fn an_unfiltered_pre_resolve_hook_takes_everything() {
  let filtered = HookFilter {
    id: Some(PatternFilter {
      include: vec![re("^virtual:")],
      exclude: Vec::new(),
    }),
    code: None,
    module_type: None,
  };
  let set = PluginSet {
    resolve_pre: vec![hook(Some(filtered))],
    ..PluginSet::default()
  };
  assert!(!set.pre_resolve_takes_everything());
  let set = PluginSet {
    resolve_pre: vec![hook(None)],
    ..PluginSet::default()
  };
  assert!(set.pre_resolve_takes_everything());
  let set = PluginSet {
    resolve_post: vec![hook(None)],
    ..PluginSet::default()
  };
  assert!(!set.pre_resolve_takes_everything());
}
