// Resolution settings and requests that frameworks rely on, each compared with Vite's own
// environment on the same app: JS regexes (look-around) in `resolve.alias` and `ssr.noExternal`,
// `noExternal` globs, externalization decided before `resolveId` hooks, urls relative to the
// root, and a package without a usable entry.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, test } from 'node:test'
import { startServer } from './helpers.mjs'

const files = {
  'package.json': '{ "name": "resolve-config-app", "type": "module" }',
  'x.js': "export default 'root x.js'",
  'x/y.js': "export default 'root x/y.js'",
  'src/a.js': "export default 'src/a.js'",
  'src/aliased.js': "import a from '~/a.js'\nexport default a",
  'src/globs.js': [
    "import glob from '@scope/start-glob'",
    "import look from 'look-pkg'",
    "import plain from 'plain-esm'",
    'export default { glob, look, plain }',
  ].join('\n'),
  'src/cjs.js': "import dep from 'cjs-dep'\nexport default dep.kind",
  'src/broken.js': "import broken from 'broken-entry'\nexport default broken",
  // A root-relative `x/y.js` must not be taken for the package `x`.
  'node_modules/x/package.json': '{ "name": "x", "version": "1.0.0" }',
  'node_modules/x/y.js': "export default 'package x/y.js'",
  'node_modules/cjs-dep/package.json': '{ "name": "cjs-dep", "version": "1.0.0", "main": "index.js" }',
  'node_modules/cjs-dep/index.js': "module.exports = { kind: 'commonjs, run by Node' }",
  'node_modules/broken-entry/package.json': '{ "name": "broken-entry", "version": "1.0.0", "main": "missing.js" }',
  // Node sees no `import.meta.env`; Vite's runner does: tells inlined from externalized.
  ...Object.fromEntries(
    ['@scope/start-glob', 'look-pkg', 'plain-esm'].flatMap((name) => [
      [`node_modules/${name}/package.json`, JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js' })],
      [`node_modules/${name}/index.js`, "export default import.meta.env ? 'inlined' : 'externalized'"],
    ]),
  ),
}

let root
const results = {}

// Like Astro's plugin: no filter, answers every import through the rest of the container.
const answerEverything = {
  name: 'answer-everything',
  enforce: 'pre',
  resolveId(id, importer) {
    return this.resolve(id, importer, { skipSelf: true })
  },
}

const settle = (promise) =>
  promise.then(
    (value) => ({ value }),
    (error) => ({ error: { code: error.code, message: error.message.replaceAll(root, '<root>').split('\n')[0] } }),
  )

const importLines = (code) =>
  code
    .split('\n')
    .filter((line) => line.includes('__vite_ssr_import__('))
    .map((line) => line.replace(/^.*__vite_ssr_import__\((".*?").*$/, '$1'))

async function collect(native) {
  const server = await startServer(root, {
    native,
    plugins: [answerEverything],
    resolve: { alias: [{ find: /^~(?!\/skip)\/(.*)$/, replacement: '/src/$1' }] },
    ssr: { noExternal: ['@scope/start**', /^look(?!-nope)/] },
  })
  try {
    const env = server.environments.ssr
    const out = {}
    out.aliased = await settle(env.runner.import('/src/aliased.js').then((m) => m.default))
    out.globs = await settle(env.runner.import('/src/globs.js').then((m) => m.default))
    out.cjs = await settle(env.runner.import('/src/cjs.js').then((m) => m.default))
    out.cjsImports = await settle(env.transformRequest('/src/cjs.js').then((r) => importLines(r.code)))
    out.runnerRelative = await settle(env.runner.import('./x.js').then((m) => m.default))
    out.ssrLoadModule = await settle(server.ssrLoadModule('./x').then((m) => m.default))
    out.fetchBare = await settle(
      env.fetchModule('x/y.js').then((r) => ({ id: r.id?.replace(root, '<root>'), file: r.file?.replace(root, '<root>') })),
    )
    out.transformRelative = await settle(env.transformRequest('x.js').then((r) => r.code.includes('root x.js')))
    out.brokenImport = await settle(env.runner.import('/src/broken.js'))
    out.brokenFetch = await settle(env.fetchModule('broken-entry', join(root, 'src/broken.js')))
    return out
  } finally {
    await server.close()
  }
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ven-resolve-config-'))
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, file)), { recursive: true })
    writeFileSync(join(root, file), text)
  }
  results.vite = await collect(false)
  results.native = await collect(true)
})

after(() => rmSync(root, { recursive: true, force: true }))

test('look-around in resolve.alias and ssr.noExternal regexes works with JS semantics', () => {
  assert.deepEqual(results.vite.aliased, { value: 'src/a.js' })
  assert.deepEqual(results.native.aliased, results.vite.aliased)
  assert.equal(results.vite.globs.value.look, 'inlined')
  assert.equal(results.native.globs.value?.look, results.vite.globs.value.look)
})

test('ssr.noExternal strings are picomatch globs, as in Vite', () => {
  assert.deepEqual(results.vite.globs, { value: { glob: 'inlined', look: 'inlined', plain: 'externalized' } })
  assert.deepEqual(results.native.globs, results.vite.globs)
})

test('a package Vite externalizes stays external when a pre plugin answers every import', () => {
  assert.deepEqual(results.vite.cjs, { value: 'commonjs, run by Node' })
  assert.deepEqual(results.native.cjs, results.vite.cjs)
  assert.deepEqual(results.vite.cjsImports, { value: ['"cjs-dep"'] })
  assert.deepEqual(results.native.cjsImports, results.vite.cjsImports)
})

test('urls without a leading slash resolve against the root (runner, ssrLoadModule, fetchModule, transformRequest)', () => {
  assert.deepEqual(results.vite.runnerRelative, { value: 'root x.js' })
  assert.deepEqual(results.native.runnerRelative, results.vite.runnerRelative)
  assert.deepEqual(results.native.ssrLoadModule, results.vite.ssrLoadModule)
  assert.deepEqual(results.vite.fetchBare, { value: { id: '<root>/x/y.js', file: '<root>/x/y.js' } })
  assert.deepEqual(results.native.fetchBare, results.vite.fetchBare)
  assert.deepEqual(results.vite.transformRelative, { value: true })
  assert.deepEqual(results.native.transformRelative, results.vite.transformRelative)
})

test('a package without a usable entry fails with ERR_RESOLVE_PACKAGE_ENTRY_FAIL', () => {
  assert.equal(results.vite.brokenImport.error?.code, 'ERR_RESOLVE_PACKAGE_ENTRY_FAIL')
  assert.deepEqual(results.native.brokenImport, results.vite.brokenImport)
  assert.deepEqual(results.native.brokenFetch, results.vite.brokenFetch)
})
