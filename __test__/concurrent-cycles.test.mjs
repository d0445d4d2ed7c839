// Concurrent `runner.import`s over import cycles give what one-at-a-time imports give (issue 10,
// "Load"): a module another import is still evaluating is awaited, and a cycle of waits is broken
// at the edge a serial run would break, never earlier, never not at all.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as runnerLib from '../lib/module-runner.mjs'
import { startServer } from './helpers.mjs'

/** Deterministic pseudo-random numbers in [0, 1). */
function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x7fffffff
  }
}

/**
 * A graph of `count` modules, each importing one to three others (self-imports and cycles
 * included), and 200 entries. Every module records at top level what it read from its imports.
 */
function cyclicGraph(seed, count = 40) {
  const next = random(seed)
  const imports = []
  for (let i = 0; i < count; i++) {
    const deps = new Set()
    const degree = 1 + Math.floor(next() * 3)
    for (let j = 0; j < degree; j++) deps.add(Math.floor(next() * count))
    imports.push([...deps])
  }
  const entries = Array.from({ length: 200 }, () => Math.floor(next() * count))
  const delays = Array.from({ length: count }, () => Math.floor(next() * 3))
  return { imports, entries, delays }
}

/** Module source as the runner receives it (module-runner transform already applied). */
function runnerSource(index, deps) {
  return [
    ...deps.map((d, j) => `const __vite_ssr_import_${j}__ = await __vite_ssr_import__("/m${d}.js", {importedNames:["v"]});`),
    `__vite_ssr_exportName__("v", () => { try { return v } catch {} });`,
    `__vite_ssr_exportName__("seen", () => seen);`,
    `const seen = [${deps.map((_, j) => `String(__vite_ssr_import_${j}__.v)`).join(', ')}].join(",");`,
    `const v = "m${index}";`,
  ].join('\n')
}

/** What each module saw, for every module evaluated. */
function seenByModule(runner) {
  const seen = {}
  for (const node of runner.evaluatedModules.idToModuleMap.values()) {
    if (node.exports && 'seen' in node.exports) seen[node.url] = node.exports.seen
  }
  return Object.fromEntries(Object.entries(seen).sort(([a], [b]) => a.localeCompare(b)))
}

function withTimeout(promise, ms, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms (deadlock)`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A transport serving `sources`, answering after a microtask, a macrotask or a timer. */
function syntheticTransport(sources, delayOf) {
  return {
    async invoke(payload) {
      const { name, data } = payload.data
      if (name === 'getBuiltins') return { result: [] }
      const url = data[0]
      const delay = delayOf(url)
      if (delay === 1) await new Promise((resolve) => setImmediate(resolve))
      if (delay === 2) await new Promise((resolve) => setTimeout(resolve, 1))
      return { result: { code: sources[url], file: `/virtual${url}`, id: `/virtual${url}`, url, invalidate: false } }
    },
  }
}

async function importAll(runner, urls, concurrent) {
  if (concurrent) return withTimeout(Promise.all(urls.map((url) => runner.import(url))), 10_000, 'concurrent imports')
  const namespaces = []
  for (const url of urls) namespaces.push(await withTimeout(runner.import(url), 10_000, `import ${url}`))
  return namespaces
}

test('200 concurrent imports over cyclic graphs read what serial imports read (synthetic server, 12 graphs)', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const { imports, entries, delays } = cyclicGraph(seed)
    const sources = Object.fromEntries(imports.map((deps, i) => [`/m${i}.js`, runnerSource(i, deps)]))
    const delayOf = (url) => delays[Number(url.slice(2, -3))]
    const results = {}
    for (const concurrent of [false, true]) {
      const runner = new runnerLib.ModuleRunner({ transport: syntheticTransport(sources, delayOf), hmr: false, sourcemapInterceptor: false })
      const namespaces = await importAll(runner, entries.map((e) => `/m${e}.js`), concurrent)
      results[concurrent ? 'concurrent' : 'serial'] = { entries: namespaces.map((ns) => ns.seen), modules: seenByModule(runner) }
      await runner.close()
    }
    assert.deepStrictEqual(results.concurrent, results.serial, `graph ${seed}`)
    assert.ok(Object.values(results.serial.modules).some((seen) => seen.includes('undefined')), 'the graph has cycles')
  }
})

test('200 concurrent runner.imports over a cyclic app read what serial imports read (native environment)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ven-cycles-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  const { imports, entries } = cyclicGraph(7, 30)
  imports.forEach((deps, i) => {
    const lines = [
      ...deps.map((d, j) => `import * as d${j} from './m${d}.ts'`),
      `export const v: string = 'm${i}'`,
      `export const seen = [${deps.map((_, j) => `String(d${j}.v)`).join(', ')}].join(',')`,
    ]
    writeFileSync(join(root, `m${i}.ts`), lines.join('\n') + '\n')
  })
  const server = await startServer(root, { native: true })
  t.after(() => server.close())
  const runner = server.environments.ssr.runner
  const urls = entries.map((e) => `/m${e}.ts`)
  const serial = (await importAll(runner, urls, false)).map((ns) => ns.seen)
  const serialModules = seenByModule(runner)
  for (let round = 0; round < 3; round++) {
    runner.clearCache()
    const concurrent = (await importAll(runner, urls, true)).map((ns) => ns.seen)
    assert.deepStrictEqual(concurrent, serial, `round ${round}: entries`)
    assert.deepStrictEqual(seenByModule(runner), serialModules, `round ${round}: modules`)
  }
  assert.ok(Object.values(serialModules).some((seen) => seen.includes('undefined')), 'the app has cycles')
})

test('a true cycle entered by two concurrent imports at different modules resolves, in serial order', async () => {
  const sources = {
    '/a.js': `const b = await __vite_ssr_import__("/b.js");\nconst seen = "a saw " + b.v;\n__vite_ssr_exportName__("seen", () => seen);\n__vite_ssr_exportName__("v", () => "a");`,
    '/b.js': `const a = await __vite_ssr_import__("/a.js");\nconst seen = "b saw " + a.v;\n__vite_ssr_exportName__("seen", () => seen);\n__vite_ssr_exportName__("v", () => "b");`,
  }
  // b's fetch answers first, so b starts before a reaches it: b must still get the partial a.
  const runner = new runnerLib.ModuleRunner({
    transport: syntheticTransport(sources, (url) => (url === '/a.js' ? 2 : 0)),
    hmr: false,
    sourcemapInterceptor: false,
  })
  const [a, b] = await withTimeout(Promise.all([runner.import('/a.js'), runner.import('/b.js')]), 5000, 'a ↔ b')
  assert.deepStrictEqual([a.seen, b.seen], ['a saw b', 'b saw undefined'])
  await runner.close()
})

test('a cycle waiting for an older import that waits on it outside the runner still resolves', async () => {
  // The older import waits on the younger one through a plain promise the runner cannot see;
  // the younger one's cycle is broken after the fallback wait instead of deadlocking.
  const sources = {
    '/outer.js': `await globalThis.__venInnerDone;\n__vite_ssr_exportName__("v", () => "outer");`,
    '/a.js': `const b = await __vite_ssr_import__("/b.js");\n__vite_ssr_exportName__("v", () => "a+" + b.v);`,
    '/b.js': `const a = await __vite_ssr_import__("/a.js");\n__vite_ssr_exportName__("v", () => "b");`,
  }
  const runner = new runnerLib.ModuleRunner({ transport: syntheticTransport(sources, () => 0), hmr: false, sourcemapInterceptor: false })
  let innerDone
  globalThis.__venInnerDone = new Promise((resolve) => (innerDone = resolve))
  const outer = runner.import('/outer.js')
  const inner = runner.import('/a.js').finally(() => innerDone())
  const [a, o] = await withTimeout(Promise.all([inner, outer]), 5000, 'untracked wait')
  assert.deepStrictEqual([a.v, o.v], ['a+b', 'outer'])
  delete globalThis.__venInnerDone
  await runner.close()
})
