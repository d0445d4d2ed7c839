#!/usr/bin/env node
// Cold SSR of a generated TypeScript app: Vite 8's own ssr environment vs vite-env-native,
// alternating fresh processes in one run. Prints both medians and the ratio.
//
//   node bench/cold-ssr.mjs [--n 1000] [--runs 5]
//
// Each sample is one process of harness/vite-ssr.mjs (the team's shared Vite harness): createServer
// → runner.import('/src/entry-server.ts') → render(), checked against the expected module count.
// Ours is selected with the harness's `--env-pkg <this package>` switch. Needs the release addon
// (`npm install` builds it).
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
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

if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
  execFileSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: 'inherit' })
}

function sample(native) {
  const argv = ['--expose-gc', join(here, 'harness', 'vite-ssr.mjs'), appDir, '--edits', '0', '--vite-dir', viteDir]
  if (native) argv.push('--env-pkg', repo)
  const out = execFileSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 })
  const result = JSON.parse(out.trim().split('\n').pop())
  if (!result.graph?.ok) throw new Error(`${native ? 'native' : 'vite'}: graph has ${result.graph?.ssrModules} modules, expected ${result.graph?.expected}`)
  return result
}

const samples = { vite: [], native: [] }
sample(false) // warm the file system cache and the lazy parts of both
sample(true)
for (let i = 0; i < runs; i++) {
  for (const native of i % 2 ? [true, false] : [false, true]) {
    const r = sample(native)
    samples[native ? 'native' : 'vite'].push(r)
    console.log(`run ${i + 1} ${native ? 'native' : 'vite  '} cold ${r.cold.totalMs} ms (import ${r.cold.importEntryMs}, render ${r.cold.renderMs}, cpu ${r.cold.cpuMs}) rss ${r.memAfterCold.rssMB} MB`)
  }
}

const summary = (list, pick) => stats(list.map(pick))
const row = (label, pick) => {
  const v = summary(samples.vite, pick)
  const o = summary(samples.native, pick)
  return `| ${label} | ${v.median} (${v.min}–${v.max}) | ${o.median} (${o.min}–${o.max}) | ${round(v.median / o.median, 2)}× |`
}
console.log(`\ncold SSR, ${n}-module TypeScript app, ${runs} runs each, Node ${process.version}, vite ${samples.vite[0].vite}`)
console.log('| ms (median, min–max) | Vite 8 | vite-env-native | ratio |')
console.log('|---|---|---|---|')
console.log(row('createServer → render done', (r) => r.cold.totalMs))
console.log(row('runner.import(entry)', (r) => r.cold.importEntryMs))
console.log(row('process CPU', (r) => r.cold.cpuMs))
console.log(row('RSS after cold (MB)', (r) => r.memAfterCold.rssMB))
