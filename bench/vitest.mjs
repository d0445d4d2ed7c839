#!/usr/bin/env node
// Wall time of `vitest run` on a generated suite: stock Vite environments vs `nativeEnvironments()`,
// alternating fresh processes.
//
//   node bench/vitest.mjs [--files 100] [--runs 5] [--pool forks|threads] [--keep]
//
// The app is `__test__/frameworks/vitest`'s package.json and vitest.config.ts (VEN_OFF=1 turns the
// plugin off) with `--files` generated test files instead of its own: each imports a TS module of
// its own and, through it, two of ten shared ones (types, generics, enums), and has three tests.
// It is installed in a temporary folder from our packed tarballs, as a user would. Each sample is
// one `vitest run` with an empty `fsModuleCachePath` (Vitest 5 keeps transformed modules on disk by
// default; with a warm cache no environment transforms anything), default isolation and
// `--no-isolate`. Reported per mode: median wall times and the ratio ours/stock per pair
// (min/median/max; below 1 = ours faster).
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { packTarballs, repoRoot, vitestNode } from '../__test__/helpers.mjs'
import { parseArgs, round, stats } from './harness/lib.mjs'

const args = parseArgs(process.argv.slice(2))
const files = Number(args.files ?? 100)
const runs = Number(args.runs ?? 5)
const pool = args.pool ?? 'forks'

const dir = mkdtempSync(join(tmpdir(), 'ven-bench-vitest-'))
const app = join(dir, 'app')
mkdirSync(join(app, 'src/gen'), { recursive: true })
mkdirSync(join(app, 'test'), { recursive: true })
for (const name of ['package.json', 'vitest.config.ts']) cpSync(join(repoRoot, '__test__/frameworks/vitest', name), join(app, name))

for (let k = 0; k < 10; k++) {
  writeFileSync(
    join(app, `src/gen/shared-${k}.ts`),
    `export enum Kind { A = ${k}, B, C }
export interface Item<T> { id: number; kind: Kind; value: T }
export function make<T>(id: number, value: T): Item<T> {
  return { id, kind: id % 2 ? Kind.A : Kind.B, value }
}
export const total = (items: Item<number>[]): number => items.reduce((sum, item) => sum + item.value, 0)
`,
  )
}
for (let i = 0; i < files; i++) {
  const [a, b] = [i % 10, (i * 7 + 3) % 10]
  writeFileSync(
    join(app, `src/gen/mod-${i}.ts`),
    `import { make, total, type Item } from './shared-${a}'
import { Kind } from './shared-${b}'
export function build(n: number): Item<number>[] {
  return Array.from({ length: n }, (_, j) => make(j, j * ${i + 1}))
}
export const sum = (n: number): number => total(build(n))
export const kindOf = (item: Item<number>): Kind => item.kind as unknown as Kind
`,
  )
  writeFileSync(
    join(app, `test/gen-${i}.test.ts`),
    `import { describe, expect, test } from 'vitest'
import { build, kindOf, sum } from '../src/gen/mod-${i}'
describe('mod-${i}', () => {
  test('builds', () => expect(build(3)).toHaveLength(3))
  test('sums', () => expect(sum(4)).toBe(${(i + 1) * 6}))
  test('kinds', () => expect(typeof kindOf(build(1)[0])).toBe('number'))
})
`,
  )
}

const { main, platform } = packTarballs(join(dir, 'packs'))
execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', main, platform], { cwd: app, stdio: 'pipe' })
// Vitest 5 needs Node >= 22.12: an older Node runs it on Node 22 from npm.
const node = vitestNode()

let sample = 0
/** One `vitest run` with a cold module cache: wall ms. */
function run(native, isolate) {
  const cache = join(dir, `cache-${sample++}`)
  const start = performance.now()
  const result = spawnSync(
    node,
    [join(app, 'node_modules/vitest/vitest.mjs'), 'run', `--pool=${pool}`, `--fsModuleCachePath=${cache}`, ...(isolate ? [] : ['--no-isolate'])],
    { cwd: app, env: { ...process.env, VEN_OFF: native ? '0' : '1', CI: '1', NO_COLOR: '1' }, encoding: 'utf8' },
  )
  const ms = performance.now() - start
  rmSync(cache, { recursive: true, force: true })
  if (result.status !== 0) throw new Error(`vitest run failed (${native ? 'ours' : 'stock'}):\n${result.stdout}\n${result.stderr}`)
  return ms
}

console.log(`vitest run, ${files} test files, pool ${pool}, ${runs} pairs per mode, Node ${execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()}`)
try {
  for (const isolate of [true, false]) {
    run(false, isolate) // warm the OS file cache
    const stock = []
    const ours = []
    const ratios = []
    for (let i = 0; i < runs; i++) {
      // Alternate which goes first, so drift in machine load hits both alike.
      const oursFirst = i % 2 === 1
      const first = run(oursFirst, isolate)
      const second = run(!oursFirst, isolate)
      const [oursMs, stockMs] = oursFirst ? [first, second] : [second, first]
      ours.push(oursMs)
      stock.push(stockMs)
      ratios.push(oursMs / stockMs)
    }
    const r = stats(ratios)
    console.log(
      `${isolate ? 'default (isolate)' : '--no-isolate     '}  stock ${round(stats(stock).median)} ms  ours ${round(stats(ours).median)} ms  ratio ours/stock min ${r.min.toFixed(2)} median ${r.median.toFixed(2)} max ${r.max.toFixed(2)}`,
    )
  }
} finally {
  if (!args.keep) rmSync(dir, { recursive: true, force: true })
  else console.log(`kept ${dir}`)
}
