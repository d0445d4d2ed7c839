import { render as renderSvelte } from 'svelte/server'
import App from './App.svelte'

/** `{ head, body }`: the server-rendered markup, with Svelte's hydration markers. */
export function render() {
  return renderSvelte(App)
}
