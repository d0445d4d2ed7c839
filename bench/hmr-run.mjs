// One HMR benchmark process: cold-load the app, then edit files and time
//   server: the watcher's `change` event → the `update`/`full-reload` payload on environment.hot
//   reexec: that payload → the runner has re-executed the module and the entry renders the edit
// Prints one JSON line. Usage: node hmr-run.mjs <appDir> --edits 10 [--env-pkg <dir>] [--kind update|reload]
import fs from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs, stats, round } from './harness/lib.mjs'
import { ENTRY, moduleFile, startHmrServer } from './hmr-server.mjs'

const args = parseArgs(process.argv.slice(2))
const appDir = path.resolve(args._[0])
const edits = Number(args.edits ?? 10)
const kind = args.kind ?? 'update'
const { server, runner, watcher, entry: cold } = await startHmrServer(args)
const env = server.environments.ssr
let entry = cold
const N = entry.EXPECTED_MODULES
const first = await entry.render('/')
if (first.modules !== N) throw new Error(`rendered ${first.modules} modules, expected ${N}`)

// update: a self-accepting leaf (the last 20 modules accept themselves); reload: a module in the
// middle of the graph with no boundary above it.
const pick = (k) => (kind === 'update' ? N - 1 - (k % 20) : Math.floor(N / 2) + k)
const revRe = /export const (REV_m\d+) = \d+;/

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const emitter = env.hot.api.outsideEmitter
// A full reload makes the runner re-import the entry: observe that call.
let onEntryImport = null
const originalImport = runner.import.bind(runner)
runner.import = (url) => {
  const result = originalImport(url)
  if (url === ENTRY && onEntryImport) {
    onEntryImport(result)
    onEntryImport = null
  }
  return result
}
const samples = []
const originals = new Map()
try {
  for (let k = 1; k <= edits; k++) {
    const i = pick(k)
    const file = moduleFile(appDir, N, i)
    if (!originals.has(file)) originals.set(file, fs.readFileSync(file, 'utf8'))
    let changedAt = 0
    const onChange = (f) => {
      if (path.resolve(f) === file && !changedAt) changedAt = performance.now()
    }
    watcher.prependListener('change', onChange)
    const payload = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no HMR payload for edit ${k}`)), 20000)
      const listener = (p) => {
        if (p.type !== 'update' && p.type !== 'full-reload') return
        clearTimeout(timer)
        emitter.off('send', listener)
        resolve({ p, at: performance.now() })
      }
      emitter.on('send', listener)
    })
    // The runner applies the payload itself: an update ends with its `vite:afterUpdate` event, a
    // full reload with the re-import of the entry it starts.
    const applied = new Promise((resolve) => {
      const listeners = runner.hmrClient.customListenersMap
      const done = () => {
        listeners.set('vite:afterUpdate', (listeners.get('vite:afterUpdate') ?? []).filter((l) => l !== done))
        resolve(performance.now())
      }
      listeners.set('vite:afterUpdate', [...(listeners.get('vite:afterUpdate') ?? []), done])
      onEntryImport = (result) => result.then(() => resolve(performance.now()))
    })
    fs.writeFileSync(file, originals.get(file).replace(revRe, `export const $1 = ${1000 + k};`))
    const { p, at } = await payload
    watcher.off('change', onChange)
    const reexecAt = await applied
    onEntryImport = null
    // Check that the edit really took effect (the module re-executed with the new source).
    const mod = runner.evaluatedModules.getModuleById(file)
    const value = mod?.exports && Object.entries(mod.exports).find(([name]) => name.startsWith('REV_'))?.[1]
    if (value !== 1000 + k) throw new Error(`edit ${k}: the runner has REV ${value}`)
    samples.push({ type: p.type, serverMs: at - changedAt, reexecMs: reexecAt - at })
    await sleep(150)
  }
} finally {
  for (const [file, source] of originals) fs.writeFileSync(file, source)
  await sleep(300)
}
const mem = process.memoryUsage()
console.log(
  JSON.stringify({
    n: N,
    kind,
    payloads: [...new Set(samples.map((s) => s.type))],
    serverMs: stats(samples.map((s) => round(s.serverMs, 2))),
    reexecMs: stats(samples.map((s) => round(s.reexecMs, 2))),
    rssMB: round(mem.rss / 2 ** 20),
  }),
)
await server.close()
process.exit(0)
