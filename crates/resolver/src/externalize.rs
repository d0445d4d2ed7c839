//! Vite's `shouldExternalize` decision (`src/node/external.ts`), independent of how a bare
//! specifier is probed on disk: the caller passes a function resolving it with the external
//! conditions.

use crate::{
  builtins::is_builtin,
  config::{External, NoExternal, ResolveConfig},
  util::{extname, is_absolute_path, is_bare_import, npm_package_name},
};

/// Vite's `isInNodeModules`: a `node_modules` path segment.
pub fn is_in_node_modules(id: &str) -> bool {
  id.split(['/', '\\'])
    .any(|segment| segment == "node_modules")
}

/// Vite's `canExternalizeFile`: no extension, `.js`, `.mjs` or `.cjs`.
pub fn can_externalize_file(file: &str) -> bool {
  matches!(extname(file), "" | ".js" | ".mjs" | ".cjs")
}

/// Vite's `createIsExternal` body without the cache: never for relative/absolute ids;
/// builtins are external; otherwise the configured/default rule.
pub fn should_externalize_uncached(
  config: &ResolveConfig,
  id: &str,
  probe: impl FnOnce(&str) -> Option<String>,
) -> bool {
  if id.starts_with('.') || is_absolute_path(id) {
    return false;
  }
  is_builtin(&config.builtins, id) || is_configured_as_external(config, id, probe)
}

/// Vite's `createIsConfiguredAsExternal`.
fn is_configured_as_external(
  config: &ResolveConfig,
  id: &str,
  probe: impl FnOnce(&str) -> Option<String>,
) -> bool {
  let listed =
    |name: &str| matches!(&config.external, External::List(l) if l.iter().any(|e| e == name));
  if listed(id) {
    return true;
  }
  let Some(pkg_name) = npm_package_name(id) else {
    return is_externalizable(id, false, probe);
  };
  if listed(pkg_name) {
    return is_externalizable(id, true, probe);
  }
  match &config.no_external {
    NoExternal::All => return false,
    NoExternal::List(patterns) if patterns.iter().any(|p| p.matches(pkg_name)) => return false,
    NoExternal::List(_) | NoExternal::None => {}
  }
  is_externalizable(id, matches!(config.external, External::All), probe)
}

/// Bare, resolvable with the external conditions, inside `node_modules` (unless configured
/// as external) and a file Node can load.
fn is_externalizable(
  id: &str,
  configured_as_external: bool,
  probe: impl FnOnce(&str) -> Option<String>,
) -> bool {
  if !is_bare_import(id) || id.contains('\0') {
    return false;
  }
  let Some(resolved) = probe(id) else {
    return false;
  };
  if !configured_as_external && !is_in_node_modules(&resolved) {
    return false;
  }
  can_externalize_file(&resolved)
}
