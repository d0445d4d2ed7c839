// The environment classes users meet: Vite's own `DevEnvironment` / `RunnableDevEnvironment`,
// with the per-module work (resolve, load, transform, graph, fetchModule) moved to the native core.

import { existsSync, readFileSync } from 'node:fs'
import {
  createRunnableDevEnvironment as viteCreateRunnableDevEnvironment,
  createServerHotChannel,
  createServerModuleRunnerTransport,
  DevEnvironment as ViteDevEnvironment,
} from 'vite'
import { GraphMirror } from './graph-mirror.mjs'
import { invalidateNatively, nativeHmrPlugin, reloadNatively } from './hmr.mjs'
import { reportDroppedChanges } from './dropped-changes.mjs'
import { createNativePluginContainer, pluginKeyOf, toError } from './plugin-bridge.mjs'
import { cacheSettings, openPersistentCache, persistentCodeCache } from './persistent-cache.mjs'
import { NATIVE, NativeEnvironment, nativeModuleRunnerTransform } from './native.mjs'
import { ModuleRunner, createNodeImportMeta } from './module-runner.mjs'
import { ESModulesEvaluator, LAZY_SOURCE_MAPS } from './runner/evaluator.mjs'
import { HELD_RESULT, MODULE_SOURCE_MAP, SAME_RESULT } from './runner/evaluated-modules.mjs'
import { nativeOptions } from './options.mjs'

/**
 * Vite's `moduleRunnerTransform(code, inMap, url, originalCode, options)` on the native transform:
 * `{ code, map, ssr: true, deps, dynamicDeps }`. Specifiers are kept as written.
 */
export async function moduleRunnerTransform(code, inMap, url, originalCode, options = {}) {
  // Vite's rules: an empty input map is the result's map; one with sources is composed.
  const combine = Boolean(inMap?.mappings && inMap.sources?.length > 0)
  const response = nativeModuleRunnerTransform(code, url, {
    jsonStringify: options.json?.stringify === true,
    inputMap: combine ? JSON.stringify(inMap) : undefined,
    // Otherwise the map's source is `originalCode`, as in Vite: set here rather than escaped
    // into the JSON natively and parsed back.
    sourcesContent: combine,
  })
  if (response.error) throw toError(response.error)
  const { map: json, deps, dynamicDeps } = response.result
  let map = json ? JSON.parse(json) : null
  if (inMap?.mappings === '') map = inMap
  else if (map && !combine) map.sourcesContent = [originalCode]
  return { code: response.result.code, map, ssr: true, deps, dynamicDeps }
}

// `fetchModuleCachedNow` / `fetchModuleHeldNow` answers.
const QUICK_NONE = 0
const QUICK_CACHED = 1
const QUICK_SAME_INVALIDATE = 3

/**
 * Vite's `FetchResult` from the binding's flat record. Asked with `lazySourceMap` (our in-process
 * runner), the code has no inline map and the result holds the native map under a symbol.
 */
function toFetchResult(response, startOffset) {
  if (response.error) throw toError(response.error)
  if (response.cache) return { cache: true }
  if (response.externalize !== undefined) return { externalize: response.externalize, type: response.type }
  const result = { code: response.code, file: response.file, id: response.id, url: response.url, invalidate: response.invalidate }
  if (response.sourceMap) result[MODULE_SOURCE_MAP] = { handle: response.sourceMap, lineOffset: startOffset ?? 0 }
  return result
}

/**
 * Vite's `_skipFsCheck` rule: only a transport that says `skipFsCheck` and is not the WebSocket
 * server (which Vite uses as `hot` unwrapped) skips `server.fs`. Vite's own field when present.
 */
function transportSkipsFsCheck(environment, transport) {
  if (typeof environment._skipFsCheck === 'boolean') return environment._skipFsCheck
  return Boolean(transport && environment.hot !== transport && transport.skipFsCheck)
}

// Native environments per `config.safeModulePaths` set: Vite adds to it (the client
// environment's import analysis, build inputs) and every native environment learns the path.
const safePathSubscribers = new WeakMap()

function shareSafeModulePaths(paths, native) {
  if (!(paths instanceof Set)) return () => {}
  let subscribers = safePathSubscribers.get(paths)
  if (!subscribers) {
    subscribers = new Set()
    safePathSubscribers.set(paths, subscribers)
    const add = paths.add
    paths.add = function addSafeModulePath(path) {
      if (typeof path === 'string' && !this.has(path)) {
        for (const subscriber of subscribers) subscriber.addSafeModulePaths([path])
      }
      return add.call(this, path)
    }
  }
  subscribers.add(native)
  if (paths.size) native.addSafeModulePaths([...paths].filter((p) => typeof p === 'string'))
  return () => subscribers.delete(native)
}

/**
 * Context key (internal): the environment options another factory already merged (Vite keeps no
 * way to recover a `context.options` delta). Read before the native core reads the config.
 */
export const MERGED_OPTIONS = Symbol('vite-env-native.mergedOptions')

function withNativeCore(Base) {
  return class extends Base {
    constructor(name, config, context = {}) {
      super(name, config, context)
      if (context[MERGED_OPTIONS]) this._options = context[MERGED_OPTIONS]
      const skipFsCheck = transportSkipsFsCheck(this, context.transport)
      // Pre-transform of static imports is on unless `dev.preTransformRequests: false` was set
      // explicitly (Vite's resolved `false` is also its default for server environments).
      const preTransform = context.preTransformRequests !== false
      // The persistent cache (on unless `cache: false`); opened in `init`, once plugins are known.
      this._cacheSettings = cacheSettings(context.cache)
      const native = new NativeEnvironment(nativeOptions(name, this.config, { preTransform, skipFsCheck }))
      Object.defineProperty(this, NATIVE, { value: native })
      this._unshareSafeModulePaths = shareSafeModulePaths(this.getTopLevelConfig().safeModulePaths, native)
      const graph = this.moduleGraph
      const mirror = new GraphMirror(native, graph, toError)
      this._graphMirror = mirror
      // Every read of `environment.moduleGraph` first applies the native changes.
      Object.defineProperty(this, 'moduleGraph', {
        configurable: true,
        enumerable: true,
        get() {
          mirror.sync()
          return graph
        },
      })
    }

    async init(options) {
      if (this._initiated) return
      await super.init(options)
      // Our own container in place of the one Vite made (which no code has seen yet): direct
      // `pluginContainer` calls then run the native core steps too (see plugin-bridge.mjs).
      this._pluginContainer = createNativePluginContainer(this, this._pluginContainer, this[NATIVE])
      this._persistentCacheOpened = openPersistentCache(this, this._cacheSettings, pluginKeyOf(this[NATIVE]))
      // Runs after every user `hotUpdate` hook; the container's lists do not use `hotUpdate`.
      this.plugins.push(nativeHmrPlugin(this))
      if (options?.watcher) this._stopReportingDroppedChanges = reportDroppedChanges(options.watcher, this[NATIVE])
    }

    async reloadModule(module) {
      if (this.config.server.hmr === false || !module.file) return
      if (!reloadNatively(this, module)) await super.reloadModule(module)
    }

    invalidateModule(m, client) {
      if (invalidateNatively(this, m) === false) super.invalidateModule(m, client)
    }

    fetchModule(id, importer, options) {
      const native = this[NATIVE]
      // The answers without code are found first, with no options or answer objects crossing:
      // `{ cache: true }`, and for our in-process runner, which may still hold this module's
      // earlier answer (symbol keys never come from a remote runner), "same" for the same
      // transform result.
      const held = options?.[HELD_RESULT]
      const quick =
        held !== undefined
          ? native.fetchModuleHeldNow(id, importer ?? undefined, held)
          : options?.cached === true
            ? native.fetchModuleCachedNow(id, importer ?? undefined)
            : QUICK_NONE
      if (quick !== QUICK_NONE) {
        // As below: a result that is not yet the node's is answered a turn later.
        const answer = quick === QUICK_SAME_INVALIDATE ? new Promise((resolve) => setImmediate(resolve, quick)) : Promise.resolve(quick)
        return answer.then(this.#quickAnswer)
      }
      const fetchOptions = { ...this._remoteRunnerOptions, ...options }
      // Cached modules and externals are answered at once; the rest waits for the native pipeline.
      const now = native.fetchModuleNow(id, importer ?? undefined, fetchOptions)
      let answer
      if (!now) answer = native.fetchModule(id, importer ?? undefined, fetchOptions)
      else if (now.invalidate === true) {
        // A pre-transformed module that is not yet the node's result: Vite would load and transform
        // it now, which takes at least one turn of the event loop, so `process.nextTick` callbacks
        // and microtasks queued by the module evaluated before it run first (issue 12, item 14).
        answer = new Promise((resolve) => setImmediate(resolve, now))
      } else answer = Promise.resolve(now)
      return answer.then((response) => {
        // A module's code was handed out: its node may have a new `transformResult`.
        if (response.code !== undefined) this._graphMirror.resultsMayHaveChanged()
        // Vite's import analysis sends `prune` for modules that lost their last importer.
        if (response.prunedPending) {
          const paths = native.takePruned()
          if (paths.length) this.hot.send({ type: 'prune', paths })
        }
        return toFetchResult(response, fetchOptions.startOffset)
      })
    }

    #quickAnswer = (quick) => this.#quickResult(quick)

    #quickResult(quick) {
      if (quick === QUICK_CACHED) return { cache: true }
      // The held result is the node's again: its `transformResult` may have changed.
      this._graphMirror.resultsMayHaveChanged()
      return { [SAME_RESULT]: true, invalidate: quick === QUICK_SAME_INVALIDATE }
    }

    async transformRequest(url) {
      if (this._closing && this.config.dev.recoverable) {
        const error = new Error('Server is closed')
        error.code = 'ERR_CLOSED_SERVER'
        throw error
      }
      const response = await this[NATIVE].transformRequest(url)
      if (response.error) throw toError(response.error)
      const mirror = this._graphMirror
      mirror.resultsMayHaveChanged()
      // As in Vite, the node's `transformResult` object itself (the same one on every request
      // until the module is invalidated); a result not cached on the node is a new object.
      if (response.version != null) return mirror.resultObject(response.key, response.version, response.result)
      const { code, map, deps, dynamicDeps } = response.result
      return { code, map: map ? JSON.parse(map) : null, ssr: true, deps, dynamicDeps }
    }

    async warmupRequest(url) {
      await this[NATIVE].warmupRequest(url)
      this._graphMirror.resultsMayHaveChanged()
    }

    async close() {
      this._stopReportingDroppedChanges?.()
      this._unshareSafeModulePaths()
      // The runner's pending V8 cache bytes go into the store before it closes.
      this._runner?.evaluator?.flushCodeCache?.()
      this[NATIVE].close()
      await super.close()
    }
  }
}

/** Vite's `DevEnvironment` on the native core. `instanceof` holds for every native environment. */
export class DevEnvironment extends withNativeCore(ViteDevEnvironment) {
  static [Symbol.hasInstance](value) {
    if (this !== DevEnvironment) return Function.prototype[Symbol.hasInstance].call(this, value)
    return value != null && typeof value === 'object' && NATIVE in value
  }
}

/** True when `environment` runs on the native core. */
export const isNativeEnvironment = (environment) => environment instanceof DevEnvironment

// Vite's `RunnableDevEnvironment` class is not exported; `isRunnableDevEnvironment` is an
// `instanceof` check against it. Take the constructor from an instance Vite creates itself.
let NativeRunnableDevEnvironment

function runnableClass(name, config) {
  if (NativeRunnableDevEnvironment) return NativeRunnableDevEnvironment
  const probe = viteCreateRunnableDevEnvironment(name, config, { transport: createServerHotChannel(), hot: false })
  probe.hot.close()
  const ViteRunnable = Object.getPrototypeOf(probe).constructor
  NativeRunnableDevEnvironment = class RunnableDevEnvironment extends withNativeCore(ViteRunnable) {
    get runner() {
      if (!this._runner) this._runner = (this._runnerFactory ?? createServerModuleRunner)(this, this._runnerOptions)
      return this._runner
    }
  }
  return NativeRunnableDevEnvironment
}

/** Drop-in for Vite's `createRunnableDevEnvironment`, on the native core. */
export function createRunnableDevEnvironment(name, config, context = {}) {
  const Runnable = runnableClass(name, config)
  return new Runnable(name, config, {
    ...context,
    transport: context.transport ?? createServerHotChannel(),
    hot: context.hot ?? true,
  })
}

function hmrOptions(environment, options) {
  if (environment.config.server.hmr === false || options.hmr === false) return false
  if (!('api' in environment.hot)) return false
  return {
    logger: options.hmr?.logger ?? {
      debug: (...msg) => environment.logger.info(msg.join(' '), { timestamp: true }),
      error: (err) => environment.logger.error(err instanceof Error ? err.message : String(err), { timestamp: true }),
    },
  }
}

const readFileForStackTrace = {
  retrieveFile: (id) => (existsSync(id) ? readFileSync(id, 'utf-8') : undefined),
}

function sourcemapInterceptor(options) {
  const value = options.sourcemapInterceptor
  if (value != null) {
    if (value === 'prepareStackTrace') return readFileForStackTrace
    if (typeof value === 'object') return { ...readFileForStackTrace, ...value }
    return value
  }
  return typeof process !== 'undefined' && 'setSourceMapsEnabled' in process ? 'node' : readFileForStackTrace
}

/**
 * Vite's `createServerModuleRunner`, with our `ModuleRunner`: module requests are direct
 * in-process calls into the environment (no serialisation), HMR payloads arrive through the
 * environment's server hot channel.
 */
export function createServerModuleRunner(environment, options = {}) {
  const channel = createServerModuleRunnerTransport({ channel: environment.hot })
  const transport = {
    connect: channel.connect,
    disconnect: channel.disconnect,
    send: channel.send,
    invoke: (payload) => environment.hot.handleInvoke(payload),
    // Results are not serialised: the server may keep source maps native (`lazySourceMap`).
    [LAZY_SOURCE_MAPS]: true,
  }
  return new ModuleRunner(
    {
      ...options,
      transport,
      hmr: hmrOptions(environment, options),
      createImportMeta: createNodeImportMeta,
      sourcemapInterceptor: sourcemapInterceptor(options),
    },
    options.evaluator ?? new ESModulesEvaluator({ codeCache: persistentCodeCache(environment) }),
  )
}
