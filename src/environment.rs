//! `NativeEnvironment`: the JS handle of one engine environment.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use napi::Result;
use napi_derive::napi;
use ven_environment::{
  EnvError, Environment, FetchOptions, FetchResult, FsCheck, HmrOutcome, LazySourceMap, NodeKey,
  internal_error,
};

use napi::bindgen_prelude::{Buffer, Function};
use ven_resolver::Resolved;

use crate::bridge::{JsBridgeRequest, JsBridgeResponse, JsPluginBridge, JsPluginSet, PendingCalls};
use crate::convert::{JsEnvError, JsGraphEvent, NativeEnvironmentOptions};
use crate::text::JsText;

#[napi(object)]
pub struct JsFetchOptions {
  pub cached: Option<bool>,
  pub inline_source_map: Option<bool>,
  pub start_offset: Option<u32>,
  /// Our in-process runner: no inline map in the code, a `sourceMap` handle in the answer.
  pub lazy_source_map: Option<bool>,
}

/// The source map of a module's code as fetched, kept native until a stack trace, a debugger or
/// a user asks for it (`fetchModule` with `lazySourceMap`).
#[napi]
pub struct ModuleSourceMap {
  inner: LazySourceMap,
}

#[napi]
impl ModuleSourceMap {
  /// Source map v3 JSON of the code (not shifted by the runner's `startOffset`).
  #[napi(ts_return_type = "string | null")]
  pub fn json(&self) -> Option<JsText> {
    self.inner.json().map(|json| JsText(json.to_owned()))
  }
}

/// `fetchModule`'s answer: exactly one of `result` fields groups or `error` is set; the JS layer
/// builds Vite's `FetchResult` object or throws.
#[napi(object, object_from_js = false)]
pub struct JsFetchResponse {
  pub cache: Option<bool>,
  pub externalize: Option<String>,
  pub r#type: Option<String>,
  #[napi(ts_type = "string")]
  pub code: Option<JsText>,
  pub file: Option<String>,
  pub id: Option<String>,
  pub url: Option<String>,
  pub invalidate: Option<bool>,
  pub source_map: Option<ModuleSourceMap>,
  pub error: Option<JsEnvError>,
  /// Modules were pruned: the JS side should take them and send Vite's `prune` payload.
  pub pruned_pending: Option<bool>,
}

impl JsFetchResponse {
  fn empty() -> Self {
    Self {
      cache: None,
      externalize: None,
      r#type: None,
      code: None,
      file: None,
      id: None,
      url: None,
      invalidate: None,
      source_map: None,
      error: None,
      pruned_pending: None,
    }
  }
}

#[napi(object)]
pub struct JsTransformResult {
  #[napi(ts_type = "string")]
  pub code: JsText,
  #[napi(ts_type = "string")]
  pub map: Option<JsText>,
  pub deps: Vec<String>,
  pub dynamic_deps: Vec<String>,
}

#[napi(object)]
pub struct JsTransformResponse {
  pub result: Option<JsTransformResult>,
  pub error: Option<JsEnvError>,
  /// The node whose `transformResult` the result is, and that result's version (absent when
  /// the result is not cached on the node).
  pub key: Option<u32>,
  pub version: Option<u32>,
}

fn js_transform_result(r: &ven_environment::TransformResult) -> JsTransformResult {
  JsTransformResult {
    code: r.code.clone().into(),
    map: r.map.clone().map(JsText),
    deps: r.deps.clone(),
    dynamic_deps: r.dynamic_deps.clone(),
  }
}

/// `containerTransform`'s answer: `code` (with `map` and `moduleType`) or `error`.
#[napi(object)]
pub struct JsContainerTransformResponse {
  #[napi(ts_type = "string")]
  pub code: Option<JsText>,
  #[napi(ts_type = "string")]
  pub map: Option<JsText>,
  pub module_type: Option<String>,
  pub error: Option<JsEnvError>,
}

#[napi(object)]
pub struct JsBoundary {
  pub boundary_url: String,
  pub accepted_via_url: String,
  pub is_within_circular_import: bool,
}

/// `updateModules`' decision: a full reload (with Vite's reason) or the boundaries to update.
#[napi(object)]
pub struct JsHmrOutcome {
  pub full_reload: bool,
  pub reason: Option<String>,
  pub boundaries: Vec<JsBoundary>,
}

/// The per-node state that changes without structural events (read on demand by the mirror).
/// Field names are Vite's `EnvironmentModuleNode` ones.
#[allow(clippy::struct_field_names)]
#[napi(object)]
pub struct JsNodeState {
  pub last_invalidation_timestamp: f64,
  #[napi(js_name = "lastHMRTimestamp")]
  pub last_hmr_timestamp: f64,
  #[napi(js_name = "lastHMRInvalidationReceived")]
  pub last_hmr_invalidation_received: bool,
}

/// `ensureEntryFromUrl`'s answer: the node key, or the error of a `resolveId` hook.
#[napi(object)]
pub struct JsEnsureEntryResponse {
  pub key: Option<u32>,
  pub error: Option<JsEnvError>,
}

/// Vite's resolve plugin's answer: `moduleSideEffects: false` for builtins, as Vite says it.
#[napi(object)]
pub struct JsResolvedId {
  pub id: String,
  pub external: bool,
  pub module_side_effects: Option<bool>,
}

#[napi]
pub struct NativeEnvironment {
  inner: Arc<Environment>,
  /// Plugin bridge calls waiting for JS to answer through `completeHook`.
  pending_hooks: Arc<PendingCalls>,
}

#[napi]
impl NativeEnvironment {
  #[napi(constructor, catch_unwind)]
  pub fn new(options: NativeEnvironmentOptions) -> Result<Self> {
    Ok(Self {
      inner: Environment::new(options.try_into()?),
      pending_hooks: Arc::default(),
    })
  }

  #[napi]
  pub async fn fetch_module(
    &self,
    url: String,
    importer: Option<String>,
    options: Option<JsFetchOptions>,
  ) -> JsFetchResponse {
    let fetch = self
      .inner
      .fetch_module(&url, importer.as_deref(), fetch_options(options));
    let result = AssertUnwindSafe(fetch)
      .catch_unwind()
      .await
      .unwrap_or_else(|payload| Err(Arc::new(internal_error("fetching", &url, &*payload))));
    self.fetch_response(result)
  }

  /// `fetchModule` answered without waiting when possible (cached results, externals);
  /// `null` when the async `fetchModule` must run.
  #[napi(catch_unwind)]
  pub fn fetch_module_now(
    &self,
    url: String,
    importer: Option<String>,
    options: Option<JsFetchOptions>,
  ) -> Option<JsFetchResponse> {
    let answer = ven_environment::guard("fetching", &url, || {
      self
        .inner
        .fetch_module_now(&url, importer.as_deref(), fetch_options(options))
    });
    match answer {
      Ok(answer) => answer.map(|result| self.fetch_response(result)),
      Err(fault) => Some(self.fetch_response(Err(Arc::new(fault)))),
    }
  }

  /// `fetchModule` with `cached: true` when the answer is `{ cache: true }`: 1, found without
  /// building an answer object; 0 for any other answer (take `fetchModuleNow`).
  #[napi(catch_unwind)]
  pub fn fetch_module_cached_now(&self, url: String, importer: Option<String>) -> u32 {
    self.quick_answer(&url, importer.as_deref(), None)
  }

  /// For our in-process runner, which still holds the answer it got for `url` before (`held`:
  /// that answer's `sourceMap` handle): 2 when the answer would carry the same transform result
  /// (`{ same, invalidate: false }`), 3 the same with `invalidate: true`, 0 otherwise (take
  /// `fetchModuleNow`, which sends the code).
  #[napi(catch_unwind)]
  pub fn fetch_module_held_now(
    &self,
    url: String,
    importer: Option<String>,
    held: &ModuleSourceMap,
  ) -> u32 {
    self.quick_answer(&url, importer.as_deref(), Some(&held.inner))
  }

  /// [`ven_environment::Environment::fetch_module_quick`] as a number; 0 while pruned modules
  /// wait to be reported (the full answer carries that).
  fn quick_answer(&self, url: &str, importer: Option<&str>, held: Option<&LazySourceMap>) -> u32 {
    if self.inner.has_pruned() {
      return 0;
    }
    let answer = ven_environment::guard("fetching", url, || {
      self.inner.fetch_module_quick(url, importer, held)
    });
    match answer {
      Ok(Some(FetchResult::Cached)) => 1,
      Ok(Some(FetchResult::Same { invalidate: false })) => 2,
      Ok(Some(FetchResult::Same { invalidate: true })) => 3,
      // A fault is reported by the full path.
      Ok(_) | Err(_) => 0,
    }
  }

  fn fetch_response(
    &self,
    result: std::result::Result<FetchResult, Arc<ven_environment::EnvError>>,
  ) -> JsFetchResponse {
    let response = match result {
      Ok(FetchResult::Cached) => JsFetchResponse {
        cache: Some(true),
        ..JsFetchResponse::empty()
      },
      // Only `fetch_module_quick` answers `Same` (see `quick_answer`).
      Ok(FetchResult::Same { .. }) => JsFetchResponse {
        error: Some((&EnvError::new("ERR_INTERNAL", "unexpected `same` fetch answer")).into()),
        ..JsFetchResponse::empty()
      },
      Ok(FetchResult::Externalize { externalize, kind }) => JsFetchResponse {
        externalize: Some(externalize),
        r#type: Some(kind.to_owned()),
        ..JsFetchResponse::empty()
      },
      Ok(FetchResult::Inline {
        code,
        file,
        id,
        url,
        invalidate,
        source_map,
      }) => JsFetchResponse {
        code: Some(JsText(code.to_string())),
        file: Some(file),
        id: Some(id),
        url: Some(url),
        invalidate: Some(invalidate),
        source_map: source_map.map(|inner| ModuleSourceMap { inner }),
        ..JsFetchResponse::empty()
      },
      Err(error) => JsFetchResponse {
        error: Some((&*error).into()),
        ..JsFetchResponse::empty()
      },
    };
    JsFetchResponse {
      pruned_pending: self.inner.has_pruned().then_some(true),
      ..response
    }
  }

  /// Takes the pruned modules' urls (Vite's `handlePrunedModules` bookkeeping done natively).
  #[napi(catch_unwind)]
  pub fn take_pruned(&self) -> Vec<String> {
    self.inner.take_pruned()
  }

  #[napi]
  pub async fn transform_request(&self, url: String) -> JsTransformResponse {
    let request = AssertUnwindSafe(self.inner.transform_request(&url)).catch_unwind();
    let result = request
      .await
      .unwrap_or_else(|payload| Err(Arc::new(internal_error("transforming", &url, &*payload))));
    match result {
      Ok(result) => {
        let cached = self.inner.requested_result_version(&url, &result);
        JsTransformResponse {
          result: Some(js_transform_result(&result)),
          error: None,
          key: cached.map(|(key, _)| key.0),
          version: cached.map(|(_, version)| version),
        }
      }
      Err(error) => JsTransformResponse {
        result: None,
        error: Some((&*error).into()),
        key: None,
        version: None,
      },
    }
  }

  /// Vite's `pluginContainer.transform(code, id, { moduleType, inMap })` on this environment:
  /// the JS hook groups and the native core steps in Vite's order (`inputMap`: v3 JSON;
  /// `watchFiles`: the files the module's `load` hooks added with `this.addWatchFile`).
  #[napi]
  pub async fn container_transform(
    &self,
    code: String,
    id: String,
    module_type: String,
    input_map: Option<String>,
    watch_files: Option<Vec<String>>,
  ) -> JsContainerTransformResponse {
    let transform = self.inner.container_transform(
      &id,
      code,
      module_type,
      input_map,
      watch_files.unwrap_or_default(),
    );
    let result = match AssertUnwindSafe(transform).catch_unwind().await {
      Ok(result) => result,
      Err(payload) => Err(internal_error("transforming", &id, &*payload)),
    };
    match result {
      Ok(out) => JsContainerTransformResponse {
        code: Some(out.code.into()),
        map: out.map.map(JsText),
        module_type: Some(out.module_type),
        error: None,
      },
      Err(error) => JsContainerTransformResponse {
        code: None,
        map: None,
        module_type: None,
        error: Some((&error).into()),
      },
    }
  }

  /// Vite's `warmupRequest`: resolves once the transform is done; errors are dropped and
  /// `server.fs` is not checked.
  #[napi]
  pub async fn warmup_request(&self, url: String) {
    let warmup = self.inner.transform_request_with(&url, FsCheck::Skip);
    let _ = AssertUnwindSafe(warmup).catch_unwind().await;
  }

  /// Moves whenever the node's `transformResult` changes (invalidation, a new requested result).
  #[napi(catch_unwind)]
  pub fn result_version(&self, key: u32) -> Option<u32> {
    self.inner.graph().result_version(NodeKey(key))
  }

  /// Paths Vite's JS side marks safe to load (`config.safeModulePaths`: the client
  /// environment's imports, build inputs).
  #[napi(catch_unwind)]
  pub fn add_safe_module_paths(&self, paths: Vec<String>) {
    for path in &paths {
      self.inner.add_safe_module_path(path);
    }
  }

  /// Vite's `ensureEntryFromUrl`: the node key of `url`, resolved through the JS `resolveId`
  /// hooks and the native resolver unless `resolvedId` is given; a url nothing resolves is its
  /// own id.
  #[napi]
  pub async fn ensure_entry_from_url(
    &self,
    url: String,
    resolved_id: Option<String>,
  ) -> JsEnsureEntryResponse {
    let ensure = AssertUnwindSafe(self.inner.ensure_entry_from_url(&url, resolved_id));
    let result = match ensure.catch_unwind().await {
      Ok(result) => result,
      Err(payload) => Err(internal_error("resolving the entry", &url, &*payload)),
    };
    match result {
      Ok(key) => JsEnsureEntryResponse {
        key: Some(key.0),
        error: None,
      },
      Err(error) => JsEnsureEntryResponse {
        key: None,
        error: Some((&error).into()),
      },
    }
  }

  #[napi(catch_unwind)]
  pub fn node_state(&self, key: u32) -> Option<JsNodeState> {
    self
      .inner
      .graph()
      .timestamps(NodeKey(key))
      .map(|t| JsNodeState {
        last_invalidation_timestamp: t.last_invalidation,
        last_hmr_timestamp: t.last_hmr,
        last_hmr_invalidation_received: t.hmr_invalidation_received,
      })
  }

  #[napi(catch_unwind)]
  pub fn set_node_state(
    &self,
    key: u32,
    last_hmr_timestamp: Option<f64>,
    last_invalidation_timestamp: Option<f64>,
    last_hmr_invalidation_received: Option<bool>,
  ) {
    let graph = self.inner.graph();
    graph.set_timestamps(
      NodeKey(key),
      last_hmr_timestamp,
      last_invalidation_timestamp,
    );
    if let Some(received) = last_hmr_invalidation_received {
      graph.set_hmr_invalidation_received(NodeKey(key), received);
    }
  }

  #[napi(catch_unwind)]
  pub fn get_transform_result(&self, key: u32) -> Option<JsTransformResult> {
    self
      .inner
      .graph()
      .transform_result(NodeKey(key))
      .map(|r| js_transform_result(&r))
  }

  /// `timestamp` defaults to the native clock, the one transforms are stamped with.
  #[napi(catch_unwind)]
  pub fn invalidate_module(&self, key: u32, timestamp: Option<f64>, is_hmr: bool, soft: bool) {
    self
      .inner
      .invalidate_module(NodeKey(key), timestamp, is_hmr, soft);
  }

  /// HMR propagation for edited modules, natively (Vite's `propagateUpdate` rules).
  #[napi(catch_unwind)]
  pub fn hmr_update(
    &self,
    keys: Vec<u32>,
    timestamp: f64,
    first_invalidated_by: Option<String>,
  ) -> JsHmrOutcome {
    let keys: Vec<NodeKey> = keys.into_iter().map(NodeKey).collect();
    match self
      .inner
      .hmr_update(&keys, timestamp, first_invalidated_by.as_deref())
    {
      HmrOutcome::FullReload(reason) => JsHmrOutcome {
        full_reload: true,
        reason: reason.map(str::to_owned),
        boundaries: Vec::new(),
      },
      HmrOutcome::Update(boundaries) => {
        let graph = self.inner.graph();
        let url = |key| graph.with_node(key, |n| n.url.clone()).unwrap_or_default();
        let boundaries = boundaries
          .into_iter()
          .map(|b| JsBoundary {
            boundary_url: url(b.boundary),
            accepted_via_url: url(b.accepted_via),
            is_within_circular_import: b.is_within_circular_import,
          })
          .collect();
        JsHmrOutcome {
          full_reload: false,
          reason: None,
          boundaries,
        }
      }
    }
  }

  /// The module's last load read its file as it is now (a created file's module loaded after
  /// the file appeared).
  #[napi(catch_unwind)]
  pub fn holds_current_source(&self, key: u32) -> bool {
    self.inner.holds_current_source(NodeKey(key))
  }

  /// A module of `file` serves content the file no longer has (see the engine's doc).
  #[napi(catch_unwind)]
  pub fn serves_outdated_source(&self, file: String) -> bool {
    self.inner.serves_outdated_source(&file)
  }

  #[napi(catch_unwind)]
  pub fn on_file_change(&self, file: String) -> Result<Vec<u32>> {
    let changed = ven_environment::guard("invalidating the modules of", &file, || {
      self.inner.on_file_change(&file)
    });
    Ok(
      changed
        .map_err(fault_to_js)?
        .into_iter()
        .map(|k| k.0)
        .collect(),
    )
  }

  /// Modules whose `import.meta.glob` calls match a created or deleted `file`.
  #[napi(catch_unwind)]
  pub fn glob_importers(&self, file: String) -> Vec<u32> {
    self
      .inner
      .glob_importers(&file)
      .into_iter()
      .map(|k| k.0)
      .collect()
  }

  #[napi(catch_unwind)]
  pub fn on_file_delete(&self, file: String) {
    self.inner.on_file_delete(&file);
  }

  #[napi(catch_unwind)]
  pub fn invalidate_all(&self) {
    self.inner.invalidate_all();
  }

  /// Graph changes since the last call, for the JS mirror.
  #[napi(catch_unwind)]
  pub fn take_graph_events(&self) -> Vec<JsGraphEvent> {
    self
      .inner
      .graph()
      .take_events()
      .into_iter()
      .map(Into::into)
      .collect()
  }

  /// The native resolver alone (alias, builtins, files; bare packages to their files as Vite's
  /// resolve plugin does for `this.resolve()`): `null` when it cannot resolve `specifier`, and
  /// for a `data:` url, which Vite's resolve plugin leaves to other plugins.
  #[napi(catch_unwind)]
  pub fn resolve_id(&self, specifier: String, importer: Option<String>) -> Option<JsResolvedId> {
    match self
      .inner
      .resolver()
      .resolve_to_file(&specifier, importer.as_deref())
    {
      Ok(Resolved::Module { id }) => Some(JsResolvedId {
        id,
        external: false,
        module_side_effects: None,
      }),
      Ok(Resolved::Builtin { id }) => Some(JsResolvedId {
        id,
        external: true,
        module_side_effects: Some(false),
      }),
      Ok(Resolved::External { specifier }) if specifier.starts_with("data:") => None,
      Ok(Resolved::External { specifier }) => Some(JsResolvedId {
        id: specifier,
        external: true,
        module_side_effects: None,
      }),
      Err(_) => None,
    }
  }

  /// Installs the environment's JS plugins: their hook filters and the function that runs a
  /// group of hooks in Vite's plugin container.
  #[napi(catch_unwind)]
  pub fn set_plugins(
    &self,
    plugins: JsPluginSet,
    bridge: Function<JsBridgeRequest, ()>,
  ) -> Result<()> {
    let function = bridge
      .build_threadsafe_function()
      .callee_handled::<false>()
      .weak::<true>()
      .build()?;
    let bridge = JsPluginBridge::new(function, Arc::clone(&self.pending_hooks));
    self.inner.set_plugins(plugins.into(), Arc::new(bridge));
    Ok(())
  }

  /// The answer to a plugin bridge call (`callId` of its request); `false` if none waits.
  #[napi(catch_unwind)]
  pub fn complete_hook(&self, call_id: u32, response: JsBridgeResponse) -> bool {
    self.pending_hooks.complete(call_id, response)
  }

  #[napi(catch_unwind)]
  pub fn clear_resolver_cache(&self) {
    self.inner.resolver().clear_cache();
  }

  #[napi(catch_unwind)]
  pub fn close(&self) {
    self.inner.close();
  }

  /// Opens the persistent cache: `opened` says how the store was found (`kept`, `empty`,
  /// `replaced`), `error` why there is none (another process holds the file, an I/O error).
  #[napi(catch_unwind)]
  pub fn open_cache(&self, options: JsCacheOptions) -> JsCacheOpenResponse {
    let options = ven_environment::CacheOptions {
      path: options.path.into(),
      key: options.key.into_iter().map(|p| (p.name, p.value)).collect(),
      runtime: options.runtime,
      clear: options.clear,
      cacheable_plugins: options.cacheable_plugins,
    };
    match self.inner.open_cache(options) {
      Ok(opened) => JsCacheOpenResponse {
        opened: Some(
          match opened {
            ven_environment::CacheOpened::Kept => "kept",
            ven_environment::CacheOpened::Empty => "empty",
            ven_environment::CacheOpened::Replaced => "replaced",
          }
          .to_owned(),
        ),
        error: None,
      },
      Err(error) => JsCacheOpenResponse {
        opened: None,
        error: Some(error),
      },
    }
  }

  /// The persistent cache's counters (`null` without a cache).
  #[napi(catch_unwind)]
  pub fn cache_stats(&self) -> Option<JsCacheStats> {
    self.inner.cache_stats().map(|s| JsCacheStats {
      hits: count(s.hits),
      misses: count(s.misses),
      rejected: count(s.rejected),
      writes: count(s.writes),
      write_errors: count(s.write_errors),
    })
  }

  /// Waits until every record queued so far is committed to the store.
  #[napi(catch_unwind)]
  pub fn flush_cache(&self) {
    self.inner.flush_cache();
  }

  /// The code-cache seam: bytes stored for module `id` and `codeHash` under this Node/V8.
  #[napi(catch_unwind)]
  pub fn code_cache_get(&self, id: String, code_hash: String) -> Option<Buffer> {
    self.inner.code_cache_get(&id, &code_hash).map(Buffer::from)
  }

  #[napi(catch_unwind)]
  pub fn code_cache_put(&self, id: String, code_hash: String, bytes: Buffer) {
    self.inner.code_cache_put(&id, &code_hash, bytes.to_vec());
  }
}

#[napi(object)]
pub struct JsCacheKeyPart {
  pub name: String,
  pub value: String,
}

#[napi(object)]
pub struct JsCacheOptions {
  /// The store file (`<cacheDir>/vite-env-native/<environment>.redb`).
  pub path: String,
  /// What else can change every module's output: plugins, versions, lockfile.
  pub key: Vec<JsCacheKeyPart>,
  /// Node and V8 versions (code-cache entries are per runtime).
  pub runtime: String,
  pub clear: bool,
  pub cacheable_plugins: Vec<String>,
}

#[napi(object)]
pub struct JsCacheOpenResponse {
  pub opened: Option<String>,
  pub error: Option<String>,
}

fn count(n: u64) -> u32 {
  u32::try_from(n).unwrap_or(u32::MAX)
}

#[napi(object)]
pub struct JsCacheStats {
  pub hits: u32,
  pub misses: u32,
  pub rejected: u32,
  pub writes: u32,
  pub write_errors: u32,
}

#[napi(object)]
pub struct JsModuleRunnerTransformOptions {
  /// Module id used for messages; also picks the language by extension (default: JS).
  pub id: Option<String>,
  pub json_stringify: Option<bool>,
  pub source_map: Option<bool>,
  /// `false`: the map leaves `sourcesContent` out (the caller adds the source it holds), unless
  /// an input map supplies it. Default `true`.
  pub sources_content: Option<bool>,
  /// Source map (v3 JSON) of an earlier step, composed with ours.
  pub input_map: Option<String>,
}

#[napi(object)]
pub struct JsModuleRunnerTransformResponse {
  pub result: Option<JsTransformResult>,
  pub error: Option<JsEnvError>,
}

/// The module-runner transform alone (Vite's `moduleRunnerTransform`): no resolution, specifiers
/// kept as written.
#[napi(catch_unwind)]
pub fn module_runner_transform(
  code: String,
  url: String,
  options: Option<JsModuleRunnerTransformOptions>,
) -> JsModuleRunnerTransformResponse {
  let options = options.unwrap_or(JsModuleRunnerTransformOptions {
    id: None,
    json_stringify: None,
    source_map: None,
    sources_content: None,
    input_map: None,
  });
  let id = options.id.unwrap_or_else(|| url.clone());
  let transform_options = ven_transform::TransformOptions {
    lang: ven_transform::Lang::from_path(&id).unwrap_or(ven_transform::Lang::Js),
    id,
    url,
    jsx: ven_transform::JsxOptions::default(),
    define: Vec::new(),
    source_map: options.source_map.unwrap_or(true),
    sources_content: options.sources_content.unwrap_or(true),
    input_map: options.input_map,
    json_stringify: options.json_stringify.unwrap_or(false),
    imported_bindings: false,
  };
  match ven_transform::transform_module(&code, &transform_options, &mut |_, _| None) {
    Ok(out) => JsModuleRunnerTransformResponse {
      result: Some(JsTransformResult {
        code: out.code.into(),
        map: out.map.map(JsText),
        deps: out.deps,
        dynamic_deps: out.dynamic_deps,
      }),
      error: None,
    },
    Err(error) => JsModuleRunnerTransformResponse {
      result: None,
      // Vite's `moduleRunnerTransform` is its module-runner step: its parse failures.
      error: Some(
        (&EnvError::from_transform(
          &error,
          ven_transform::Lang::Js,
          &transform_options.url,
          &code,
        ))
          .into(),
      ),
    },
  }
}

/// A caught panic as a thrown JS error; its message names the step and the subject.
fn fault_to_js(fault: EnvError) -> napi::Error {
  napi::Error::new(napi::Status::GenericFailure, fault.message)
}

fn fetch_options(options: Option<JsFetchOptions>) -> FetchOptions {
  let defaults = FetchOptions::default();
  options.map_or(defaults, |o| FetchOptions {
    cached: o.cached.unwrap_or(defaults.cached),
    inline_source_map: o.inline_source_map.unwrap_or(defaults.inline_source_map),
    start_offset: o.start_offset.unwrap_or(defaults.start_offset),
    lazy_source_map: o.lazy_source_map.unwrap_or(defaults.lazy_source_map),
  })
}
