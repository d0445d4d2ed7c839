#!/usr/bin/env node
// Warm re-import of the whole generated app in a running server, Vite 8's own ssr environment vs
// ours, alternating fresh processes in one run:
//   edit:           write a leaf module (watcher has seen it), then, timed: moduleGraph.onFileChange
//                   on every environment, runner.evaluatedModules.clear(), runner.import(entry),
//                   render() — the runner's full-reload path without HMR (server.hmr false)
//   invalidate-all: environment.moduleGraph.invalidateAll(), runner.evaluatedModules.clear(),
//                   runner.import(entry), render() — every module transformed and evaluated again
//
//   node bench/warm.mjs [--n 1000] [--runs 3] [--edits 5] [--kinds edit,invalidate-all] [--nice 0]
//                       [--env-pkg <dir>]   (the package measured as ours; default this checkout)
//
// Each process (harness/vite-ssr.mjs --mode nohmr --warm <kind>) cold-loads the app and then
// times --edits re-imports; its figure is their median. Ratios pair the two processes of a round.
import { fmtRatio, fmtStats, here, isMain, mdTable, pairedRatios, ensureApp, repo, runNode, viteDir } from './common.mjs'
import { join, resolve } from 'node:path'
import { parseArgs, stats } from './harness/lib.mjs'

export const WARM_KINDS = ['edit', 'invalidate-all']

function sample(native, kind, { appDir, edits, nice, envPkg }) {
  const argv = ['--expose-gc', join(here, 'harness', 'vite-ssr.mjs'), appDir, '--mode', 'nohmr', '--warm', kind, '--edits', String(edits), '--vite-dir', viteDir]
  if (native) argv.push('--env-pkg', envPkg)
  const r = runNode(argv, { nice })
  if (!r.graph?.ok) throw new Error(`${native ? 'ours' : 'vite'}: graph has ${r.graph?.ssrModules} modules, expected ${r.graph?.expected}`)
  if (kind === 'edit' && !r.warm.watcherSawAll) throw new Error('the watcher missed an edit')
  return { ms: r.warm.totalMs.median, importMs: r.warm.importMs.median, min: r.warm.totalMs.min, max: r.warm.totalMs.max, all: r.warm.all, vite: r.vite }
}

/** Returns { n, edits, kinds: { [kind]: { vite: [...], ours: [...] } } }, one sample per round. */
export async function runWarm({ n = 1000, runs = 3, edits = 5, kinds = WARM_KINDS, nice = 0, envPkg = repo, log = console.log } = {}) {
  const appDir = ensureApp(n)
  const ctx = { appDir, edits, nice, envPkg: resolve(envPkg) }
  const out = { n, edits, kinds: {} }
  for (const kind of kinds) out.kinds[kind] = { vite: [], ours: [] }
  for (let i = 0; i < runs; i++) {
    for (const kind of kinds) {
      for (const native of i % 2 ? [true, false] : [false, true]) {
        const r = sample(native, kind, ctx)
        out.kinds[kind][native ? 'ours' : 'vite'].push(r)
        log(`warm ${kind} run ${i + 1} ${native ? 'ours' : 'vite'} median ${r.ms} ms of ${r.all.join(', ')}`)
      }
    }
  }
  return out
}

export function warmReport(result) {
  const rows = Object.entries(result.kinds).map(([kind, s]) => [
    kind === 'edit' ? 're-import after a one-leaf edit' : 're-import after invalidateAll()',
    fmtStats(stats(s.vite.map((r) => r.ms)), 1),
    fmtStats(stats(s.ours.map((r) => r.ms)), 1),
    fmtRatio(pairedRatios(
      s.vite.map((r) => r.ms),
      s.ours.map((r) => r.ms),
    )),
  ])
  return [
    `warm re-import, ${result.n.toLocaleString('en-US')}-module app, ${result.edits} re-imports per process (its median), ${Object.values(result.kinds)[0].vite.length} processes each`,
    mdTable(['ms (median (min–max) of processes)', 'Vite 8', 'ours', 'Vite ÷ ours (min / median / max)'], rows),
  ].join('\n\n')
}

if (isMain(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2))
  const result = await runWarm({
    n: Number(args.n ?? 1000),
    runs: Number(args.runs ?? 3),
    edits: Number(args.edits ?? 5),
    kinds: String(args.kinds ?? WARM_KINDS.join(',')).split(','),
    nice: Number(args.nice ?? 0),
    envPkg: args['env-pkg'] ?? repo,
  })
  console.log(`\nNode ${process.version}\n`)
  console.log(warmReport(result))
}
