// Public entry of vite-env-native.
export {
  DevEnvironment,
  createRunnableDevEnvironment,
  createServerModuleRunner,
  isNativeEnvironment,
} from './environment.mjs'
export { nativeEnvironments } from './plugin.mjs'
