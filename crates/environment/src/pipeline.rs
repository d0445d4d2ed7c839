//! `transformRequest`: dedup, cache, load, transform, graph update and pre-transform.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::FutureExt as _;
use ven_graph::{AcceptInfo, NodeKey};
use ven_plugin::HookGroup;
use ven_resolver::Resolved;
use ven_transform::{ImportKind, Lang, TransformOptions};

use crate::plugins::{Loaded, Plugins, SpecifierResolution, lang_for};
use crate::{
  EnvError, Environment, FsCheck, PendingRequest, SharedResult, TransformResult, monotonic_now,
};

/// Vite's `removeTimestampQuery` + `removeImportQuery`: `?t=123` and `?import` never reach ids.
pub(crate) fn strip_internal_queries(url: &str) -> String {
  ven_resolver::remove_import_query(&ven_resolver::remove_timestamp_query(url))
}

/// A requested url as the graph knows it: internal queries dropped and `/@id/` unwrapped
/// (Vite's `fetchModule`, `ssrLoadModule` and the dev middleware unwrap before they look up a node).
pub(crate) fn module_url_of_request(url: &str) -> String {
  ven_resolver::unwrap_id(&strip_internal_queries(url))
}

/// Vite's `ERR_LOAD_URL` message names the url as requested (only `?t=` removed); the pipeline
/// works on the graph's url, which also drops `?import`.
fn named_after_request(error: Arc<EnvError>, url: &str) -> Arc<EnvError> {
  if error.code.as_deref() != Some("ERR_LOAD_URL") {
    return error;
  }
  let requested = ven_resolver::remove_timestamp_query(url);
  let message = EnvError::load_url(&requested, error.id.as_deref(), None).message;
  if message == error.message {
    return error;
  }
  Arc::new(EnvError {
    message,
    ..(*error).clone()
  })
}

/// A step's map with its one source named by the module's file path, as Vite's core plugins
/// name it (the module-runner transform names the url's basename instead).
pub(crate) fn map_naming_file(map: Option<String>, id: &str) -> Option<String> {
  let file = ven_graph::clean_url(id);
  map.map(
    |map| match serde_json::from_str::<serde_json::Value>(&map) {
      Ok(mut value) => {
        value["sources"] = serde_json::json!([file]);
        value.to_string()
      }
      Err(_) => map,
    },
  )
}

/// How far the native pass after the JS hooks goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Pass {
  /// Import analysis only: an ES module with rewritten specifiers.
  ImportAnalysis,
  /// Import analysis and the module-runner transform.
  ModuleRunner,
  /// Import analysis for the specifiers it finds only (no output).
  Scan,
}

/// One import found while transforming a module.
pub(crate) struct FoundImport {
  /// As written in the code.
  pub(crate) specifier: String,
  pub(crate) url: String,
  pub(crate) id: String,
  pub(crate) kind: ImportKind,
}

/// Every specifier a module's import analysis decided, with its resolution (first one each).
pub(crate) type Resolutions = Vec<(String, SpecifierResolution)>;

/// A module's import analysis: the transformed code, its imports and how each was resolved.
type Analyzed = (
  ven_transform::TransformOutput,
  Vec<FoundImport>,
  Resolutions,
);

impl Environment {
  /// The environment's `transformRequest(url)`: the SSR transform result of `url`, shared by
  /// concurrent callers, with `server.fs` applied unless the environment's transport skips it.
  pub async fn transform_request(self: &Arc<Self>, url: &str) -> SharedResult {
    self
      .transform_request_with(url, self.transport_fs_check())
      .await
  }

  /// Vite's `transformRequest(environment, url, { skipFsCheck })`. A request already in flight
  /// for the url is shared whatever its check, and a cached result is returned without one, as
  /// in Vite: the check guards loading a file.
  pub async fn transform_request_with(self: &Arc<Self>, url: &str, check: FsCheck) -> SharedResult {
    let result = self
      .shared_transform(url, check)
      .await
      .map_err(|error| named_after_request(error, url))?;
    // A request asked for it: it is the node's `transformResult` from now on (unless the
    // module was invalidated meanwhile, and another result or none is stored).
    if let Some(key) = self.graph.key_by_url(&module_url_of_request(url)) {
      self.graph.mark_requested(key, &result);
    }
    Ok(result)
  }

  async fn shared_transform(self: &Arc<Self>, url: &str, check: FsCheck) -> SharedResult {
    if self.is_closing() {
      return Err(Arc::new(EnvError::new(
        "ERR_CLOSED_SERVER",
        "Server is closed",
      )));
    }
    let url = module_url_of_request(url);
    let existing = self.pending.get(&url).map(|p| p.clone());
    if let Some(pending) = existing {
      let invalidated_at = self
        .graph
        .key_by_url(&url)
        .and_then(|k| self.graph.timestamps(k))
        .map(|t| t.last_invalidation);
      // Reuse the in-flight request unless the module was invalidated after it started.
      if invalidated_at.is_none_or(|t| pending.started_at > t) {
        return pending.future.await;
      }
    }
    let started_at = monotonic_now();
    let request_id = self
      .next_request_id
      .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let this = Arc::clone(self);
    let request_url = url.clone();
    let future = async move {
      // A panic must not poison the shared future: every later request of the url would
      // re-raise it.
      std::panic::AssertUnwindSafe(this.do_transform(&request_url, started_at, check))
        .catch_unwind()
        .await
        .unwrap_or_else(|payload| {
          Err(Arc::new(crate::internal_error(
            "transforming",
            &request_url,
            &*payload,
          )))
        })
    }
    .boxed()
    .shared();
    self.pending.insert(
      url.clone(),
      PendingRequest {
        id: request_id,
        started_at,
        future: future.clone(),
      },
    );
    let result = future.await;
    self.pending.remove_if(&url, |_, p| p.id == request_id);
    result
  }

  /// Vite's `warmupRequest`: transform in the background without the `server.fs` check,
  /// errors ignored.
  pub fn warmup_request(self: &Arc<Self>, url: String) {
    let this = Arc::clone(self);
    tokio::spawn(async move {
      let _ = this.transform_request_with(&url, FsCheck::Skip).await;
    });
  }

  /// Pre-transform of a module's static import. It fills the cache the runner reads, so it
  /// applies the same check as the runner's own request would: an import of `/.env?raw` is not
  /// cached for a runner that may not load it. Its result is not a request's: the node's
  /// `transformResult` stays empty until the runner (or anyone) asks, as in Vite, so a runner
  /// holding an older evaluation of the module is told to re-evaluate it.
  fn pre_transform(self: &Arc<Self>, url: String) {
    let this = Arc::clone(self);
    let check = self.transport_fs_check();
    tokio::spawn(async move {
      let _ = this.shared_transform(&url, check).await;
    });
  }

  async fn do_transform(
    self: Arc<Self>,
    url: &str,
    started_at: f64,
    check: FsCheck,
  ) -> SharedResult {
    let known = self.graph.key_by_url(url);
    if let Some(key) = known
      && let Some(result) = self.cached_result(key, started_at)
    {
      return Ok(result);
    }
    // A url the graph knows (an importer's import analysis created it) is not resolved again,
    // as in Vite's unresolved-url map; only new urls go through the resolveId hooks. A url
    // nothing resolves is its own id, as in Vite: `load` hooks may serve it (and the load step
    // applies `server.fs` to it, so an asset-like url of a denied file fails with
    // `ERR_DENIED_ID` before failing to load).
    let id = match known.and_then(|key| self.graph.with_node(key, |n| n.id.clone())) {
      Some(id) => id,
      None => self
        .url_to_id(url)
        .await
        .map_err(Arc::new)?
        .unwrap_or_else(|| url.to_owned()),
    };
    if let Some(key) = self.graph.key_by_id(&id) {
      self.graph.ensure_entry(url, &id);
      if let Some(result) = self.cached_result(key, started_at) {
        return Ok(result);
      }
    }
    self
      .load_and_transform(url, id, started_at, check)
      .await
      .map_err(Arc::new)
  }

  /// A stored result (requested or pre-transformed), or a soft-invalidated one that is still
  /// valid for SSR (no `?t=` to update). A request marks it requested once it has it.
  pub(crate) fn cached_result(
    &self,
    key: NodeKey,
    started_at: f64,
  ) -> Option<Arc<TransformResult>> {
    if let Some(result) = self.graph.stored_result(key) {
      return Some(result);
    }
    let reusable = self.graph.reusable_result(key)?;
    self
      .graph
      .set_pre_transformed_result(key, Arc::clone(&reusable), started_at);
    Some(reusable)
  }

  async fn load_and_transform(
    self: &Arc<Self>,
    url: &str,
    id: String,
    started_at: f64,
    check: FsCheck,
  ) -> Result<Arc<TransformResult>, EnvError> {
    // Before any load hook: asset-like ids are read by plugins that do not check `server.fs`.
    self.check_transform_access(&id, check)?;
    let plugins = self.plugins();
    let plugins = plugins.as_deref();
    let cache = self.persistent_cache();
    // A module is cached only when nothing but the native steps and hooks of plugins declared
    // cacheable touched it, and its output depends on nothing the cache does not check.
    let mut cacheable =
      cache.is_some() && !self.hooks_uncacheable(plugins, |p| p.load_plugins_wanting(&id));
    let (loaded, fingerprint) = self.load(url, &id, plugins, check).await?;
    // Vite creates the node only once the module loaded.
    let key = self.ensure_entry_of_request(url, &id);
    self.record_source_fingerprint(key, fingerprint, started_at);
    let node_url = self
      .graph
      .with_node(key, |n| n.url.clone())
      .unwrap_or_else(|| url.to_owned());
    cacheable &= loaded.watch_files.is_empty();
    let source_hash = cacheable.then(|| crate::persist::source_hash(&loaded));
    if let (Some(cache), Some(hash)) = (&cache, source_hash)
      && let Some(result) = self
        .cached_module(cache, key, &id, &node_url, hash, started_at, plugins)
        .await?
    {
      return Ok(result);
    }

    let uncacheable_at = |group: HookGroup, loaded: &Loaded| {
      self.hooks_uncacheable(plugins, |p| {
        p.transform_plugins_wanting(group, &id, &loaded.code, &loaded.module_type)
      })
    };
    cacheable &= !uncacheable_at(HookGroup::Pre, &loaded);
    let loaded = self
      .transform_group(HookGroup::Pre, &id, loaded, plugins)
      .await?;
    let loaded = self.language_step(&id, &node_url, loaded, plugins).await?;
    cacheable &= !uncacheable_at(HookGroup::Post, &loaded);
    let loaded = self
      .transform_group(HookGroup::Post, &id, loaded, plugins)
      .await?;
    // `import.meta.glob` depends on the folders it lists: never cached.
    cacheable &= !loaded.code.contains("import.meta.glob");
    let loaded = self.glob_step(&id, &node_url, loaded).await?;
    cacheable &= !uncacheable_at(HookGroup::AfterGlob, &loaded);
    let mut loaded = self
      .transform_group(HookGroup::AfterGlob, &id, loaded, plugins)
      .await?;
    let mut watch_files = std::mem::take(&mut loaded.watch_files);
    // Like Vite's SSR transform, whatever code the plugins leave is parsed as JavaScript
    // (`vite:css-post` hands back CSS modules as JS without changing the module type).
    let lang = lang_for(&loaded.module_type, &id).unwrap_or(Lang::Js);
    let final_hooks_may_run =
      plugins.is_some_and(|p| p.set.may_transform(HookGroup::Final, &id, "js"));
    cacheable &= !(final_hooks_may_run
      && self.hooks_uncacheable(plugins, |p| {
        p.transform_plugins_maybe(HookGroup::Final, &id, "js")
      }));
    let node_url_for_record = node_url.clone();
    let (output, imports, resolutions) = if final_hooks_may_run {
      self
        .final_hooks_step(&id, node_url, lang, loaded, plugins, &mut watch_files)
        .await?
    } else {
      self
        .specifier_step(Pass::ModuleRunner, &id, node_url, lang, loaded, plugins)
        .await?
    };

    // Files a hook watches are inputs the cache does not check.
    cacheable &= watch_files.is_empty();
    let watched = self.resolve_watch_files(&id, watch_files, plugins).await?;
    if self.is_closing() {
      return Err(EnvError::new("ERR_CLOSED_SERVER", "Server is closed"));
    }
    crate::guard("updating the module graph for", &id, || {
      crate::inject_panic("graph", &id);
      self.record_imports(key, &imports, &watched, &output.hmr);
    })?;
    if cacheable && let (Some(cache), Some(source_hash)) = (&cache, source_hash) {
      let record = crate::persist::record(
        node_url_for_record,
        source_hash,
        &output,
        &imports,
        &resolutions,
      );
      cache.store.put(&id, &record);
    }
    let result = Arc::new(TransformResult::new(
      output.code,
      output.map,
      output.deps,
      output.dynamic_deps,
    ));
    // Requested once the request that waits for it has it (`transform_request_with`).
    self
      .graph
      .set_pre_transformed_result(key, Arc::clone(&result), started_at);
    self.pre_transform_imports(&imports);
    Ok(result)
  }

  /// Recorded before the module's analysis: once HMR can propagate through the node, whether it
  /// holds a created file's content is known (`holds_current_source`).
  fn record_source_fingerprint(
    &self,
    key: NodeKey,
    fingerprint: Option<crate::plugins::SourceFingerprint>,
    started_at: f64,
  ) {
    match fingerprint {
      Some(fingerprint) => {
        self
          .source_fingerprints
          .insert(key, (fingerprint, started_at));
      }
      None => {
        self.source_fingerprints.remove(&key);
      }
    }
  }

  /// Vite's import analysis pre-transforms the static imports it found, when the environment
  /// does that (`dev.preTransformRequests`).
  pub(crate) fn pre_transform_imports(self: &Arc<Self>, imports: &[FoundImport]) {
    if self.config.pre_transform {
      for import in imports.iter().filter(|i| i.kind == ImportKind::Static) {
        self.pre_transform(self.module_url(&import.id));
      }
    }
  }

  /// Runs CPU-heavy work on a blocking thread, at most one per core at a time.
  /// A panic of `work` becomes an error naming `step` and `subject` (the module id).
  async fn on_worker<T: Send + 'static>(
    self: &Arc<Self>,
    step: &'static str,
    subject: &str,
    work: impl FnOnce(&Environment) -> Result<T, EnvError> + Send + 'static,
  ) -> Result<T, EnvError> {
    let _permit = self.transform_slots.acquire().await.ok();
    let this = Arc::clone(self);
    match tokio::task::spawn_blocking(move || work(&this)).await {
      Ok(result) => result,
      Err(error) if error.is_panic() => {
        Err(crate::internal_error(step, subject, &*error.into_panic()))
      }
      Err(error) => Err(EnvError::new(
        crate::INTERNAL_ERROR_CODE,
        format!("vite-env-native: {step} {subject} did not finish: {error}"),
      )),
    }
  }

  fn transform_options(
    &self,
    id: &str,
    url: String,
    lang: Lang,
    input_map: Option<String>,
  ) -> TransformOptions {
    TransformOptions {
      id: id.to_owned(),
      url,
      lang,
      jsx: self.config.jsx.clone(),
      define: self.config.define.clone(),
      source_map: self.config.source_map,
      sources_content: true,
      input_map,
      json_stringify: self.config.json_stringify,
      imported_bindings: self.config.hmr_partial_accept,
    }
  }

  /// Vite's `vite:oxc` position: TS/JSX/JSON become plain JS here only when a later JS
  /// `transform` hook could see the module; otherwise the final native pass does it all at once.
  async fn language_step(
    self: &Arc<Self>,
    id: &str,
    url: &str,
    loaded: Loaded,
    plugins: Option<&Plugins>,
  ) -> Result<Loaded, EnvError> {
    let Some(lang) = lang_for(&loaded.module_type, id) else {
      return Ok(loaded);
    };
    // Would a later hook see this module? Code filters are tested on the source before the
    // step: stripping TypeScript only removes syntax or adds boilerplate (enum/namespace
    // wrappers), so it cannot create the tokens real filters look for. JSX output adds
    // runtime imports and calls, so for JSX only id and module type are trusted.
    let later_hooks_may_run = plugins.is_some_and(|p| {
      [HookGroup::Post, HookGroup::AfterGlob]
        .into_iter()
        .any(|group| match lang {
          Lang::Jsx | Lang::Tsx => p.set.may_transform(group, id, "js"),
          _ => p.set.wants_transform(group, id, &loaded.code, "js"),
        })
    });
    if lang == Lang::Js || !later_hooks_may_run {
      return Ok(loaded);
    }
    self.strip_step(id, url, lang, loaded).await
  }

  /// The TS/JSX/JSON step itself, as `vite:oxc` (or `vite:json`) hands the module on: plain ES
  /// module code of module type `js`, its map chained to `loaded.map`.
  pub(crate) async fn strip_step(
    self: &Arc<Self>,
    id: &str,
    url: &str,
    lang: Lang,
    loaded: Loaded,
  ) -> Result<Loaded, EnvError> {
    let options = self.transform_options(id, url.to_owned(), lang, loaded.map);
    let code = loaded.code;
    let out = self
      .on_worker("stripping types of", id, move |_| {
        ven_transform::strip_types(&code, &options)
          .map_err(|e| EnvError::from_transform(&e, options.lang, &options.url, &code))
      })
      .await?;
    // Like `vite:oxc`, the map of this step names the file by its path: plugins that map
    // positions through the chain (`this.error(msg, pos)`) report the real file.
    let map = map_naming_file(out.map, id);
    Ok(Loaded {
      code: out.code,
      map,
      module_type: "js".to_owned(),
      watch_files: loaded.watch_files,
    })
  }

  /// Vite's `vite:import-glob`: `import.meta.glob` calls expanded natively. The patterns are kept
  /// for HMR (a created or deleted file that matches updates the module).
  pub(crate) async fn glob_step(
    self: &Arc<Self>,
    id: &str,
    url: &str,
    loaded: Loaded,
  ) -> Result<Loaded, EnvError> {
    if !loaded.code.contains("import.meta.glob") {
      self.globs.remove(id);
      return Ok(loaded);
    }
    let lang = lang_for(&loaded.module_type, id).unwrap_or(Lang::Js);
    let options = self.transform_options(id, url.to_owned(), lang, loaded.map.clone());
    let code = loaded.code.clone();
    let importer = id.to_owned();
    let (out, matchers) = self
      .on_worker("expanding import.meta.glob in", id, move |env| {
        let mut matchers = Vec::new();
        let out = ven_transform::expand_import_globs(&code, &options, &mut |call| {
          env.expand_glob(&importer, call, &mut matchers)
        })
        // Vite's glob plugin throws its own message; `loc` and `frame` say where.
        .map_err(|e| EnvError::located(&e, "vite:import-glob"))?;
        Ok((out, matchers))
      })
      .await?;
    let Some(out) = out else {
      self.globs.remove(id);
      return Ok(loaded);
    };
    self.globs.insert(id.to_owned(), matchers);
    Ok(Loaded {
      code: out.code,
      map: out.map,
      module_type: "js".to_owned(),
      watch_files: loaded.watch_files,
    })
  }

  /// With transform hooks ordered after Vite's import analysis: import analysis alone (ESM with
  /// rewritten specifiers, as those hooks see it in Vite), the hooks, then the module-runner
  /// transform of what they return. The graph records the imports the analysis found.
  async fn final_hooks_step(
    self: &Arc<Self>,
    id: &str,
    url: String,
    lang: Lang,
    loaded: Loaded,
    plugins: Option<&Plugins>,
    watch_files: &mut Vec<String>,
  ) -> Result<Analyzed, EnvError> {
    let (analyzed, imports, resolutions) = self
      .specifier_step(Pass::ImportAnalysis, id, url.clone(), lang, loaded, plugins)
      .await?;
    let analyzed_loaded = Loaded {
      code: analyzed.code,
      map: analyzed.map,
      module_type: "js".to_owned(),
      watch_files: Vec::new(),
    };
    let after = self
      .transform_group(HookGroup::Final, id, analyzed_loaded, plugins)
      .await?;
    for file in after.watch_files {
      if !watch_files.contains(&file) {
        watch_files.push(file);
      }
    }
    // Specifiers are urls already: the module-runner transform keeps them as they are. `define`
    // was applied by the analysis; the graph data came from it too.
    let mut options = self.transform_options(id, url, Lang::Js, after.map);
    options.define.clear();
    options.imported_bindings = false;
    let code = after.code;
    let mut output = self
      .on_worker("transforming", id, move |_| {
        ven_transform::transform_module(&code, &options, &mut |_, _| None)
          .map_err(|e| EnvError::from_transform(&e, options.lang, &options.url, &code))
      })
      .await?;
    output.hmr = analyzed.hmr;
    Ok((output, imports, resolutions))
  }

  /// The native pass after the JS hooks: define, import analysis (specifiers resolved and
  /// rewritten to urls) and, for [`Pass::ModuleRunner`], the module-runner transform.
  /// Specifiers that JS `resolveId` hooks may claim are resolved through JS first, then the
  /// pass runs again with the answers. When a hook before the native resolver takes every
  /// specifier, a scan (import analysis without output) finds them instead of a first full pass.
  pub(crate) async fn specifier_step(
    self: &Arc<Self>,
    pass: Pass,
    id: &str,
    url: String,
    lang: Lang,
    loaded: Loaded,
    plugins: Option<&Plugins>,
  ) -> Result<Analyzed, EnvError> {
    let code = Arc::new(loaded.code);
    let options = Arc::new(self.transform_options(id, url, lang, loaded.map));
    let run = |pass: Pass, answers: HashMap<String, SpecifierResolution>| {
      let (code, options, plugins) = (Arc::clone(&code), Arc::clone(&options), self.plugins());
      self.on_worker("transforming", id, move |env| {
        env.transform_source(pass, &code, &options, &answers, plugins.as_deref())
      })
    };
    let expect_js = &self.expect_js_resolution;
    let scan_first = plugins.is_some_and(|p| p.set.pre_resolve_takes_everything())
      || expect_js.load(std::sync::atomic::Ordering::Relaxed);
    let needs_js = if scan_first {
      let (_, imports, needs_js, _) = run(Pass::Scan, HashMap::new()).await?;
      // A module without imports says nothing about the next one.
      if !imports.is_empty() || !needs_js.is_empty() {
        expect_js.store(!needs_js.is_empty(), std::sync::atomic::Ordering::Relaxed);
      }
      needs_js
    } else {
      let (output, imports, needs_js, resolutions) = run(pass, HashMap::new()).await?;
      if needs_js.is_empty() {
        return Ok((output, imports, resolutions));
      }
      expect_js.store(true, std::sync::atomic::Ordering::Relaxed);
      needs_js
    };
    // Like Vite's import analysis (`Promise.all` over a module's imports), the specifiers are
    // resolved concurrently, started in source order; each distinct specifier once.
    let mut seen = std::collections::HashSet::new();
    let specifiers = needs_js.into_iter().filter(|s| seen.insert(s.clone()));
    let resolutions = futures_util::future::join_all(specifiers.map(|specifier| async {
      let resolution = self
        .resolve_with_plugins(&specifier, Some(id), plugins)
        .await;
      resolution.map(|r| (specifier, r))
    }))
    .await;
    let answers = resolutions
      .into_iter()
      .collect::<Result<HashMap<_, _>, _>>()?;
    let (output, imports, _, resolutions) = run(pass, answers).await?;
    Ok((output, imports, resolutions))
  }

  /// CPU part, on a blocking thread: the transform with specifiers resolved natively, taken
  /// from `answers`, or collected in the third result when a JS hook must decide.
  fn transform_source(
    &self,
    pass: Pass,
    source: &str,
    options: &TransformOptions,
    answers: &HashMap<String, SpecifierResolution>,
    plugins: Option<&Plugins>,
  ) -> Result<
    (
      ven_transform::TransformOutput,
      Vec<FoundImport>,
      Vec<String>,
      Resolutions,
    ),
    EnvError,
  > {
    let id = options.id.as_str();
    crate::inject_panic("transform", id);
    let mut imports = Vec::new();
    let mut needs_js = Vec::new();
    let mut resolutions: Resolutions = Vec::new();
    // A panic of the resolver, reported with its specifier once the transform returns.
    let mut resolver_fault = None;
    let mut rewrite = |specifier: &str, kind: ImportKind| -> Option<String> {
      let resolution = if self
        .resolver
        .externalized_before_resolve(specifier, Some(id))
      {
        // Vite decides these before any `resolveId` hook (the runner's `fetchModule` loads them).
        SpecifierResolution::Keep
      } else if let Some(answer) = answers.get(specifier) {
        answer.clone()
      } else if plugins.is_some_and(|p| p.set.wants_resolve(HookGroup::Pre, specifier)) {
        needs_js.push(specifier.to_owned());
        return None;
      } else {
        // Externalization was decided above on the specifier as written: an aliased one is
        // resolved to its file, as Vite's resolver does in dev.
        let resolved = crate::guard("resolving", specifier, || {
          crate::inject_panic("resolve", specifier);
          self.resolver.resolve_to_file(specifier, Some(id))
        });
        let resolved = match resolved {
          Ok(resolved) => resolved,
          Err(mut fault) => {
            fault.message = format!("{} (imported by {id})", fault.message);
            fault.id = Some(id.to_owned());
            resolver_fault.get_or_insert(fault);
            return None;
          }
        };
        match resolved {
          Ok(Resolved::Module { id }) => SpecifierResolution::Module { id },
          // Builtins stay as written; the runner's `fetchModule` externalizes them.
          Ok(Resolved::Builtin { .. } | Resolved::External { .. }) => SpecifierResolution::Keep,
          Err(_) => {
            if plugins.is_some_and(|p| p.set.wants_resolve(HookGroup::Post, specifier)) {
              needs_js.push(specifier.to_owned());
            }
            // Unresolvable: left as written, the runner reports the missing module.
            SpecifierResolution::Keep
          }
        }
      };
      if !resolutions.iter().any(|(s, _)| s == specifier) {
        resolutions.push((specifier.to_owned(), resolution.clone()));
      }
      match resolution {
        SpecifierResolution::Module { id: dep_id } => {
          let dep_url = self.resolver.id_to_url(&dep_id);
          imports.push(FoundImport {
            specifier: specifier.to_owned(),
            url: dep_url.clone(),
            id: dep_id,
            kind,
          });
          Some(dep_url)
        }
        SpecifierResolution::External { id } => Some(id),
        SpecifierResolution::Keep => None,
      }
    };
    let output = match pass {
      Pass::ImportAnalysis => ven_transform::analyze_imports(source, options, &mut rewrite),
      Pass::ModuleRunner => ven_transform::transform_module(source, options, &mut rewrite),
      Pass::Scan => ven_transform::scan_imports(source, options, &mut rewrite).map(|()| {
        ven_transform::TransformOutput {
          code: String::new(),
          map: None,
          deps: Vec::new(),
          dynamic_deps: Vec::new(),
          hmr: ven_transform::HmrInfo::default(),
        }
      }),
    }
    .map_err(|e| EnvError::from_transform(&e, options.lang, &options.url, source))?;
    if let Some(fault) = resolver_fault {
      return Err(fault);
    }
    Ok((output, imports, needs_js, resolutions))
  }

  /// Vite's import analysis resolves the files a module's hooks watch (`this.addWatchFile`) as
  /// the module imports them: the ids of those that resolve to modules.
  pub(crate) async fn resolve_watch_files(
    &self,
    importer: &str,
    files: Vec<String>,
    plugins: Option<&Plugins>,
  ) -> Result<Vec<String>, EnvError> {
    let mut ids = Vec::with_capacity(files.len());
    for file in files {
      if let SpecifierResolution::Module { id } = self
        .resolve_with_plugins(&file, Some(importer), plugins)
        .await?
        && !ids.contains(&id)
      {
        ids.push(id);
      }
    }
    Ok(ids)
  }

  /// Vite's import-analysis graph update: nodes for every import (and watched file), edges, HMR
  /// accept data.
  pub(crate) fn record_imports(
    &self,
    key: NodeKey,
    imports: &[FoundImport],
    watched: &[String],
    hmr: &ven_transform::HmrInfo,
  ) {
    let mut by_url: HashMap<&str, NodeKey> = HashMap::with_capacity(imports.len());
    let mut imported = Vec::with_capacity(imports.len());
    let mut static_imported = ven_graph::KeySet::default();
    for import in imports {
      // Vite's import analysis marks every import it resolves as safe to load.
      self.add_safe_module_path(ven_graph::clean_url(&import.id));
      let dep_url = self.module_url(&import.id);
      let dep =
        self
          .graph
          .ensure_import_entry(&dep_url, &import.id, can_skip_import_analysis(&dep_url));
      by_url.insert(&import.url, dep);
      imported.push(dep);
      if import.kind == ImportKind::Static {
        static_imported.insert(dep);
      }
    }
    // Vite creates them as modules it never analyses: an edit propagates through them.
    for id in watched {
      imported.push(
        self
          .graph
          .ensure_import_entry(&self.module_url(id), id, true),
      );
    }
    let accepted_deps = hmr
      .accepted_deps
      .iter()
      .filter_map(|url| by_url.get(url.as_str()).copied())
      .collect();
    let accept = AcceptInfo {
      // Vite (SSR): a module that was self-accepting stays so.
      is_self_accepting: hmr.is_self_accepting
        || self
          .graph
          .with_node(key, |n| n.is_self_accepting == Some(true))
          .unwrap_or(false),
      accepted_deps,
      accepted_exports: hmr.accepted_exports.clone(),
      imported_bindings: hmr
        .imported_bindings
        .as_deref()
        .map(|by_specifier| imported_bindings(imports, &by_specifier_map(by_specifier), &by_url)),
    };
    let pruned = self
      .graph
      .update_module_info(key, imported, static_imported, accept);
    self.record_pruned(pruned);
  }
}

/// Vite's `canSkipImportAnalysis`: JSON, source maps and direct CSS requests are never analysed.
fn can_skip_import_analysis(url: &str) -> bool {
  let path = ven_graph::clean_url(url);
  let query = &url[path.len()..];
  let has_ext = |exts: &[&str]| {
    path
      .rsplit_once('.')
      .is_some_and(|(_, ext)| exts.contains(&ext))
  };
  let direct = query.split(['?', '&']).any(|part| {
    part
      .strip_prefix("direct")
      .is_some_and(|rest| rest.is_empty() || rest.starts_with('='))
  });
  has_ext(&["map", "json"])
    || (direct
      && has_ext(&[
        "css", "less", "sass", "scss", "styl", "stylus", "pcss", "postcss", "sss",
      ]))
}

fn by_specifier_map(list: &[(String, Vec<String>)]) -> HashMap<&str, &[String]> {
  list
    .iter()
    .map(|(s, names)| (s.as_str(), names.as_slice()))
    .collect()
}

/// Vite's `importedBindings` keyed by node: static imports take the names the transform found
/// for their specifier, dynamic ones `*`.
fn imported_bindings(
  imports: &[FoundImport],
  by_specifier: &HashMap<&str, &[String]>,
  by_url: &HashMap<&str, NodeKey>,
) -> Vec<(NodeKey, Vec<String>)> {
  let star = [String::from("*")];
  let mut out: Vec<(NodeKey, Vec<String>)> = Vec::new();
  for import in imports {
    let Some(&dep) = by_url.get(import.url.as_str()) else {
      continue;
    };
    let names: &[String] = match import.kind {
      ImportKind::Dynamic => &star,
      ImportKind::Static => match by_specifier.get(import.specifier.as_str()) {
        Some(names) => names,
        // Not an import statement (an `accept('dep')` specifier): no binding.
        None => continue,
      },
    };
    let index = out.iter().position(|(k, _)| *k == dep).unwrap_or_else(|| {
      out.push((dep, Vec::new()));
      out.len() - 1
    });
    let entry = &mut out[index].1;
    for name in names {
      if !entry.contains(name) {
        entry.push(name.clone());
      }
    }
  }
  out
}
