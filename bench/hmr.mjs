#!/usr/bin/env node
// HMR on a generated graph with barrels (`export *`) and import cycles: Vite 8's own SSR
// environment vs vite-env-native, alternating fresh processes in one run.
//
//   node bench/hmr.mjs [--n 10000] [--edits 10] [--runs 2] [--kind update|reload] [--nice 0]
//                      [--env-pkg <dir>]   (the package measured as ours; default this checkout)
//
// Reports, per edit: server-side latency (watcher `change` event → `update`/`full-reload`
// payload sent to the runner) and the time until the runner re-executed and the entry renders
// the edit. Medians over edits, then over runs; ratios pair the two processes of a run.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fmtRatio, here, isMain, mdTable, pairedRatios, repo, runNode, viteDir, workDir } from './common.mjs'
import { makeHmrApp } from './hmr-app.mjs'
import { parseArgs, round, stats } from './harness/lib.mjs'

/** Returns { n, edits, kind, vite: [...], ours: [...] }: one hmr-run.mjs result per run. */
export async function runHmr({ n = 10000, edits = 10, runs = 2, kind = 'update', nice = 0, envPkg = repo, log = console.log } = {}) {
  const appDir = join(workDir, `hmr-app-${n}`)
  if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
    execFileSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  makeHmrApp(appDir, n)
  const sample = (native) => {
    const argv = [join(here, 'hmr-run.mjs'), appDir, '--edits', String(edits), '--kind', kind, '--vite-dir', viteDir]
    if (native) argv.push('--env-pkg', resolve(envPkg))
    return runNode(argv, { nice })
  }
  const out = { n, edits, kind, vite: [], ours: [] }
  for (let i = 0; i < runs; i++) {
    for (const native of i % 2 ? [true, false] : [false, true]) {
      const r = sample(native)
      out[native ? 'ours' : 'vite'].push(r)
      log(`hmr ${kind} run ${i + 1} ${native ? 'ours' : 'vite'} ${r.payloads.join('/')} server p50 ${r.serverMs.median} ms, re-exec p50 ${r.reexecMs.median} ms, rss ${r.rssMB} MB`)
    }
  }
  return out
}

export function hmrReport(r) {
  const rows = [
    ['server: change → payload', 'serverMs'],
    ['runner re-executed', 'reexecMs'],
  ].map(([label, key]) => {
    const v = r.vite.map((x) => x[key].median)
    const o = r.ours.map((x) => x[key].median)
    return [label, round(stats(v).median, 2), round(stats(o).median, 2), fmtRatio(pairedRatios(v, o))]
  })
  return [
    `HMR (${r.kind}), ${r.n.toLocaleString('en-US')}-module app with cycles, ${r.edits} edits × ${r.vite.length} runs, Node ${process.version}`,
    mdTable(['median ms', 'Vite 8', 'vite-env-native', 'Vite ÷ ours (min / median / max of runs)'], rows),
  ].join('\n\n')
}

if (isMain(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2))
  const r = await runHmr({
    n: Number(args.n ?? 10000),
    edits: Number(args.edits ?? 10),
    runs: Number(args.runs ?? 2),
    kind: args.kind ?? 'update',
    nice: Number(args.nice ?? 0),
    envPkg: args['env-pkg'] ?? repo,
  })
  console.log('\n' + hmrReport(r))
}
