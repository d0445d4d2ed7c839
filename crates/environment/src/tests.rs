use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;

/// A throwaway project root with the given files.
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
  let root = std::env::temp_dir().join(format!("ven-env-{name}-{}", std::process::id()));
  let _ = std::fs::remove_dir_all(&root);
  for (path, content) in files {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(file, content).unwrap();
  }
  root
}

fn environment(root: &Path, pre_transform: bool) -> Arc<Environment> {
  environment_with_fs(root, pre_transform, FsConfig::unrestricted())
}

fn environment_with_fs(root: &Path, pre_transform: bool, fs: FsConfig) -> Arc<Environment> {
  let resolve = ven_resolver::ResolveConfig {
    root: root.to_path_buf(),
    ..Default::default()
  };
  Environment::new(EnvironmentConfig {
    name: "ssr".into(),
    resolve,
    define: vec![("import.meta.env.MODE".into(), "\"development\"".into())],
    jsx: ven_transform::JsxOptions::default(),
    json_stringify: false,
    source_map: true,
    pre_transform,
    hmr_partial_accept: false,
    import_glob_restore_extension: false,
    fs,
  })
}

/// A two-worker runtime, as the addon runs the pipeline (also used by `persist_tests`).
pub(crate) fn runtime() -> tokio::runtime::Runtime {
  tokio::runtime::Builder::new_multi_thread()
    .worker_threads(2)
    .enable_all()
    .build()
    .unwrap()
}

fn inline(result: FetchResult) -> (Arc<str>, String, String, String, bool) {
  match result {
    FetchResult::Inline {
      code,
      file,
      id,
      url,
      invalidate,
      ..
    } => (code, file, id, url, invalidate),
    other => panic!("expected inline result, got {other:?}"),
  }
}

async fn fetch_inline(
  env: &Arc<Environment>,
  url: &str,
  importer: Option<&str>,
  options: FetchOptions,
) -> (Arc<str>, String, String, String, bool) {
  inline(env.fetch_module(url, importer, options).await.unwrap())
}

#[test]
fn fetches_a_typescript_module_and_records_the_graph() {
  let root = project(
    "basic",
    &[
      (
        "src/entry.ts",
        "import { b } from './b'\nimport fs from 'node:fs'\nexport const a: number = b + 1\nexport const read = fs.readFileSync\nexport const mode = import.meta.env.MODE\n",
      ),
      ("src/b.ts", "export const b: number = 41\n"),
    ],
  );
  let env = environment(&root, false);
  runtime().block_on(async {
    let (code, file, id, url, invalidate) = fetch_inline(
      &env,
      "/src/entry.ts",
      None,
      FetchOptions {
        start_offset: 3,
        ..Default::default()
      },
    )
    .await;
    let root_str = root.to_string_lossy().replace('\\', "/");
    assert_eq!(url, "/src/entry.ts");
    assert_eq!(id, format!("{root_str}/src/entry.ts"));
    assert_eq!(file, id);
    assert!(invalidate);
    assert!(code.contains("__vite_ssr_import__(\"/src/b.ts\""), "{code}");
    assert!(code.contains("__vite_ssr_import__(\"node:fs\""), "{code}");
    assert!(code.contains("\"development\""), "{code}");
    assert!(!code.contains(": number"), "{code}");
    assert!(code.contains("//# sourceMappingURL=data:application/json;base64,"));

    // The importer edge exists before b is fetched, as after Vite's import analysis.
    assert_eq!(
      env.graph().edges(),
      vec![("/src/entry.ts".to_owned(), "/src/b.ts".to_owned())]
    );

    // Second fetch with the runner's copy still valid.
    let again = env
      .fetch_module(
        "/src/entry.ts",
        None,
        FetchOptions {
          cached: true,
          ..Default::default()
        },
      )
      .await;
    assert_eq!(again.unwrap(), FetchResult::Cached);
    let (.., invalidate) = fetch_inline(&env, "/src/entry.ts", None, FetchOptions::default()).await;
    assert!(!invalidate);
  });
}

/// An in-process runner of ours asks for `lazy_source_map`: the code carries no inline map (nor
/// `sourceURL`) and the answer holds the result whose map is the transform's, unshifted.
#[test]
fn lazy_source_map_keeps_the_map_out_of_the_code() {
  let root = project(
    "lazy-map",
    &[("src/a.ts", "const n: number = 1\nexport const a = n\n")],
  );
  let env = environment(&root, false);
  runtime().block_on(async {
    let lazy = FetchOptions {
      start_offset: 3,
      lazy_source_map: true,
      ..Default::default()
    };
    let Ok(FetchResult::Inline {
      code, source_map, ..
    }) = env.fetch_module("/src/a.ts", None, lazy).await
    else {
      panic!("expected an inline result");
    };
    assert!(!code.contains("sourceMappingURL"), "{code}");
    assert!(!code.contains("sourceURL"), "{code}");
    let map = source_map.expect("a map handle");
    let json = map.json().expect("map json");
    assert!(json.contains("\"mappings\""), "{json}");
    assert!(!json.contains("\"mappings\":\";;;"), "unshifted: {json}");

    // Everyone else still gets Vite's inline map and no handle.
    let Ok(FetchResult::Inline {
      code, source_map, ..
    }) = env
      .fetch_module("/src/a.ts", None, FetchOptions::default())
      .await
    else {
      panic!("expected an inline result");
    };
    assert!(code.contains("//# sourceMappingURL=data:application/json;base64,"));
    assert!(source_map.is_none());
  });
}

/// Vite's defaults for a root: strict, the root allowed, `.env*` and `*.pem` denied (the regexes
/// picomatch compiles for them), a transport that does not skip the check.
fn remote_runner_fs(root: &Path) -> FsConfig {
  let any_depth = r"^(?:(?:^|\/|(?:(?:(?!(?:^|\/)\.{1,2}(?:\/|$)).)*?)\/)";
  let deny = |glob: &str, tail: &str| DenyGlob {
    glob: glob.to_owned(),
    regex: regress::Regex::with_flags(&format!("{any_depth}{tail})$"), "i").unwrap(),
  };
  FsConfig {
    strict: true,
    allow: vec![root.to_string_lossy().replace('\\', "/")],
    deny: vec![
      deny("**/.env", r"\.env"),
      deny("**/.env.*", r"\.env\.[^/]*?\/?"),
      deny("**/*.pem", r"(?!\.{1,2}(?:\/|$))(?=.)[^/]*?\.pem"),
    ],
    case_insensitive: false,
    transport_skips_check: false,
  }
}

fn error_code(result: &SharedResult) -> Option<&str> {
  result.as_ref().err().and_then(|e| e.code.as_deref())
}

#[test]
fn server_fs_applies_to_a_transport_that_does_not_skip_it() {
  let base = project(
    "fs-access",
    &[
      ("root/main.js", "export default 'main'\n"),
      ("root/data.txt", "data\n"),
      ("root/.env", "SECRET=1\n"),
      ("root/key.pem", "PEM\n"),
      (
        "root/imports-outside.js",
        "import x from '../outside/imported.js'\nexport default x\n",
      ),
      ("outside/secret.js", "export default 'secret'\n"),
      ("outside/imported.js", "export default 'imported'\n"),
    ],
  );
  let base = std::fs::canonicalize(&base).unwrap();
  let root = base.join("root");
  let outside = base.join("outside").to_string_lossy().replace('\\', "/");
  let env = environment_with_fs(&root, true, remote_runner_fs(&root));
  runtime().block_on(async {
    assert!(env.transform_request("/main.js").await.is_ok());
    assert!(env.transform_request("/data.txt?raw").await.is_ok());
    // A plugin's id with `..` segments must be allowed as written and normalized.
    let root_str = root.to_string_lossy().replace('\\', "/");
    assert!(!env.is_file_loading_allowed(&format!("{root_str}/../outside/secret.js")));
    assert!(env.is_file_loading_allowed(&format!("{root_str}/sub/../main.js")));
    for url in [
      format!("/@fs{outside}/secret.js"),
      "/../outside/secret.js".to_owned(),
      format!("file://{outside}/secret.js"),
      "/.env".to_owned(),
      "/key.pem".to_owned(),
    ] {
      let result = env.transform_request(&url).await;
      assert_eq!(error_code(&result), Some("ERR_LOAD_URL"), "{url}");
    }
    for url in ["/.env?raw", "/.env?url", "/.env?inline", "/key.pem?raw"] {
      let result = env.transform_request(url).await;
      assert_eq!(error_code(&result), Some("ERR_DENIED_ID"), "{url}");
      let error = result.err().unwrap();
      let id = format!(
        "{}{}",
        root.join(&url[1..url.find('?').unwrap()]).display(),
        &url[url.find('?').unwrap()..]
      );
      assert_eq!(error.message, format!("Denied ID {id}"));
      assert_eq!(error.id.as_deref(), Some(id.as_str()));
    }
    // Vite's import analysis marks a module's imports safe: loadable outside the allow list.
    assert!(env.transform_request("/imports-outside.js").await.is_ok());
    let imported = format!("/@fs{outside}/imported.js");
    assert!(env.transform_request(&imported).await.is_ok());
    // `warmupRequest` skips the check (Vite's), and a cached result is answered as in Vite.
    let secret = format!("/@fs{outside}/secret.js");
    env.warmup_request(secret.clone());
    let mut cached = false;
    for _ in 0..200 {
      if env
        .graph()
        .key_by_url(&secret)
        .and_then(|k| env.graph().transform_result(k))
        .is_some()
      {
        cached = true;
        break;
      }
      tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert!(cached, "warmup transformed {secret}");
    assert!(env.transform_request(&secret).await.is_ok());
  });
}

#[test]
fn pre_transform_does_not_cache_what_the_runner_may_not_load() {
  let root = project(
    "fs-pre",
    &[
      (
        "main.js",
        "import env from './.env?raw'\nexport default env\n",
      ),
      (".env", "SECRET=1\n"),
    ],
  );
  let root = std::fs::canonicalize(&root).unwrap();
  let env = environment_with_fs(&root, true, remote_runner_fs(&root));
  runtime().block_on(async {
    assert!(env.transform_request("/main.js").await.is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let result = env.transform_request("/.env?raw").await;
    assert_eq!(error_code(&result), Some("ERR_DENIED_ID"));
    // The in-process runner's check is skipped: the same request succeeds.
    let skipped = env.transform_request_with("/.env?raw", FsCheck::Skip).await;
    assert!(skipped.is_ok());
  });
}

#[test]
fn an_in_process_transport_and_strict_false_skip_the_check() {
  let base = project(
    "fs-skip",
    &[
      ("root/main.js", "export default 1\n"),
      ("outside/secret.js", "export default 'secret'\n"),
    ],
  );
  let base = std::fs::canonicalize(&base).unwrap();
  let root = base.join("root");
  let secret = format!("/@fs{}/outside/secret.js", base.to_string_lossy());
  let in_process = FsConfig {
    transport_skips_check: true,
    ..remote_runner_fs(&root)
  };
  let loose = FsConfig {
    strict: false,
    ..remote_runner_fs(&root)
  };
  runtime().block_on(async {
    for fs in [in_process, loose] {
      let env = environment_with_fs(&root, false, fs);
      assert!(env.transform_request(&secret).await.is_ok());
    }
  });
}

#[test]
fn externalizes_builtins_data_and_network_urls() {
  let root = project("ext", &[("src/a.ts", "export {}")]);
  let env = environment(&root, false);
  runtime().block_on(async {
    for (url, kind) in [
      ("node:fs", "builtin"),
      ("fs", "builtin"),
      ("data:text/javascript,1", "builtin"),
      ("https://x.dev/a.js", "network"),
    ] {
      let result = env
        .fetch_module(url, Some("/src/a.ts"), FetchOptions::default())
        .await
        .unwrap();
      assert_eq!(
        result,
        FetchResult::Externalize {
          externalize: url.to_owned(),
          kind
        }
      );
    }
    let missing = env
      .fetch_module(
        "no-such-pkg",
        Some(&format!("{}/src/a.ts", root.display())),
        FetchOptions::default(),
      )
      .await;
    let err = missing.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("ERR_MODULE_NOT_FOUND"));
    assert!(
      err
        .message
        .starts_with("Cannot find module 'no-such-pkg' imported from"),
      "{}",
      err.message
    );
  });
}

#[test]
fn missing_files_and_syntax_errors_have_vite_shapes() {
  let root = project("errors", &[("src/bad.ts", "export const x = (\n")]);
  let env = environment(&root, false);
  runtime().block_on(async {
    let err = env
      .fetch_module("/src/nope.ts", Some("/src/a.ts"), FetchOptions::default())
      .await
      .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("ERR_LOAD_URL"));
    assert!(
      err.message.contains("Failed to load url /src/nope.ts"),
      "{}",
      err.message
    );

    let err = env
      .fetch_module("/src/bad.ts", None, FetchOptions::default())
      .await
      .unwrap_err();
    // A TypeScript syntax error is Vite's `vite:oxc` error: the place in the message and in
    // its one diagnostic.
    assert_eq!(err.plugin.as_deref(), Some("vite:oxc"));
    assert!(
      err
        .message
        .starts_with("Transform failed with 1 error:\n\n[PARSE_ERROR] ")
    );
    let loc = &err.errors[0].loc;
    assert!(loc.file.ends_with("/src/bad.ts"));
    assert!(loc.line >= 1);
    assert!(
      err
        .message
        .contains(&format!("src/bad.ts:{}:{} ]", loc.line, loc.column + 1))
    );
  });
}

#[test]
fn invalidation_forces_a_fresh_transform() {
  let root = project("invalidate", &[("src/a.ts", "export const v = 1\n")]);
  let env = environment(&root, false);
  runtime().block_on(async {
    let (code, ..) = fetch_inline(&env, "/src/a.ts", None, FetchOptions::default()).await;
    assert!(code.contains("= 1"));
    std::fs::write(root.join("src/a.ts"), "export const v = 2\n").unwrap();
    // Without invalidation the cached result is served.
    let (code, ..) = fetch_inline(&env, "/src/a.ts", None, FetchOptions::default()).await;
    assert!(code.contains("= 1"));
    let file = format!("{}/src/a.ts", root.to_string_lossy());
    assert_eq!(env.on_file_change(&file).len(), 1);
    let (code, .., invalidate) =
      fetch_inline(&env, "/src/a.ts", None, FetchOptions::default()).await;
    assert!(code.contains("= 2"));
    assert!(invalidate);
  });
}

#[test]
fn a_write_no_watcher_reported_is_detected() {
  let root = project("unreported-write", &[("src/a.ts", "export const v = 1\n")]);
  let env = environment(&root, false);
  let file = format!("{}/src/a.ts", root.to_string_lossy());
  runtime().block_on(async {
    // Nothing loaded yet: nothing outdated.
    assert!(!env.serves_outdated_source(&file));
    fetch_inline(&env, "/src/a.ts", None, FetchOptions::default()).await;
    assert!(!env.serves_outdated_source(&file));
    std::fs::write(&file, "export const v = 22\n").unwrap();
    assert!(env.serves_outdated_source(&file));
    // Once invalidated, the next request reads the file again: not outdated any more.
    env.on_file_change(&file);
    assert!(!env.serves_outdated_source(&file));
    let (code, ..) = fetch_inline(&env, "/src/a.ts", None, FetchOptions::default()).await;
    assert!(code.contains("= 22"));
    assert!(!env.serves_outdated_source(&file));
    // A read that failed to transform counts too: runners keep the failure until a change is
    // reported.
    std::fs::write(&file, "export const v = (\n").unwrap();
    env.on_file_change(&file);
    assert!(
      env
        .fetch_module("/src/a.ts", None, FetchOptions::default())
        .await
        .is_err()
    );
    assert!(!env.serves_outdated_source(&file));
    std::fs::write(&file, "export const v = 333\n").unwrap();
    assert!(env.serves_outdated_source(&file));
  });
}

#[test]
fn fetch_now_answers_cached_modules_like_the_async_path() {
  let root = project(
    "fetch-now",
    &[
      ("src/a.ts", "import { b } from './b'\nexport const a = b\n"),
      ("src/b.ts", "export const b = 1\n"),
    ],
  );
  let env = environment(&root, false);
  let now = |url: &str, cached: bool| {
    let options = FetchOptions {
      cached,
      ..Default::default()
    };
    env.fetch_module_now(url, None, options)
  };
  // Nothing transformed yet: the async path must run.
  assert!(now("/src/a.ts", false).is_none());
  assert!(matches!(
    env.fetch_module_now("node:fs", Some("/src/a.ts"), FetchOptions::default()),
    Some(Ok(FetchResult::Externalize {
      kind: "builtin",
      ..
    }))
  ));
  runtime().block_on(async {
    let fetched = fetch_inline(&env, "/src/a.ts", None, FetchOptions::default()).await;
    let Some(Ok(answer)) = now("/src/a.ts", false) else {
      panic!("a cached module is answered at once")
    };
    let (code, file, id, url, invalidate) = inline(answer);
    assert_eq!(
      (&code, &file, &id, &url),
      (&fetched.0, &fetched.1, &fetched.2, &fetched.3)
    );
    assert!(!invalidate);
    assert_eq!(
      now("/src/a.ts", true).map(Result::unwrap),
      Some(FetchResult::Cached)
    );
    // b is known (a imports it) but not transformed: async path.
    assert!(now("/src/b.ts", false).is_none());
    // Soft invalidation (b changed): a's previous result is reused, marked for re-evaluation.
    fetch_inline(&env, "/src/b.ts", None, FetchOptions::default()).await;
    let b_file = format!("{}/src/b.ts", root.to_string_lossy());
    env.on_file_change(&b_file);
    assert!(now("/src/b.ts", false).is_none());
    let Some(Ok(answer)) = now("/src/a.ts", true) else {
      panic!("a soft-invalidated module is answered at once")
    };
    assert!(inline(answer).4);
  });
}

#[test]
fn concurrent_requests_share_one_transform_and_pre_transform_fills_the_cache() {
  let mut files = vec![("src/m0.ts".to_owned(), String::new())];
  let n = 60;
  for i in 0..n {
    let next: String = if i + 1 < n {
      format!(
        "import {{ v{} }} from './m{}'\nexport const w{i} = v{}\n",
        i + 1,
        i + 1,
        i + 1
      )
    } else {
      String::new()
    };
    files.push((
      format!("src/m{i}.ts"),
      format!("{next}export const v{i} = {i}\n"),
    ));
  }
  let files: Vec<(&str, &str)> = files
    .iter()
    .skip(1)
    .map(|(a, b)| (a.as_str(), b.as_str()))
    .collect();
  let root = project("chain", &files);
  let env = environment(&root, true);
  runtime().block_on(async {
    let a = env.transform_request("/src/m0.ts");
    let b = env.transform_request("/src/m0.ts?t=123");
    let (a, b) = tokio::join!(a, b);
    assert!(Arc::ptr_eq(&a.unwrap(), &b.unwrap()));
    // Pre-transform walks the chain without any runner request; what it stores is not the
    // node's `transformResult` (nobody requested it), but the next request reuses it.
    let last = format!("/src/m{}.ts", n - 1);
    for _ in 0..200 {
      if let Some(key) = env.graph().key_by_url(&last)
        && let Some(stored) = env.graph().stored_result(key)
      {
        assert!(env.graph().transform_result(key).is_none());
        let requested = env.transform_request(&last).await.unwrap();
        assert!(Arc::ptr_eq(&stored, &requested));
        assert!(env.graph().transform_result(key).is_some());
        return;
      }
      tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("pre-transform did not reach the end of the chain");
  });
}

/// Issue 12: after an invalidation without a file change, the runner's next import must get
/// `invalidate: true` for a dependency the pre-transform re-transformed before the runner asked
/// (Vite answers `{ cache: true }` only for a `transformResult` a request produced).
#[test]
fn a_pre_transformed_module_is_not_answered_as_cached() {
  let root = project(
    "pre-cache",
    &[
      (
        "entry.js",
        "import { dep } from './dep.js'\nexport default dep\n",
      ),
      ("dep.js", "export const dep = 1\n"),
    ],
  );
  let env = environment(&root, true);
  let cached = FetchOptions {
    cached: true,
    ..FetchOptions::default()
  };
  runtime().block_on(async {
    fetch_inline(&env, "/entry.js", None, cached).await;
    fetch_inline(&env, "/dep.js", Some("/entry.js"), cached).await;
    for _ in 0..20 {
      env.invalidate_all();
      let entry = fetch_inline(&env, "/entry.js", None, cached).await;
      assert!(entry.4, "entry re-evaluated");
      // Give the pre-transform of `dep.js` time to finish before the runner asks.
      let dep_key = env.graph().key_by_url("/dep.js").unwrap();
      for _ in 0..200 {
        if env.graph().stored_result(dep_key).is_some() {
          break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
      }
      assert!(env.graph().transform_result(dep_key).is_none());
      let now = env.fetch_module_now("/dep.js", Some("/entry.js"), cached);
      let Some(Ok(answer)) = now else {
        panic!("a pre-transformed module is answered at once")
      };
      assert!(inline(answer).4, "dep re-evaluated after invalidateAll");
      assert_eq!(
        env
          .fetch_module("/dep.js", Some("/entry.js"), cached)
          .await
          .unwrap(),
        FetchResult::Cached
      );
    }
  });
}

mod with_plugins {
  use std::sync::Mutex;

  use ven_plugin::{
    BridgeError, BridgeFuture, BridgedHook, CodeMatcher, HookFilter, HookGroup, LoadOutput,
    PatternFilter, PluginBridge, PluginSet, ResolveOutput, TransformOutput, compile_regex,
  };

  use super::*;

  /// A JS side written in Rust: a virtual module, an upper-casing transform of `.txt` files and
  /// a post transform that records what it saw.
  #[derive(Default)]
  struct FakeBridge {
    calls: Mutex<Vec<String>>,
  }

  impl PluginBridge for FakeBridge {
    fn resolve_id(
      &self,
      group: HookGroup,
      specifier: String,
      _importer: Option<String>,
    ) -> BridgeFuture<Option<ResolveOutput>> {
      self
        .calls
        .lock()
        .unwrap()
        .push(format!("resolveId:{}:{specifier}", group.as_str()));
      Box::pin(async move {
        Ok((specifier == "virtual:greeting").then(|| ResolveOutput {
          id: "\0virtual:greeting".into(),
          external: false,
        }))
      })
    }

    fn load(&self, id: String) -> BridgeFuture<LoadOutput> {
      self.calls.lock().unwrap().push(format!("load:{id}"));
      Box::pin(async move {
        // Plain JS: like Vite, a `\0` id is never TypeScript-stripped.
        let virtual_module = id == "\0virtual:greeting";
        Ok(LoadOutput {
          code: virtual_module.then(|| "export const greeting = 'hi'".into()),
          module_type: virtual_module.then(|| "js".into()),
          ..LoadOutput::default()
        })
      })
    }

    fn transform(
      &self,
      group: HookGroup,
      id: String,
      code: String,
      module_type: String,
      _in_map: Option<String>,
    ) -> BridgeFuture<TransformOutput> {
      self.calls.lock().unwrap().push(format!(
        "transform:{}:{}:{module_type}",
        group.as_str(),
        id.rsplit('/').next().unwrap_or_default()
      ));
      Box::pin(async move {
        if code.contains("FAIL") {
          return Err(BridgeError {
            message: "boom".into(),
            plugin: Some("fake".into()),
            id: Some(id),
            ..BridgeError::default()
          });
        }
        if module_type == "text" {
          return Ok(TransformOutput {
            code: format!("export default {:?}", code.trim().to_uppercase()),
            map: None,
            module_type: "js".into(),
            watch_files: Vec::new(),
          });
        }
        Ok(TransformOutput {
          code: code.replace("MARK", "'marked'"),
          map: None,
          module_type,
          watch_files: Vec::new(),
        })
      })
    }
  }

  fn hook(filter: Option<HookFilter>) -> BridgedHook {
    BridgedHook {
      plugin_name: "fake".into(),
      filter,
    }
  }

  fn id_filter(source: &str) -> HookFilter {
    HookFilter {
      id: Some(PatternFilter {
        include: vec![compile_regex(source, "").unwrap()],
        exclude: vec![],
      }),
      ..HookFilter::default()
    }
  }

  fn plugin_set() -> PluginSet {
    PluginSet {
      transform_after_glob: Vec::new(),
      transform_final: Vec::new(),
      resolve_pre: vec![],
      resolve_post: vec![hook(Some(id_filter("^virtual:")))],
      load: vec![hook(Some(id_filter("^\\0virtual:")))],
      transform_pre: vec![hook(Some(HookFilter {
        module_type: Some(vec!["text".into()]),
        ..HookFilter::default()
      }))],
      transform_post: vec![hook(Some(HookFilter {
        code: Some((vec![CodeMatcher::Substring("MARK".into())], vec![])),
        ..HookFilter::default()
      }))],
    }
  }

  #[test]
  fn virtual_modules_text_transforms_and_filters() {
    let root = project(
      "plugins",
      &[
        (
          "src/entry.ts",
          "import { greeting } from 'virtual:greeting'\nimport text from './note.txt'\nimport { other } from './other'\nexport const all: string[] = [greeting, text, other]\n",
        ),
        ("src/note.txt", "hello\n"),
        ("src/other.ts", "export const other: string = MARK\n"),
        ("src/plain.ts", "export const plain: number = 1\n"),
      ],
    );
    let env = environment(&root, false);
    let bridge = Arc::new(FakeBridge::default());
    env.set_plugins(plugin_set(), bridge.clone());
    runtime().block_on(async {
      let (code, ..) = fetch_inline(&env, "/src/entry.ts", None, FetchOptions::default()).await;
      assert!(code.contains("\"/@id/__x00__virtual:greeting\""), "{code}");
      assert!(code.contains("\"/src/note.txt\""), "{code}");
      let (code, _, id, ..) = fetch_inline(
        &env,
        "/@id/__x00__virtual:greeting",
        Some("/src/entry.ts"),
        FetchOptions::default(),
      )
      .await;
      assert_eq!(id, "\0virtual:greeting");
      assert!(
        code.contains("'hi'") && !code.contains(": string"),
        "{code}"
      );
      let (code, ..) = fetch_inline(&env, "/src/note.txt", None, FetchOptions::default()).await;
      assert!(code.contains("\"HELLO\""), "{code}");
      let (code, ..) = fetch_inline(&env, "/src/other.ts", None, FetchOptions::default()).await;
      assert!(
        code.contains("'marked'") && !code.contains(": string"),
        "{code}"
      );
      let (code, ..) = fetch_inline(&env, "/src/plain.ts", None, FetchOptions::default()).await;
      assert!(code.contains("const plain = 1"), "{code}");
    });
    let calls = bridge.calls.lock().unwrap().clone();
    // Only modules a filter matched crossed into "JS"; plain.ts never did.
    assert!(
      calls.contains(&"resolveId:post:virtual:greeting".to_owned()),
      "{calls:?}"
    );
    assert!(
      calls.contains(&"transform:pre:note.txt:text".to_owned()),
      "{calls:?}"
    );
    assert!(
      calls.contains(&"transform:post:other.ts:js".to_owned()),
      "{calls:?}"
    );
    assert!(
      !calls
        .iter()
        .any(|c| c.contains("plain.ts") || c.contains("resolveId:post:./other")),
      "{calls:?}"
    );
  }

  #[test]
  fn a_failing_hook_gives_the_plugin_error() {
    let root = project(
      "plugin-error",
      &[("src/bad.ts", "export const x = 'MARK FAIL'\n")],
    );
    let env = environment(&root, false);
    env.set_plugins(plugin_set(), Arc::new(FakeBridge::default()));
    runtime().block_on(async {
      let err = env
        .fetch_module("/src/bad.ts", None, FetchOptions::default())
        .await
        .unwrap_err();
      assert_eq!(err.message, "boom");
      assert_eq!(err.plugin.as_deref(), Some("fake"));
    });
  }
}

#[test]
fn entry_urls_follow_vites_resolve_url() {
  assert_eq!(entry_url("/src/a", "/r/src/a.ts"), "/src/a.ts");
  assert_eq!(entry_url("/src/a?raw", "/r/src/a.ts?raw"), "/src/a.ts?raw");
  assert_eq!(entry_url("/src/a.ts", "/r/src/a.ts"), "/src/a.ts");
  assert_eq!(entry_url("virtual:x", "\0virtual:x"), "virtual:x");
  assert_eq!(entry_url("\0x", "\0x.ts"), "\0x");
  assert_eq!(
    entry_url("/@manifest/ssr/x", "/@manifest/ssr/x"),
    "/@manifest/ssr/x"
  );
  assert_eq!(entry_url("/src/.env", "/r/src/.env"), "/src/.env");
}

/// Issue 11 (SolidStart): a url nothing resolves is its own id; without a `load` hook serving
/// it, it fails to load as in Vite.
#[test]
fn an_unresolved_url_is_its_own_id() {
  let root = project("unresolved", &[("a.js", "export default 1\n")]);
  let env = environment(&root, false);
  runtime().block_on(async {
    let key = env.ensure_entry_from_url("/nope/x", None).await.unwrap();
    assert_eq!(
      env
        .graph()
        .with_node(key, |n| (n.url.clone(), n.id.clone())),
      Some(("/nope/x".to_owned(), "/nope/x".to_owned()))
    );
    let error = env.transform_request("/nope/x").await.unwrap_err();
    assert_eq!(error.code.as_deref(), Some("ERR_LOAD_URL"));
  });
}

#[test]
fn fetch_quick_answers_cached_and_same_without_code() {
  let root = project(
    "fetch-quick",
    &[
      (
        "src/a.ts",
        "import { b } from './b'\nexport const a: number = b\n",
      ),
      ("src/b.ts", "export const b: number = 1\n"),
    ],
  );
  let env = environment(&root, false);
  let lazy = FetchOptions {
    lazy_source_map: true,
    ..Default::default()
  };
  let held_map = |answer: FetchResult| match answer {
    FetchResult::Inline {
      source_map: Some(map),
      ..
    } => map,
    other => panic!("expected inline result with a map, got {other:?}"),
  };
  // Not transformed yet, and externals: no quick answer.
  assert_eq!(env.fetch_module_quick("/src/a.ts", None, None), None);
  assert_eq!(
    env.fetch_module_quick("node:fs", Some("/src/a.ts"), None),
    None
  );
  runtime().block_on(async {
    let a = held_map(env.fetch_module("/src/a.ts", None, lazy).await.unwrap());
    let b = held_map(env.fetch_module("/src/b.ts", None, lazy).await.unwrap());
    assert_eq!(
      env.fetch_module_quick("/src/a.ts", None, None),
      Some(FetchResult::Cached)
    );
    // The result the runner holds: only "same" is sent.
    assert_eq!(
      env.fetch_module_quick("/src/a.ts", None, Some(&a)),
      Some(FetchResult::Same { invalidate: false })
    );
    // Another module's result is not the one this answer carries.
    assert_eq!(env.fetch_module_quick("/src/a.ts", None, Some(&b)), None);
    // An edit: b has no result until it is transformed again, then a new one, not the held one.
    std::fs::write(root.join("src/b.ts"), "export const b: number = 2\n").unwrap();
    env.on_file_change(&format!("{}/src/b.ts", root.to_string_lossy()));
    assert_eq!(env.fetch_module_quick("/src/b.ts", None, None), None);
    assert_eq!(env.fetch_module_quick("/src/b.ts", None, Some(&b)), None);
    let (code, ..) = inline(env.fetch_module("/src/b.ts", None, lazy).await.unwrap());
    assert!(code.contains('2'));
    assert_eq!(env.fetch_module_quick("/src/b.ts", None, Some(&b)), None);
  });
}
