import { escapeHtml } from '../format'

export interface Item {
  id: number
  name: string
  tags: readonly string[]
}

enum Marker {
  Bullet = '•',
  Dash = '–',
}

export const renderList = (items: Item[], marker: Marker = Marker.Bullet): string =>
  `<ul>${items.map((item) => `<li data-id="${item.id}">${marker} ${escapeHtml(item.name)} <small>${item.tags.join(', ')}</small></li>`).join('')}</ul>`
