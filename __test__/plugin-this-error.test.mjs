// `this.error({ message, pos })` / `this.error({ message, loc })` in a transform hook (issue 12 #9):
// Vite throws the object with `plugin`, `id`, a computed `loc` and a frame; ours must give the same.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { exampleRoot, startServer } from './helpers.mjs'

const code = 'export const first = 1\nexport const second = first + 1\nexport default second\n'

const raising = {
  name: 'raising-plugin',
  resolveId: (id) => (id.startsWith('virtual:raise-') ? `\0${id}` : undefined),
  load: (id) => (id.startsWith('\0virtual:raise-') ? code : undefined),
  transform(source, id) {
    if (id === '\0virtual:raise-pos') this.error({ message: 'bad at pos', pos: source.indexOf('first +') })
    if (id === '\0virtual:raise-loc') this.error({ message: 'bad at loc', loc: { line: 3, column: 15 } })
    if (id === '\0virtual:raise-string') this.error('plain message', source.indexOf('second'))
  },
}

let servers
before(async () => {
  servers = {
    vite: await startServer(exampleRoot, { native: false, plugins: [raising] }),
    native: await startServer(exampleRoot, { native: true, plugins: [raising] }),
  }
})
after(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()))
})

const shape = (error) => ({
  message: error?.message,
  plugin: error?.plugin,
  id: error?.id,
  loc: error?.loc,
  frame: error?.frame,
})

for (const kind of ['pos', 'loc', 'string']) {
  test(`this.error with ${kind}: runner.import and transformRequest errors equal Vite's`, async () => {
    for (const call of [
      (server) => server.environments.ssr.runner.import(`virtual:raise-${kind}`),
      (server) => server.environments.ssr.transformRequest(`virtual:raise-${kind}`),
    ]) {
      const vite = await call(servers.vite).catch((e) => e)
      const native = await call(servers.native).catch((e) => e)
      assert.ok(vite?.loc, 'Vite computed a loc')
      assert.deepEqual(shape(native), shape(vite))
    }
  })
}
