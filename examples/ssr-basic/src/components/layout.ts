import { escapeHtml } from '../format'

type LayoutProps = { title: string; body: string; footer: string }

export function layout({ title, body, footer }: LayoutProps): string {
  return `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}${footer}</body></html>`
}
