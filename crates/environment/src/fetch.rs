//! `fetchModule`: what a module runner receives for one import, in Vite's `FetchResult` shapes.

use std::sync::Arc;

use ven_resolver::ExternalKind;

use crate::{EnvError, Environment};

/// Options a runner sends with each fetch (Vite's `FetchFunctionOptions` + env defaults).
#[derive(Debug, Clone, Copy)]
pub struct FetchOptions {
  /// The runner still has this module from an earlier fetch.
  pub cached: bool,
  pub inline_source_map: bool,
  /// Lines the runner's evaluator adds before the code (Vite 8.2+: 3, earlier: 2).
  pub start_offset: u32,
  /// An in-process runner of ours: the code carries no inline map (nor `sourceURL`); the result
  /// holds the transform result instead, whose map the runner reads only when it needs it.
  pub lazy_source_map: bool,
}

impl Default for FetchOptions {
  fn default() -> Self {
    Self {
      cached: false,
      inline_source_map: true,
      start_offset: 0,
      lazy_source_map: false,
    }
  }
}

/// The transform result whose map an in-process runner may ask for later (see
/// [`FetchOptions::lazy_source_map`]). Equal when it is the same result.
#[derive(Clone)]
pub struct LazySourceMap(pub Arc<crate::TransformResult>);

impl LazySourceMap {
  /// The source map v3 JSON of the code handed out, unshifted.
  pub fn json(&self) -> Option<&str> {
    self.0.map.as_deref()
  }
}

impl PartialEq for LazySourceMap {
  fn eq(&self, other: &Self) -> bool {
    Arc::ptr_eq(&self.0, &other.0)
  }
}

impl Eq for LazySourceMap {}

impl std::fmt::Debug for LazySourceMap {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str("LazySourceMap")
  }
}

/// Vite's `FetchResult`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchResult {
  /// `{ cache: true }`: the runner's copy is still valid.
  Cached,
  /// `{ externalize, type }` with `type` one of `builtin`, `network`, `module`, `commonjs`.
  Externalize {
    externalize: String,
    kind: &'static str,
  },
  /// `{ code, file, id, url, invalidate }`.
  Inline {
    code: Arc<str>,
    file: String,
    id: String,
    url: String,
    invalidate: bool,
    /// With [`FetchOptions::lazy_source_map`], the result holding the map (when there is one).
    source_map: Option<LazySourceMap>,
  },
  /// The `Inline` answer whose transform result is the one the runner says it holds (see
  /// [`Environment::fetch_module_quick`]): its code, file, id and url are those the runner has,
  /// so only `invalidate` is sent.
  Same { invalidate: bool },
}

fn is_external_url(url: &str) -> bool {
  url.starts_with("http://") || url.starts_with("https://") || url.starts_with("//")
}

impl Environment {
  /// Vite's `fetchModule(environment, url, importer, options)`.
  pub async fn fetch_module(
    self: &Arc<Self>,
    url: &str,
    importer: Option<&str>,
    options: FetchOptions,
  ) -> Result<FetchResult, Arc<EnvError>> {
    if let Some(external) = self.fetch_external(url, importer) {
      return external;
    }
    let key = self
      .ensure_entry_from_url(url, None)
      .await
      .map_err(Arc::new)?;
    let cached = self.graph.transform_result(key).is_some();
    if options.cached && cached {
      return Ok(FetchResult::Cached);
    }
    let request_url = self
      .graph
      .with_node(key, |n| n.url.clone())
      .unwrap_or_else(|| url.to_owned());
    let result = self.transform_request(&request_url).await.map_err(|e| {
      // The message names the url the runner asked for (Vite's `fetchModule` transforms that url,
      // unwrapped), not the node's.
      if e.code.as_deref() == Some("ERR_LOAD_URL") {
        let requested = ven_resolver::unwrap_id(&ven_resolver::remove_timestamp_query(url));
        let mut e = (*e).clone();
        e.message = EnvError::load_url(&requested, e.id.as_deref(), importer).message;
        return Arc::new(e);
      }
      e
    })?;
    self.inline(key, url, importer, &result, options, cached)
  }

  /// [`Self::fetch_module`] when the answer needs no waiting: externals, and known modules whose
  /// transform result is cached or reusable (every module of a runner's re-import after a full
  /// reload). Answering these synchronously saves the runner, which imports one module after
  /// another, a thread hop per module. `None`: take the async path.
  pub fn fetch_module_now(
    &self,
    url: &str,
    importer: Option<&str>,
    options: FetchOptions,
  ) -> Option<Result<FetchResult, Arc<EnvError>>> {
    if self.is_closing() {
      return None;
    }
    if let Some(external) = self.fetch_external(url, importer) {
      return Some(external);
    }
    let key = self
      .graph
      .key_by_url(&crate::pipeline::module_url_of_request(url))?;
    let cached = self.graph.transform_result(key).is_some();
    if options.cached && cached {
      return Some(Ok(FetchResult::Cached));
    }
    let result = self.cached_result(key, crate::monotonic_now())?;
    self.graph.mark_requested(key, &result);
    Some(self.inline(key, url, importer, &result, options, cached))
  }

  /// The answers of [`Self::fetch_module_now`] that carry no code, found without building one:
  /// `Cached` for a runner that has the module (`held` none, as with `cached: true`), and `Same`
  /// for our in-process runner that still holds an earlier answer for `url` after a full reload
  /// (`held`: that answer's transform result, which it keeps alive) when the answer would carry
  /// that very result (identity: a re-transform always makes a new result). `None`: any other
  /// answer (externals included), to be asked for with [`Self::fetch_module_now`].
  pub fn fetch_module_quick(
    &self,
    url: &str,
    importer: Option<&str>,
    held: Option<&LazySourceMap>,
  ) -> Option<FetchResult> {
    if self.is_closing() || self.may_be_external(url, importer) {
      return None;
    }
    let key = self
      .graph
      .key_by_url(&crate::pipeline::module_url_of_request(url))?;
    let cached = self.graph.transform_result(key).is_some();
    let Some(held) = held else {
      return cached.then_some(FetchResult::Cached);
    };
    let result = self.cached_result(key, crate::monotonic_now())?;
    if !Arc::ptr_eq(&held.0, &result) {
      return None;
    }
    self.graph.mark_requested(key, &result);
    Some(FetchResult::Same {
      invalidate: !cached,
    })
  }

  /// True when [`Self::fetch_external`] may answer `url` (its conditions, without resolving).
  fn may_be_external(&self, url: &str, importer: Option<&str>) -> bool {
    url.starts_with("data:")
      || self.resolver.is_builtin(url)
      || is_external_url(url)
      || (importer.is_some() && !url.starts_with("file://") && !url.starts_with(['.', '/']))
  }

  /// Builtins, data urls, network urls and bare imports of packages: the runner loads them itself.
  fn fetch_external(
    &self,
    url: &str,
    importer: Option<&str>,
  ) -> Option<Result<FetchResult, Arc<EnvError>>> {
    if url.starts_with("data:") || self.resolver.is_builtin(url) {
      return Some(Ok(FetchResult::Externalize {
        externalize: url.to_owned(),
        kind: "builtin",
      }));
    }
    if is_external_url(url) {
      return Some(Ok(FetchResult::Externalize {
        externalize: url.to_owned(),
        kind: "network",
      }));
    }
    let importer =
      importer.filter(|_| !url.starts_with("file://") && !url.starts_with(['.', '/']))?;
    let target = match self.resolver.resolve_external(url, Some(importer)) {
      Ok(target) => target,
      Err(e) => {
        let code = e.code.unwrap_or("ERR_MODULE_NOT_FOUND");
        return Some(Err(Arc::new(EnvError::new(code, e.message))));
      }
    };
    let kind = match target.kind {
      ExternalKind::Module => "module",
      ExternalKind::Commonjs => "commonjs",
    };
    Some(Ok(FetchResult::Externalize {
      externalize: target.file_url,
      kind,
    }))
  }

  /// The `{ code, file, id, url, invalidate }` answer for a transformed module.
  fn inline(
    &self,
    key: ven_graph::NodeKey,
    url: &str,
    importer: Option<&str>,
    result: &Arc<crate::TransformResult>,
    options: FetchOptions,
    cached: bool,
  ) -> Result<FetchResult, Arc<EnvError>> {
    let (file, id, node_url) = self
      .graph
      .with_node(key, |n| (n.file.clone(), n.id.clone(), n.url.clone()))
      .ok_or_else(|| Arc::new(EnvError::load_url(url, None, importer)))?;
    let lazy = options.lazy_source_map;
    let inline_map = options.inline_source_map && !lazy;
    let code = result.code_for_runner(&id, options.start_offset, inline_map);
    let source_map = (lazy && result.map.is_some()).then(|| LazySourceMap(result.clone()));
    Ok(FetchResult::Inline {
      code,
      file,
      id,
      url: node_url,
      invalidate: !cached,
      source_map,
    })
  }
}
