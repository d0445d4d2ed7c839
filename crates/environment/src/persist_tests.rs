use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::tests::runtime;
use crate::{CacheOpened, CacheOptions, EnvironmentConfig, FetchOptions, FetchResult, FsConfig};

use super::*;

fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
  let root = std::env::temp_dir().join(format!("ven-persist-{name}-{}", std::process::id()));
  let _ = std::fs::remove_dir_all(&root);
  for (path, content) in files {
    write(&root, path, content);
  }
  root
}

fn write(root: &Path, path: &str, content: &str) {
  let file = root.join(path);
  std::fs::create_dir_all(file.parent().unwrap()).unwrap();
  std::fs::write(file, content).unwrap();
}

fn environment(root: &Path, define: &str) -> Arc<Environment> {
  let env = Environment::new(EnvironmentConfig {
    name: "ssr".into(),
    resolve: ven_resolver::ResolveConfig {
      root: root.to_path_buf(),
      ..Default::default()
    },
    define: vec![("__FLAG__".into(), define.into())],
    jsx: ven_transform::JsxOptions::default(),
    json_stringify: false,
    source_map: true,
    pre_transform: false,
    hmr_partial_accept: false,
    import_glob_restore_extension: false,
    fs: FsConfig::unrestricted(),
  });
  env
    .open_cache(CacheOptions {
      path: root.join("node_modules/.vite/vite-env-native/ssr.redb"),
      key: vec![("plugins".into(), "[]".into())],
      runtime: "test".into(),
      clear: false,
      cacheable_plugins: Vec::new(),
    })
    .unwrap();
  env
}

/// One server lifetime: fetches every url, returns the code of each and the cache's counters.
fn serve(root: &Path, define: &str, urls: &[&str]) -> (Vec<String>, CacheStats) {
  let env = environment(root, define);
  let codes = runtime().block_on(async {
    let mut codes = Vec::new();
    for url in urls {
      match env.fetch_module(url, None, FetchOptions::default()).await {
        Ok(FetchResult::Inline { code, .. }) => codes.push(code.to_string()),
        other => panic!("{url}: {other:?}"),
      }
    }
    codes
  });
  let stats = env.cache_stats().unwrap();
  env.close();
  (codes, stats)
}

const URLS: &[&str] = &["/src/entry.ts", "/src/b.ts", "/src/c.js"];

fn app(name: &str) -> PathBuf {
  project(
    name,
    &[
      (
        "src/entry.ts",
        "import { b } from './b'\nimport { c } from './c'\nimport fs from 'node:fs'\nexport const out: string = b + c + __FLAG__ + typeof fs\n",
      ),
      ("src/b.ts", "export const b: string = 'b1'\n"),
      ("src/c.js", "export const c = 'c-js'\n"),
    ],
  )
}

#[test]
fn a_warm_restart_serves_what_a_cold_start_does_from_the_cache() {
  let root = app("warm");
  let (cold, stats) = serve(&root, "1", URLS);
  assert_eq!(stats.hits, 0);
  let (warm, stats) = serve(&root, "1", URLS);
  assert_eq!(warm, cold);
  assert_eq!(stats.hits, 3, "{stats:?}");
  assert_eq!(stats.opened, CacheOpened::Kept);
}

#[test]
fn a_file_edited_while_the_server_was_down_is_transformed_again() {
  let root = app("edited");
  serve(&root, "1", URLS);
  write(&root, "src/b.ts", "export const b: string = 'b2'\n");
  let (codes, stats) = serve(&root, "1", URLS);
  assert!(codes[1].contains("'b2'"), "{}", codes[1]);
  assert_eq!((stats.hits, stats.rejected), (2, 1), "{stats:?}");
}

#[test]
fn another_define_empties_the_store() {
  let root = app("define");
  serve(&root, "1", URLS);
  let (codes, stats) = serve(&root, "2", URLS);
  assert!(codes[0].contains(".c + 2 +"), "{}", codes[0]);
  assert_eq!(stats.opened, CacheOpened::Empty);
  assert_eq!(stats.hits, 0);
}

#[test]
fn a_file_that_shadows_a_resolution_invalidates_the_importer() {
  let root = app("shadow");
  let (cold, _) = serve(&root, "1", URLS);
  assert!(cold[0].contains("\"/src/c.js\""), "{}", cold[0]);
  // `.mjs` comes before `.js` in the resolve extensions: `./c` now resolves to c.mjs.
  write(&root, "src/c.mjs", "export const c = 'c-mjs'\n");
  let (codes, stats) = serve(&root, "1", URLS);
  assert!(codes[0].contains("\"/src/c.mjs\""), "{}", codes[0]);
  assert_eq!((stats.hits, stats.rejected), (2, 1), "{stats:?}");
}

#[test]
fn a_damaged_store_is_a_cold_start() {
  let root = app("damaged");
  let (cold, _) = serve(&root, "1", URLS);
  let store = root.join("node_modules/.vite/vite-env-native/ssr.redb");
  std::fs::write(&store, b"garbage".repeat(5000)).unwrap();
  let (codes, stats) = serve(&root, "1", URLS);
  assert_eq!(codes, cold);
  assert_eq!((stats.hits, stats.opened), (0, CacheOpened::Replaced));
}
