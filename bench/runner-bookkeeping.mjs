#!/usr/bin/env node
// Should the runner's per-import bookkeeping (evaluated-module lookup, importer edges) live in
// Rust? The issue asks to keep a JS fast path only where a measurement shows that the crossing
// costs more. This measures, per import, the JS bookkeeping our runner does against the cheapest
// possible native equivalent (one napi call that looks a node up in the native graph).
//
//   node bench/runner-bookkeeping.mjs [--n 200000]
import { performance } from 'node:perf_hooks'
import { NativeEnvironment } from '../lib/native.mjs'
import { nativeOptions } from '../lib/options.mjs'
import { EvaluatedModules } from '../lib/module-runner.mjs'
import { parseArgs, round } from './harness/lib.mjs'

const args = parseArgs(process.argv.slice(2))
const n = Number(args.n ?? 200_000)
const ids = Array.from({ length: 1000 }, (_, i) => `/root/src/m${i}.ts`)

const best = (fn) => {
  let min = Infinity
  for (let round = 0; round < 7; round++) {
    const t = performance.now()
    fn()
    min = Math.min(min, performance.now() - t)
  }
  return (min * 1000) / n
}

// What our runner does per import of an already-evaluated module: look it up by url, record the
// importer, check `evaluated`.
const modules = new EvaluatedModules()
for (const id of ids) modules.ensureModule(id, id.slice(5))
const js = best(() => {
  for (let i = 0; i < n; i++) {
    const mod = modules.getModuleByUrl(ids[i % 1000].slice(5))
    mod.importers.add(ids[(i + 1) % 1000])
    if (!mod.evaluated) mod.evaluated = false
  }
})

const config = { root: '/root', isProduction: false, resolve: {}, env: {}, define: {}, consumer: 'server' }
const native = new NativeEnvironment(nativeOptions('bench', config))
const napi = best(() => {
  for (let i = 0; i < n; i++) native.nodeState(i % 1000)
})

console.log(`per import: JS bookkeeping ${round(js, 3)} µs, one napi call into the native graph ${round(napi, 3)} µs (${round(napi / js, 1)}× the JS cost)`)
