import { defineConfig } from 'vite'
import { nativeEnvironments } from 'vite-env-native'

export default defineConfig({
  // The one line: `ssrLoadModule` runs on the native `ssr` environment.
  plugins: [nativeEnvironments()],
})
