import type {
  DevEnvironment as ViteDevEnvironment,
  DevEnvironmentContext,
  Plugin,
  ResolvedConfig,
  RunnableDevEnvironment,
  RunnableDevEnvironmentContext,
  ServerModuleRunnerOptions,
} from 'vite'
import type { ModuleRunner } from './module-runner.mjs'

/** Vite's `DevEnvironment` with resolve/load/transform/graph/fetchModule on the native core. */
export declare class DevEnvironment extends ViteDevEnvironment {
  constructor(name: string, config: ResolvedConfig, context: DevEnvironmentContext & NativeContextOptions)
}

/** Context options of the native environments, beside Vite's. */
export interface NativeContextOptions {
  /**
   * `false` turns off the native pre-transform of static imports (what an explicit
   * `dev.preTransformRequests: false` does through `nativeEnvironments()`). Default: on.
   */
  preTransformRequests?: boolean
  /** The persistent module cache across restarts (see {@link PersistentCacheOption}). Default: on. */
  cache?: PersistentCacheOption
}

/**
 * The persistent module cache across restarts, kept in `<cacheDir>/vite-env-native/<environment>.redb`.
 * `false`: off (nothing is read or written). `true` (the default): on. `{ plugins }`: on, and the
 * `load`/`transform` hooks of these plugins (by name) are declared pure functions of the module's
 * code, id and config, so modules they touch are cached too (otherwise such modules never are).
 * `vite --force` empties the store.
 */
export type PersistentCacheOption = boolean | { plugins?: string[] }

/** Counters of an environment's persistent cache. */
export interface PersistentCacheStats {
  /** Modules served from the store instead of being transformed. */
  hits: number
  /** Modules with no record. */
  misses: number
  /** Records found but no longer valid (source, url or a resolution changed). */
  rejected: number
  /** Records committed to the store. */
  writes: number
  writeErrors: number
  /** How the store was found when the environment started. */
  opened?: 'kept' | 'empty' | 'replaced'
}

/** The counters of `environment`'s persistent cache, `undefined` when it has none. */
export declare function persistentCacheStats(environment: unknown): PersistentCacheStats | undefined

/**
 * The seam for a runner's V8 code cache: bytes per module id and code hash, kept in the
 * environment's store under this Node/V8 version. `undefined` without a persistent cache.
 */
export declare function codeCache(environment: unknown):
  | { get(id: string, codeHash: string): Uint8Array | undefined; put(id: string, codeHash: string, bytes: Uint8Array): void }
  | undefined

/** Drop-in for Vite's `createRunnableDevEnvironment`; the result passes `isRunnableDevEnvironment`. */
export declare function createRunnableDevEnvironment(
  name: string,
  config: ResolvedConfig,
  context?: RunnableDevEnvironmentContext & NativeContextOptions,
): RunnableDevEnvironment

/** Vite's `createServerModuleRunner`, returning vite-env-native's `ModuleRunner` with in-process calls. */
export declare function createServerModuleRunner(
  environment: ViteDevEnvironment,
  options?: ServerModuleRunnerOptions,
): ModuleRunner

/** True when the environment runs on the native core. */
export declare function isNativeEnvironment(environment: unknown): environment is DevEnvironment

export interface NativeEnvironmentsOptions {
  /** Only these environment names (default: every `consumer: 'server'` environment). */
  environments?: string[]
  /**
   * Milliseconds a JS plugin `resolveId`/`load`/`transform` hook may take before its request fails
   * with an error naming the plugin and hook (default 60000, or `VITE_ENV_NATIVE_HOOK_TIMEOUT`;
   * 0 = no bound, as in Vite).
   */
  hookTimeout?: number
  /** The persistent module cache across restarts. Default: on. */
  cache?: PersistentCacheOption
}

/** Vite plugin: moves every server-consumer environment onto the native core in dev. */
export declare function nativeEnvironments(options?: NativeEnvironmentsOptions): Plugin

/** Vite's `moduleRunnerTransform` on the native (swc) transform. */
export declare function moduleRunnerTransform(
  code: string,
  inMap: object | null,
  url: string,
  originalCode: string,
  options?: { json?: { stringify?: boolean } },
): Promise<{ code: string; map: object | null; ssr: true; deps: string[]; dynamicDeps: string[] }>
