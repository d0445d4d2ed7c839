// HMR for native environments: boundary propagation and invalidation run natively
// (crates/graph/src/hmr.rs, Vite's `propagateUpdate` rules); this file turns the outcome into
// Vite's payloads and log lines. It is reached through a `hotUpdate` hook that runs after every
// user hook, and through the environment's `reloadModule` / `invalidateModule`.
import path from 'node:path'
import { NATIVE } from './native.mjs'

const knownJsSrcRE = /\.(?:[jt]sx?|m[jt]s|vue|marko|svelte|astro|imba|mdx)(?:$|\?)/
const cssLangsRE = /\.(css|less|sass|scss|styl|stylus|pcss|postcss|sss)(?:$|\?)/

// Vite's `isExplicitImportRequired`: urls that are neither JS nor CSS need `?import`.
function isExplicitImportRequired(url) {
  const clean = url.replace(/[?#].*$/, '')
  const isJs = knownJsSrcRE.test(clean) || (!path.extname(clean) && !clean.endsWith('/'))
  return !isJs && !cssLangsRE.test(url)
}

const shortName = (file, root) => (file.startsWith(`${root}/`) ? path.posix.relative(root, file) : file)

const nativeKeys = (environment, modules) => modules.map((mod) => environment._graphMirror.keyOf(mod))

/**
 * Vite's `updateModules` on the native graph. Returns `false` when a module is not known
 * natively (Vite's own code then handles the update).
 */
export function updateModulesNatively(environment, file, modules, timestamp, firstInvalidatedBy) {
  const keys = nativeKeys(environment, modules)
  if (keys.includes(undefined)) return false
  const outcome = environment[NATIVE].hmrUpdate(keys, timestamp, firstInvalidatedBy)
  environment._graphMirror.resultsMayHaveChanged()
  environment._graphMirror.sync()
  const { logger, config, hot } = environment
  if (outcome.fullReload) {
    const reason = outcome.reason ? ` (${outcome.reason})` : ''
    logger.info(`page reload ${file}${reason}`, { clear: !firstInvalidatedBy, timestamp: true })
    hot.send({ type: 'full-reload', triggeredBy: path.resolve(config.root, file), path: '*' })
    return true
  }
  if (!outcome.boundaries.length) return true
  const updates = outcome.boundaries.map(({ boundaryUrl, acceptedViaUrl, isWithinCircularImport }) => ({
    type: 'js-update',
    timestamp,
    path: boundaryUrl,
    acceptedPath: acceptedViaUrl,
    explicitImportRequired: isExplicitImportRequired(acceptedViaUrl),
    isWithinCircularImport,
    firstInvalidatedBy,
  }))
  const paths = [...new Set(updates.map((u) => u.path))]
  logger.info(`hmr update ${paths.join(', ')}`, { clear: !firstInvalidatedBy, timestamp: true })
  hot.send({ type: 'update', updates })
  return true
}

/** The native module `mod` of `file` was loaded from the file as it is now. */
function holdsCurrentSource(environment, mod, file) {
  const key = environment._graphMirror.keyOf(mod)
  return key !== undefined && mod.file === file && environment[NATIVE].holdsCurrentSource(key)
}

/** The `hotUpdate` hook that takes over Vite's JS propagation for a native environment. */
export function nativeHmrPlugin(environment) {
  return {
    name: 'vite-env-native:hmr',
    hotUpdate: {
      order: 'post',
      handler(options) {
        if (this.environment !== environment) return
        let modules = options.modules
        // A created file's modules that were loaded after it appeared already run its content:
        // they are there only because an importer was edited and re-run first. Vite's runner,
        // slower, has not analysed them yet, so Vite's propagation stops at them (as ours does
        // at a module found by import analysis and not analysed yet).
        if (options.type === 'create') modules = modules.filter((mod) => !holdsCurrentSource(environment, mod, options.file))
        // Vite's `vite:import-glob`: a created or deleted file updates the modules whose
        // `import.meta.glob` matches it.
        if (options.type === 'create' || options.type === 'delete') {
          const importers = environment[NATIVE].globImporters(options.file)
            .map((key) => environment._graphMirror.nodeOf(key))
            .filter((mod) => mod && !modules.includes(mod))
          if (importers.length) modules = [...modules, ...importers]
        }
        // An empty list tells Vite the update is handled (nothing to update).
        if (!modules.length) return modules.length === options.modules.length ? undefined : []
        const file = shortName(options.file, environment.config.root)
        // An empty list tells Vite the update is handled.
        if (updateModulesNatively(environment, file, modules, options.timestamp)) return []
      },
    },
  }
}

/** `DevEnvironment.reloadModule`, natively; `false` when the module is not a native node. */
export function reloadNatively(environment, module) {
  return updateModulesNatively(environment, shortName(module.file, environment.config.root), [module], Date.now())
}

/**
 * `DevEnvironment.invalidateModule` (a runner's `import.meta.hot.invalidate()`), natively;
 * `false` when the importers are not all native nodes (Vite's own method then runs).
 */
export function invalidateNatively(environment, { path: url, message, firstInvalidatedBy }) {
  const mod = environment.moduleGraph.urlToModuleMap.get(url)
  if (!mod) return true
  const importers = [...mod.importers].filter((importer) => importer !== mod)
  if (nativeKeys(environment, importers).includes(undefined)) return false
  if (!mod.isSelfAccepting || !(mod.lastHMRTimestamp > 0) || mod.lastHMRInvalidationReceived) return true
  mod.lastHMRInvalidationReceived = true
  environment.logger.info(`hmr invalidate ${url}${message ? ` ${message}` : ''}`, { timestamp: true })
  return updateModulesNatively(environment, shortName(mod.file, environment.config.root), importers, mod.lastHMRTimestamp, firstInvalidatedBy)
}
