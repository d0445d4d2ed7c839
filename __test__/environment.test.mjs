// The spine, end to end: the example app through Vite's own SSR environment and through ours.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { isRunnableDevEnvironment } from 'vite'
import { DevEnvironment, isNativeEnvironment } from 'vite-env-native'
import { copyFixture, exampleRoot, graphShape, startServer } from './helpers.mjs'

describe('example app: native vs Vite', () => {
  let vite
  let native
  before(async () => {
    vite = await startServer(exampleRoot, { native: false })
    native = await startServer(exampleRoot, { native: true })
  })
  after(async () => {
    await vite?.close()
    await native?.close()
  })

  test('the ssr environment is ours and passes Vite’s runnable check', () => {
    const env = native.environments.ssr
    assert.ok(isRunnableDevEnvironment(env))
    assert.ok(isNativeEnvironment(env))
    assert.ok(env instanceof DevEnvironment)
    assert.ok(!isNativeEnvironment(vite.environments.ssr))
    assert.ok(!isNativeEnvironment(native.environments.client), 'the client stays Vite’s')
  })

  test('rendered HTML is identical', async () => {
    const render = async (server) => (await server.environments.ssr.runner.import('/src/entry-server.ts')).render('/about')
    const [expected, actual] = [await render(vite), await render(native)]
    assert.match(actual, /<title>vite-env-native example · About<\/title>/)
    assert.equal(actual, expected)
  })

  test('namespace keys and order are identical', async () => {
    for (const url of ['/src/entry-server.ts', '/src/format.ts', '/src/state.ts', '/src/routes.json', '/src/components/list.ts']) {
      const keys = async (server) => Object.keys(await server.environments.ssr.runner.import(url))
      assert.deepEqual(await keys(native), await keys(vite), url)
    }
  })

  test('module graph: same nodes and importer edges', async () => {
    for (const server of [vite, native]) await (await server.environments.ssr.runner.import('/src/entry-server.ts')).render('/')
    const expected = graphShape(vite.environments.ssr)
    const actual = graphShape(native.environments.ssr)
    assert.ok(actual.urls.length >= 7, JSON.stringify(actual.urls))
    assert.deepEqual(actual.urls, expected.urls)
    assert.deepEqual(actual.edges, expected.edges)
  })

  test('graph nodes keep their identity and live fields', async () => {
    const graph = native.environments.ssr.moduleGraph
    const byId = graph.getModuleById(join(exampleRoot, 'src/format.ts'))
    const byUrl = await graph.getModuleByUrl('/src/format.ts')
    assert.ok(byId)
    assert.equal(byId, byUrl)
    assert.equal(byId.environment, 'ssr')
    assert.equal(byId.type, 'js')
    assert.equal(byId.transformResult.ssr, true)
    assert.equal(typeof byId.transformResult.map.mappings, 'string')
    assert.equal(graph.getModulesByFile(byId.file).has(byId), true)
  })

  test('server.ssrLoadModule and transformRequest work', async () => {
    const mod = await native.ssrLoadModule('/src/format.ts')
    assert.equal(mod.escapeHtml('<a>'), '&lt;a&gt;')
    const result = await native.environments.ssr.transformRequest('/src/state.ts')
    assert.equal(result.ssr, true)
    assert.match(result.code, /__vite_ssr_exportName__\("increment"/)
    assert.deepEqual(result.deps, [])
  })

  test('fetchModule returns Vite’s FetchResult shapes', async () => {
    const env = native.environments.ssr
    const importer = join(exampleRoot, 'src/entry-server.ts')
    assert.deepEqual(await env.fetchModule('node:path', importer), { externalize: 'node:path', type: 'builtin' })
    assert.deepEqual(await env.fetchModule('https://example.com/x.js', importer), { externalize: 'https://example.com/x.js', type: 'network' })
    const inline = await env.fetchModule('/src/format.ts', undefined, { startOffset: 3 })
    assert.deepEqual(Object.keys(inline).sort(), ['code', 'file', 'id', 'invalidate', 'url'])
    assert.equal(inline.url, '/src/format.ts')
    assert.equal(inline.id, join(exampleRoot, 'src/format.ts'))
    assert.match(inline.code, /\/\/# sourceMappingURL=data:application\/json;base64,/)
    const cached = await env.fetchModule('/src/format.ts', undefined, { cached: true })
    assert.deepEqual(cached, { cache: true })
  })
})

describe('bare dependencies are externalized like Vite', () => {
  test('ESM and CommonJS packages', async () => {
    const fixture = copyFixture(exampleRoot)
    try {
      const pkg = (name, files) => {
        for (const [file, text] of Object.entries(files)) {
          const path = join(fixture.dir, 'node_modules', name, file)
          mkdirSync(dirname(path), { recursive: true })
          writeFileSync(path, text)
        }
      }
      pkg('esm-dep', { 'package.json': '{"name":"esm-dep","type":"module","exports":"./index.js"}', 'index.js': 'export const kind = "esm"\n' })
      pkg('cjs-dep', { 'package.json': '{"name":"cjs-dep","main":"index.js"}', 'index.js': 'exports.kind = "cjs"\n' })
      writeFileSync(join(fixture.dir, 'src/deps.ts'), "import { kind as a } from 'esm-dep'\nimport cjs from 'cjs-dep'\nexport const kinds = [a, cjs.kind]\n")
      const results = []
      for (const native of [false, true]) {
        const server = await startServer(fixture.dir, { native })
        try {
          const env = server.environments.ssr
          const mod = await env.runner.import('/src/deps.ts')
          const importer = join(fixture.dir, 'src/deps.ts')
          results.push({ kinds: mod.kinds, esm: await env.fetchModule('esm-dep', importer), cjs: await env.fetchModule('cjs-dep', importer) })
        } finally {
          await server.close()
        }
      }
      assert.deepEqual(results[1], results[0])
      assert.deepEqual(results[1].kinds, ['esm', 'cjs'])
      assert.equal(results[1].esm.type, 'module')
      assert.equal(results[1].cjs.type, 'commonjs')
    } finally {
      fixture.dispose()
    }
  })
})

describe('errors have Vite’s shape', () => {
  test('syntax error: vite:oxc’s plugin, id, place in the message, diagnostics; fixing the file recovers', async () => {
    const fixture = copyFixture(exampleRoot)
    const server = await startServer(fixture.dir, { native: true })
    try {
      const file = join(fixture.dir, 'src/broken.ts')
      writeFileSync(file, 'export const ok = 1\nexport const broken = (\n')
      const env = server.environments.ssr
      const error = await env.runner.import('/src/broken.ts').then(() => null, (e) => e)
      assert.ok(error instanceof Error)
      assert.equal(error.id, file)
      assert.equal(error.plugin, 'vite:oxc')
      assert.equal(error.errors[0].loc.file, file)
      assert.equal(error.errors[0].loc.line, 3)
      assert.match(error.message, /src\/broken\.ts:3:1 \]/)
      writeFileSync(file, 'export const ok = 1\nexport const broken = 2\n')
      env.moduleGraph.onFileChange(file)
      env.runner.clearCache()
      assert.equal((await env.runner.import('/src/broken.ts')).broken, 2)
    } finally {
      await server.close()
      fixture.dispose()
    }
  })

  test('missing file: ERR_LOAD_URL like Vite', async () => {
    const server = await startServer(exampleRoot, { native: true })
    try {
      const error = await server.environments.ssr.fetchModule('/src/nope.ts').then(() => null, (e) => e)
      assert.equal(error.code, 'ERR_LOAD_URL')
      assert.match(error.message, /Failed to load url \/src\/nope\.ts/)
    } finally {
      await server.close()
    }
  })
})

