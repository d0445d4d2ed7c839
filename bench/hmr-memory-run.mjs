// One process of bench/hmr-memory.mjs: cold load, then many HMR edit cycles of a self-accepting
// module, each waited for until the runner applied it; RSS and heap (after a full GC) sampled.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs, round } from './harness/lib.mjs'
import { moduleFile, startHmrServer } from './hmr-server.mjs'

const args = parseArgs(process.argv.slice(2))
const appDir = path.resolve(args._[0])
const cycles = Number(args.cycles ?? 1000)
const { server, runner, entry, watcher } = await startHmrServer(args)
const n = entry.EXPECTED_MODULES
const file = moduleFile(appDir, n, n - 1)
const original = fs.readFileSync(file, 'utf8')
const revRe = /export const (REV_m\d+) = \d+;/
// One cycle = the server sent the edit's HMR payload and the runner finished handling it
// (`vite:afterUpdate`; a module inside an import cycle makes Vite's runner reload instead, so
// after at most 200 ms the next edit starts anyway).
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const emitter = server.environments.ssr.hot.api.outsideEmitter
const listeners = runner.hmrClient.customListenersMap
let rewrites = 0
function nextCycle(write) {
  const payload = new Promise((resolve, reject) => {
    // The file watcher occasionally misses one of these back-to-back edits: write again once
    // (counted and reported) before giving up.
    const retry = setTimeout(() => {
      rewrites++
      write(`\n// rewrite ${rewrites}\n`)
    }, 3_000)
    const timer = setTimeout(() => reject(new Error('no HMR payload within 10 s')), 10_000)
    const on = (p) => {
      if (p.type !== 'update' && p.type !== 'full-reload') return
      clearTimeout(timer)
      clearTimeout(retry)
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
    // The file watcher throttles change events of one file (tens of ms): keep edits apart, or a
    // faster server's next edit lands inside the window and is dropped.
    await sleep(150)
    const write = (suffix = '') => fs.writeFileSync(file, original.replace(revRe, `export const $1 = ${k};`) + suffix)
    const cycle = nextCycle(write)
    write()
    await cycle
    if (k === Math.min(100, cycles) || k % 250 === 0) samples.push({ cycle: k, ...measure() })
  }
} finally {
  fs.writeFileSync(file, original)
}
console.log(JSON.stringify({ n, cycles, rewrites, samples }))
await server.close()
process.exit(0)
