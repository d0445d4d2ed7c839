// Connects the native pipeline to the environment's JS plugins. Vite's own plugin container
// (created by `DevEnvironment.init`, after every `options` hook ran) runs the hooks, so plugins
// get Vite's real contexts (`this.environment`, `this.resolve`, `this.error`, sourcemap chains).
// The native side calls in only for hook groups whose filters match the module.
import path from 'node:path'
import picomatch from 'picomatch'

/**
 * Core plugins whose per-module work the native pipeline does itself (resolve, alias, TS/JSX,
 * JSON, define, import.meta.glob, import analysis and its graph updates).
 */
export const NATIVE_CORE_PLUGINS = new Set([
  'alias',
  'vite:pre-alias',
  'builtin:vite-resolve',
  'vite:resolve',
  'builtin:oxc-runtime',
  'vite:oxc',
  'vite:esbuild',
  'builtin:vite-json',
  'vite:json',
  'vite:define',
  'vite:client-inject',
  'vite:css-analysis',
  'vite:import-analysis',
  'vite:import-glob',
])

const PIPELINE_HOOKS = new Set(['resolveId', 'load', 'transform'])

const hookFilter = (hook) => (hook && typeof hook === 'object' && hook.filter ? hook.filter : undefined)

function normalize(filter) {
  if (typeof filter === 'string' || filter instanceof RegExp) return { include: [filter] }
  if (Array.isArray(filter)) return { include: filter }
  return { include: filter.include && [filter.include].flat(), exclude: filter.exclude && [filter.exclude].flat() }
}

const regex = (re) => ({ source: re.source, flags: re.flags })

// Vite's id filters: regexes as they are; strings are picomatch globs (dot: true), relative
// ones joined to the process cwd.
function idPattern(pattern) {
  if (pattern instanceof RegExp) return regex(pattern)
  const glob = pattern.startsWith('**') || path.isAbsolute(pattern) ? pattern : path.join(process.cwd(), pattern)
  return regex(picomatch.makeRe(glob.replaceAll('\\', '/'), { dot: true }))
}

const codePattern = (pattern) => (pattern instanceof RegExp ? { regex: regex(pattern) } : { substring: String(pattern) })

/** The filter of one hook in the binding's shape; `undefined` = no filter (always called). */
function describeFilter(hookName, hook) {
  const filter = hookFilter(hook)
  if (!filter) return undefined
  const out = {}
  if (filter.id !== undefined) {
    const { include, exclude } = normalize(filter.id)
    if (include) out.idInclude = include.map(idPattern)
    if (exclude) out.idExclude = exclude.map(idPattern)
  }
  if (hookName === 'transform') {
    if (filter.code !== undefined) {
      const { include, exclude } = normalize(filter.code)
      if (include) out.codeInclude = include.map(codePattern)
      if (exclude) out.codeExclude = exclude.map(codePattern)
    }
    if (filter.moduleType !== undefined) {
      out.moduleTypes = Array.isArray(filter.moduleType) ? filter.moduleType : (filter.moduleType.include ?? [])
    }
  }
  return Object.keys(out).length ? out : undefined
}

/**
 * Splits a hook's sorted plugins around the first plugin named in `anchors` (pre / post) and,
 * when given, after the plugins named `glob` (afterGlob) and `last` (final: Vite runs
 * `order: 'post'` hooks after its import analysis), where the native pipeline has those steps.
 */
function splitAround(plugins, anchors, glob, last) {
  const at = plugins.findIndex((p) => anchors.has(p.name))
  const globAt = glob ? plugins.findIndex((p) => p.name === glob) : -1
  const end = last ? plugins.findIndex((p) => p.name === last) : -1
  const groups = { pre: [], post: [], afterGlob: [], final: [] }
  plugins.forEach((plugin, index) => {
    if (NATIVE_CORE_PLUGINS.has(plugin.name)) return
    if (end >= 0 && index > end) groups.final.push(plugin)
    else if (globAt >= 0 && index > globAt) groups.afterGlob.push(plugin)
    else (at >= 0 && index < at ? groups.pre : groups.post).push(plugin)
  })
  return groups
}

const describe = (hookName, plugins) =>
  plugins.map((plugin) => ({ plugin: plugin.name, filter: describeFilter(hookName, plugin[hookName]) }))

const mapString = (map) => (map == null ? undefined : typeof map === 'string' ? map : JSON.stringify(map))

/** An error of a hook as a record the native side carries (Vite's fields kept). */
export function errorRecord(error) {
  const e = error instanceof Error ? error : new Error(String(error))
  const loc = e.loc && typeof e.loc.line === 'number' ? { file: e.loc.file ?? e.id ?? '', line: e.loc.line, column: e.loc.column ?? 0 } : undefined
  return {
    message: e.message,
    code: typeof e.code === 'string' ? e.code : undefined,
    plugin: e.plugin,
    id: e.id,
    loc,
    frame: e.frame,
    stack: e.stack,
  }
}

/**
 * Installs the bridge on an initialised environment: `native.setPlugins(filters, bridge)`, and
 * makes `environment.pluginContainer.resolveId` the whole pipeline (JS pre hooks, native
 * resolver, JS post hooks) for every other caller (`this.resolve`, Vite internals).
 */
export function installPluginBridge(environment, native) {
  const container = environment.pluginContainer
  const sortedPlugins = container.getSortedPlugins
  const resolve = splitAround(sortedPlugins('resolveId'), new Set(['builtin:vite-resolve', 'vite:resolve']))
  const transform = splitAround(sortedPlugins('transform'), new Set(['vite:oxc', 'vite:esbuild']), 'vite:import-glob', 'vite:import-analysis')
  // The native side names the groups as `HookGroup::as_str` does.
  const transformGroups = { pre: transform.pre, post: transform.post, 'after-glob': transform.afterGlob, final: transform.final }
  const load = sortedPlugins('load').filter((p) => !NATIVE_CORE_PLUGINS.has(p.name))

  // Vite's container reads `getSortedPlugins(hook)` synchronously when a hook run starts; the
  // group selected for that run is in effect only during that synchronous start.
  // Outside a group run, the per-module hooks skip the plugins the native core replaces
  // (`this.load` of a plugin runs the JS load and transform hooks); lifecycle hooks see all.
  let group
  container.getSortedPlugins = (hookName) =>
    group ?? (PIPELINE_HOOKS.has(hookName) ? sortedPlugins(hookName).filter((p) => !NATIVE_CORE_PLUGINS.has(p.name)) : sortedPlugins(hookName))
  const runGroup = (plugins, start) => {
    group = plugins
    try {
      return start()
    } finally {
      group = undefined
    }
  }

  const proto = Object.getPrototypeOf(container)
  const resolveInGroup = async (plugins, id, importer, options) => {
    if (!plugins.length) return null
    // Like Vite's `resolveId`: start lazily, but never wait for a `buildStart` in progress
    // (its own `_registerInputsAsSafeModules` resolves through here).
    if (!container._started) await container.buildStart()
    return runGroup(plugins, () => proto.resolveId.call(container, id, importer, options))
  }

  container.resolveId = async (rawId, importer, options) => {
    const pre = await resolveInGroup(resolve.pre, rawId, importer, options)
    if (pre) return pre
    const resolved = native.resolveId(rawId, importer ?? undefined)
    if (resolved) return resolved.external ? { id: resolved.id, external: true } : { id: resolved.id }
    return resolveInGroup(resolve.post, rawId, importer, options)
  }

  const runHooks = async (request) => {
    try {
      switch (request.kind) {
        case 'resolveId': {
          const plugins = request.group === 'pre' ? resolve.pre : resolve.post
          const result = await resolveInGroup(plugins, request.id, request.importer ?? undefined, {})
          return result ? { id: result.id, external: !!result.external } : {}
        }
        case 'load': {
          const result = await runGroup(load, () => proto.load.call(container, request.id))
          if (result == null) return {}
          if (typeof result === 'string') return { code: result }
          return { code: result.code, map: mapString(result.map), moduleType: result.moduleType }
        }
        case 'transform': {
          const plugins = transformGroups[request.group] ?? transform.post
          const result = await runGroup(plugins, () =>
            proto.transform.call(container, request.code, request.id, {
              moduleType: request.moduleType,
              inMap: request.map ? JSON.parse(request.map) : undefined,
            }),
          )
          return { code: result.code, map: mapString(result.map), moduleType: result.moduleType }
        }
        default:
          throw new Error(`[vite-env-native] unknown bridge request ${request.kind}`)
      }
    } catch (error) {
      return { error: errorRecord(error) }
    }
  }

  // The native side waits for `completeHook(callId, answer)`; this function returns nothing and
  // must never throw (a throw inside a threadsafe-function call would reach Node's top level).
  const complete = (callId, answer) => {
    try {
      native.completeHook(callId, answer)
    } catch (error) {
      native.completeHook(callId, { error: errorRecord(error) })
    }
  }
  const bridge = (request) => {
    runHooks(request).then(
      (answer) => complete(request.callId, answer),
      (error) => complete(request.callId, { error: errorRecord(error) }),
    )
  }

  native.setPlugins(
    {
      resolvePre: describe('resolveId', resolve.pre),
      resolvePost: describe('resolveId', resolve.post),
      load: describe('load', load),
      transformPre: describe('transform', transform.pre),
      transformPost: describe('transform', transform.post),
      transformAfterGlob: describe('transform', transform.afterGlob),
      transformFinal: describe('transform', transform.final),
    },
    bridge,
  )
}
