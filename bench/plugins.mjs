#!/usr/bin/env node
// Cost of JS plugins on cold SSR: Vite 8's own ssr environment vs vite-env-native with the same
// plugins, alternating fresh processes in one run.
//
//   node bench/plugins.mjs [--n 1000] [--runs 5] [--plugins 20] [--env-pkg <dir>]
//
// Three configurations of the generated TypeScript app (bench/harness/gen-app.mjs), each sample one
// process of harness/vite-ssr.mjs (`--plugins` injects the plugins below):
//   none     no extra plugins
//   nomatch  20 no-op plugins (`enforce: 'pre'`) whose resolveId/load/transform filters match
//            nothing: natively the filters are evaluated in Rust and nothing crosses into JS
//            (target: indistinguishable from `none`)
//   match    the same 20 plugins with filters that match every module (load, transform) and every
//            import specifier (resolveId): every hook is called
// Reported: medians of createServer → render done, per configuration and implementation, and
// µs per hook call = (median(match) − median(none)) / hook calls (counted by the plugins).
// Needs the release addon (`npm install` or `node scripts/build-addon.mjs` builds it); `--env-pkg`
// points at another copy of this package (e.g. a snapshot with a release addon) instead.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, round, stats } from './harness/lib.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const self = fileURLToPath(import.meta.url)

/**
 * The plugins, as the harness's `--plugins` module: `default("nomatch:20" | "match:20")`.
 * Hook calls are counted and written to stderr when the process exits.
 */
export default function benchPlugins(arg = 'none:0') {
  const [kind, count] = arg.split(':')
  if (kind === 'none') return []
  const calls = { resolveId: 0, load: 0, transform: 0 }
  process.on('exit', () => process.stderr.write(`PLUGIN_CALLS ${JSON.stringify(calls)}\n`))
  const never = /\.never-matches$/
  const filters =
    kind === 'match'
      ? { resolveId: { id: /^\.\.?\// }, load: { id: /\.ts$/ }, transform: { id: /\.ts$/ } }
      : { resolveId: { id: never }, load: { id: never }, transform: { id: never } }
  return Array.from({ length: Number(count) }, (_, i) => ({
    name: `bench-noop-${i}`,
    enforce: 'pre',
    resolveId: {
      filter: filters.resolveId,
      handler() {
        calls.resolveId++
        return null
      },
    },
    load: {
      filter: filters.load,
      handler() {
        calls.load++
        return null
      },
    },
    transform: {
      filter: filters.transform,
      handler() {
        calls.transform++
        return null
      },
    },
  }))
}

async function main() {
  const repo = join(here, '..')
  const args = parseArgs(process.argv.slice(2))
  const n = Number(args.n ?? 1000)
  const runs = Number(args.runs ?? 5)
  const pluginCount = Number(args.plugins ?? 20)
  const envPkg = args['env-pkg'] ?? repo
  const appDir = join(repo, '.bench-work', `app-${n}`)
  const viteDir = join(repo, 'node_modules', 'vite')
  if (!existsSync(join(appDir, 'src', 'entry-server.ts'))) {
    const gen = spawnSync(process.execPath, [join(here, 'harness', 'gen-app.mjs'), appDir, '--n', String(n)], { stdio: 'inherit' })
    if (gen.status !== 0) throw new Error('gen-app failed')
  }

  const configs = ['none', 'nomatch', 'match']
  const impls = ['vite', 'native']

  function sample(impl, config) {
    const argv = ['--expose-gc', join(here, 'harness', 'vite-ssr.mjs'), appDir, '--edits', '0', '--vite-dir', viteDir]
    if (impl === 'native') argv.push('--env-pkg', envPkg)
    if (config !== 'none') argv.push('--plugins', self, '--plugins-arg', `${config}:${pluginCount}`)
    const out = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 })
    if (out.status !== 0) throw new Error(`${impl}/${config} failed:\n${out.stderr}`)
    const result = JSON.parse(out.stdout.trim().split('\n').pop())
    if (!result.graph?.ok) throw new Error(`${impl}/${config}: graph has ${result.graph?.ssrModules} modules, expected ${result.graph?.expected}`)
    const calls = /PLUGIN_CALLS (.*)/.exec(out.stderr)
    result.calls = calls ? JSON.parse(calls[1]) : { resolveId: 0, load: 0, transform: 0 }
    return result
  }

  const samples = Object.fromEntries(impls.map((impl) => [impl, Object.fromEntries(configs.map((c) => [c, []]))]))
  // Warm the file system cache and the lazy parts of both.
  sample('vite', 'none')
  sample('native', 'none')
  for (let i = 0; i < runs; i++) {
    for (const config of configs) {
      for (const impl of i % 2 ? [...impls].reverse() : impls) {
        const r = sample(impl, config)
        samples[impl][config].push(r)
        const c = r.calls
        console.log(
          `run ${i + 1} ${impl.padEnd(6)} ${config.padEnd(7)} cold ${r.cold.totalMs} ms (import ${r.cold.importEntryMs}, cpu ${r.cold.cpuMs}) calls resolveId ${c.resolveId} load ${c.load} transform ${c.transform}`,
        )
      }
    }
  }

  const median = (impl, config, pick) => stats(samples[impl][config].map(pick))
  const total = (r) => r.cold.totalMs
  const cpu = (r) => r.cold.cpuMs
  const modules = samples.native.none[0].graph.ssrModules
  console.log(`\ncold SSR with ${pluginCount} no-op JS plugins, ${n}-module TypeScript app (${modules} modules), ${runs} runs each, Node ${process.version}, vite ${samples.vite.none[0].vite}`)
  console.log('| ms (median, min–max) | Vite 8 | vite-env-native | ratio |')
  console.log('|---|---|---|---|')
  for (const config of configs) {
    for (const [label, pick] of [
      ['createServer → render done', total],
      ['process CPU', cpu],
    ]) {
      const v = median('vite', config, pick)
      const o = median('native', config, pick)
      console.log(`| ${config}: ${label} | ${v.median} (${v.min}–${v.max}) | ${o.median} (${o.min}–${o.max}) | ${round(v.median / o.median, 2)}× |`)
    }
  }
  console.log('\n| per hook call | Vite 8 | vite-env-native |')
  console.log('|---|---|---|')
  const rows = { calls: [], nomatch: [], match: [], matchCpu: [], crossing: [] }
  for (const impl of impls) {
    const c = samples[impl].match[0].calls
    const calls = c.resolveId + c.load + c.transform
    const none = median(impl, 'none', total).median
    const noneCpu = median(impl, 'none', cpu).median
    rows.calls.push(`${calls} (resolveId ${c.resolveId}, load ${c.load}, transform ${c.transform})`)
    rows.nomatch.push(`${round(median(impl, 'nomatch', total).median - none)} ms`)
    rows.match.push(`${round(((median(impl, 'match', total).median - none) * 1000) / calls, 2)} µs`)
    rows.matchCpu.push(`${round(((median(impl, 'match', cpu).median - noneCpu) * 1000) / calls, 2)} µs`)
    // Natively one crossing into JS runs a whole group: the 20 hooks of one kind for one module
    // (load, transform) or one specifier (resolveId).
    const crossings = calls / pluginCount
    rows.crossing.push(
      impl === 'native'
        ? `${round(((median(impl, 'match', total).median - none) * 1000) / crossings, 1)} µs wall, ${round(((median(impl, 'match', cpu).median - noneCpu) * 1000) / crossings, 1)} µs CPU (${crossings} crossings)`
        : 'in-process calls',
    )
  }
  console.log(`| hook calls with matching filters | ${rows.calls.join(' | ')} |`)
  console.log(`| nomatch − none (wall) | ${rows.nomatch.join(' | ')} |`)
  console.log(`| (match − none) / calls, wall | ${rows.match.join(' | ')} |`)
  console.log(`| (match − none) / calls, CPU | ${rows.matchCpu.join(' | ')} |`)
  console.log(`| (match − none) / crossing | ${rows.crossing.join(' | ')} |`)
}

if (process.argv[1] === self) await main()
