import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'vite'
import { nativeEnvironments } from 'vite-env-native'

export default defineConfig({
  // The one line: the `ssr` environment that renders App.svelte runs on the native core.
  plugins: [svelte(), nativeEnvironments()],
})
