#!/usr/bin/env node
// Memory over many HMR edits (Vite issue #20155: ~4 GB after ~70 updates): RSS and heap after a
// full GC, sampled after the first 100 edits and every 250 after that, for Vite 8's environment
// and vite-env-native, one process each, same run.
//
//   node bench/hmr-memory.mjs [--n 2000] [--cycles 1000]
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeHmrApp } from './hmr-app.mjs'
import { parseArgs, round } from './harness/lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const args = parseArgs(process.argv.slice(2))
const n = Number(args.n ?? 2000)
const cycles = Number(args.cycles ?? 1000)
const appDir = join(repo, '.bench-work', `hmr-app-${n}`)
if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
  execFileSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: 'inherit' })
}
makeHmrApp(appDir, n)

const results = {}
for (const native of [false, true]) {
  const argv = ['--expose-gc', join(here, 'hmr-memory-run.mjs'), appDir, '--cycles', String(cycles), '--vite-dir', join(repo, 'node_modules', 'vite')]
  if (native) argv.push('--env-pkg', repo)
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 })
  results[native ? 'native' : 'vite'] = JSON.parse(out.trim().split('\n').pop())
}
console.log(`\nmemory over ${cycles} HMR edits, ${n}-module app, Node ${process.version} (after a full GC)`)
console.log('| after edit | Vite 8 RSS / heap (MB) | vite-env-native RSS / heap (MB) |')
console.log('|---|---|---|')
const rows = results.vite.samples.map((v, i) => {
  const o = results.native.samples[i]
  return `| ${v.cycle} | ${v.rssMB} / ${v.heapMB} | ${o.rssMB} / ${o.heapMB} |`
})
console.log(rows.join('\n'))
const growth = (r) => {
  const first = r.samples[0]
  const last = r.samples[r.samples.length - 1]
  return `${round(last.rssMB - first.rssMB)} MB RSS, ${round(last.heapMB - first.heapMB)} MB heap`
}
console.log(`edits the file watcher missed and that were written again: Vite ${results.vite.rewrites}, vite-env-native ${results.native.rewrites}`)
console.log(`growth from edit ${results.vite.samples[0].cycle} to ${cycles}: Vite ${growth(results.vite)}; vite-env-native ${growth(results.native)}`)
