import type { RenderContext } from './entry-server'

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => entities[c]!)
}

export function describe(context: RenderContext): string {
  return `url ${escapeHtml(context.url)}, request #${context.requests}`
}
