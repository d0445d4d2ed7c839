// The persistent module cache across restarts: where its store lives, the parts of its key only
// the JS side knows (plugins, versions, lockfile), and when it is off or cleared. The records,
// their validation and the store itself are native (crates/cache, crates/environment).
import { createHash } from 'node:crypto'
import { readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { version as viteVersion } from 'vite'
import { NATIVE } from './native.mjs'

const require = createRequire(import.meta.url)

/**
 * Vite core plugins whose `transform` is a function of the code, the id and the config only.
 * `vite:dynamic-import-vars` rewrites template-literal `import()` into `import.meta.glob`, which
 * the native glob step then expands: modules with globs are never cached.
 */
const PURE_CORE_PLUGINS = ['vite:dynamic-import-vars']

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb']

/**
 * `nativeEnvironments({ cache })` / the context's `cache`: `false` turns the cache off, `true`
 * or `undefined` on, `{ plugins: [...] }` on with those plugins' `load`/`transform` hooks declared
 * pure (modules they touch are cached too).
 */
export function cacheSettings(option) {
  if (option === false) return undefined
  if (option === undefined || option === true) return { plugins: [] }
  if (typeof option === 'object' && option !== null) {
    const plugins = option.plugins ?? []
    if (!Array.isArray(plugins) || plugins.some((p) => typeof p !== 'string')) {
      throw new TypeError('vite-env-native: cache.plugins must be an array of plugin names')
    }
    return { plugins }
  }
  throw new TypeError(`vite-env-native: cache must be a boolean or { plugins: string[] }, got ${String(option)}`)
}

/** The store file of an environment. */
export function storePath(config, name) {
  return path.join(config.cacheDir, 'vite-env-native', `${encodeURIComponent(name)}.redb`)
}

let packageIdentity

/** Our version and the identity of the loaded binary (a rebuilt addon is another engine). */
function ourIdentity() {
  if (packageIdentity !== undefined) return packageIdentity
  const { version } = require('../package.json')
  const addon = Object.keys(require.cache).find((file) => file.endsWith('.node') && path.basename(file).startsWith('vite-env-native'))
  let binary = 'unknown'
  if (addon) {
    try {
      const stat = statSync(addon)
      binary = `${addon}:${stat.size}:${stat.mtimeMs}`
    } catch {}
  }
  packageIdentity = `${version} ${binary}`
  return packageIdentity
}

/** The first lockfile found from `root` upwards, hashed (a changed install empties the store). */
function lockfileHash(root) {
  for (let dir = root; ; dir = path.dirname(dir)) {
    for (const name of LOCKFILES) {
      try {
        return `${name}:${createHash('sha256').update(readFileSync(path.join(dir, name))).digest('hex')}`
      } catch {}
    }
    if (path.dirname(dir) === dir) return 'none'
  }
}

/**
 * Opens the environment's store once its plugins are known (`pluginKey`: the plugin list the
 * native side received, names, order and filters). A store another process holds, or that cannot
 * be written, leaves the environment without a cache.
 */
export function openPersistentCache(environment, settings, pluginKey) {
  const native = environment[NATIVE]
  if (!settings) return undefined
  const { config } = environment
  const response = native.openCache({
    path: storePath(config, environment.name),
    key: [
      { name: 'package', value: ourIdentity() },
      { name: 'vite', value: viteVersion },
      { name: 'plugins', value: pluginKey ?? '' },
      { name: 'lockfile', value: lockfileHash(config.root) },
    ],
    runtime: `node ${process.version} v8 ${process.versions.v8}`,
    // `vite --force` (Vite's `forceOptimizeDeps`, which sets every environment's
    // `optimizeDeps.force`; also a forced restart) or `optimizeDeps.force`: an empty store.
    clear: config.optimizeDeps?.force === true || environment.getTopLevelConfig?.().optimizeDeps?.force === true,
    cacheablePlugins: [...PURE_CORE_PLUGINS, ...settings.plugins],
  })
  return response.opened ?? undefined
}

/**
 * Counters of an environment's persistent cache (`undefined` when it has none): `hits` (modules
 * served from the store), `misses`, `rejected` (records that no longer held), `writes`.
 */
export function persistentCacheStats(environment) {
  const native = environment?.[NATIVE]
  const stats = native?.cacheStats()
  if (!stats) return undefined
  return { ...stats, opened: environment._persistentCacheOpened }
}

/**
 * The in-process runner's V8 code cache in the environment's store (the evaluator's `codeCache`
 * seam: bytes for exactly `source`, so the key is a hash of it), `undefined` without a store.
 */
export function persistentCodeCache(environment) {
  const store = codeCache(environment)
  if (store === undefined) return undefined
  const hash = (source) => createHash('sha1').update(source).digest('base64')
  return {
    get: (id, source) => store.get(id, hash(source)),
    set: (id, source, bytes) => store.put(id, hash(source), bytes),
  }
}

/**
 * The seam for a runner's V8 code cache: bytes per module id and code hash, kept in the store
 * under this Node/V8 version. `undefined` when the environment has no persistent cache.
 */
export function codeCache(environment) {
  const native = environment?.[NATIVE]
  if (!native?.cacheStats()) return undefined
  return {
    get: (id, codeHash) => native.codeCacheGet(id, codeHash) ?? undefined,
    put: (id, codeHash, bytes) => native.codeCachePut(id, codeHash, Buffer.from(bytes)),
  }
}
