// Files created while the server runs and imported by an edited module (issue 12, item 4): the
// import chain re-executes once per edit.
//
// The watcher reports the `add` of the new file and the `change` of the edited module in either
// order, and the `add` may be handled while the runner re-imports the edited chain. Vite's own
// outcome depends on that race: its propagation stops at the new module while the module is not
// analysed yet (not transformed), but once its runner has evaluated the module, the `add` reloads
// the chain a second time (seen on a loaded machine). So the differential test drives the
// watcher's events itself, with the new module's transform held while the `add` is handled; the
// real-watcher test checks ours alone, in rounds.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { copyFixture, repoRoot, startServer, until, whenWatched } from './helpers.mjs'

const fixtureRoot = join(repoRoot, '__test__', 'fixtures', 'hmr-new-file')
const ROUNDS = 6
const once = Array.from({ length: ROUNDS }, (_, i) => `entry:new${i + 1}`)
const settle = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** Rounds of "create newN.js, edit a.js to re-export it", events emitted by the test. */
async function heldScenario(native) {
  const fixture = copyFixture(fixtureRoot)
  // Holds the transform of the created module until the `add` event was handled.
  let hold
  const entered = new Set()
  let createHandled
  const plugins = [
    {
      name: 'hold-created-module',
      async transform(_code, id) {
        if (!/\/new\d+\.js$/.test(id)) return
        entered.add(id)
        await hold
      },
    },
    {
      name: 'see-create',
      hotUpdate: {
        order: 'post',
        handler({ type, file }) {
          if (type === 'create') createHandled?.(file)
        },
      },
    },
  ]
  // No file watcher: `server.watcher` only relays the events the test emits.
  const server = await startServer(fixture.dir, { native, plugins, server: { middlewareMode: true, ws: false, hmr: true, watch: null } })
  const env = server.environments.ssr
  const rounds = []
  try {
    globalThis.__hmrNewFile = []
    await env.runner.import('/entry.js')
    const edited = join(fixture.dir, 'a.js')
    for (let round = 1; round <= ROUNDS; round++) {
      globalThis.__hmrNewFile = []
      let release
      hold = new Promise((resolve) => (release = resolve))
      const created = join(fixture.dir, `new${round}.js`)
      writeFileSync(created, `export const created = 'new${round}'\n`)
      writeFileSync(edited, `export { created as value } from './new${round}.js'\n`)
      server.watcher.emit('change', edited)
      // The runner re-imports the chain; the created module's transform has started.
      await until(() => entered.has(created), `the transform of new${round}.js`)
      const handled = new Promise((resolve) => (createHandled = (file) => file === created && resolve()))
      server.watcher.emit('add', created)
      await handled
      // The hooks after ours and Vite's own handling of the event.
      await settle(50)
      release()
      await until(() => globalThis.__hmrNewFile.includes(`entry:new${round}`), `the runner to re-execute the entry (round ${round})`)
      // Any further reload.
      await settle(300)
      rounds.push(globalThis.__hmrNewFile.join(','))
    }
    return rounds
  } finally {
    await server.close()
    fixture.dispose()
    delete globalThis.__hmrNewFile
  }
}

/** The same rounds with the real (polling) watcher: both files written at once. */
async function watchedScenario() {
  const fixture = copyFixture(fixtureRoot)
  const server = await startServer(fixture.dir, {
    native: true,
    server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 50 } },
  })
  const env = server.environments.ssr
  const rounds = []
  try {
    globalThis.__hmrNewFile = []
    await env.runner.import('/entry.js')
    const edited = join(fixture.dir, 'a.js')
    await whenWatched(server, edited)
    for (let round = 1; round <= ROUNDS; round++) {
      globalThis.__hmrNewFile = []
      // Written together: the watcher may report either event first.
      writeFileSync(join(fixture.dir, `new${round}.js`), `export const created = 'new${round}'\n`)
      writeFileSync(edited, `export { created as value } from './new${round}.js'\n`)
      await until(() => globalThis.__hmrNewFile.includes(`entry:new${round}`), `the runner to re-execute the entry (round ${round})`)
      // Both events handled, and any further reload run.
      await until(() => server.watcher.getWatched()[fixture.dir]?.includes(`new${round}.js`), 'the watcher to see the new file')
      await settle(400)
      rounds.push(globalThis.__hmrNewFile.join(','))
    }
    return rounds
  } finally {
    await server.close()
    fixture.dispose()
    delete globalThis.__hmrNewFile
  }
}

test('a created file whose `add` is handled while its module loads: the chain re-executes once, as with Vite', async () => {
  assert.deepEqual(await heldScenario(false), once)
  assert.deepEqual(await heldScenario(true), once)
})

test('a created file imported by an edited module, real watcher: the chain re-executes once per edit', async () => {
  assert.deepEqual(await watchedScenario(), once)
})
