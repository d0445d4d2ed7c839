// Public entry of vite-env-native.
export {
  DevEnvironment,
  createRunnableDevEnvironment,
  createServerModuleRunner,
  isNativeEnvironment,
  moduleRunnerTransform,
} from './environment.mjs'
export { nativeEnvironments } from './plugin.mjs'
export { codeCache, persistentCacheStats } from './persistent-cache.mjs'
