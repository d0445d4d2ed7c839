import { defineConfig } from 'vitest/config'
import { nativeEnvironments } from 'vite-env-native'

export default defineConfig({
  // VEN_OFF=1: Vite's own environments, the reference run.
  plugins: process.env.VEN_OFF === '1' ? [] : [nativeEnvironments()],
  define: { __APP_NAME__: JSON.stringify('ven-vitest') },
  test: { include: ['test/**/*.test.ts'] },
})
