// The plugin container of a native environment and its bridge to the native pipeline. Vite's own
// container code (a subclass of Vite's `EnvironmentPluginContainer`) runs the JS hooks, so plugins
// get Vite's real contexts (`this.environment`, `this.resolve`, `this.error`, sourcemap chains).
// The native side calls in only for hook groups whose filters match the module.
import { AsyncLocalStorage } from 'node:async_hooks'
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

const pluginKeys = new WeakMap()

/** The JS plugin list a native environment was given (names, order, filters), as a string. */
export const pluginKeyOf = (native) => pluginKeys.get(native)

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

/** Property of an environment: its bound on a JS hook's settling, in ms (`nativeEnvironments({ hookTimeout })`). */
export const HOOK_TIMEOUT = Symbol('vite-env-native.hookTimeout')

/** Vite has no bound; ours is generous, for hooks that compile or fetch. */
export const DEFAULT_HOOK_TIMEOUT = 60_000

/** The bound for `environment`: its option, else `VITE_ENV_NATIVE_HOOK_TIMEOUT`, else the default. 0 = none. */
export function hookTimeout(environment) {
  const fromOption = environment[HOOK_TIMEOUT]
  if (typeof fromOption === 'number' && fromOption >= 0) return fromOption
  const fromEnv = Number(process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT)
  if (process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT && Number.isFinite(fromEnv) && fromEnv >= 0) return fromEnv
  return DEFAULT_HOOK_TIMEOUT
}

const describeValue = (value) =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `${typeof value}${typeof value === 'number' || typeof value === 'boolean' ? ` (${value})` : ''}`

/** Why `map` is not a source map Vite can chain, or `undefined` when it is (or absent). */
function malformedMap(map) {
  if (map == null || map === '') return undefined
  let parsed = map
  if (typeof map === 'string') {
    try {
      parsed = JSON.parse(map)
    } catch (error) {
      return `a string that is not JSON (${error.message})`
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return describeValue(parsed)
  // Vite's chain skips a map without sources; any other needs string `mappings`.
  const skipped = Array.isArray(parsed.sources) && parsed.sources.length === 0
  if (!skipped && typeof parsed.mappings !== 'string') {
    return `an object whose \`mappings\` is ${describeValue(parsed.mappings)}, not a string`
  }
  return undefined
}

/** What is wrong with a hook's result for Vite's container, or `undefined`. */
function invalidResult(hookName, result) {
  if (!result) return undefined
  if (typeof result === 'string') return undefined
  if (typeof result !== 'object' || Array.isArray(result)) {
    return `${describeValue(result)}; expected ${hookName === 'resolveId' ? 'a string or { id }' : 'a string or { code, map }'}`
  }
  // To Vite a falsy `id` is "not resolved", a nullish load `code` "not loaded" and an undefined
  // transform `code` "unchanged".
  if (hookName === 'resolveId') {
    return !result.id || typeof result.id === 'string'
      ? undefined
      : `{ id } with \`id\` of type ${describeValue(result.id)}; expected a string`
  }
  const codeGiven = hookName === 'load' ? result.code != null : result.code !== undefined
  if (codeGiven && typeof result.code !== 'string') {
    return `{ code } with \`code\` of type ${describeValue(result.code)}; expected a string`
  }
  if (result.moduleType !== undefined && typeof result.moduleType !== 'string') {
    return `{ moduleType } of type ${describeValue(result.moduleType)}; expected a string`
  }
  const map = malformedMap(result.map)
  return map ? `a malformed source map: ${map}` : undefined
}

const hookError = (plugin, hookName, id, message) => {
  const about = id ? ` (${hookName === 'resolveId' ? 'specifier' : 'id'}: ${id})` : ''
  const error = new Error(`The ${hookName} hook of plugin "${plugin.name}" ${message}${about}`)
  error.plugin = plugin.name
  error.hook = hookName
  if (id && hookName !== 'resolveId') error.id = id
  return error
}

/**
 * The thrown value as something with Vite's error fields. `this.error({ message, pos })` throws
 * the object itself (Vite's `_formatLog` adds `plugin`, `id`, `loc`, `frame` to it), not an Error.
 */
const asError = (error) =>
  error instanceof Error || (error !== null && typeof error === 'object' && typeof error.message === 'string')
    ? error
    : new Error(String(error))

/**
 * Names the plugin and hook on a failure Vite's container leaves bare (`load` and `resolveId`
 * throws; `transform` ones get `plugin` and `id` from Vite's `this.error`).
 */
function attribute(error, plugin, hookName, id) {
  const e = asError(error)
  if (hookName !== 'transform' && !e.plugin) {
    e.plugin = plugin.name
    if (hookName === 'load' && !e.id) e.id = id
  }
  e.hook ??= hookName
  return e
}

/** `promise`, or a rejection naming the hook once `timeout` ms pass first. */
function settleWithin(promise, timeout, plugin, hookName, id) {
  if (!timeout) return promise
  let timer
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          hookError(
            plugin,
            hookName,
            id,
            `did not settle within ${timeout} ms (nativeEnvironments({ hookTimeout }) or VITE_ENV_NATIVE_HOOK_TIMEOUT set the bound)`,
          ),
        ),
      timeout,
    )
    // A hung hook must not keep the process alive on its own.
    timer.unref?.()
  })
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer))
}

/**
 * The plugin contexts of the `transform` group run in progress (Vite's container makes one per
 * run and keeps `this.addWatchFile` files on it as `_addedImports`).
 */
const transformContexts = new AsyncLocalStorage()
let transformRuns = 0

/**
 * `fn()` with `contexts` as the store of `transformContexts`. The store is only read while a
 * group run is in progress; once none is, the storage is disabled again: on Node < 24 an enabled
 * AsyncLocalStorage installs promise hooks that tax every promise in the process (the module
 * runner's included, several per import), which a single transform group would otherwise
 * leave on for good. The next run enables it again.
 */
async function withTransformContexts(contexts, fn) {
  transformRuns++
  try {
    return await transformContexts.run(contexts, fn)
  } finally {
    if (--transformRuns === 0) transformContexts.disable()
  }
}

/** Vite's `_addedImports` of the contexts a group run used. */
function addedImports(contexts) {
  const files = new Set()
  for (const context of contexts) for (const file of context._addedImports ?? []) files.add(file)
  return [...files]
}

/**
 * The hook with its result checked where Vite's container would fail later without the plugin's
 * name (a non-string `code` or `id`, a malformed map), and its settling bounded by `timeout`.
 */
function guardHook(plugin, hookName, hook, timeout) {
  const handler = typeof hook === 'function' ? hook : hook.handler
  if (typeof handler !== 'function') return hook
  const check = (result, id) => {
    const problem = invalidResult(hookName, result)
    if (problem) throw hookError(plugin, hookName, id, `returned ${problem}`)
    return result
  }
  const guarded = function (...args) {
    const id = args[hookName === 'transform' ? 1 : 0]
    if (hookName === 'transform') transformContexts.getStore()?.add(this)
    let result
    try {
      result = handler.apply(this, args)
    } catch (error) {
      throw attribute(error, plugin, hookName, id)
    }
    if (typeof result?.then !== 'function') return check(result, id)
    return settleWithin(Promise.resolve(result), timeout, plugin, hookName, id).then(
      (value) => check(value, id),
      (error) => {
        throw attribute(error, plugin, hookName, id)
      },
    )
  }
  return typeof hook === 'function' ? guarded : { ...hook, handler: guarded }
}

/**
 * One stand-in per plugin for the group runs (its pipeline hooks guarded, everything else read
 * through to the plugin): the plugin objects themselves stay untouched, as Vite and the client
 * environment call them too. One object per plugin keeps `this.resolve({ skipSelf })` identities.
 */
function guardedPlugins(timeout) {
  const standIns = new Map()
  return (plugins) =>
    plugins.map((plugin) => {
      let standIn = standIns.get(plugin)
      if (!standIn) {
        standIn = Object.create(plugin)
        for (const hookName of PIPELINE_HOOKS) {
          if (plugin[hookName]) standIn[hookName] = guardHook(plugin, hookName, plugin[hookName], timeout)
        }
        standIns.set(plugin, standIn)
      }
      return standIn
    })
}

/** An error of a hook as a record the native side carries (Vite's fields kept). */
export function errorRecord(error) {
  const e = asError(error)
  // Vite keeps a plugin's `loc` as given, a missing `file` included.
  const loc =
    e.loc && typeof e.loc.line === 'number'
      ? { file: typeof e.loc.file === 'string' ? e.loc.file : undefined, line: e.loc.line, column: e.loc.column ?? 0 }
      : undefined
  return {
    message: e.message,
    code: typeof e.code === 'string' ? e.code : undefined,
    plugin: e.plugin,
    id: e.id,
    loc,
    frame: e.frame,
    stack: e.stack,
    // Vite's container sets it to the code the hook was given.
    pluginCode: typeof e.pluginCode === 'string' ? e.pluginCode : undefined,
  }
}

/** Turns a native error record into an `Error` with Vite's fields (code, id, plugin, loc, frame, pluginCode, errors). */
export function toError(record) {
  const error = new Error(record.message)
  for (const key of ['code', 'id', 'pos', 'plugin', 'loc', 'frame']) {
    if (record[key] != null) error[key] = record[key]
  }
  if (record.pluginCode != null) error.pluginCode = record.pluginCode
  else if (record.plugin) error.pluginCode = record.code
  // A `vite:oxc`-shaped error lists its diagnostics, each with `kind` beside `code`, as Vite's.
  if (record.errors) error.errors = record.errors.map(({ code, message, id, loc, pos }) => ({ code, kind: code, message, id, loc, pos }))
  if (record.stack) error.stack = record.stack
  return error
}

/** Vite's error for a hook run on a closed container of a `dev.recoverable` environment. */
function closedServerError() {
  const error = new Error('The server is being restarted or closed. Request is outdated')
  error.code = 'ERR_CLOSED_SERVER'
  return error
}

/**
 * A view of `container` whose `getSortedPlugins` is one group: Vite's `resolveId`/`load`/
 * `transform` called on it run that group, with contexts whose `this.resolve`/`this.load` reach
 * the whole container (the view inherits everything else, its state included).
 */
const groupView = (container, plugins) => Object.create(container, { getSortedPlugins: { value: () => plugins } })

// Symbol keys rather than private fields: group views (objects inheriting from the container)
// run the same methods with `this` = the view.
const NATIVE_HANDLE = Symbol('vite-env-native.containerNative')
const GROUPS = Symbol('vite-env-native.containerGroups')

// Our container class per Vite container class (one per Vite installation).
const containerClasses = new WeakMap()

/**
 * The plugin container of a native environment: Vite's `EnvironmentPluginContainer` (its
 * lifecycle hooks, `getModuleInfo`, plugin contexts, `getSortedPlugins` listing every plugin)
 * whose per-module methods run the whole pipeline as Vite's do, the core plugins' steps natively:
 * `resolveId` = JS `pre` hooks → native resolver → other JS hooks; `load` = the JS `load` hooks;
 * `transform` = JS hooks before `vite:oxc` → TS/JSX/JSON → … → import analysis → `order: 'post'`
 * hooks. The native pipeline calls the same groups through `native.setPlugins`.
 *
 * A subclass rather than Vite's instance patched: Vite's methods read `this.getSortedPlugins`
 * when a run starts, so a group run needs an object whose list is that group; our own instance
 * and views of it give that without changing an object of Vite's that other code also calls.
 */
function nativeContainerClass(ViteContainer) {
  let NativeContainer = containerClasses.get(ViteContainer)
  if (NativeContainer) return NativeContainer
  const vite = ViteContainer.prototype
  NativeContainer = class NativePluginContainer extends ViteContainer {
    /** `stock`: the container Vite made for `environment`, its `options` hooks run. */
    constructor(environment, stock, native) {
      super(environment, stock.plugins, stock.watcher)
      // Those hooks ran once for the stock container; a plugin's `options` hook must not run twice.
      this._resolvedRolldownOptions = stock.options
      this[NATIVE_HANDLE] = native
      this[GROUPS] = connectBridge(this, native, (view, hook, args) => vite[hook].apply(view, args))
    }

    /** Resolves like Vite's container: JS `pre` hooks, the native resolver, the other JS hooks. */
    async resolveId(rawId, importer, options) {
      const { resolve, start } = this[GROUPS]
      await start()
      const pre = await resolve.pre(rawId, importer, options)
      if (pre) return pre
      const resolved = this[NATIVE_HANDLE].resolveId(rawId, importer ?? undefined)
      if (resolved) {
        const { id, external, moduleSideEffects } = resolved
        return { id, ...(external ? { external } : {}), ...(moduleSideEffects != null ? { moduleSideEffects } : {}) }
      }
      return resolve.post(rawId, importer, options)
    }

    /** Vite's `load`: the `load` hooks (the core plugins replaced natively load nothing here). */
    async load(id) {
      return this[GROUPS].load(id)
    }

    /** Vite's `transform(code, id, { moduleType, inMap })`: every step in Vite's order. */
    async transform(code, id, options) {
      if (this._closed && this.environment.config.dev.recoverable) throw closedServerError()
      const inMap = options?.inMap
      // As Vite's transform starts from them: the files the module's `load` hooks watch.
      const loadWatchFiles = this._getAddedImports?.(id)
      const response = await this[NATIVE_HANDLE].containerTransform(
        code,
        id,
        options?.moduleType ?? 'js',
        inMap == null ? undefined : mapString(inMap),
        loadWatchFiles?.size ? [...loadWatchFiles] : undefined,
      )
      if (response.error) throw toError(response.error)
      return { code: response.code, map: response.map ? JSON.parse(response.map) : null, moduleType: response.moduleType }
    }
  }
  containerClasses.set(ViteContainer, NativeContainer)
  return NativeContainer
}

/**
 * The container of a native environment, made once Vite's container (`stock`) exists and every
 * `options` hook ran, so filters are final. `stock` is not used afterwards.
 */
export function createNativePluginContainer(environment, stock, native) {
  const NativeContainer = nativeContainerClass(Object.getPrototypeOf(stock).constructor)
  return new NativeContainer(environment, stock, native)
}

/**
 * Splits `container`'s plugins into the hook groups around the native steps, hands their
 * filters and the bridge to `native.setPlugins`, and returns the group runners the container
 * uses itself. `runVite(view, hook, args)` runs Vite's own method on a group view.
 */
function connectBridge(container, native, runVite) {
  const { environment } = container
  const sortedPlugins = (hookName) => container.getSortedPlugins(hookName)
  const guard = guardedPlugins(hookTimeout(environment))
  const guardGroups = (groups) => Object.fromEntries(Object.entries(groups).map(([key, plugins]) => [key, guard(plugins)]))
  const resolve = guardGroups(splitAround(sortedPlugins('resolveId'), new Set(['builtin:vite-resolve', 'vite:resolve'])))
  const transform = guardGroups(
    splitAround(sortedPlugins('transform'), new Set(['vite:oxc', 'vite:esbuild']), 'vite:import-glob', 'vite:import-analysis'),
  )
  // The native side names the groups as `HookGroup::as_str` does.
  const transformGroups = { pre: transform.pre, post: transform.post, 'after-glob': transform.afterGlob, final: transform.final }
  const transformViews = Object.fromEntries(Object.entries(transformGroups).map(([name, plugins]) => [name, groupView(container, plugins)]))
  const load = guard(sortedPlugins('load').filter((p) => !NATIVE_CORE_PLUGINS.has(p.name)))
  const loadView = groupView(container, load)
  const resolveViews = { pre: groupView(container, resolve.pre), post: groupView(container, resolve.post) }

  // Like Vite's `resolveId`: start lazily, but never wait for a `buildStart` in progress (its
  // own `_registerInputsAsSafeModules` resolves through here). On the container itself, not on
  // a view that may be `this`.
  const start = async () => {
    if (!container._started) await container.buildStart()
  }
  const resolveInGroup = (group) => async (id, importer, options) => {
    if (!resolve[group].length) return null
    await start()
    return runVite(resolveViews[group], 'resolveId', [id, importer, options])
  }
  const groups = {
    start,
    resolve: { pre: resolveInGroup('pre'), post: resolveInGroup('post') },
    load: (id) => runVite(loadView, 'load', [id]),
  }

  const runHooks = async (request) => {
    try {
      switch (request.kind) {
        case 'resolveId': {
          const result = await groups.resolve[request.group === 'pre' ? 'pre' : 'post'](request.id, request.importer ?? undefined, {})
          if (!result) return {}
          if (result.meta && !result.external) environment._graphMirror?.noteResolvedMeta(result.id, result.meta)
          return { id: result.id, external: !!result.external }
        }
        case 'load': {
          const result = await groups.load(request.id)
          // Vite keeps the load's `this.addWatchFile` files on the module's node, when it has one,
          // for the module's transform and import analysis.
          const loadWatchFiles = container._getAddedImports?.(request.id)
          const watchFiles = loadWatchFiles?.size ? [...loadWatchFiles] : undefined
          if (result == null) return { watchFiles }
          if (typeof result === 'string') return { code: result, watchFiles }
          return { code: result.code, map: mapString(result.map), moduleType: result.moduleType, watchFiles }
        }
        case 'transform': {
          const view = transformViews[request.group] ?? transformViews.post
          const contexts = new Set()
          const result = await withTransformContexts(contexts, () =>
            runVite(view, 'transform', [
              request.code,
              request.id,
              { moduleType: request.moduleType, inMap: request.map ? JSON.parse(request.map) : undefined },
            ]),
          )
          const watchFiles = addedImports(contexts)
          return {
            code: result.code,
            map: mapString(result.map),
            moduleType: result.moduleType,
            watchFiles: watchFiles.length ? watchFiles : undefined,
          }
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

  const described = {
    resolvePre: describe('resolveId', resolve.pre),
    resolvePost: describe('resolveId', resolve.post),
    load: describe('load', load),
    transformPre: describe('transform', transform.pre),
    transformPost: describe('transform', transform.post),
    transformAfterGlob: describe('transform', transform.afterGlob),
    transformFinal: describe('transform', transform.final),
  }
  native.setPlugins(described, bridge)
  // Part of the persistent cache's key: a plugin added, removed, reordered or refiltered.
  pluginKeys.set(native, JSON.stringify(described))
  return groups
}
