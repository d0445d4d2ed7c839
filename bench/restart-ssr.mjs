#!/usr/bin/env node
// Restart with a warm persistent cache vs first start (empty store) vs Vite 8's own environment,
// on the generated TypeScript app, fresh processes alternating in one run:
//
//   node --expose-gc bench/restart-ssr.mjs [--n 1000] [--runs 5] [--cacheless-pkg DIR]
//
// `--cacheless-pkg DIR`: also a build of vite-env-native without the persistent cache (e.g. a
// checkout of the commit before it), as a fourth kind in each round: what the first start's
// writes cost.
//
// Each round runs: Vite, ours with the store deleted first (first start: transforms everything
// and writes the store), ours again (restart: the store the previous process left). Vite's place
// in the round alternates. A bench clears our cache by deleting
// `<cacheDir>/vite-env-native/` (for the generated app `<app>/node_modules/.vite/vite-env-native`),
// or with `optimizeDeps.force` / `vite --force`. Each sample is one process of
// harness/vite-ssr.mjs, checked against the expected module count.
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, round, stats } from './harness/lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, '..')
const args = parseArgs(process.argv.slice(2))
const n = Number(args.n ?? 1000)
const runs = Number(args.runs ?? 5)
const appDir = join(repo, '.bench-work', `app-${n}`)
const viteDir = join(repo, 'node_modules', 'vite')
const store = join(appDir, 'node_modules', '.vite', 'vite-env-native')

if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
  execFileSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: 'inherit' })
}

const cacheless = args['cacheless-pkg']
const kinds = ['vite', 'first', 'restart', ...(cacheless ? ['cacheless'] : [])]

function sample(kind) {
  const argv = ['--expose-gc', join(here, 'harness', 'vite-ssr.mjs'), appDir, '--edits', '0', '--vite-dir', viteDir]
  if (kind === 'cacheless') argv.push('--env-pkg', cacheless)
  else if (kind !== 'vite') argv.push('--env-pkg', repo)
  if (kind === 'first') rmSync(store, { recursive: true, force: true })
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 })
  const result = JSON.parse(out.trim().split('\n').pop())
  if (!result.graph?.ok) throw new Error(`${kind}: graph has ${result.graph?.ssrModules} modules, expected ${result.graph?.expected}`)
  if ((kind === 'first' || kind === 'restart') && !existsSync(store)) throw new Error(`${kind}: no store was written in ${store}`)
  return result
}

const samples = Object.fromEntries(kinds.map((k) => [k, []]))
// Warm the file system cache and the lazy parts of each.
for (const kind of kinds) sample(kind)
for (let i = 0; i < runs; i++) {
  // A restart always follows its first start; the others take turns around the pair.
  const others = kinds.filter((k) => k !== 'first' && k !== 'restart')
  const order = i % 2 ? ['first', 'restart', ...others] : [...others.reverse(), 'first', 'restart']
  for (const kind of order) {
    const r = sample(kind)
    samples[kind].push(r)
    console.log(`run ${i + 1} ${kind.padEnd(7)} ${r.cold.totalMs} ms (import ${r.cold.importEntryMs}, cpu ${r.cold.cpuMs}) rss ${r.memAfterCold.rssMB} MB`)
  }
}

const fmt = (s) => `${s.median} (${s.min}–${s.max})`
const row = (label, pick) => {
  const [v, f, r, c] = ['vite', 'first', 'restart', 'cacheless'].map((k) => samples[k] && stats(samples[k].map(pick)))
  const extra = c ? ` ${fmt(c)} |` : ''
  return `| ${label} | ${fmt(v)} | ${fmt(f)} | ${fmt(r)} |${extra} ${round(v.median / r.median, 2)}× | ${round(f.median / r.median, 2)}× |`
}
// Ratios of the same round's samples: min/median/max over rounds.
const perRound = (a, b, pick) => {
  const s = stats(samples[a].map((x, i) => pick(x) / pick(samples[b][i])))
  return `${round(s.median, 2)}× (${round(s.min, 2)}–${round(s.max, 2)})`
}
console.log(`\nrestart with a warm persistent cache, ${n}-module TypeScript app, ${runs} runs each, Node ${process.version}, vite ${samples.vite[0].vite}`)
console.log(`| ms (median, min–max) | Vite 8 | ours, first start | ours, restart |${cacheless ? ' ours without the cache |' : ''} Vite / restart | first / restart |`)
console.log(`|---|---|---|---|${cacheless ? '---|' : ''}---|---|`)
console.log(row('createServer → render done', (r) => r.cold.totalMs))
console.log(row('runner.import(entry)', (r) => r.cold.importEntryMs))
console.log(row('process CPU', (r) => r.cold.cpuMs))
console.log(row('RSS after start (MB)', (r) => r.memAfterCold.rssMB))
const total = (r) => r.cold.totalMs
console.log(`\nper-round ratios of createServer → render (median, min–max): Vite / restart ${perRound('vite', 'restart', total)}, Vite / first ${perRound('vite', 'first', total)}, first / restart ${perRound('first', 'restart', total)}${cacheless ? `, cacheless / restart ${perRound('cacheless', 'restart', total)}, first / cacheless ${perRound('first', 'cacheless', total)}` : ''}`)
const cpu = (r) => r.cold.cpuMs
console.log(`per-round ratios of process CPU: Vite / restart ${perRound('vite', 'restart', cpu)}, first / restart ${perRound('first', 'restart', cpu)}${cacheless ? `, first / cacheless ${perRound('first', 'cacheless', cpu)}` : ''}`)
