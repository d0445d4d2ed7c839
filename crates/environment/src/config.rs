//! What one environment needs to know from Vite's resolved config.

use ven_resolver::ResolveConfig;

use crate::FsConfig;
use ven_transform::JsxOptions;

// Independent switches read from Vite's config, not a state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct EnvironmentConfig {
  /// Environment name (`ssr`, `worker`, …), for messages.
  pub name: String,
  pub resolve: ResolveConfig,
  /// `define` entries (dotted expression → replacement code), `import.meta.env.*` included.
  pub define: Vec<(String, String)>,
  pub jsx: JsxOptions,
  /// `json.stringify` effective for the module-runner transform.
  pub json_stringify: bool,
  /// Generate source maps (Vite: `dev.sourcemap.js`, on by default).
  pub source_map: bool,
  /// Resolve and transform the static imports of each module as soon as it is transformed,
  /// so the runner's sequential requests find finished work.
  pub pre_transform: bool,
  /// Vite's `experimental.hmrPartialAccept`: record `importedBindings` for `acceptExports`.
  pub hmr_partial_accept: bool,
  /// Vite's `experimental.importGlobRestoreExtension`: `&lang.<ext>` after a glob's query.
  pub import_glob_restore_extension: bool,
  /// `server.fs` and whether the environment's transport skips it.
  pub fs: FsConfig,
}
