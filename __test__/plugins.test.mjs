// JS plugins in a native environment: the same results as in Vite's own environment, Vite's
// plugin context (`this.environment`, `this.resolve`), errors with the plugin's name, and
// filters evaluated natively so non-matching modules never reach a plugin.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { repoRoot, startServer } from './helpers.mjs'

const root = join(repoRoot, '__test__', 'fixtures', 'plugins')

function testPlugins(calls) {
  return [
    {
      name: 'virtual-message',
      resolveId(id) {
        if (id === 'virtual:message') return '\0virtual:message'
      },
      load(id) {
        if (id === '\0virtual:message') return 'export const message = "from a virtual module"'
      },
    },
    {
      name: 'env-info',
      resolveId: {
        filter: { id: /^virtual:env-info$/ },
        handler(id) {
          return '\0' + id
        },
      },
      load: {
        filter: { id: /^\0virtual:env-info$/ },
        handler() {
          const { consumer, resolve } = this.environment.config
          return `export const consumer = ${JSON.stringify(consumer)}; export const conditions = ${JSON.stringify(resolve.conditions)}`
        },
      },
    },
    {
      name: 'resolve-with-skip-self',
      enforce: 'pre',
      async resolveId(id, importer, options) {
        if (id !== './resolved') return null
        calls.skipSelf++
        const resolved = await this.resolve(id, importer, { ...options, skipSelf: true })
        return resolved && { ...resolved, meta: { seen: true } }
      },
    },
    {
      name: 'resolve-bare-package',
      resolveId(id) {
        if (id === 'virtual:resolved-package') return '\0virtual:resolved-package'
      },
      async load(id) {
        if (id !== '\0virtual:resolved-package') return
        const resolved = await this.resolve('picomatch', join(root, 'src/entry.ts'))
        return `export const resolvedPackage = ${JSON.stringify({ id: resolved?.id, external: resolved?.external ?? false })}`
      },
    },
    {
      name: 'mark',
      transform: {
        filter: { id: /marked\.ts$/, code: '__MARK__' },
        handler(code, id) {
          calls.mark.push(id)
          return code.replace('__MARK__', 'marked by a plugin')
        },
      },
    },
    {
      name: 'thrower',
      transform: {
        filter: { id: /broken-by-plugin/ },
        handler(code) {
          if (code.includes('THROW_HERE')) this.error('refusing this module', code.indexOf('THROW_HERE'))
        },
      },
    },
    {
      name: 'never-matches',
      transform: {
        filter: { id: /\.never$/ },
        handler(_code, id) {
          calls.never.push(id)
        },
      },
      load: {
        filter: { id: /\.never$/ },
        handler(id) {
          calls.never.push(id)
        },
      },
    },
  ]
}

const servers = {}
const calls = { vite: null, native: null }
before(async () => {
  for (const kind of ['vite', 'native']) {
    calls[kind] = { skipSelf: 0, mark: [], never: [] }
    servers[kind] = await startServer(root, { native: kind === 'native', plugins: testPlugins(calls[kind]) })
  }
})
after(async () => {
  for (const server of Object.values(servers)) await server?.close()
})

const render = async (kind) => (await servers[kind].environments.ssr.runner.import('/src/entry.ts')).render()

test('virtual modules, this.environment, this.resolve(skipSelf), css, ?raw, import.meta.glob: same as Vite', async () => {
  const expected = await render('vite')
  const actual = await render('native')
  assert.equal(actual.message, 'from a virtual module')
  assert.equal(actual.consumer, 'server')
  assert.equal(actual.marked, 'marked by a plugin')
  assert.equal(actual.raw, 'raw text')
  assert.match(actual.resolvedPackage.id, /node_modules\/picomatch\/index\.js$/)
  assert.match(actual.css, /\.title \{ color: red; \}/)
  assert.deepEqual(actual.pages, { './pages/a.ts': 'Page A', './pages/b.ts': 'Page B' })
  assert.deepEqual(actual.lazy, ['Page A', 'Page B'])
  assert.deepEqual(actual, expected)
  assert.equal(calls.native.skipSelf, calls.vite.skipSelf)
  assert.ok(calls.native.skipSelf >= 1)
})

test('filters are checked natively: only matching modules reach a hook', async () => {
  await render('native')
  assert.deepEqual(calls.native.never, [])
  assert.equal(calls.native.mark.length, 1)
  assert.match(calls.native.mark[0], /marked\.ts$/)
})

test('a hook error carries the plugin name, id, loc and frame', async () => {
  const errors = {}
  for (const kind of ['vite', 'native']) {
    errors[kind] = await servers[kind].environments.ssr.runner.import('/src/broken-by-plugin.ts').then(
      () => null,
      (e) => e,
    )
  }
  const { native, vite } = errors
  assert.ok(native instanceof Error)
  assert.equal(native.plugin, 'thrower')
  assert.equal(native.plugin, vite.plugin)
  assert.equal(native.message, vite.message)
  assert.equal(native.id, vite.id)
  assert.deepEqual(native.loc, vite.loc)
  assert.equal(typeof native.frame, 'string')
})

test('resolveId hooks see the same requests as in Vite (entry url included, known urls not again)', async () => {
  const seen = {}
  for (const kind of ['vite', 'native']) {
    const calls = []
    const spy = {
      name: 'spy',
      enforce: 'pre',
      resolveId(id, importer) {
        calls.push(`${id} <- ${importer ? importer.replace(/\\/g, '/').split('/').slice(-2).join('/') : '(none)'}`)
      },
    }
    const server = await startServer(join(repoRoot, 'examples', 'ssr-basic'), { native: kind === 'native', plugins: [spy] })
    try {
      await (await server.environments.ssr.runner.import('/src/entry-server.ts')).render('/')
    } finally {
      await server.close()
    }
    seen[kind] = calls.sort()
  }
  assert.ok(seen.native.some((c) => c.startsWith('/src/entry-server.ts <- ')), seen.native.join('\n'))
  assert.deepEqual(seen.native, seen.vite)
})

test('perEnvironmentState keys state by this.environment, as under Vite', async () => {
  const { perEnvironmentState } = await import('vite')
  const seen = {}
  for (const kind of ['vite', 'native']) {
    const state = perEnvironmentState(() => ({ transformed: 0 }))
    const environments = new Set()
    const counter = {
      name: 'counter',
      transform(_code, id) {
        if (!id.includes('/examples/ssr-basic/src/')) return
        state(this).transformed++
        environments.add(this.environment)
      },
    }
    const server = await startServer(join(repoRoot, 'examples', 'ssr-basic'), { native: kind === 'native', plugins: [counter] })
    try {
      const env = server.environments.ssr
      await (await env.runner.import('/src/entry-server.ts')).render('/')
      const [only] = environments
      seen[kind] = { environments: environments.size, isSsr: only === env, transformed: state({ environment: env }).transformed }
    } finally {
      await server.close()
    }
  }
  assert.deepEqual(seen.native, seen.vite)
  assert.ok(seen.vite.transformed > 0)
})
