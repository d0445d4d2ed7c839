//! `ven_plugin`: the boundary between the native pipeline and JS plugins.
//!
//! Owns: hook filters (Vite/rolldown `filter: { id, code, moduleType }` semantics, compiled once,
//! evaluated natively so that a module no JS hook wants never crosses into JS), the ordered groups
//! of JS hooks around the native core steps, and the [`PluginBridge`] trait through which the
//! pipeline calls JS.
//! Must not know about: napi, how JS runs the hooks (plugin contexts live in JS), the graph.

mod bridge;
mod filter;

pub use bridge::{
  BridgeError, BridgeFuture, HookGroup, LoadOutput, PluginBridge, ResolveOutput, TransformOutput,
};
pub use filter::{CodeMatcher, FilterError, HookFilter, PatternFilter, compile_regex};

/// One JS hook as the native side sees it: which plugin, and when it could match.
#[derive(Debug)]
pub struct BridgedHook {
  pub plugin_name: String,
  /// `None`: the hook has no filter, so it is called for every module.
  pub filter: Option<HookFilter>,
}

impl BridgedHook {
  fn wants(&self, id: &str, code: Option<&str>, module_type: &str) -> bool {
    self
      .filter
      .as_ref()
      .is_none_or(|f| f.matches(id, code, module_type))
  }
}

/// The JS hooks of one environment, in Vite's order, split around the native core steps:
/// `resolveId` before/after the native resolver, `load` before the file system, `transform`
/// before/after the native TS/JSX step, after the native `import.meta.glob` step and after the
/// native import analysis.
#[derive(Debug, Default)]
pub struct PluginSet {
  pub resolve_pre: Vec<BridgedHook>,
  pub resolve_post: Vec<BridgedHook>,
  pub load: Vec<BridgedHook>,
  pub transform_pre: Vec<BridgedHook>,
  pub transform_post: Vec<BridgedHook>,
  /// `transform` hooks between `vite:import-glob` and import analysis.
  pub transform_after_glob: Vec<BridgedHook>,
  /// `transform` hooks after import analysis (`order: 'post'`).
  pub transform_final: Vec<BridgedHook>,
}

impl PluginSet {
  pub fn is_empty(&self) -> bool {
    self.resolve_pre.is_empty()
      && self.resolve_post.is_empty()
      && self.load.is_empty()
      && self.transform_pre.is_empty()
      && self.transform_post.is_empty()
      && self.transform_after_glob.is_empty()
      && self.transform_final.is_empty()
  }

  /// Some `resolveId` hook of `group` may resolve `specifier` (resolveId filters see the id only).
  pub fn wants_resolve(&self, group: HookGroup, specifier: &str) -> bool {
    let hooks = match group {
      HookGroup::Pre => &self.resolve_pre,
      HookGroup::Post => &self.resolve_post,
      HookGroup::AfterGlob | HookGroup::Final => return false,
    };
    hooks.iter().any(|h| h.wants(specifier, None, "js"))
  }

  fn transform_hooks(&self, group: HookGroup) -> &[BridgedHook] {
    match group {
      HookGroup::Pre => &self.transform_pre,
      HookGroup::Post => &self.transform_post,
      HookGroup::AfterGlob => &self.transform_after_glob,
      HookGroup::Final => &self.transform_final,
    }
  }

  /// Some `resolveId` hook before the native resolver has no id filter to include by: it is
  /// called for every specifier, so every module with imports needs JS answers.
  pub fn pre_resolve_takes_everything(&self) -> bool {
    self.resolve_pre.iter().any(|h| {
      h.filter
        .as_ref()
        .is_none_or(|f| f.id.as_ref().is_none_or(|id| id.include.is_empty()))
    })
  }

  pub fn wants_load(&self, id: &str) -> bool {
    self.load.iter().any(|h| h.wants(id, None, "js"))
  }

  /// Some `transform` hook of `group` matches the module as it is at that point.
  pub fn wants_transform(&self, group: HookGroup, id: &str, code: &str, module_type: &str) -> bool {
    let hooks = self.transform_hooks(group);
    hooks.iter().any(|h| h.wants(id, Some(code), module_type))
  }

  /// The plugins whose `load` hook would be called for `id`.
  pub fn load_plugins_wanting<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    self
      .load
      .iter()
      .filter(move |h| h.wants(id, None, "js"))
      .map(|h| h.plugin_name.as_str())
  }

  /// The plugins whose `transform` hook of `group` matches the module as it is at that point.
  pub fn transform_plugins_wanting<'a>(
    &'a self,
    group: HookGroup,
    id: &'a str,
    code: &'a str,
    module_type: &'a str,
  ) -> impl Iterator<Item = &'a str> + 'a {
    self
      .transform_hooks(group)
      .iter()
      .filter(move |h| h.wants(id, Some(code), module_type))
      .map(|h| h.plugin_name.as_str())
  }

  /// The plugins whose `transform` hook of `group` could match on id and module type alone.
  pub fn transform_plugins_maybe<'a>(
    &'a self,
    group: HookGroup,
    id: &'a str,
    module_type: &'a str,
  ) -> impl Iterator<Item = &'a str> + 'a {
    self
      .transform_hooks(group)
      .iter()
      .filter(move |h| {
        h.filter
          .as_ref()
          .is_none_or(|f| f.matches_without_code(id, module_type))
      })
      .map(|h| h.plugin_name.as_str())
  }

  /// Like [`Self::wants_transform`] but before the code is known: could any hook match on
  /// id and module type alone? (Used to skip the separate TS step when nothing could follow it.)
  pub fn may_transform(&self, group: HookGroup, id: &str, module_type: &str) -> bool {
    let hooks = self.transform_hooks(group);
    hooks.iter().any(|h| {
      h.filter
        .as_ref()
        .is_none_or(|f| f.matches_without_code(id, module_type))
    })
  }
}

#[cfg(test)]
mod tests;
