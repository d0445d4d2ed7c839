// HMR behaviours of Vite's playground/hmr-ssr, through a real dev server with file edits:
// Vite's own environment (with Vite's runner) and ours (with our runner) must log the same
// module evaluations and callbacks and send the same payloads.
import assert from 'node:assert/strict'
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { copyFixture, repoRoot, startServer, until, whenWatched } from './helpers.mjs'

const fixture = join(repoRoot, '__test__', 'fixtures', 'hmr')

async function run(native) {
  const copy = copyFixture(fixture)
  globalThis.__HMR_LOG__ = []
  const payloads = []
  const counterFile = join(copy.dir, 'src', 'counter.txt')
  // A virtual module built from a file, updated through a `hotUpdate` hook like framework plugins do.
  const virtualCounter = {
    name: 'virtual-counter',
    resolveId(id) {
      if (id === 'virtual:counter') return '\0virtual:counter'
    },
    load(id) {
      if (id !== '\0virtual:counter') return
      this.addWatchFile(counterFile)
      return `export const count = ${Number(readFileSync(counterFile, 'utf8'))}`
    },
    hotUpdate({ file }) {
      if (file !== counterFile) return
      const graph = this.environment.moduleGraph
      const mod = graph.getModuleById('\0virtual:counter')
      if (!mod) return []
      graph.invalidateModule(mod)
      return [mod]
    },
  }
  const server = await startServer(copy.dir, {
    native,
    plugins: [virtualCounter],
    server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 20 } },
  })
  const env = server.environments.ssr
  env.hot.api.outsideEmitter.on('send', (p) => {
    if (p.type === 'connected' || (p.type === 'custom' && p.event === 'vite:invoke')) return
    payloads.push(p.type === 'update' ? { type: 'update', updates: p.updates.map((u) => `${u.path} <- ${u.acceptedPath}`) } : p.type === 'full-reload' ? { type: 'full-reload' } : p.type === 'prune' ? { type: 'prune', paths: p.paths } : { type: p.type, event: p.event })
  })
  const log = () => globalThis.__HMR_LOG__
  const logged = (line) => () => log().includes(line)
  const edit = async (file, from, to) => {
    const path = join(copy.dir, 'src', file)
    await whenWatched(server, path)
    writeFileSync(path, readFileSync(path, 'utf8').replace(from, to))
  }
  const steps = {}
  try {
    await env.runner.import('/src/entry.ts')
    steps.cold = [...log()]

    const mark = (name) => {
      steps[name] = log().splice(0)
    }
    mark('cold')
    await edit('self.ts', 'value: number = 1', 'value: number = 2')
    await until(logged('self accept 2'), 'self accept')
    mark('self-accept')

    await edit('dep.ts', "'dep-1'", "'dep-2'")
    await until(logged('parent accepts dep dep-2'), 'accept dep')
    mark('accept-dep')

    await edit('leaf.ts', "'leaf-1'", "'leaf-2'")
    await until(logged('top evaluated mid(leaf-2)'), 'nested propagation')
    mark('nested')

    await edit('inv.ts', "'inv-1'", "'inv-2'")
    await until(logged('inv-parent evaluated with inv-2'), 'invalidate')
    mark('invalidate')

    env.hot.send('test:ping', { n: 7 })
    await until(logged('ping 7'), 'custom event')
    mark('custom-event')

    await edit('pruner.ts', "import { pruned } from './pruned'", 'const pruned = 0')
    await until(logged('pruner evaluated 0'), 'pruner re-evaluated')
    await until(() => payloads.some((p) => p.type === 'prune'), 'prune payload')
    await until(logged('pruned prune callback'), 'prune callback')
    mark('prune')

    await edit('cyc-a.ts', "'a-1'", "'a-2'")
    await until(() => log().some((l) => l.startsWith('cyc-a evaluated a-2')), 'circular self-accept')
    mark('circular')

    await whenWatched(server, counterFile)
    writeFileSync(counterFile, '2')
    await until(logged('virtual-user evaluated 2'), 'virtual module update')
    mark('virtual')

    await edit('plain.ts', "'plain-1'", "'plain-2'")
    await until(() => payloads.some((p) => p.type === 'full-reload'), 'full reload')
    // The runner re-executes the whole entry; `del-parent` is the last module it evaluates.
    await until(logged('del-parent evaluated here'), 'entry re-executed')
    mark('full-reload')

    // Circular invalidation: a self-accepting module in a cycle invalidates itself; its importer
    // accepts it, which Vite turns into a full reload ("circular import invalidate").
    const reloads = () => payloads.filter((p) => p.type === 'full-reload').length
    const reloadsBefore = reloads()
    await edit('inv-circ-a.ts', "'a-1'", "'a-2'")
    await until(() => reloads() > reloadsBefore, 'circular invalidate full reload')
    await until(logged('del-parent evaluated here'), 'entry re-executed after the circular invalidate')
    mark('circular-invalidate')

    // Delete and restore last: the watcher may report a restore as both `add` and `change`, so
    // only the first reaction is compared; the module must come back either way.
    const deletable = join(copy.dir, 'src', 'deletable.ts')
    const deletableSource = readFileSync(deletable, 'utf8')
    const before = payloads.length
    await whenWatched(server, deletable)
    unlinkSync(deletable)
    await until(() => payloads.length > before, 'payload for the deleted file')
    steps.deleted = payloads[before]
    writeFileSync(deletable, deletableSource.replace("'here'", "'back'"))
    await until(logged('del-parent evaluated back'), 'restore')
    return { steps, payloads }
  } catch (error) {
    error.message = `${native ? 'native' : 'vite'}: ${error.message}; payloads ${JSON.stringify(payloads)}`
    throw error
  } finally {
    await server.close()
    copy.dispose()
  }
}

test('hmr-ssr behaviours: same logs and payloads as Vite', async () => {
  const expected = await run(false)
  const actual = await run(true)
  for (const step of Object.keys(expected.steps)) assert.deepEqual(actual.steps[step], expected.steps[step], step)
  // Payloads up to the deletion (the watcher's restore events may come as one or two).
  const upToDelete = (r) => r.payloads.slice(0, r.payloads.indexOf(r.steps.deleted) + 1)
  assert.deepEqual(upToDelete(actual), upToDelete(expected))
  assert.ok(actual.steps['self-accept'].includes('self dispose 1'))
  assert.ok(actual.payloads.some((p) => p.type === 'prune'))
  assert.ok(actual.steps['circular-invalidate'].includes('inv-circ-a invalidates itself'))
})
