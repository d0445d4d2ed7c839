#!/usr/bin/env node
// Soak (issue 10, "Load"): many concurrent `runner.import`s of overlapping graphs while files
// change underneath, for a fixed time, on a real dev server with its file watcher.
//
//   node --expose-gc bench/soak.mjs [--seconds 60] [--concurrency 500] [--modules 200] [--vite]
//
// `--vite` runs the same load on Vite's own environment, for comparison.
//
// Every import must either succeed with code no older than what the server had announced a reload
// for (200 ms before the import started) or fail with an error naming a broken file. A hang (an import unsettled for 30 s), a stale result or an unclear
// error is a failure: the script prints it and exits 1. Memory (RSS and heap after a full GC) is
// sampled every second; the first and last tenth of the run are compared.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { createServer, createServerModuleRunner as viteRunner } from 'vite'
import { createServerModuleRunner as nativeRunner, nativeEnvironments } from 'vite-env-native'
import { parseArgs } from './harness/lib.mjs'

const args = parseArgs(process.argv.slice(2))
const seconds = Number(args.seconds ?? 60)
const concurrency = Number(args.concurrency ?? 500)
const count = Number(args.modules ?? 200)
const onVite = Boolean(args.vite)
const ENTRIES = Math.min(40, count)
/** Time a reload payload may take to reach the shared runner. */
const REPORT_SLACK_MS = 200
/** After the edits stop: time for the watcher to report the last writes. */
const SETTLE_MS = 2000
const HANG_MS = 30_000

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}
const next = random(7)
const pick = (n) => Math.floor(next() * n)

// A DAG: module i imports two or three modules of higher index, so entries (the lowest indices)
// share most of their graphs. Each module exports the revision of itself and of everything below
// it, as read when it was evaluated.
const deps = Array.from({ length: count }, (_, i) => {
  const above = count - i - 1
  const set = new Set()
  for (let k = 0; k < Math.min(above, 2 + pick(2)); k++) set.add(i + 1 + pick(above))
  return [...set]
})

const dir = mkdtempSync(join(tmpdir(), 'ven-soak-'))
const file = (i) => join(dir, 'src', `m${i}.ts`)
const revision = new Array(count).fill(0)
/** Per module, `[time, revision]` of each write, oldest first. */
const history = Array.from({ length: count }, () => [[0, 0]])
/** Module index → true while its file holds a syntax error. */
const broken = new Set()

function source(i, rev, brokenCode) {
  const imports = deps[i].map((d) => `import { revs as r${d} } from './m${d}'`)
  const body = `export const rev: number = ${rev}\nexport const revs: Record<string, number> = Object.assign({}, ${deps[i]
    .map((d) => `r${d}`)
    .concat(`{ m${i}: rev }`)
    .join(', ')})\n`
  return [...imports, brokenCode ? 'export const oops = (1 +\n' : '', body].join('\n')
}

mkdirSync(join(dir, 'src'))
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }')
for (let i = 0; i < count; i++) writeFileSync(file(i), source(i, 0, false))

function edit() {
  // Half the edits after a break repair it (as a user fixing a typo), the rest edit any file.
  const i = broken.size && next() < 0.5 ? [...broken][0] : pick(count)
  // One edit in 20 breaks the file; the next edit of a broken file repairs it.
  const breakIt = !broken.has(i) && next() < 0.05
  revision[i]++
  writeFileSync(file(i), source(i, revision[i], breakIt))
  history[i].push([Date.now(), revision[i]])
  if (breakIt) broken.add(i)
  else broken.delete(i)
}

/** Per module, `[time, revision on disk]` of each reload the server sent for its file. */
const reported = Array.from({ length: count }, () => [[0, 0]])

/**
 * The revision of module `i` an import started at `time` must see at least: the one on disk when
 * the server last announced a reload of the file, `REPORT_SLACK_MS` before. Under load the watcher
 * and the `watchChange` hooks report edits late, on Vite's own environment too; what the server
 * has invalidated, it must not serve.
 */
function settledRevision(i, time) {
  let rev = 0
  for (const [at, r] of reported[i]) if (at <= time - REPORT_SLACK_MS) rev = r
  return rev
}

const server = await createServer({
  root: dir,
  logLevel: 'silent',
  appType: 'custom',
  server: { middlewareMode: true, ws: false, watch: {} },
  optimizeDeps: { noDiscovery: true },
  plugins: onVite ? [] : [nativeEnvironments()],
})
const environment = server.environments.ssr
// The watcher's initial scan can end well after `ready` under load: an edit of a file not yet
// watched is never reported, to Vite's environment or ours. Start once every file is watched.
const names = new Set(Array.from({ length: count }, (_, i) => `m${i}.ts`))
while ((server.watcher.getWatched()[join(dir, 'src')] ?? []).filter((name) => names.has(name)).length < count) await sleep(50)
const sharedRunner = environment.runner
const reportLag = []
// Vite sends the runners a full reload once it invalidated the file's modules (after the
// watcher's report and every plugin's `watchChange`): from then on, the server must serve the
// edit. The emitter is the one Vite's own runner transports listen on.
const outgoing = environment.hot.api?.outsideEmitter
if (!outgoing) throw new Error("the environment's hot channel has no outsideEmitter to observe reloads on")
// One listener per fresh runner's transport.
outgoing.setMaxListeners(0)
outgoing.on('send', (payload) => {
  const i = Number(/m(\d+)\.ts$/.exec(payload?.triggeredBy ?? '')?.[1])
  if (payload?.type !== 'full-reload' || !Number.isInteger(i)) return
  reported[i].push([Date.now(), revision[i]])
  const written = history[i].findLast(([, r]) => r === revision[i])
  if (written) reportLag.push(Date.now() - written[0])
})
const freshRunner = () => (onVite ? viteRunner : nativeRunner)(environment, { hmr: false, sourcemapInterceptor: false })

const figures = { ok: 0, failedClearly: 0, stale: { shared: 0, fresh: 0 }, examples: [], unclear: [], hung: 0, edits: 0, memory: [] }

async function oneImport() {
  const entry = pick(ENTRIES)
  const started = Date.now()
  // Half the imports share the environment's runner (HMR keeps it current); half use a fresh
  // runner, so every module is fetched and evaluated again.
  const runner = next() < 0.5 ? sharedRunner : freshRunner()
  let timer
  const hang = new Promise((resolve) => {
    timer = setTimeout(resolve, HANG_MS, 'hang')
  })
  try {
    const result = await Promise.race([runner.import(`/src/m${entry}.ts`), hang])
    if (result === 'hang') {
      figures.hung++
      return
    }
    const kind = runner === sharedRunner ? 'shared' : 'fresh'
    const stale = Object.entries(result.revs).filter(([name, rev]) => rev < settledRevision(Number(name.slice(1)), started))
    if (stale.length) {
      figures.stale[kind]++
      if (figures.examples.length < 10) {
        const [name, rev] = stale[0]
        figures.examples.push(`${kind} runner: ${name} at revision ${rev}, ${settledRevision(Number(name.slice(1)), started)} announced by the server before the import started`)
      }
    }
    figures.ok++
  } catch (error) {
    // A clear error names the broken file; any module broken during this import may be it.
    const named = [...history.keys()].some((i) => String(error?.message).includes(`m${i}.ts`))
    if (named) figures.failedClearly++
    else if (figures.unclear.length < 20) figures.unclear.push(String(error?.stack ?? error))
  } finally {
    clearTimeout(timer)
    if (runner !== sharedRunner) await runner.close()
  }
}

const memory = () => {
  globalThis.gc?.()
  const { rss, heapUsed } = process.memoryUsage()
  return { rss, heapUsed }
}

const loopDelay = monitorEventLoopDelay({ resolution: 10 })
loopDelay.enable()
const start = Date.now()
const deadline = start + seconds * 1000
let running = true
const sampler = (async () => {
  while (running) {
    figures.memory.push(memory())
    await sleep(1000)
  }
})()
const editor = (async () => {
  while (running) {
    edit()
    figures.edits++
    await sleep(20 + pick(60))
  }
})()
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      await oneImport()
      // An import of cached modules settles in microtasks only; without a macrotask turn here,
      // the watcher's events and the editor would never run.
      await new Promise(setImmediate)
    }
  }),
)
running = false
loopDelay.disable()
await Promise.all([sampler, editor])

// After the edits stop: repair every broken file, let the watcher catch up, and require current
// code everywhere.
for (const i of broken) {
  revision[i]++
  writeFileSync(file(i), source(i, revision[i], false))
}
broken.clear()
await sleep(SETTLE_MS)
const final = freshRunner()
const finalStale = new Set()
for (let entry = 0; entry < ENTRIES; entry++) {
  const { revs } = await final.import(`/src/m${entry}.ts`)
  for (const [name, rev] of Object.entries(revs)) if (rev !== revision[Number(name.slice(1))]) finalStale.add(`${name} at revision ${rev}, ${revision[Number(name.slice(1))]} on disk`)
}
await final.close()
await server.close()
rmSync(dir, { recursive: true, force: true })

const mb = (bytes) => (bytes / 2 ** 20).toFixed(1)
const tenth = Math.max(1, Math.floor(figures.memory.length / 10))
const average = (samples, key) => samples.reduce((sum, s) => sum + s[key], 0) / samples.length
// The first second is the cold start; then the second tenth, the middle tenth and the last one.
const tenths = [1, Math.floor(figures.memory.length / 2), figures.memory.length - tenth].map((from) => figures.memory.slice(from, from + tenth))
console.log(`soak on ${onVite ? "Vite's own environment" : 'vite-env-native'}: ${seconds} s, ${concurrency} concurrent imports, ${count} modules, ${ENTRIES} entries`)
console.log(`imports: ${figures.ok} ok, ${figures.failedClearly} failed with the broken file named, ${figures.unclear.length} unclear errors, ${figures.stale.shared} stale on the shared runner, ${figures.stale.fresh} stale on fresh runners, ${figures.hung} hung`)
console.log(`edits: ${figures.edits} (1 in 20 breaks a file; the next edit of that file, usually the next edit, repairs it)`)
reportLag.sort((a, b) => a - b)
console.log(`reloads: ${reportLag.length} sent, ${reportLag[Math.floor(reportLag.length / 2)] ?? '-'} ms median and ${reportLag.at(-1) ?? '-'} ms max after the write`)
console.log(`event loop delay: ${(loopDelay.percentile(50) / 1e6).toFixed(0)} ms median, ${(loopDelay.max / 1e6).toFixed(0)} ms max`)
console.log(`memory after GC, early / middle / last tenth: rss ${tenths.map((t) => mb(average(t, 'rss'))).join(' / ')} MB, heap ${tenths.map((t) => mb(average(t, 'heapUsed'))).join(' / ')} MB`)
console.log(`after the edits stopped: ${finalStale.size} modules stale`)
for (const line of [...figures.examples, ...figures.unclear, ...[...finalStale].map((n) => `after the edits: ${n}`)]) console.log(`  ${line}`)
process.exitCode = figures.stale.shared + figures.stale.fresh + figures.unclear.length + figures.hung + finalStale.size ? 1 : 0
