import { counterLabel } from './counter.ts'

export function render(url: string): string {
  return `<h1>Hello from Express</h1>
<p>Rendered on the server for <code>${escapeHtml(url)}</code>.</p>
<button type="button" id="counter">${counterLabel(0)}</button>`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
