// Helpers shared by the comparison benches (cold-ssr, warm, hmr, all): running one measured
// process, pairing samples of the same round into ratios, the machine header, table formatting.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { round, stats } from './harness/lib.mjs'

export const here = dirname(fileURLToPath(import.meta.url))
export const repo = join(here, '..')
export const viteDir = join(repo, 'node_modules', 'vite')
export const workDir = join(repo, '.bench-work')

/** True when `importMetaUrl` is the script node was started with (the bench runs standalone). */
export const isMain = (importMetaUrl) => process.argv[1] && importMetaUrl === pathToFileURL(process.argv[1]).href

/**
 * Runs `node <argv>` as a fresh process and returns the JSON of its last stdout line. `nice`
 * (a niceness, e.g. 5) wraps the process in `nice -n`: the same for every kind of sample, so
 * that Vite, ours and the floor always meet the same priority.
 */
export function runNode(argv, { nice = 0, timeoutMs = 15 * 60_000 } = {}) {
  const [cmd, cmdArgs] = nice ? ['nice', ['-n', String(nice), process.execPath, ...argv]] : [process.execPath, argv]
  const out = execFileSync(cmd, cmdArgs, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutMs, stdio: ['ignore', 'pipe', 'inherit'] })
  const last = out.trim().split('\n').pop()
  try {
    return JSON.parse(last)
  } catch {
    throw new Error(`no JSON result from node ${argv.join(' ')}:\n${out.slice(-2000)}`)
  }
}

/** Generates the synthetic app of `n` modules under .bench-work unless it is there already. */
export function ensureApp(n, name = `app-${n}`) {
  const appDir = join(workDir, name)
  if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
    execFileSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: ['ignore', 'ignore', 'inherit'] })
  }
  return appDir
}

/**
 * Ratios of paired samples (same round, so the same machine load): `num[i] / den[i]` for every
 * round where both exist. Returns { min, median, max, n } or null.
 */
export function pairedRatios(num, den) {
  const r = []
  for (let i = 0; i < Math.min(num.length, den.length); i++) {
    if (Number.isFinite(num[i]) && Number.isFinite(den[i]) && den[i] > 0) r.push(num[i] / den[i])
  }
  return stats(r)
}

export const fmtNum = (x, d = 0) => (x == null || !Number.isFinite(x) ? '–' : round(x, d).toLocaleString('en-US'))
/** "median (min–max)" */
export const fmtStats = (s, d = 0) => (s ? `${fmtNum(s.median, d)} (${fmtNum(s.min, d)}–${fmtNum(s.max, d)})` : '–')
/** "min / median / max×" */
export const fmtRatio = (s) => (s ? `${round(s.min, 2)} / ${round(s.median, 2)} / ${round(s.max, 2)}×` : '–')

/**
 * Whether a target holds. `cmp` is '>=' or '<='; judged on the median; 'partly' when the
 * min–max range straddles the target.
 */
export function met(s, cmp, target) {
  if (!s) return 'not measured'
  const ok = (x) => (cmp === '>=' ? x >= target : x <= target)
  if (ok(s.median)) return ok(s.min) && ok(s.max) ? 'yes' : 'yes (median)'
  return ok(s.min) || ok(s.max) ? 'no (median; range straddles)' : 'no'
}

export function machine() {
  const cpus = os.cpus()
  let head = ''
  try {
    head = execFileSync('git', ['-C', repo, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).trim()
  } catch {}
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    nproc: os.availableParallelism?.() ?? cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memGB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    vite: JSON.parse(readFileSync(join(viteDir, 'package.json'), 'utf8')).version,
    ours: JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version,
    commit: head,
    loadavg: os.loadavg().map((x) => round(x, 2)),
  }
}

/** Markdown table from a header array and row arrays. */
export function mdTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const values = (samples, pick) => samples.map(pick)
