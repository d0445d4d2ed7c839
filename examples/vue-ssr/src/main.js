import { createSSRApp } from 'vue'
import App from './App.vue'

// One factory for both sides: a fresh app per request on the server, the hydrated one in the browser.
export function createApp() {
  return createSSRApp(App)
}
