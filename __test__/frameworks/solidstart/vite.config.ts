import { solidStart } from '@solidjs/start/config'
import { defineConfig } from 'vite'
import { isNativeEnvironment, nativeEnvironments } from 'vite-env-native'

// Test instrumentation, not part of the app: a header saying whether the SSR environment is
// ours, and VEN_OFF=1 for the reference run on Vite's own environment.
const probe = {
  name: 'probe',
  configureServer(server) {
    server.middlewares.use((req, res, next) => {
      res.setHeader('x-ssr-native', String(isNativeEnvironment(server.environments.ssr)))
      next()
    })
  },
}

export default defineConfig({
  plugins: [solidStart(), probe, ...(process.env.VEN_OFF ? [] : [nativeEnvironments()])],
})
