import { layout } from './components/layout'
import { renderList, type Item } from './components/list'
import * as format from './format'
import counter, { increment } from './state'
import { routes } from './routes.json'

export interface RenderContext {
  url: string
  requests: number
}

const items: Item[] = [
  { id: 1, name: 'resolve', tags: ['oxc_resolver'] },
  { id: 2, name: 'transform', tags: ['swc', 'module runner'] },
  { id: 3, name: 'graph', tags: ['dashmap'] },
]

export async function render(url: string): Promise<string> {
  increment()
  const context: RenderContext = { url, requests: counter.value }
  const { footer } = await import('./components/footer')
  const route = routes.find((r) => r.path === url) ?? { path: url, title: 'Not found' }
  return layout({
    title: `${import.meta.env.VITE_APP_TITLE} · ${route.title}`,
    body: `${renderList(items)}<p>${format.describe(context)}</p>`,
    footer: footer(import.meta.env.SSR, import.meta.env.MODE),
  })
}
