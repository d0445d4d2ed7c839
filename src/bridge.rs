//! The JS side of `ven_plugin::PluginBridge`: one weak threadsafe function per environment that
//! starts a group of hooks in Vite's plugin container. It returns nothing: JS answers a call by
//! passing its id to `completeHook` (a sync call), which is several times cheaper per call than
//! awaiting a napi `Promise` (measured in the shared toolchain notes).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use napi::Status;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use tokio::sync::oneshot;
use ven_plugin::{
  BridgeError, BridgeFuture, BridgedHook, CodeMatcher, HookFilter, HookGroup, LoadOutput,
  PatternFilter, PluginBridge, PluginSet, ResolveOutput, TransformOutput, compile_regex,
};

use crate::convert::JsEnvError;

#[napi(object)]
pub struct JsRegex {
  pub source: String,
  pub flags: String,
}

/// A `code` filter entry: a substring or a regex.
#[napi(object)]
pub struct JsCodeMatcher {
  pub substring: Option<String>,
  pub regex: Option<JsRegex>,
}

/// A hook's filter with glob strings already turned into regexes (by Vite's own matcher).
#[napi(object)]
pub struct JsHookFilter {
  pub id_include: Option<Vec<JsRegex>>,
  pub id_exclude: Option<Vec<JsRegex>>,
  pub code_include: Option<Vec<JsCodeMatcher>>,
  pub code_exclude: Option<Vec<JsCodeMatcher>>,
  pub module_types: Option<Vec<String>>,
}

#[napi(object)]
pub struct JsBridgedHook {
  pub plugin: String,
  pub filter: Option<JsHookFilter>,
}

#[napi(object)]
pub struct JsPluginSet {
  pub resolve_pre: Vec<JsBridgedHook>,
  pub resolve_post: Vec<JsBridgedHook>,
  pub load: Vec<JsBridgedHook>,
  pub transform_pre: Vec<JsBridgedHook>,
  pub transform_post: Vec<JsBridgedHook>,
  pub transform_after_glob: Vec<JsBridgedHook>,
  pub transform_final: Vec<JsBridgedHook>,
}

/// One call into the JS plugin container.
#[napi(object)]
pub struct JsBridgeRequest {
  /// Passed back to `completeHook` with the answer.
  pub call_id: u32,
  /// `resolveId` | `load` | `transform`
  pub kind: String,
  /// `pre` | `post` (resolveId and transform) | `after-glob` | `final` (transform only)
  pub group: Option<String>,
  pub id: String,
  pub importer: Option<String>,
  pub code: Option<String>,
  pub module_type: Option<String>,
  /// transform: the map of `code` to the original source.
  pub map: Option<String>,
}

/// Its answer; an empty object is a `null` hook result.
#[napi(object)]
pub struct JsBridgeResponse {
  pub id: Option<String>,
  pub external: Option<bool>,
  pub code: Option<String>,
  pub map: Option<String>,
  pub module_type: Option<String>,
  /// load / transform: Vite's `_addedImports` (files passed to `this.addWatchFile`).
  pub watch_files: Option<Vec<String>>,
  pub error: Option<JsEnvError>,
}

pub type BridgeFunction =
  ThreadsafeFunction<JsBridgeRequest, (), JsBridgeRequest, Status, false, true>;

/// Bridge calls waiting for their `completeHook`.
#[derive(Default)]
pub struct PendingCalls {
  next_id: AtomicU32,
  waiting: Mutex<HashMap<u32, oneshot::Sender<JsBridgeResponse>>>,
}

impl PendingCalls {
  fn register(&self) -> (u32, oneshot::Receiver<JsBridgeResponse>) {
    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
    let (sender, receiver) = oneshot::channel();
    self.lock().insert(id, sender);
    (id, receiver)
  }

  fn forget(&self, id: u32) {
    self.lock().remove(&id);
  }

  /// Delivers the answer of call `id`; `false` if no call waits for it.
  pub fn complete(&self, id: u32, response: JsBridgeResponse) -> bool {
    let sender = self.lock().remove(&id);
    sender.is_some_and(|s| s.send(response).is_ok())
  }

  fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u32, oneshot::Sender<JsBridgeResponse>>> {
    // A poisoned lock only means a panic elsewhere mid-insert; the map is still valid.
    self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
  }
}

fn regexes(list: Option<Vec<JsRegex>>) -> Option<Vec<regress::Regex>> {
  list
    .unwrap_or_default()
    .into_iter()
    .map(|r| compile_regex(&r.source, &r.flags).ok())
    .collect()
}

fn code_matchers(list: Option<Vec<JsCodeMatcher>>) -> Option<Vec<CodeMatcher>> {
  list
    .unwrap_or_default()
    .into_iter()
    .map(|m| match (m.substring, m.regex) {
      (Some(s), _) => Some(CodeMatcher::Substring(s)),
      (None, Some(r)) => compile_regex(&r.source, &r.flags)
        .ok()
        .map(CodeMatcher::Regex),
      (None, None) => None,
    })
    .collect()
}

/// A filter the native side cannot evaluate exactly (a regex `regress` rejects) becomes "no
/// filter": the hook is then always called, and Vite's container applies the filter in JS.
fn hook_filter(filter: JsHookFilter) -> Option<HookFilter> {
  let has_id = filter.id_include.is_some() || filter.id_exclude.is_some();
  let has_code = filter.code_include.is_some() || filter.code_exclude.is_some();
  let id = if has_id {
    Some(PatternFilter {
      include: regexes(filter.id_include)?,
      exclude: regexes(filter.id_exclude)?,
    })
  } else {
    None
  };
  let code = if has_code {
    Some((
      code_matchers(filter.code_include)?,
      code_matchers(filter.code_exclude)?,
    ))
  } else {
    None
  };
  Some(HookFilter {
    id,
    code,
    module_type: filter.module_types,
  })
}

fn hooks(list: Vec<JsBridgedHook>) -> Vec<BridgedHook> {
  list
    .into_iter()
    .map(|h| BridgedHook {
      plugin_name: h.plugin,
      filter: h.filter.and_then(hook_filter),
    })
    .collect()
}

impl From<JsPluginSet> for PluginSet {
  fn from(set: JsPluginSet) -> Self {
    Self {
      resolve_pre: hooks(set.resolve_pre),
      resolve_post: hooks(set.resolve_post),
      load: hooks(set.load),
      transform_pre: hooks(set.transform_pre),
      transform_post: hooks(set.transform_post),
      transform_after_glob: hooks(set.transform_after_glob),
      transform_final: hooks(set.transform_final),
    }
  }
}

impl From<JsEnvError> for BridgeError {
  fn from(e: JsEnvError) -> Self {
    Self {
      message: e.message,
      code: e.code,
      plugin: e.plugin,
      id: e.id,
      loc: e
        .loc
        .map(|l| (l.file.unwrap_or_default(), l.line, l.column)),
      frame: e.frame,
      stack: e.stack,
      plugin_code: e.plugin_code,
    }
  }
}

/// [`PluginBridge`] over the environment's bridge function.
pub struct JsPluginBridge {
  function: std::sync::Arc<BridgeFunction>,
  pending: std::sync::Arc<PendingCalls>,
}

impl JsPluginBridge {
  pub fn new(function: BridgeFunction, pending: std::sync::Arc<PendingCalls>) -> Self {
    Self {
      function: std::sync::Arc::new(function),
      pending,
    }
  }

  fn call(&self, request: JsBridgeRequest) -> BridgeFuture<JsBridgeResponse> {
    let function = std::sync::Arc::clone(&self.function);
    let pending = std::sync::Arc::clone(&self.pending);
    Box::pin(async move {
      let failed = |message: String| BridgeError {
        message: format!("[vite-env-native] plugin bridge: {message}"),
        ..BridgeError::default()
      };
      let (call_id, answer) = pending.register();
      let status = function.call(
        JsBridgeRequest { call_id, ..request },
        ThreadsafeFunctionCallMode::NonBlocking,
      );
      if status != Status::Ok {
        pending.forget(call_id);
        return Err(failed(format!("the call could not be queued ({status})")));
      }
      let response = answer
        .await
        .map_err(|_| failed("closed before the hooks answered".to_owned()))?;
      match response.error {
        Some(error) => Err(error.into()),
        None => Ok(response),
      }
    })
  }
}

fn request(kind: &str, group: Option<HookGroup>, id: String) -> JsBridgeRequest {
  JsBridgeRequest {
    call_id: 0,
    kind: kind.to_owned(),
    group: group.map(|g| g.as_str().to_owned()),
    id,
    importer: None,
    code: None,
    module_type: None,
    map: None,
  }
}

impl PluginBridge for JsPluginBridge {
  fn resolve_id(
    &self,
    group: HookGroup,
    specifier: String,
    importer: Option<String>,
  ) -> BridgeFuture<Option<ResolveOutput>> {
    let call = self.call(JsBridgeRequest {
      importer,
      ..request("resolveId", Some(group), specifier)
    });
    Box::pin(async move {
      let response = call.await?;
      Ok(response.id.map(|id| ResolveOutput {
        id,
        external: response.external.unwrap_or(false),
      }))
    })
  }

  fn load(&self, id: String) -> BridgeFuture<LoadOutput> {
    let call = self.call(request("load", None, id));
    Box::pin(async move {
      let response = call.await?;
      Ok(LoadOutput {
        code: response.code,
        map: response.map,
        module_type: response.module_type,
        watch_files: response.watch_files.unwrap_or_default(),
      })
    })
  }

  fn transform(
    &self,
    group: HookGroup,
    id: String,
    code: String,
    module_type: String,
    in_map: Option<String>,
  ) -> BridgeFuture<TransformOutput> {
    let fallback = code.clone();
    let call = self.call(JsBridgeRequest {
      map: in_map,
      code: Some(code),
      module_type: Some(module_type.clone()),
      ..request("transform", Some(group), id)
    });
    Box::pin(async move {
      let response = call.await?;
      Ok(TransformOutput {
        code: response.code.unwrap_or(fallback),
        map: response.map,
        module_type: response.module_type.unwrap_or(module_type),
        watch_files: response.watch_files.unwrap_or_default(),
      })
    })
  }
}
