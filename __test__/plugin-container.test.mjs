// Direct calls on an environment's plugin container (`environment.pluginContainer.resolveId /
// load / transform`), as frameworks make them outside `transformRequest` (React Router compiles
// route modules with `pluginContainer.transform(code, id, { ssr: true })`): the native
// environment's container must give what Vite's gives, core steps included (TS/JSX, JSON,
// define, import.meta.glob, import analysis), with the JS plugins' hooks at their places.
//
// Our output is printed by another code generator than Vite's, so code is compared by what it
// does: each result is run (through Vite's own module-runner transform) against the same stub
// imports, and the imported urls and the exported values must be equal.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { moduleRunnerTransform } from 'vite'
import { isNativeEnvironment } from 'vite-env-native'
import { repoRoot, startServer } from './helpers.mjs'

const root = join(repoRoot, '__test__/fixtures/container')
const file = (path) => join(root, path)

const VIRTUAL_ID = '\0virtual:answer'
const VIRTUAL_CODE = 'export const answer = 21\n'

/** Records which code each kind of transform hook sees for `hooks.ts`. */
function pluginsFor(log) {
  const sees = (code) => ({ typed: code.includes(': number'), analyzed: /["']\/src\/shape\.ts["']/.test(code) })
  const watch = (name, extra = {}) => ({
    name,
    ...extra,
    transform: {
      ...(extra.order ? { order: extra.order } : {}),
      filter: { id: /\/hooks\.ts$/ },
      handler(code) {
        log.push({ hook: name, ...sees(code) })
      },
    },
  })
  return [
    {
      name: 'virtual-answer',
      resolveId: (id) => (id === 'virtual:answer' ? VIRTUAL_ID : undefined),
      load: (id) => (id === VIRTUAL_ID ? VIRTUAL_CODE : undefined),
    },
    {
      // Files a module's hooks watch are imports to Vite's import analysis.
      // (a module no transform hook sees keeps its load's ones too).
      name: 'watch-files',
      load(id) {
        if (/\/(hooks|shape-free)\.[jt]s$/.test(id)) this.addWatchFile(join(root, 'src/pages/home.js'))
        return null
      },
      transform: {
        filter: { id: /\/hooks\.ts$/ },
        handler() {
          this.addWatchFile(join(root, 'src/pages/about.js'))
        },
      },
    },
    watch('watch-pre', { enforce: 'pre' }),
    watch('watch-normal'),
    watch('watch-post', { enforce: 'post' }),
    watch('watch-order-post', { order: 'post' }),
  ]
}

// What the stub imports give: namespaces by url, the JSX runtime recording its calls.
const STUBS = {
  '/src/shape.ts': { area: (shape) => shape.side * shape.side },
  '/src/config.json': { default: { title: 'container' } },
  '/src/shape-free.js': { greeting: (name) => `Hello ${name}` },
  '/src/pages/home.js': { title: 'Home' },
  '/src/pages/about.js': { title: 'About' },
  'react/jsx-dev-runtime': {
    Fragment: 'Fragment',
    jsxDEV: (type, props, key, isStatic, source, self) => ({ type, props, key, isStatic, source, self }),
  },
  '/@id/__x00__virtual:answer': { answer: 21 },
  'node:fs': { readFileSync() {} },
}

const AsyncFunction = (async () => {}).constructor

/** Runs a transform result: the urls it imports (sorted) and its exports as plain data. */
async function behaviour(code, url) {
  const runnable = (await moduleRunnerTransform(code, null, url, code)).code
  const imported = new Set()
  const load = (specifier) => {
    imported.add(specifier)
    return STUBS[specifier] ?? { unknown: specifier }
  }
  const exports = Object.create(null)
  const run = new AsyncFunction(
    '__vite_ssr_exports__',
    '__vite_ssr_import_meta__',
    '__vite_ssr_import__',
    '__vite_ssr_dynamic_import__',
    '__vite_ssr_exportAll__',
    '__vite_ssr_exportName__',
    `"use strict";\n${runnable}`,
  )
  await run(
    exports,
    {},
    async (specifier) => load(specifier),
    async (specifier) => load(specifier),
    () => {},
    (name, getter) => Object.defineProperty(exports, name, { enumerable: true, get: getter }),
  )
  return { imports: [...imported].sort(), exports: await plain(exports) }
}

/** A value as comparable data: functions are called (components with sample props). */
async function plain(value, depth = 0) {
  if (depth > 8) return '<deep>'
  if (typeof value === 'function') return { called: await plain(await value({ name: 'Ada', count: 2 }), depth + 1) }
  if (Array.isArray(value)) return Promise.all(value.map((v) => plain(v, depth + 1)))
  if (value && typeof value === 'object') {
    const out = {}
    for (const key of Object.keys(value).sort()) out[key] = await plain(value[key], depth + 1)
    return out
  }
  return value
}

/** Everything a caller of `transform` sees, code as behaviour. */
async function transformed(result, url) {
  return {
    moduleType: result.moduleType,
    behaviour: await behaviour(result.code, url),
    map: result.map ? { sources: result.map.sources } : null,
  }
}

/**
 * Where Vite's steps return no map (import analysis and globs edit the code in place in dev, so
 * lines stay), ours may have one: our printer reprints the module, and its map keeps positions
 * right. Where Vite has a map, ours must name the same sources.
 */
function withVitesMapPresence(native, vite) {
  if (native && typeof native === 'object' && 'behaviour' in native) {
    return { ...native, map: vite?.map === null ? null : native.map }
  }
  if (Array.isArray(native)) return native.map((value, index) => withVitesMapPresence(value, vite?.[index]))
  if (native && typeof native === 'object') {
    return Object.fromEntries(Object.entries(native).map(([key, value]) => [key, withVitesMapPresence(value, vite?.[key])]))
  }
  return native
}

/** `native` equals `vite`, maps compared as `withVitesMapPresence` says. */
const assertSame = (native, vite) => assert.deepEqual(withVitesMapPresence(native, vite), vite)

describe('environment.pluginContainer on direct calls: the same as on Vite’s environment', () => {
  const servers = {}
  const logs = { vite: [], native: [] }
  before(async () => {
    for (const kind of ['vite', 'native']) {
      servers[kind] = await startServer(root, {
        native: kind === 'native',
        plugins: pluginsFor(logs[kind]),
        define: { __APP_NAME__: JSON.stringify('container-app'), __FLAGS__: JSON.stringify({ beta: true }) },
      })
    }
    assert.equal(isNativeEnvironment(servers.native.environments.ssr), true)
    assert.equal(isNativeEnvironment(servers.vite.environments.ssr), false)
  })
  after(async () => {
    for (const server of Object.values(servers)) await server.close()
  })

  /** `f(environment)` on both environments. */
  async function both(f) {
    return { vite: await f(servers.vite.environments.ssr), native: await f(servers.native.environments.ssr) }
  }

  /** React Router's call: the module entered in the graph, then `transform(code, id, options)`. */
  const transformFile = (path, options) =>
    both(async (environment) => {
      await environment.moduleGraph.ensureEntryFromUrl(`/${path}`)
      const id = file(path)
      return transformed(await environment.pluginContainer.transform(readFileSync(id, 'utf8'), id, options), `/${path}`)
    })

  test('TypeScript: types stripped, enums kept, imports analysed to urls', async () => {
    const { vite, native } = await transformFile('src/typed.ts', { ssr: true })
    assertSame(native, vite)
    assert.deepEqual(vite.behaviour.imports, ['/src/config.json', '/src/shape.ts'])
    assert.equal(vite.behaviour.exports.total, 101)
  })

  test('TSX: the automatic JSX runtime in development, with each element’s source', async () => {
    const { vite, native } = await transformFile('src/card.tsx')
    assertSame(native, vite)
    assert.equal(vite.behaviour.exports.Card.called.type, 'section')
  })

  test('JSON: a module with the JSON module type (as transformRequest gives it), unchanged without', async () => {
    const asJson = await transformFile('src/config.json', { moduleType: 'json' })
    assertSame(asJson.native, asJson.vite)
    assert.equal(asJson.vite.behaviour.exports.title, 'container')
    const asJs = await both(async (environment) => {
      const id = file('src/config.json')
      const result = await environment.pluginContainer.transform(readFileSync(id, 'utf8'), id)
      return { code: result.code, moduleType: result.moduleType }
    })
    assert.deepEqual(asJs.native, asJs.vite)
  })

  test('define: import.meta.env and config define keys', async () => {
    const { vite, native } = await transformFile('src/defined.js')
    assertSame(native, vite)
    assert.deepEqual(vite.behaviour.exports, { app: 'container-app', dev: true, flags: true, mode: 'development', ssr: true })
  })

  test('import.meta.glob: eager and lazy', async () => {
    const { vite, native } = await transformFile('src/globbed.js')
    assertSame(native, vite)
    assert.deepEqual(Object.keys(vite.behaviour.exports.lazy), ['./pages/about.js', './pages/home.js'])
  })

  test('a virtual module: resolveId, load, its importer’s transform and its own', async () => {
    const { vite, native } = await both(async (environment) => {
      const container = environment.pluginContainer
      const resolved = await container.resolveId('virtual:answer', file('src/uses-virtual.js'))
      const loaded = await container.load(resolved.id)
      await environment.moduleGraph.ensureEntryFromUrl('/src/uses-virtual.js')
      const importer = file('src/uses-virtual.js')
      const code = readFileSync(importer, 'utf8')
      await environment.moduleGraph.ensureEntryFromUrl('virtual:answer')
      return {
        resolved,
        loaded,
        importer: await transformed(await container.transform(code, importer), '/src/uses-virtual.js'),
        itself: await transformed(await container.transform(loaded, resolved.id), '/@id/__x00__virtual:answer'),
      }
    })
    assertSame(native, vite)
    assert.deepEqual(vite.resolved, { id: VIRTUAL_ID })
    assert.equal(vite.importer.behaviour.exports.doubled, 42)
  })

  test('the plugin lists (core plugins included), resolveId and load of files, packages, builtins, urls', async () => {
    const { vite, native } = await both(async (environment) => {
      const container = environment.pluginContainer
      const lists = {}
      for (const hook of ['resolveId', 'load', 'transform', 'buildStart']) {
        lists[hook] = container.getSortedPlugins(hook).map((p) => p.name)
      }
      const importer = file('src/typed.ts')
      const ids = {}
      const specifiers = ['./shape', '/src/card.tsx', 'react', './missing', 'node:fs', 'https://example.com/a.js', 'data:text/javascript,1']
      for (const specifier of specifiers) {
        ids[specifier] = await container.resolveId(specifier, importer)
      }
      const loads = {}
      for (const path of ['src/shape.ts', 'src/config.json']) loads[path] = await container.load(file(path))
      return { lists, ids, loads }
    })
    assertSame(native, vite)
    assert.ok(vite.lists.transform.includes('vite:import-analysis'))
    assert.equal(vite.ids['./shape'].id, file('src/shape.ts'))
    assert.deepEqual(vite.ids['node:fs'], { id: 'node:fs', external: true, moduleSideEffects: false })
  })

  test('each JS transform hook sees the code at its place; watched files become imports', async () => {
    logs.vite.length = 0
    logs.native.length = 0
    const loadAndTransform = (environment, path) =>
      (async () => {
        const id = file(path)
        await environment.moduleGraph.ensureEntryFromUrl(`/${path}`)
        await environment.pluginContainer.load(id)
        const result = await transformed(await environment.pluginContainer.transform(readFileSync(id, 'utf8'), id), `/${path}`)
        const node = environment.moduleGraph.getModuleById(id)
        return { result, imported: [...node.importedModules].map((m) => m.url).sort() }
      })()
    const { vite, native } = await both(async (environment) => ({
      hooks: await loadAndTransform(environment, 'src/hooks.ts'),
      untouched: await loadAndTransform(environment, 'src/shape-free.js'),
    }))
    assertSame(native, vite)
    assert.deepEqual(vite.hooks.imported, ['/src/pages/about.js', '/src/pages/home.js', '/src/shape.ts'])
    assert.deepEqual(vite.untouched.imported, ['/src/pages/home.js'])
    assert.deepEqual(logs.native, logs.vite)
    assert.deepEqual(logs.vite, [
      { hook: 'watch-pre', typed: true, analyzed: false },
      { hook: 'watch-normal', typed: false, analyzed: false },
      { hook: 'watch-post', typed: false, analyzed: false },
      { hook: 'watch-order-post', typed: false, analyzed: true },
    ])
  })

  test('a module the graph does not know fails as Vite’s import analysis fails it', async () => {
    const { vite, native } = await both(async (environment) => {
      const id = file('src/shape.ts')
      const error = await environment.pluginContainer.transform('export const x = 1', `${id}?unknown`).then(
        () => undefined,
        (e) => e,
      )
      return { code: error?.code, message: error?.message }
    })
    assertSame(native, vite)
    assert.equal(vite.code, 'ERR_OUTDATED_OPTIMIZED_DEP')
  })
})
