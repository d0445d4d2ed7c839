// vite-env-native/module-runner — a module runner with the runtime API of
// `vite/module-runner`, used by vite-env-native's server environments.
//
// Implementation lives in ./runner/*; this file only defines the public
// surface (the same runtime export names as `vite/module-runner`).

export { ModuleRunner } from './runner/runner.mjs';
export {
  ESModulesEvaluator,
  ssrDynamicImportKey,
  ssrExportAllKey,
  ssrExportNameKey,
  ssrImportKey,
  ssrImportMetaKey,
  ssrModuleExportsKey,
} from './runner/evaluator.mjs';
export { EvaluatedModules, normalizeModuleId } from './runner/evaluated-modules.mjs';
export { createDefaultImportMeta, createNodeImportMeta } from './runner/import-meta.mjs';
export { createWebSocketModuleRunnerTransport } from './runner/transport.mjs';
