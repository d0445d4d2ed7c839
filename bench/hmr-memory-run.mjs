// One process of bench/hmr-memory.mjs: cold load, then many HMR edit cycles of a self-accepting
// module, each waited for until the runner applied it; RSS and heap (after a full GC) sampled.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs, importPackage, round } from './harness/lib.mjs'

const args = parseArgs(process.argv.slice(2))
const appDir = path.resolve(args._[0])
const cycles = Number(args.cycles ?? 1000)
const { mod: vite } = await importPackage(path.resolve(args['vite-dir']))
const envPkg = args['env-pkg'] ? (await importPackage(path.resolve(args['env-pkg']))).mod : null
const server = await vite.createServer({
  root: appDir,
  logLevel: 'error',
  appType: 'custom',
  // No client websocket: only the server-side channel of the SSR runner is measured.
  server: { middlewareMode: true, hmr: true, ws: false },
  optimizeDeps: { noDiscovery: true },
  plugins: envPkg ? [envPkg.nativeEnvironments()] : [],
})
const runner = server.environments.ssr.runner
const entry = await runner.import('/src/entry-server.ts')
const n = entry.EXPECTED_MODULES
const width = Math.max(4, String(n - 1).length)
const file = path.join(appDir, `src/mods/g${String(Math.floor((n - 1) / 50)).padStart(2, '0')}/m${String(n - 1).padStart(width, '0')}.ts`)
const original = fs.readFileSync(file, 'utf8')
const revRe = /export const (REV_m\d+) = \d+;/
const watcher = server.watcher
if (!watcher._readyEmitted) await Promise.race([new Promise((r) => watcher.once('ready', r)), new Promise((r) => setTimeout(r, 60_000))])
// One cycle = the server sent the edit's HMR payload and the runner finished handling it
// (`vite:afterUpdate`; a module inside an import cycle makes Vite's runner reload instead, so
// after at most 200 ms the next edit starts anyway).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const emitter = server.environments.ssr.hot.api.outsideEmitter
const listeners = runner.hmrClient.customListenersMap
function nextCycle() {
  const payload = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no HMR payload within 10 s')), 10_000)
    const on = (p) => {
      if (p.type !== 'update' && p.type !== 'full-reload') return
      clearTimeout(timer)
      emitter.off('send', on)
      resolve()
    }
    emitter.on('send', on)
  })
  const handled = new Promise((resolve) => {
    const done = () => {
      listeners.set('vite:afterUpdate', (listeners.get('vite:afterUpdate') ?? []).filter((l) => l !== done))
      resolve()
    }
    listeners.set('vite:afterUpdate', [...(listeners.get('vite:afterUpdate') ?? []), done])
  })
  return payload.then(() => Promise.race([handled, sleep(200)]))
}
const measure = () => {
  globalThis.gc?.()
  const m = process.memoryUsage()
  return { rssMB: round(m.rss / 2 ** 20), heapMB: round(m.heapUsed / 2 ** 20) }
}
const samples = []
try {
  for (let k = 1; k <= cycles; k++) {
    // The watcher drops a change whose mtime equals the previous one: keep edits apart.
    await sleep(40)
    const cycle = nextCycle()
    fs.writeFileSync(file, original.replace(revRe, `export const $1 = ${k};`))
    await cycle
    if (k === Math.min(100, cycles) || k % 250 === 0) samples.push({ cycle: k, ...measure() })
  }
} finally {
  fs.writeFileSync(file, original)
}
console.log(JSON.stringify({ n, cycles, samples }))
await server.close()
process.exit(0)
