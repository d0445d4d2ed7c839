// Module-runner transform throughput, same run, same corpus (issue #3):
//   ours (sync)   the binding's `moduleRunnerTransform(code, url, options)` (index.js), no promise
//   ours (async)  `moduleRunnerTransform` from 'vite-env-native' (Vite's signature and result shape)
//   vite          `moduleRunnerTransform` from 'vite' (Vite 8's JS ssrTransform: oxc parse + walk + magic-string)
//   rolldown      `moduleRunnerTransform` from 'rolldown/experimental' (oxc, native)
// All four produce a source map. The corpus is real ESM from npm packages (vue + @vue/*,
// lodash-es, date-fns, three), installed on demand into .bench-work/corpus (gitignored).
//
//   node bench/transform.mjs [--rounds N] [--max-mb M] [--addon a.node] [--baseline b.node]
//
// `--baseline` adds a row for another build of the addon (e.g. one built from an earlier commit),
// interleaved with the others: the honest way to compare two builds on a shared machine.
// `--addon` measures that file as "ours (sync binding)" instead of the checkout's addon (which
// other builds may replace meanwhile); the async API row, which loads the package, is left out.
//
// Build the release addon first (`npm run build` / `node scripts/build-addon.mjs`): a debug
// addon is 10-30x slower and says nothing.

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { moduleRunnerTransform as viteTransform } from 'vite'
import { moduleRunnerTransform as ourAsyncTransform } from 'vite-env-native'

const repo = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const addonAt = process.argv.indexOf('--addon')
const binding = addonAt === -1 ? require('../index.js') : require(path.resolve(process.argv[addonAt + 1]))
// rolldown is Vite 8's dependency; resolve it from vite's own location.
const viteRequire = createRequire(require.resolve('vite/package.json'))
const { moduleRunnerTransform: rolldownTransform } = await import(viteRequire.resolve('rolldown/experimental'))

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(name)
  return i === -1 ? fallback : Number(args[i + 1])
}
const ROUNDS = option('--rounds', 5)
const baselineAt = args.indexOf('--baseline')
const baseline = baselineAt === -1 ? undefined : require(path.resolve(args[baselineAt + 1]))
const MAX_MB = option('--max-mb', 12)

// ---------------------------------------------------------------------------------------------
// Corpus

const corpusDir = path.join(repo, '.bench-work', 'corpus')
const modules = path.join(corpusDir, 'node_modules')
const PACKAGES = ['vue', 'lodash-es', 'date-fns', 'three']

function ensureCorpus() {
  if (PACKAGES.every((p) => fs.existsSync(path.join(modules, p, 'package.json')))) return
  fs.mkdirSync(corpusDir, { recursive: true })
  if (!fs.existsSync(path.join(corpusDir, 'package.json'))) {
    fs.writeFileSync(path.join(corpusDir, 'package.json'), '{ "private": true }\n')
  }
  console.log(`installing ${PACKAGES.join(', ')} into ${path.relative(repo, corpusDir)} ...`)
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(npm, ['install', '--prefix', corpusDir, '--no-audit', '--no-fund', ...PACKAGES], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('npm install of the corpus failed')
}

function walk(dir, filter, out = []) {
  if (!fs.existsSync(dir)) return out
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, filter, out)
    else if (filter(full)) out.push(full)
  }
  return out
}

const ESM_RE = /^\s*(?:import|export)\b/m
const isPlainJs = (f) => /\.m?js$/.test(f) && !/\.min\.m?js$|\.prod\.m?js$/.test(f)

function collectCorpus() {
  const groups = {
    vue: [
      ...walk(path.join(modules, 'vue', 'dist'), (f) => f.endsWith('.esm-bundler.js')),
      ...walk(path.join(modules, '@vue'), (f) => f.endsWith('.esm-bundler.js') && f.includes(`${path.sep}dist${path.sep}`)),
    ],
    'lodash-es': walk(path.join(modules, 'lodash-es'), isPlainJs),
    'date-fns': walk(path.join(modules, 'date-fns'), (f) => isPlainJs(f) && !f.includes(`${path.sep}cdn`)),
    three: [
      path.join(modules, 'three', 'build', 'three.core.js'),
      path.join(modules, 'three', 'build', 'three.module.js'),
      ...walk(path.join(modules, 'three', 'examples', 'jsm'), isPlainJs),
    ].filter((f) => fs.existsSync(f)),
  }
  // An even share of the budget per package (small files first: many modules, like an app).
  const budget = (MAX_MB * 1024 * 1024) / PACKAGES.length
  const files = []
  for (const [pkg, list] of Object.entries(groups)) {
    let bytes = 0
    for (const file of list.sort()) {
      const code = fs.readFileSync(file, 'utf8')
      if (!ESM_RE.test(code)) continue
      if (bytes + code.length > budget && bytes > 0) continue
      bytes += code.length
      files.push({ pkg, url: '/' + path.relative(modules, file).split(path.sep).join('/'), code })
    }
  }
  return files
}

// ---------------------------------------------------------------------------------------------
// Transforms

const IMPLS = {
  'ours (sync binding)': (f) => {
    const r = binding.moduleRunnerTransform(f.code, f.url, { sourceMap: true })
    if (r.error) throw new Error(r.error.message)
    return r.result.code
  },
  ...(baseline && {
    'baseline addon (sync)': (f) => {
      const r = baseline.moduleRunnerTransform(f.code, f.url, { sourceMap: true })
      if (r.error) throw new Error(r.error.message)
      return r.result.code
    },
  }),
  ...(addonAt === -1 && {
    'ours (async API)': async (f) => (await ourAsyncTransform(f.code, null, f.url, f.code)).code,
  }),
  'vite (JS)': async (f) => (await viteTransform(f.code, null, f.url, f.code)).code,
  'rolldown (native)': async (f) => {
    const r = await rolldownTransform(f.url, f.code, { sourcemap: true })
    if (r.errors?.length) throw new Error(r.errors[0].message)
    return r.code
  },
}

async function runAll(impl, files) {
  let out = 0
  for (const f of files) out += (await impl(f)).length
  return out
}

// ---------------------------------------------------------------------------------------------

ensureCorpus()
let files = collectCorpus()
// Keep only files every implementation accepts, so each one does the same work.
const accepted = []
for (const f of files) {
  try {
    for (const impl of Object.values(IMPLS)) await impl(f)
    accepted.push(f)
  } catch {}
}
const skipped = files.length - accepted.length
files = accepted
const bytes = files.reduce((n, f) => n + Buffer.byteLength(f.code), 0)
const perPkg = {}
for (const f of files) perPkg[f.pkg] = (perPkg[f.pkg] ?? 0) + 1
console.log(
  `corpus: ${files.length} ESM files, ${(bytes / 1024 / 1024).toFixed(2)} MB (${Object.entries(perPkg)
    .map(([p, n]) => `${p} ${n}`)
    .join(', ')}${skipped ? `; ${skipped} skipped: rejected by one of the transforms` : ''})`,
)
console.log(`node ${process.version}, ${ROUNDS} rounds after a warm-up round, interleaved; best and median round`)

const times = Object.fromEntries(Object.keys(IMPLS).map((k) => [k, []]))
for (const impl of Object.values(IMPLS)) await runAll(impl, files) // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, impl] of Object.entries(IMPLS)) {
    globalThis.gc?.()
    const start = process.hrtime.bigint()
    await runAll(impl, files)
    times[name].push(Number(process.hrtime.bigint() - start) / 1e9)
  }
}

const mbps = {}
const rows = []
for (const [name, list] of Object.entries(times)) {
  const sorted = [...list].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]
  mbps[name] = bytes / 1024 / 1024 / median
  rows.push({
    transform: name,
    'MB/s (median)': mbps[name].toFixed(1),
    'MB/s (best)': (bytes / 1024 / 1024 / sorted[0]).toFixed(1),
    'ms per round (median)': (median * 1000).toFixed(0),
  })
}
console.table(rows)
const ours = mbps['ours (sync binding)']
const oursAsync = mbps['ours (async API)']
const asyncRatio = (to, digits) => (oursAsync === undefined ? 'n/a' : `${(oursAsync / to).toFixed(digits)}x`)
console.log(`ours/vite:     ${(ours / mbps['vite (JS)']).toFixed(1)}x (sync binding), ${asyncRatio(mbps['vite (JS)'], 1)} (async API)   target >= 20x`)
console.log(`ours/rolldown: ${(ours / mbps['rolldown (native)']).toFixed(2)}x (sync binding), ${asyncRatio(mbps['rolldown (native)'], 2)} (async API)   target >= 1x`)
if (baseline) console.log(`ours/baseline: ${(ours / mbps['baseline addon (sync)']).toFixed(2)}x (sync binding)`)
