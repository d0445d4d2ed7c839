// `nativeEnvironments()`: the one-line way to move every server environment onto the native core.
import { createRunnableDevEnvironment } from './environment.mjs'

/**
 * @param {{ environments?: string[] }} [options] restrict to these environment names
 */
export function nativeEnvironments(options = {}) {
  const only = options.environments ? new Set(options.environments) : undefined
  return {
    name: 'vite-env-native',
    // Dev only: `vite build` and `builder.buildApp` never create dev environments, but keep the
    // plugin out of build pipelines entirely.
    apply: 'serve',
    configEnvironment(name, config) {
      const consumer = config.consumer ?? (name === 'client' ? 'client' : 'server')
      if (consumer !== 'server') return
      if (only && !only.has(name)) return
      // An environment whose factory is already chosen (a framework's, the user's) keeps it.
      if (config.dev?.createEnvironment) return
      // Only an explicit value: the resolved config cannot tell it from Vite's default.
      const preTransformRequests = config.dev?.preTransformRequests
      const explicit = typeof preTransformRequests === 'boolean' ? { preTransformRequests } : {}
      return {
        dev: {
          createEnvironment: (envName, envConfig, context) =>
            createRunnableDevEnvironment(envName, envConfig, { ...context, ...explicit }),
        },
      }
    },
  }
}
