// `import.meta.hot.acceptExports` with and without Vite's `experimental.hmrPartialAccept`,
// through a real dev server with file edits: Vite's own environment and runner against ours,
// same module evaluations, callbacks and payloads.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { copyFixture, repoRoot, startServer, until, whenWatched } from './helpers.mjs'

const fixture = join(repoRoot, '__test__', 'fixtures', 'hmr-partial')
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** Waits until the runner's log has not changed for 300 ms (the update is fully applied). */
async function settled() {
  let length = -1
  while (length !== globalThis.__HMR_LOG__.length) {
    length = globalThis.__HMR_LOG__.length
    await sleep(300)
  }
}

async function run({ native, partialAccept }) {
  const copy = copyFixture(fixture)
  globalThis.__HMR_LOG__ = []
  const payloads = []
  const server = await startServer(copy.dir, {
    native,
    experimental: { hmrPartialAccept: partialAccept },
    server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 20 } },
  })
  const env = server.environments.ssr
  env.hot.api.outsideEmitter.on('send', (p) => {
    if (p.type === 'update') payloads.push(p.updates.map((u) => `${u.path} <- ${u.acceptedPath}`))
    else if (p.type === 'full-reload') payloads.push('full-reload')
  })
  const edit = async (file, from, to) => {
    const path = join(copy.dir, 'src', file)
    const count = payloads.length
    await whenWatched(server, path)
    writeFileSync(path, readFileSync(path, 'utf8').replace(from, to))
    await until(() => payloads.length > count, `a payload for ${file}`)
    await settled()
    return globalThis.__HMR_LOG__.splice(0)
  }
  try {
    await env.runner.import('/src/entry.ts')
    const steps = { cold: globalThis.__HMR_LOG__.splice(0) }
    const graph = env.moduleGraph
    const user = graph.getModuleById(join(copy.dir, 'src', 'dynamic-user.ts'))
    steps.bindings = user.importedBindings && Object.fromEntries([...user.importedBindings].map(([id, names]) => [id.slice(copy.dir.length), [...names].sort()]))
    steps.exports = await edit('exports.ts', "'a-1'", "'a-2'")
    steps.all = await edit('all.ts', "'x-1'", "'x-2'")
    steps.lazy = await edit('lazy.ts', "'lazy-1'", "'lazy-2'")
    // Vite (SSR): a module that was self-accepting stays a boundary after its accept() is gone.
    steps.unaccept = await edit('sticky.ts', 'if (import.meta.hot) import.meta.hot.accept()', '')
    steps.sticky = await edit('sticky.ts', "'s-1'", "'s-2'")
    return { steps, payloads }
  } catch (error) {
    error.message = `${native ? 'native' : 'vite'}: ${error.message}; payloads ${JSON.stringify(payloads)}`
    throw error
  } finally {
    await server.close()
    copy.dispose()
  }
}

for (const partialAccept of [true, false]) {
  test(`acceptExports with hmrPartialAccept ${partialAccept}: same logs and payloads as Vite`, async () => {
    const expected = await run({ native: false, partialAccept })
    const actual = await run({ native: true, partialAccept })
    assert.deepEqual(actual, expected)
    if (partialAccept) {
      // The importer of only accepted exports is not re-executed; the other one is.
      assert.deepEqual(expected.payloads[0], ['/src/exports.ts <- /src/exports.ts', '/src/uses-other.ts <- /src/uses-other.ts'])
      assert.deepEqual(expected.steps.bindings, { '/src/lazy.ts': ['*', 'other'], '/src/log.ts': ['log'] })
    } else {
      assert.equal(expected.payloads[0], 'full-reload')
    }
    // A module that accepts every export it has is self-accepting either way.
    assert.deepEqual(expected.payloads[1], ['/src/all.ts <- /src/all.ts'])
    assert.deepEqual(expected.payloads.at(-1), ['/src/sticky.ts <- /src/sticky.ts'])
  })
}
