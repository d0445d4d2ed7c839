#!/usr/bin/env node
// HMR on a generated graph with barrels (`export *`) and import cycles: Vite 8's own SSR
// environment vs vite-env-native, alternating fresh processes in one run.
//
//   node bench/hmr.mjs [--n 10000] [--edits 10] [--runs 2] [--kind update|reload]
//
// Reports, per edit: server-side latency (watcher `change` event → `update`/`full-reload`
// payload sent to the runner) and the time until the runner re-executed and the entry renders
// the edit. Medians over edits, then over runs.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { makeHmrApp } from './hmr-app.mjs'
import { parseArgs, round, stats } from './harness/lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const args = parseArgs(process.argv.slice(2))
const n = Number(args.n ?? 10000)
const edits = Number(args.edits ?? 10)
const runs = Number(args.runs ?? 2)
const kind = args.kind ?? 'update'
const appDir = join(repo, '.bench-work', `hmr-app-${n}`)
if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
  execFileSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: 'inherit' })
}
makeHmrApp(appDir, n)

function sample(native) {
  const argv = [join(here, 'hmr-run.mjs'), appDir, '--edits', String(edits), '--kind', kind, '--vite-dir', join(repo, 'node_modules', 'vite')]
  if (native) argv.push('--env-pkg', repo)
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 })
  return JSON.parse(out.trim().split('\n').pop())
}

const results = { vite: [], native: [] }
for (let i = 0; i < runs; i++) {
  for (const native of i % 2 ? [true, false] : [false, true]) {
    const r = sample(native)
    results[native ? 'native' : 'vite'].push(r)
    console.log(`run ${i + 1} ${native ? 'native' : 'vite  '} ${r.payloads.join('/')} server p50 ${r.serverMs.median} ms, re-exec p50 ${r.reexecMs.median} ms, rss ${r.rssMB} MB`)
  }
}
const med = (list, key) => stats(list.map((r) => r[key].median)).median
console.log(`\nHMR (${kind}), ${n}-module app with cycles, ${edits} edits × ${runs} runs, Node ${process.version}`)
console.log('| median ms | Vite 8 | vite-env-native | ratio |')
console.log('|---|---|---|---|')
for (const [label, key] of [['server: change → payload', 'serverMs'], ['runner re-executed', 'reexecMs']]) {
  const v = med(results.vite, key)
  const o = med(results.native, key)
  console.log(`| ${label} | ${round(v, 2)} | ${round(o, 2)} | ${round(v / o, 1)}× |`)
}
