import { defineConfig } from 'vite'
import { nativeEnvironments } from 'vite-env-native'

// One line moves every server environment (here: `ssr`) onto the native core.
export default defineConfig({
  plugins: [nativeEnvironments()],
})
