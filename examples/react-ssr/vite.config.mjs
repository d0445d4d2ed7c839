import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'
import { nativeEnvironments } from 'vite-env-native'

export default defineConfig({
  // The one line: the `ssr` environment that streams App.jsx runs on the native core.
  plugins: [react(), nativeEnvironments()],
})
