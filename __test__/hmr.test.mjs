// File edits in a real dev server (watcher on, HMR on) flow through the native graph: the same
// HMR payloads as Vite's own environment, and the runner sees the new code.
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { copyFixture, exampleRoot, startServer, whenWatched } from './helpers.mjs'

/** Resolves with the first payload of `type` the environment sends to its runners. */
function nextPayload(environment, type) {
  const emitter = environment.hot.api.outsideEmitter
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} payload within 10 s`)), 10_000)
    const listener = (payload) => {
      if (payload.type !== type) return
      clearTimeout(timer)
      emitter.off('send', listener)
      resolve(payload)
    }
    emitter.on('send', listener)
  })
}

async function scenario(native) {
  const fixture = copyFixture(exampleRoot)
  writeFileSync(join(fixture.dir, 'src/accepting.ts'), 'export const value = 1\nimport.meta.hot?.accept()\n')
  writeFileSync(
    join(fixture.dir, 'src/uses-accepting.ts'),
    "import { value } from './accepting'\nexport const read = () => value\n",
  )
  const server = await startServer(fixture.dir, {
    native,
    server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 50 } },
  })
  try {
    const env = server.environments.ssr
    const entry = await env.runner.import('/src/entry-server.ts')
    assert.match(await entry.render('/'), /request #1/)
    await env.runner.import('/src/uses-accepting.ts')

    // A plain edit: no boundary accepts it, so the runner gets a full reload.
    const reload = nextPayload(env, 'full-reload')
    const formatFile = join(fixture.dir, 'src/format.ts')
    await whenWatched(server, formatFile)
    writeFileSync(formatFile, readFileSync(formatFile, 'utf8').replace('request #', 'visit #'))
    const fullReload = await reload
    const fresh = await env.runner.import('/src/entry-server.ts')
    const html = await fresh.render('/')

    // A self-accepting module: an `update` payload naming it as its own boundary.
    const updated = nextPayload(env, 'update')
    await whenWatched(server, join(fixture.dir, 'src/accepting.ts'))
    writeFileSync(join(fixture.dir, 'src/accepting.ts'), 'export const value = 2\nimport.meta.hot?.accept()\n')
    const update = await updated
    return {
      fullReload: { type: fullReload.type, path: fullReload.path },
      rendered: html.includes('visit #'),
      updates: update.updates.map(({ type, path, acceptedPath, explicitImportRequired, isWithinCircularImport }) => ({
        type,
        path,
        acceptedPath,
        explicitImportRequired,
        isWithinCircularImport,
      })),
    }
  } finally {
    await server.close()
    fixture.dispose()
  }
}

test('HMR payloads and re-execution match Vite', async () => {
  const expected = await scenario(false)
  const actual = await scenario(true)
  assert.equal(actual.rendered, true, 'the runner re-executed the edited module')
  assert.deepEqual(actual.updates, [{ type: 'js-update', path: '/src/accepting.ts', acceptedPath: '/src/accepting.ts', explicitImportRequired: false, isWithinCircularImport: false }])
  assert.deepEqual(actual, expected)
})
