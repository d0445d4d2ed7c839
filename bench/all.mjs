#!/usr/bin/env node
// `npm run bench`: every comparison bench in one run, then one table with every target of the
// performance programme (issue 14), printed and written to bench/results/latest.md (the raw
// samples to bench/results/latest.json).
//
//   npm run bench [-- --sizes 1000,5000,10000 --runs 3 --large-runs 1 --warm-runs 3 --edits 5
//                    --large-warmup --hmr-n 10000 --hmr-edits 3 --hmr-runs 2 --frameworks --fw-runs 3
//                    --skip cold,warm,hmr --nice 0 --env-pkg <dir> --out bench/results/latest.md]
//   (--env-pkg: the package measured as ours, default this checkout: e.g. a copy of main;
//    --env-label names it in the header)
//   npm run bench -- --full     # 5 rounds per size (3 at 10,000, with warm-up), 5 warm
//                               # processes, 10 HMR edits, and the framework apps
//
// Defaults are modest (about 15 min on a loaded 2-core machine). Every ratio pairs samples of
// the same round (processes run back to back, alternating order); only those ratios are
// comparable across runs, absolute times move with the machine's load.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { coldReport, runCold } from './cold-ssr.mjs'
import { fmtNum, fmtRatio, here, machine, mdTable, met, pairedRatios } from './common.mjs'
import { hmrReport, runHmr } from './hmr.mjs'
import { parseArgs, stats } from './harness/lib.mjs'
import { runWarm, warmReport } from './warm.mjs'

const args = parseArgs(process.argv.slice(2))
const full = !!args.full
const num = (key, dflt) => Number(args[key] ?? dflt)
const opts = {
  sizes: String(args.sizes ?? '1000,5000,10000')
    .split(',')
    .map(Number),
  runs: num('runs', full ? 5 : 3),
  largeRuns: num('large-runs', full ? 3 : 1),
  largeWarmup: full || !!args['large-warmup'],
  warmN: num('warm-n', 1000),
  warmRuns: num('warm-runs', full ? 5 : 3),
  edits: num('edits', 5),
  hmrN: num('hmr-n', 10000),
  hmrEdits: num('hmr-edits', full ? 10 : 3),
  hmrRuns: num('hmr-runs', 2),
  frameworks: full || !!args.frameworks,
  fwRuns: num('fw-runs', 3),
  nice: num('nice', 0),
  envPkg: resolve(args['env-pkg'] ?? join(here, '..')),
}
const skip = new Set(String(args.skip ?? '').split(',').filter(Boolean))
const outFile = resolve(args.out ?? join(here, 'results', 'latest.md'))

const started = Date.now()
const host = machine()
const log = (line) => console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`)
const results = { machine: host, opts }
if (!skip.has('cold')) results.cold = await runCold({ sizes: opts.sizes, runs: opts.runs, largeRuns: opts.largeRuns, largeWarmup: opts.largeWarmup, nice: opts.nice, envPkg: opts.envPkg, log })
if (!skip.has('warm')) results.warm = await runWarm({ n: opts.warmN, runs: opts.warmRuns, edits: opts.edits, nice: opts.nice, envPkg: opts.envPkg, log })
if (!skip.has('hmr')) results.hmr = await runHmr({ n: opts.hmrN, edits: opts.hmrEdits, runs: opts.hmrRuns, kind: 'reload', nice: opts.nice, envPkg: opts.envPkg, log })
if (opts.frameworks && !skip.has('frameworks')) {
  const { runFrameworks } = await import('./frameworks.mjs')
  results.frameworks = await runFrameworks({ runs: opts.fwRuns, log: (row) => log(JSON.stringify(row)) })
}
results.machine.loadavgEnd = machine().loadavg
results.minutes = Math.round((Date.now() - started) / 6000) / 10

// ---- the targets table
const k = (n) => Number(n).toLocaleString('en-US')
const med = (list) => stats(list)?.median
const ms = (list) => (list?.length ? `${fmtNum(med(list))} ms` : '–')
const rows = []
/** One row: figure, ours, Vite, floor, ratio stats, target text, met. */
const row = (figure, ours, vite, floor, ratio, target) => rows.push([figure, ours, vite, floor, fmtRatio(ratio), target ? `${target[0] === '>=' ? '≥' : '≤'} ${target[1]}×` : 'reported', target ? met(ratio, ...target) : '–'])
const notRun = (figure, why) => rows.push([figure, '–', '–', '–', '–', '', `not run (${why})`])

const cold = results.cold?.sizes
const times = (n, kind) => cold?.[n]?.[kind]?.map((r) => r.totalMs)
if (cold) {
  for (const n of Object.keys(cold)) {
    const targeted = Number(n) <= 5000
    row(`cold SSR, first start, ${k(n)}: Vite ÷ ours`, ms(times(n, 'first')), ms(times(n, 'vite')), ms(times(n, 'floor')), pairedRatios(times(n, 'vite'), times(n, 'first')), targeted && ['>=', 8])
    row(`cold SSR, first start, ${k(n)}: ours ÷ floor`, ms(times(n, 'first')), ms(times(n, 'vite')), ms(times(n, 'floor')), pairedRatios(times(n, 'first'), times(n, 'floor')), targeted && ['<=', 1.2])
    // Process CPU time moves less with the machine's load than wall time (all threads counted).
    const cpu = (kind) => cold[n][kind].map((r) => r.cpuMs)
    row(`cold SSR, first start, ${k(n)}, process CPU: Vite ÷ ours`, ms(cpu('first')), ms(cpu('vite')), ms(cpu('floor')), pairedRatios(cpu('vite'), cpu('first')))
    row(`cold SSR, first start, ${k(n)}, process CPU: ours ÷ floor`, ms(cpu('first')), ms(cpu('vite')), ms(cpu('floor')), pairedRatios(cpu('first'), cpu('floor')))
  }
  for (const n of Object.keys(cold)) {
    const targeted = Number(n) <= 5000
    row(`restart (cache of the previous process), ${k(n)}: ours ÷ floor`, ms(times(n, 'restart')), ms(times(n, 'vite')), ms(times(n, 'floor')), pairedRatios(times(n, 'restart'), times(n, 'floor')), targeted && ['<=', 1.0])
    row(`restart (cache of the previous process), ${k(n)}: Vite ÷ ours`, ms(times(n, 'restart')), ms(times(n, 'vite')), ms(times(n, 'floor')), pairedRatios(times(n, 'vite'), times(n, 'restart')), targeted && ['>=', 10])
  }
} else notRun('cold SSR, first start and restart', '--skip cold')

if (results.warm) {
  const w = results.warm
  for (const [kind, s] of Object.entries(w.kinds)) {
    const v = s.vite.map((r) => r.ms)
    const o = s.ours.map((r) => r.ms)
    const label = kind === 'edit' ? `warm re-import after a one-leaf edit, ${k(w.n)}: Vite ÷ ours` : `warm re-import after invalidateAll(), ${k(w.n)}: Vite ÷ ours`
    row(label, ms(o), ms(v), '–', pairedRatios(v, o), kind === 'edit' && ['>=', 4])
  }
} else notRun('warm re-import after a one-leaf edit', '--skip warm')

if (results.hmr) {
  const h = results.hmr
  const v = h.vite.map((r) => r.reexecMs.median)
  const o = h.ours.map((r) => r.reexecMs.median)
  row(`HMR full reload, ${k(h.n)}: runner re-executed, Vite ÷ ours`, ms(o), ms(v), '–', pairedRatios(v, o), ['>=', 3])
  const vs = h.vite.map((r) => r.serverMs.median)
  const os = h.ours.map((r) => r.serverMs.median)
  row(`HMR full reload, ${k(h.n)}: server change → payload, Vite ÷ ours`, `${fmtNum(med(os), 1)} ms`, `${fmtNum(med(vs), 1)} ms`, '–', pairedRatios(vs, os))
} else notRun('HMR full reload', '--skip hmr')

if (cold) {
  const sizes = Object.keys(cold).map(Number)
  const lo = Math.min(...sizes)
  const hi = Math.max(...sizes)
  if (hi > lo) {
    // Different sizes run in different rounds: the range is over every pair of samples.
    const cross = (kind) => stats(times(hi, kind).flatMap((a) => times(lo, kind).map((b) => a / b)))
    const scale = (kind) => `${(med(times(hi, kind)) / med(times(lo, kind))).toFixed(2)}×`
    const target = hi === 10000 && lo === 1000 ? ['<=', 10.5] : null
    row(`scaling ${k(hi)} ÷ ${k(lo)}, first start`, scale('first'), scale('vite'), scale('floor'), cross('first'), target)
    row(`scaling ${k(hi)} ÷ ${k(lo)}, restart`, scale('restart'), scale('vite'), scale('floor'), cross('restart'), target)
  } else notRun('scaling', 'needs two sizes')
  const mb = (n, kind, key) => `${fmtNum(med(cold[n][kind].map((r) => r[key])))} MB`
  const rss = (n, key) => pairedRatios(
    cold[n].first.map((r) => r[key]),
    cold[n].vite.map((r) => r[key]),
  )
  row(`RSS after cold, ${k(hi)}: ours ÷ Vite`, mb(hi, 'first', 'rssMB'), mb(hi, 'vite', 'rssMB'), mb(hi, 'floor', 'rssMB'), rss(hi, 'rssMB'), hi === 10000 && ['<=', 0.6])
  for (const n of sizes) row(`peak RSS, first start, ${k(n)}: ours ÷ Vite`, mb(n, 'first', 'maxRssMB'), mb(n, 'vite', 'maxRssMB'), mb(n, 'floor', 'maxRssMB'), rss(n, 'maxRssMB'))
  for (const n of sizes) {
    row(
      `peak RSS, restart, ${k(n)}: ours ÷ Vite`,
      mb(n, 'restart', 'maxRssMB'),
      mb(n, 'vite', 'maxRssMB'),
      mb(n, 'floor', 'maxRssMB'),
      pairedRatios(
        cold[n].restart.map((r) => r.maxRssMB),
        cold[n].vite.map((r) => r.maxRssMB),
      ),
    )
  }
}

if (results.frameworks) {
  for (const f of results.frameworks) {
    const oursCold = f.ours.cold
    row(`first page, ${f.app}, cold (after install): Vite ÷ ours`, ms([oursCold]), ms([f.vite.cold]), '–', stats([f.vite.cold / oursCold]))
    row(`first page, ${f.app}, restart: Vite ÷ ours`, ms(f.ours.restart), ms(f.vite.restart), '–', pairedRatios(f.vite.restart, f.ours.restart))
    row(`first page, ${f.app}: ours cold ÷ ours restart`, ms(f.ours.restart), '–', '–', stats(f.ours.restart.map((r) => oursCold / r)), ['>=', 3])
  }
} else notRun('first page of each framework app, cold and restart', 'pass --frameworks; needs the apps installed from the registry')

const header = [
  `# vite-env-native benchmarks, ${host.date}`,
  '',
  `Machine: ${host.nproc} × ${host.cpu}, ${host.memGB} GB; load average ${host.loadavg.join(' ')} at the start, ${results.machine.loadavgEnd.join(' ')} at the end (a shared machine: absolute times swing, read the ratios).`,
  `Node ${host.node}, Vite ${host.vite}, vite-env-native ${host.ours}; benches at ${host.commit || 'unknown commit'}${opts.envPkg === resolve(here, '..') ? '' : `; "ours" is the package in ${opts.envPkg}${args['env-label'] ? ` (${args['env-label']})` : ''}`}.`,
  `Settings: sizes ${opts.sizes.map(k).join(', ')} (${opts.runs} rounds after one unrecorded warm-up process of each kind; ${opts.largeRuns} at ≥ 10,000, ${opts.largeWarmup ? 'also after a warm-up' : 'without warm-up'}); warm ${k(opts.warmN)} modules, ${opts.warmRuns} processes of ${opts.edits} re-imports; HMR reload ${k(opts.hmrN)} modules, ${opts.hmrRuns} runs of ${opts.hmrEdits} edits${opts.nice ? `; every measured process at nice ${opts.nice}` : ''}. ${results.minutes} min.`,
  '',
  'Ratio: min / median / max over pairs of samples taken back to back in one round (for scaling: over every pair of samples of the two sizes). "met?" is judged on the median. Columns ours / Vite / floor: medians.',
  '',
]
const table = mdTable(['figure', 'ours', 'Vite', 'floor', 'ratio min / median / max', 'target', 'met?'], rows)
const details = [results.cold && coldReport(results.cold), results.warm && warmReport(results.warm), results.hmr && hmrReport(results.hmr)].filter(Boolean)
const md = `${header.join('\n')}\n${table}\n\n## Details\n\n${details.join('\n\n')}\n`
console.log(md)
mkdirSync(dirname(outFile), { recursive: true })
writeFileSync(outFile, md)
writeFileSync(outFile.replace(/\.md$/, '.json'), `${JSON.stringify(results, null, 1)}\n`)
console.error(`written: ${outFile}`)
