"const modules = import.meta.glob(['./pages/*.ts', '!./pages/skip.ts'], { import: 'default', query: '?raw', eager: false })
export const eager = import.meta.glob('./data/*.json', { eager: true, import: 'default' })
