import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'
import { nativeEnvironments } from 'vite-env-native'

export default defineConfig({
  // The one line: the `ssr` environment that renders App.vue runs on the native core.
  plugins: [vue(), nativeEnvironments()],
})
