// Reads what the native engine needs from Vite's resolved environment config.
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import picomatch from 'picomatch'

const pattern = (value) =>
  value instanceof RegExp
    ? { regexSource: value.source, regexFlags: value.flags }
    : { string: String(value) }

// Vite's `noExternal` filter (`createFilter(undefined, noExternal, { resolve: false })`): strings
// are picomatch globs (`dot: true`), matched as picomatch's matcher does: equal to the glob, or
// matching the regex picomatch compiles for it.
function noExternalPattern(value) {
  if (value instanceof RegExp) return pattern(value)
  const glob = String(value).replaceAll('\\', '/')
  const regex = picomatch.makeRe(glob, { dot: true })
  return { string: glob, regexSource: regex.source, regexFlags: regex.flags }
}

// Vite's `handleDefineValue`: strings are code, everything else is JSON.
const defineValue = (value) =>
  value === undefined ? 'undefined' : typeof value === 'string' ? value : JSON.stringify(value)

// Vite's `serializeDefine`: sorted keys, values kept as code.
const serializeDefine = (entries) =>
  `{${Object.keys(entries)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${entries[key]}`)
    .join(', ')}}`

/**
 * `define` entries as Vite applies them to a server module: user `define` keys, and
 * `import.meta.env` (what Vite's import analysis assigns to `import.meta.env` in each module that
 * reads it: `config.env` + `SSR` + user `import.meta.env.*` defines).
 */
export function defineEntries(config) {
  const ssr = config.consumer === 'server'
  const env = {}
  for (const key in config.env) env[key] = JSON.stringify(config.env[key])
  env.SSR = String(ssr)
  const entries = []
  for (const key in config.define ?? {}) {
    const value = defineValue(config.define[key])
    if (key.startsWith('import.meta.env.')) env[key.slice(16)] = value
    else entries.push({ key, value })
  }
  for (const key in env) entries.push({ key: `import.meta.env.${key}`, value: env[key] })
  entries.push({ key: 'import.meta.env', value: serializeDefine(env) })
  return entries
}

function jsxOptions(config) {
  const jsx = config.oxc && typeof config.oxc === 'object' ? config.oxc.jsx : undefined
  const options = typeof jsx === 'object' && jsx ? jsx : {}
  return {
    automatic: (options.runtime ?? 'automatic') === 'automatic',
    importSource: options.importSource ?? 'react',
    pragma: options.pragma ?? 'React.createElement',
    pragmaFrag: options.pragmaFrag ?? 'React.Fragment',
    development: options.development ?? !config.isProduction,
  }
}

let caseInsensitiveFs

// Vite's `isCaseInsensitiveFS`: its own probe, a differently-cased name of its client entry.
function isCaseInsensitiveFs() {
  if (caseInsensitiveFs === undefined) {
    try {
      const entry = fileURLToPath(import.meta.resolve('vite/dist/client/client.mjs'))
      caseInsensitiveFs = existsSync(entry.replace('client.mjs', 'cLiEnT.mjs'))
    } catch {
      caseInsensitiveFs = false
    }
  }
  return caseInsensitiveFs
}

// Vite's `fsDenyGlob`: picomatch with `nocase` and `dot`; a pattern without `/` matches at any depth.
function denyGlob(pattern) {
  const glob = pattern.includes('/') ? pattern : `**/${pattern}`
  const regex = picomatch.makeRe(glob, { matchBase: false, nocase: true, dot: true })
  return { glob, regexSource: regex.source, regexFlags: regex.flags }
}

/**
 * Vite's resolved `server.fs` for the native check. `skipCheck` is the environment's
 * `_skipFsCheck` (its transport is in-process). A config Vite did not resolve (no `server`)
 * allows nothing but imported modules to a checked request.
 */
export function fsOptions(config, skipCheck) {
  const fs = config.server?.fs
  return {
    strict: fs?.strict !== false,
    allow: fs?.allow ?? [],
    deny: (fs?.deny ?? []).map(denyGlob),
    caseInsensitive: isCaseInsensitiveFs(),
    skipCheck,
  }
}

/** Options of `new NativeEnvironment(...)` for the environment `name` of a resolved config. */
export function nativeOptions(name, config, { preTransform = true, skipFsCheck = false } = {}) {
  const resolve = config.resolve ?? {}
  const alias = (resolve.alias ?? []).map(({ find, replacement }) => ({
    find: pattern(find),
    replacement: String(replacement),
  }))
  const sourcemap = config.dev?.sourcemap
  return {
    name,
    root: config.root,
    isProduction: !!config.isProduction,
    conditions: resolve.conditions ?? [],
    externalConditions: resolve.externalConditions ?? [],
    mainFields: resolve.mainFields ?? [],
    extensions: resolve.extensions ?? [],
    alias,
    dedupe: resolve.dedupe ?? [],
    preserveSymlinks: !!resolve.preserveSymlinks,
    tsconfigPaths: resolve.tsconfigPaths === true,
    externalAll: resolve.external === true,
    external: Array.isArray(resolve.external) ? resolve.external.map(String) : [],
    noExternalAll: resolve.noExternal === true,
    noExternal: Array.isArray(resolve.noExternal)
      ? resolve.noExternal.map(noExternalPattern)
      : resolve.noExternal && resolve.noExternal !== true
        ? [noExternalPattern(resolve.noExternal)]
        : [],
    builtins: (resolve.builtins ?? []).map(pattern),
    define: defineEntries(config),
    jsx: jsxOptions(config),
    jsonStringify: config.json?.stringify === true && config.json?.namedExports !== true,
    sourceMap: sourcemap === undefined || sourcemap === true || (typeof sourcemap === 'object' && sourcemap.js !== false),
    preTransform,
    hmrPartialAccept: config.experimental?.hmrPartialAccept === true,
    importGlobRestoreExtension: config.experimental?.importGlobRestoreExtension === true,
    fs: fsOptions(config, skipFsCheck),
  }
}
