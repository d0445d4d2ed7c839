//! How the pipeline calls JS hooks. The binding implements [`PluginBridge`] over a threadsafe
//! function; tests implement it in Rust.

use std::pin::Pin;

/// Which side of the native step a group of hooks runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookGroup {
  /// Before the native resolver / TS step (Vite: `enforce: 'pre'` plugins and core plugins
  /// ordered before `vite:resolve` / `vite:oxc`).
  Pre,
  /// After it, up to Vite's `vite:import-glob` (normal plugins and the core plugins between).
  Post,
  /// After `vite:import-glob`, before import analysis (`enforce: 'post'` plugins). No
  /// `resolveId` hook is in this group.
  AfterGlob,
  /// `transform` hooks ordered after Vite's import analysis (`order: 'post'`): they see
  /// rewritten specifiers. No `resolveId` hook is in this group.
  Final,
}

impl HookGroup {
  pub fn as_str(self) -> &'static str {
    match self {
      Self::Pre => "pre",
      Self::Post => "post",
      Self::AfterGlob => "after-glob",
      Self::Final => "final",
    }
  }
}

/// A `resolveId` answer from JS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOutput {
  pub id: String,
  pub external: bool,
}

/// A `load` answer from JS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOutput {
  /// `None`: no hook loaded the module (the file is read).
  pub code: Option<String>,
  pub map: Option<String>,
  pub module_type: Option<String>,
  /// Vite's `_addedImports` of the load: files the hooks passed to `this.addWatchFile`, kept
  /// for the module's import analysis (Vite keeps them only when the module's node existed).
  pub watch_files: Vec<String>,
}

/// The result of a group of `transform` hooks (code, combined map of the group, module type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransformOutput {
  pub code: String,
  pub map: Option<String>,
  pub module_type: String,
  /// Vite's `_addedImports` after the group: the load's and the group's `this.addWatchFile` files.
  pub watch_files: Vec<String>,
}

/// A hook failure, already in Vite's error shape on the JS side; carried as its fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BridgeError {
  pub message: String,
  pub code: Option<String>,
  pub plugin: Option<String>,
  pub id: Option<String>,
  /// `(file, line, column)`; `file` is empty when the hook's `loc` named none.
  pub loc: Option<(String, u32, u32)>,
  pub frame: Option<String>,
  pub stack: Option<String>,
  /// Vite's `pluginCode` (the code the plugin was given), when the error carries one.
  pub plugin_code: Option<String>,
}

pub type BridgeFuture<T> = Pin<Box<dyn Future<Output = Result<T, BridgeError>> + Send>>;

/// Calls into the JS plugin container of one environment.
pub trait PluginBridge: Send + Sync {
  fn resolve_id(
    &self,
    group: HookGroup,
    specifier: String,
    importer: Option<String>,
  ) -> BridgeFuture<Option<ResolveOutput>>;

  fn load(&self, id: String) -> BridgeFuture<LoadOutput>;

  /// `in_map` maps `code` to the original source; the answer's map is the whole chain.
  fn transform(
    &self,
    group: HookGroup,
    id: String,
    code: String,
    module_type: String,
    in_map: Option<String>,
  ) -> BridgeFuture<TransformOutput>;
}
