import react from '@astrojs/react'
import { defineConfig } from 'astro/config'
import { isNativeEnvironment, nativeEnvironments } from 'vite-env-native'

// Test instrumentation, not part of the app: a header saying whether Astro's server environments
// (`ssr`, `astro`) are ours ("true": all, "false": none), and VEN_OFF=1 for the reference run on
// Vite's own environment.
const probe = {
  name: 'probe',
  configureServer(server) {
    server.middlewares.use((req, res, next) => {
      const native = ['ssr', 'astro'].map((name) => isNativeEnvironment(server.environments[name]))
      res.setHeader('x-ssr-native', native.every(Boolean) ? 'true' : native.some(Boolean) ? `mixed ${native}` : 'false')
      next()
    })
  },
}

export default defineConfig({
  integrations: [react()],
  vite: {
    plugins: [probe, ...(process.env.VEN_OFF ? [] : [nativeEnvironments()])],
  },
})
