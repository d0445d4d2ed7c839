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
}

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
