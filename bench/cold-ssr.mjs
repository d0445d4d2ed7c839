#!/usr/bin/env node
// Cold SSR of a generated TypeScript app: Vite 8's own ssr environment, ours on its first start
// (empty cache), ours on a restart (the cache the previous process left), and the floor (plain
// `node` importing the same app pre-compiled to JS), as fresh processes alternating in one run.
// Prints medians (min–max), peak RSS and the ratios of samples of the same round.
//
//   node bench/cold-ssr.mjs [--sizes 1000,5000,10000] [--runs 3] [--large-runs 1] [--nice 0]
//                           [--env-pkg <dir>]
//
// --env-pkg: the package measured as "ours" (default: this checkout), e.g. another worktree or a
// copy of main, so that a branch can be compared with main's figures.
//
// --n N is --sizes N. Sizes of 10,000 modules and more take --large-runs rounds (they take
// minutes per round for Vite) and no warm-up unless --large-warmup. Smaller sizes get one
// unrecorded process of each kind first (file-system cache, the lazy parts of Node and Vite;
// ours leaves its cache for the first restart) unless --no-warmup. Without a warm-up, the first
// round runs "first start" before "restart", so a restart always finds a previous process's
// cache.
//
// Vite and ours: harness/vite-ssr.mjs (createServer → runner.import(entry) → render(), checked
// against the expected module count); ours through its `--env-pkg <this package>` switch.
// "first start" deletes the app's Vite cacheDir (`<app>/node_modules/.vite`, where the
// persistent cache lives) before the process; "restart" keeps what the previous process of ours
// left there. Floor: harness/floor-build.mjs (each .ts file compiled to .js with rolldown's oxc
// transform, once per size) + harness/floor-run.mjs. The time compared is the harness's
// `cold.totalMs` (createServer → render done; for the floor import → render done); loading
// Vite itself is not in it. Peak RSS is the process's maxRSS (process.resourceUsage()).
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { ensureApp, fmtRatio, fmtStats, here, isMain, mdTable, pairedRatios, repo, runNode, viteDir, workDir } from './common.mjs'
import { parseArgs, stats } from './harness/lib.mjs'

export const KINDS = ['vite', 'first', 'restart', 'floor']
const LABEL = { vite: 'Vite 8', first: 'ours, first start', restart: 'ours, restart', floor: 'floor (node, pre-compiled)' }

function ensureFloor(n, appDir) {
  const floorDir = join(workDir, `floor-${n}`)
  const entry = join(floorDir, 'src', 'entry-server.js')
  if (!existsSync(entry) || statSync(entry).mtimeMs < statSync(join(appDir, 'src', 'entry-server.ts')).mtimeMs) {
    execFileSync(process.execPath, [join(here, 'harness', 'floor-build.mjs'), appDir, floorDir, '--transformer', 'rolldown', '--deps-dir', repo], {
      stdio: ['ignore', 'ignore', 'inherit'],
    })
  }
  return floorDir
}

/** Deletes the app's Vite cacheDir; refuses anything outside the app folder. */
function clearCacheDir(appDir, cacheDir) {
  const rel = relative(appDir, cacheDir)
  if (!rel || rel.startsWith('..') || resolve(appDir, rel) !== resolve(cacheDir)) throw new Error(`cacheDir ${cacheDir} is outside ${appDir}: not deleting it`)
  rmSync(cacheDir, { recursive: true, force: true })
}

function sample(kind, { appDir, floorDir, cacheDir, nice, envPkg }) {
  if (kind === 'floor') {
    const r = runNode(['--expose-gc', join(here, 'harness', 'floor-run.mjs'), floorDir], { nice })
    return { totalMs: r.cold.totalMs, importMs: r.cold.importEntryMs, cpuMs: r.cpuMs, rssMB: r.memAfterCold.rssMB, maxRssMB: r.maxRssMB }
  }
  if (kind === 'first') clearCacheDir(appDir, cacheDir)
  const argv = ['--expose-gc', join(here, 'harness', 'vite-ssr.mjs'), appDir, '--edits', '0', '--vite-dir', viteDir]
  if (kind !== 'vite') argv.push('--env-pkg', envPkg)
  const r = runNode(argv, { nice })
  if (!r.graph?.ok) throw new Error(`${kind}: graph has ${r.graph?.ssrModules} modules, expected ${r.graph?.expected}`)
  if (resolve(r.cacheDir) !== resolve(cacheDir)) throw new Error(`${kind}: cacheDir is ${r.cacheDir}, expected ${cacheDir}`)
  return { totalMs: r.cold.totalMs, importMs: r.cold.importEntryMs, cpuMs: r.cold.cpuMs, rssMB: r.memAfterCold.rssMB, maxRssMB: r.maxRssMB, vite: r.vite }
}

/**
 * Runs the cold benchmark. Returns { sizes: { [n]: { vite: [...], first: [...], restart: [...],
 * floor: [...] } } }: per kind, one sample per round, in round order (so index i of two kinds
 * is a pair measured back to back).
 */
export async function runCold({ sizes = [1000, 5000, 10000], runs = 3, largeRuns = 1, nice = 0, warmup = true, largeWarmup = false, envPkg = repo, log = console.log } = {}) {
  const out = { sizes: {} }
  for (const n of sizes) {
    const appDir = ensureApp(n)
    const floorDir = ensureFloor(n, appDir)
    const cacheDir = join(appDir, 'node_modules', '.vite')
    const ctx = { appDir, floorDir, cacheDir, nice, envPkg: resolve(envPkg) }
    const samples = Object.fromEntries(KINDS.map((k) => [k, []]))
    const large = n >= 10000
    if (large ? largeWarmup : warmup) for (const kind of KINDS) sample(kind, ctx)
    const rounds = large ? largeRuns : runs
    for (let i = 0; i < rounds; i++) {
      // Rotate the order so that no kind always meets the same neighbour; without a warm-up the
      // first round runs "first" before "restart" so that a restart always has a cache to find.
      const order = KINDS.map((_, j) => KINDS[(j + i) % KINDS.length])
      for (const kind of order) {
        const r = sample(kind, ctx)
        samples[kind].push(r)
        log(`${n} run ${i + 1} ${kind.padEnd(7)} cold ${r.totalMs} ms (cpu ${r.cpuMs}) rss ${r.rssMB} MB, peak ${r.maxRssMB} MB`)
      }
    }
    out.sizes[n] = samples
  }
  return out
}

/** Markdown report of one runCold result. */
export function coldReport(result) {
  const parts = []
  for (const [n, s] of Object.entries(result.sizes)) {
    const pick = (kind, key) => s[kind].map((r) => r[key])
    const row = (key, label, d = 0) => [label, ...KINDS.map((k) => fmtStats(stats(pick(k, key)), d))]
    parts.push(`cold SSR, ${Number(n).toLocaleString('en-US')}-module app, ${s.vite.length} rounds (median (min–max))`)
    parts.push(
      mdTable(
        ['', ...KINDS.map((k) => LABEL[k])],
        [row('totalMs', 'cold ms'), row('cpuMs', 'process CPU ms'), row('rssMB', 'RSS after cold, MB'), row('maxRssMB', 'peak RSS, MB')],
      ),
    )
    const ratio = (a, b, key = 'totalMs') => fmtRatio(pairedRatios(pick(a, key), pick(b, key)))
    parts.push(
      mdTable(
        ['ratio of paired samples (min / median / max)', 'value'],
        [
          ['Vite ÷ ours first start', ratio('vite', 'first')],
          ['Vite ÷ ours restart', ratio('vite', 'restart')],
          ['ours first start ÷ floor', ratio('first', 'floor')],
          ['ours restart ÷ floor', ratio('restart', 'floor')],
          ['ours first start ÷ ours restart', ratio('first', 'restart')],
          ['RSS after cold, ours first start ÷ Vite', ratio('first', 'vite', 'rssMB')],
          ['peak RSS, ours first start ÷ Vite', ratio('first', 'vite', 'maxRssMB')],
        ],
      ),
    )
  }
  const sizes = Object.keys(result.sizes).map(Number)
  const lo = Math.min(...sizes)
  const hi = Math.max(...sizes)
  if (hi > lo) {
    const med = (n, k) => stats(result.sizes[n][k].map((r) => r.totalMs))?.median
    parts.push(`scaling, median cold ms at ${hi.toLocaleString('en-US')} ÷ at ${lo.toLocaleString('en-US')} modules`)
    parts.push(mdTable(KINDS.map((k) => LABEL[k]), [KINDS.map((k) => `${(med(hi, k) / med(lo, k)).toFixed(2)}×`)]))
  }
  return parts.join('\n\n')
}

if (isMain(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2))
  const sizes = String(args.sizes ?? args.n ?? '1000,5000,10000')
    .split(',')
    .map(Number)
  const result = await runCold({ sizes, runs: Number(args.runs ?? 3), largeRuns: Number(args['large-runs'] ?? 1), nice: Number(args.nice ?? 0), warmup: !args['no-warmup'], largeWarmup: !!args['large-warmup'], envPkg: args['env-pkg'] ?? repo })
  console.log(`\nNode ${process.version}, vite ${result.sizes[sizes[0]].vite[0]?.vite}\n`)
  console.log(coldReport(result))
}
