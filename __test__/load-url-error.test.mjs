// `ERR_LOAD_URL` errors have Vite's fields: no `id` (ours keeps it natively for its messages).
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { exampleRoot, startServer } from './helpers.mjs'

let servers
before(async () => {
  servers = {
    vite: await startServer(exampleRoot, { native: false }),
    native: await startServer(exampleRoot, { native: true }),
  }
})
after(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()))
})

const calls = {
  'runner.import': (server, url) => server.environments.ssr.runner.import(url),
  transformRequest: (server, url) => server.environments.ssr.transformRequest(url),
  fetchModule: (server, url) => server.environments.ssr.fetchModule(url),
  ssrLoadModule: (server, url) => server.ssrLoadModule(url),
}

const fields = (error) => ({
  code: error?.code,
  keys: Object.keys(error ?? {})
    .filter((key) => ['id', 'plugin', 'loc', 'frame', 'code'].includes(key))
    .sort(),
})

for (const [name, call] of Object.entries(calls)) {
  test(`${name} of a missing file: the error's fields equal Vite's`, async () => {
    for (const url of ['/src/missing.ts', './src/missing.js']) {
      const vite = await call(servers.vite, url).catch((e) => e)
      const native = await call(servers.native, url).catch((e) => e)
      assert.equal(vite?.code, 'ERR_LOAD_URL', `${url}: Vite's code`)
      assert.deepEqual(fields(native), fields(vite), url)
    }
  })
}
