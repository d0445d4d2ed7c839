// `nativeEnvironments()`: the one-line way to move every server environment onto the native core.
import { DevEnvironment as ViteDevEnvironment, isRunnableDevEnvironment } from 'vite'
import { DevEnvironment, MERGED_OPTIONS, createRunnableDevEnvironment, isNativeEnvironment } from './environment.mjs'
import { HOOK_TIMEOUT } from './plugin-bridge.mjs'
import { cacheSettings } from './persistent-cache.mjs'

/**
 * What kind of environment another factory built: `'native'` (already ours), `'runnable'` (exactly
 * Vite's `RunnableDevEnvironment`), `'dev'` (exactly Vite's `DevEnvironment`), or `undefined` (a
 * class of its own, which we cannot replace without losing its behaviour).
 */
function environmentKind(environment) {
  if (isNativeEnvironment(environment)) return 'native'
  const proto = environment == null ? undefined : Object.getPrototypeOf(environment)
  if (proto === ViteDevEnvironment.prototype) return 'dev'
  // Vite's `RunnableDevEnvironment` extends `DevEnvironment` directly; a subclass of it is custom.
  if (isRunnableDevEnvironment(environment) && Object.getPrototypeOf(proto) === ViteDevEnvironment.prototype) {
    return 'runnable'
  }
  return undefined
}

/**
 * Rebuilds a stock environment another factory made on the native core, with the context it was
 * made with: its hot channel (the factory's transport, with its `hot` setting applied), runner
 * factory and options, remote-runner options and per-environment `options`.
 */
function takeOver(stock, kind, name, config, context) {
  // The stock channel stays the transport; the stock instance must stop answering on it.
  const usesSharedServer = stock.hot === context?.ws
  if (!usesSharedServer) stock.hot.setInvokeHandler(undefined)
  const nativeContext = {
    transport: stock.hot,
    hot: true,
    remoteRunner: stock._remoteRunnerOptions,
    disableDepsOptimizer: stock.depsOptimizer === undefined,
    ...(context && 'cache' in context ? { cache: context.cache } : {}),
    ...(stock._options !== config.environments[name] ? { [MERGED_OPTIONS]: stock._options } : {}),
  }
  if (kind === 'dev') return new DevEnvironment(name, config, nativeContext)
  return createRunnableDevEnvironment(name, config, {
    ...nativeContext,
    runner: stock._runnerFactory,
    runnerOptions: stock._runnerOptions,
  })
}

/**
 * Wraps a factory set by a framework or the user: a stock Vite environment is taken over, a custom
 * class is kept and said so once.
 */
function adoptingFactory(factory) {
  const adopt = (environment, name, config, context) => {
    const kind = environmentKind(environment)
    if (kind === 'native') return environment
    if (kind) return takeOver(environment, kind, name, config, context)
    const className = environment?.constructor?.name || 'an anonymous class'
    config.logger.info(
      `vite-env-native: environment "${name}" stays on its own dev.createEnvironment: it creates ${className}, not Vite's stock DevEnvironment or RunnableDevEnvironment`,
    )
    return environment
  }
  // Synchronous when the factory is, as Vite allows either.
  return function createEnvironment(name, config, context) {
    const environment = factory(name, config, context)
    return typeof environment?.then === 'function'
      ? environment.then((resolved) => adopt(resolved, name, config, context))
      : adopt(environment, name, config, context)
  }
}

/** Applies the plugin's options to an environment it made, before Vite initialises it. */
function configured(environment, options) {
  if (options.hookTimeout !== undefined && isNativeEnvironment(environment)) environment[HOOK_TIMEOUT] = options.hookTimeout
  return environment
}

const settled = (value, then) => (typeof value?.then === 'function' ? value.then(then) : then(value))

/**
 * @param {{ environments?: string[], hookTimeout?: number, cache?: boolean | { plugins?: string[] } }} [options]
 *   `environments`: restrict to these environment names; `hookTimeout`: ms a JS plugin hook may
 *   take before its request fails (default 60000, 0 = no bound); `cache`: the persistent module
 *   cache across restarts (default on; `false` off; `{ plugins }` names plugins whose
 *   `load`/`transform` hooks are pure, so modules they touch are cached too)
 */
export function nativeEnvironments(options = {}) {
  if (options.hookTimeout !== undefined && !(Number.isFinite(options.hookTimeout) && options.hookTimeout >= 0)) {
    throw new TypeError(`nativeEnvironments: hookTimeout must be a number of ms >= 0, got ${options.hookTimeout}`)
  }
  // Checked now: a wrong value fails at config time, not when an environment starts.
  cacheSettings(options.cache)
  const cache = options.cache !== undefined ? { cache: options.cache } : {}
  const only = options.environments ? new Set(options.environments) : undefined
  return {
    name: 'vite-env-native',
    // Dev only: `vite build` and `builder.buildApp` never create dev environments, but keep the
    // plugin out of build pipelines entirely.
    apply: 'serve',
    configEnvironment: {
      // Last, so a factory set by another plugin's `configEnvironment` is seen too.
      order: 'post',
      handler(name, config) {
        const consumer = config.consumer ?? (name === 'client' ? 'client' : 'server')
        if (consumer !== 'server') return
        if (only && !only.has(name)) return
        // Only an explicit value: the resolved config cannot tell it from Vite's default.
        const preTransformRequests = config.dev?.preTransformRequests
        const explicit = typeof preTransformRequests === 'boolean' ? { preTransformRequests } : {}
        const factory = config.dev?.createEnvironment
        const create = factory
          ? adoptingFactory(factory)
          : (envName, envConfig, context) => createRunnableDevEnvironment(envName, envConfig, context)
        return {
          dev: {
            createEnvironment: (envName, envConfig, context) =>
              settled(create(envName, envConfig, { ...context, ...explicit, ...cache }), (environment) =>
                configured(environment, options),
              ),
          },
        }
      },
    },
  }
}
