//! `transformRequest`: dedup, cache, load, transform, graph update and pre-transform.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures_util::FutureExt as _;
use ven_graph::{AcceptInfo, NodeKey};
use ven_resolver::Resolved;
use ven_transform::{ImportKind, Lang, TransformOptions};

use crate::{EnvError, Environment, PendingRequest, SharedResult, TransformResult, monotonic_now};

/// Vite's `removeTimestampQuery` + `removeImportQuery`: `?t=123` and `?import` never reach ids.
pub(crate) fn strip_internal_queries(url: &str) -> String {
  let Some(q) = url.find('?') else {
    return url.to_owned();
  };
  let (path, query) = url.split_at(q);
  let kept: Vec<&str> = query[1..]
    .split('&')
    .filter(|p| !p.is_empty() && *p != "import" && !p.starts_with("t="))
    .collect();
  if kept.is_empty() {
    path.to_owned()
  } else {
    format!("{path}?{}", kept.join("&"))
  }
}

/// One import found while transforming a module.
struct FoundImport {
  url: String,
  id: String,
  kind: ImportKind,
}

impl Environment {
  /// Vite's `transformRequest(url)`: the SSR transform result of `url`, shared by concurrent callers.
  pub async fn transform_request(self: &Arc<Self>, url: &str) -> SharedResult {
    if self.is_closing() {
      return Err(Arc::new(EnvError::new(
        "ERR_CLOSED_SERVER",
        "Server is closed",
      )));
    }
    let url = strip_internal_queries(url);
    let existing = self.pending.get(&url).map(|p| p.clone());
    if let Some(pending) = existing {
      let invalidated_at = self
        .graph
        .key_by_url(&url)
        .and_then(|k| self.graph.with_node(k, |n| n.last_invalidation_timestamp));
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
    let future = async move { this.do_transform(&request_url, started_at).await }
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

  /// Vite's `warmupRequest`: transform in the background, errors ignored.
  pub fn warmup_request(self: &Arc<Self>, url: String) {
    let this = Arc::clone(self);
    tokio::spawn(async move {
      let _ = this.transform_request(&url).await;
    });
  }

  async fn do_transform(self: Arc<Self>, url: &str, started_at: f64) -> SharedResult {
    if let Some(key) = self.graph.key_by_url(url)
      && let Some(result) = self.cached_result(key, started_at)
    {
      return Ok(result);
    }
    let id = self
      .resolver
      .url_to_id(url)
      .ok_or_else(|| Arc::new(EnvError::load_url(url, None, None)))?;
    if let Some(key) = self.graph.key_by_id(&id) {
      self.graph.ensure_entry(url, &id);
      if let Some(result) = self.cached_result(key, started_at) {
        return Ok(result);
      }
    }
    self
      .load_and_transform(url, id, started_at)
      .await
      .map_err(Arc::new)
  }

  /// A cached result, or a soft-invalidated one that is still valid for SSR (no `?t=` to update).
  fn cached_result(&self, key: NodeKey, started_at: f64) -> Option<Arc<TransformResult>> {
    if let Some(result) = self.graph.transform_result(key) {
      return Some(result);
    }
    let reusable = self
      .graph
      .with_node(key, ven_graph::ModuleNode::reusable_result)
      .flatten()?;
    self
      .graph
      .set_transform_result(key, Arc::clone(&reusable), started_at);
    Some(reusable)
  }

  async fn load_and_transform(
    self: &Arc<Self>,
    url: &str,
    id: String,
    started_at: f64,
  ) -> Result<Arc<TransformResult>, EnvError> {
    let file = ven_graph::clean_url(&id).to_owned();
    let lang = Lang::from_path(&id);
    let source = match tokio::fs::read_to_string(&file).await {
      Ok(source) if lang.is_some() => source,
      // Not a JS-like module (css, assets, `?raw`): the JS plugin bridge will own these.
      Ok(_) => {
        return Err(EnvError {
          id: Some(id.clone()),
          ..EnvError::new(
            "ERR_UNSUPPORTED_MODULE",
            format!(
              "[vite-env-native] cannot load {url} ({id}) natively: only JS/TS/JSX/TSX/JSON modules are handled by the native pipeline"
            ),
          )
        });
      }
      Err(_) => return Err(EnvError::load_url(url, Some(&id), None)),
    };
    let node_url = self.resolver.id_to_url(&id);
    let key = self.graph.ensure_entry(&node_url, &id);
    self.graph.ensure_entry(url, &id);

    let permit = self.transform_slots.acquire().await.ok();
    let this = Arc::clone(self);
    let transform_id = id.clone();
    let output = tokio::task::spawn_blocking(move || {
      this.transform_source(&source, &transform_id, node_url, lang)
    })
    .await
    .map_err(|e| EnvError::new("ERR_INTERNAL", format!("transform task failed: {e}")))??;
    drop(permit);
    let (output, imports) = output;

    if self.is_closing() {
      return Err(EnvError::new("ERR_CLOSED_SERVER", "Server is closed"));
    }
    self.record_imports(key, &imports, &output.hmr);
    let result = Arc::new(TransformResult::new(
      output.code,
      output.map,
      output.deps,
      output.dynamic_deps,
    ));
    self
      .graph
      .set_transform_result(key, Arc::clone(&result), started_at);
    if self.config.pre_transform {
      for import in imports.iter().filter(|i| i.kind == ImportKind::Static) {
        self.warmup_request(import.url.clone());
      }
    }
    Ok(result)
  }

  /// CPU part, on a blocking thread: transform with specifiers resolved and rewritten to urls.
  fn transform_source(
    &self,
    source: &str,
    id: &str,
    url: String,
    lang: Option<Lang>,
  ) -> Result<(ven_transform::TransformOutput, Vec<FoundImport>), EnvError> {
    let options = TransformOptions {
      id: id.to_owned(),
      url,
      lang: lang.unwrap_or(Lang::Js),
      jsx: self.config.jsx.clone(),
      define: self.config.define.clone(),
      source_map: self.config.source_map,
      input_map: None,
      json_stringify: self.config.json_stringify,
    };
    let mut imports = Vec::new();
    let mut rewrite = |specifier: &str, kind: ImportKind| -> Option<String> {
      match self.resolver.resolve(specifier, Some(id)) {
        Ok(Resolved::Module { id: dep_id }) => {
          let dep_url = self.resolver.id_to_url(&dep_id);
          imports.push(FoundImport {
            url: dep_url.clone(),
            id: dep_id,
            kind,
          });
          Some(dep_url)
        }
        // Builtins, externals and unresolvable specifiers stay as written; the runner's
        // `fetchModule` externalizes them or reports the missing module (as Vite does for SSR).
        Ok(Resolved::Builtin { .. } | Resolved::External { .. }) | Err(_) => None,
      }
    };
    let output = ven_transform::transform_module(source, &options, &mut rewrite)
      .map_err(|e| EnvError::from_transform(&e))?;
    Ok((output, imports))
  }

  /// Vite's import-analysis graph update: nodes for every import, edges, HMR accept data.
  fn record_imports(&self, key: NodeKey, imports: &[FoundImport], hmr: &ven_transform::HmrInfo) {
    let mut by_url: HashMap<&str, NodeKey> = HashMap::with_capacity(imports.len());
    let mut imported = Vec::with_capacity(imports.len());
    let mut static_imported = HashSet::new();
    for import in imports {
      let dep = self.graph.ensure_entry(&import.url, &import.id);
      by_url.insert(&import.url, dep);
      imported.push(dep);
      if import.kind == ImportKind::Static {
        static_imported.insert(dep);
      }
    }
    let accepted_deps = hmr
      .accepted_deps
      .iter()
      .filter_map(|url| by_url.get(url.as_str()).copied())
      .collect();
    let accept = AcceptInfo {
      is_self_accepting: hmr.is_self_accepting,
      accepted_deps,
      accepted_exports: hmr.accepted_exports.clone(),
    };
    // Pruned modules are reported through the graph journal; Vite's `prune` payload is HMR's job.
    let _pruned = self
      .graph
      .update_module_info(key, imported, static_imported, accept);
  }
}
