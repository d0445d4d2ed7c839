// Real framework plugins from npm in a native environment, compared with Vite's own SSR
// environment on the same app: the rendered HTML and the module graph must be equal. Then the
// container semantics those plugins rely on, observed the same way on both: `this.environment`
// in `transform`, hook order (`enforce`, hook `order`, `sequential`), `load` meta read back with
// `this.getModuleInfo`, and a filter set by an `options` hook (as plugin-vue does).
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { test } from 'node:test'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import react from '@vitejs/plugin-react'
import vue from '@vitejs/plugin-vue'
import { graphShape, repoRoot, startServer, whenWatched } from './helpers.mjs'

const fixtures = join(repoRoot, '__test__', 'fixtures', 'plugins-npm')

/** Runs `fn(server, kind)` on a Vite server with Vite's environment, then on one with ours. */
async function both(root, plugins, fn) {
  const out = {}
  for (const kind of ['vite', 'native']) {
    const server = await startServer(root, { native: kind === 'native', plugins: plugins() })
    try {
      out[kind] = await fn(server, kind)
    } finally {
      await server.close()
    }
  }
  return out
}

// Optimized deps carry a per-run browser hash (`?v=…`).
const stableGraph = (environment) => JSON.parse(JSON.stringify(graphShape(environment)).replace(/\?v=[0-9a-f]{8}/g, '?v=HASH'))

async function renderApp(framework, plugins, entry, render) {
  return both(join(fixtures, framework), plugins, async (server) => {
    const mod = await server.environments.ssr.runner.import(entry)
    return { html: await render(mod), graph: stableGraph(server.environments.ssr) }
  })
}

test('@vitejs/plugin-vue: a multi-component SFC app renders the same HTML (renderToString)', async () => {
  const { vite, native } = await renderApp('vue', () => [vue()], '/src/entry.ts', (mod) => mod.render())
  assert.match(native.html, /<h1 data-v-[0-9a-f]+>Groceries \(2\/3\)<\/h1>/)
  assert.match(native.html, /Bread &lt;fresh&gt;/)
  assert.match(native.html, /<button type="button">count is 6<\/button><p>big<\/p>/)
  assert.equal(native.html, vite.html)
  assert.ok(native.graph.urls.some((url) => url.includes('.vue?vue&type=style')))
  assert.deepEqual(native.graph, vite.graph)
})

test('@vitejs/plugin-react: a JSX/TSX app renders the same HTML (react-dom/server)', async () => {
  const { vite, native } = await renderApp('react', () => [react()], '/src/entry.tsx', (mod) => mod.render())
  assert.match(native.html, /<h1 class="title">Planets.*<span aria-label="3 items">many<\/span><\/h1>/)
  assert.match(native.html, /<li class="selected" data-kind="rocky">Mars<\/li>/)
  assert.match(native.html, /style="color:red;margin-top:4px"/)
  assert.equal(native.html, vite.html)
  assert.deepEqual(native.graph, vite.graph)
})

test('@sveltejs/vite-plugin-svelte: components and a .svelte.ts module render the same (svelte/server)', async () => {
  const { vite, native } = await renderApp('svelte', () => [svelte()], '/src/entry.ts', (mod) => mod.render())
  assert.match(native.html.head, /<title>Svelte app<\/title>/)
  assert.match(native.html.body, /<h1 class="title svelte-[a-z0-9]+">Hello SVELTE!<\/h1>/)
  assert.match(native.html.body, /<li data-index="1">2\. banana &lt;b><\/li>/)
  assert.match(native.html.body, /count 4 doubled 8/)
  assert.deepEqual(native.html, vite.html)
  assert.deepEqual(native.graph, vite.graph)
})

// ---------------------------------------------------------------------------------------------
// Container semantics

const hooksRoot = join(fixtures, 'hooks')
const local = (id) => typeof id === 'string' && id.startsWith(hooksRoot)
const short = (id) => (id ? basename(id.split('?')[0]) : '-')

/**
 * Plugins that log every call of their hooks for modules of the fixture. `log` entries are
 * `[module, entry]`: the per-module order is what Vite defines (modules themselves are
 * transformed concurrently, so the order between modules is not compared).
 */
function orderingPlugins(log) {
  const logger = (name) => ({
    name,
    resolveId(id, importer) {
      if (local(importer) && id.startsWith('.')) log.push([short(importer), `${name}:resolveId:${id}`])
    },
    load(id) {
      if (local(id)) log.push([short(id), `${name}:load`])
    },
    transform(code, id) {
      // `types` = the code still has TypeScript annotations (the hook runs before the TS step).
      if (local(id)) log.push([short(id), `${name}:transform:${/: string/.test(code) ? 'types' : 'js'}`])
    },
  })
  const withOrder = (plugin, hooks) => {
    for (const hook of hooks) plugin[hook] = { order: plugin.orderOf, handler: plugin[hook] }
    delete plugin.orderOf
    return plugin
  }
  const lifecycle = (name, sequential) => ({
    buildStart: {
      sequential,
      async handler() {
        log.push(['buildStart', `${name}:start`])
        await new Promise((resolve) => setTimeout(resolve, sequential ? 5 : 1))
        log.push(['buildStart', `${name}:end`])
      },
    },
  })
  return [
    { ...logger('post-plugin'), enforce: 'post', ...lifecycle('post-plugin', false) },
    withOrder({ ...logger('normal-order-pre'), orderOf: 'pre' }, ['resolveId', 'load', 'transform']),
    { ...logger('pre-plugin'), enforce: 'pre', ...lifecycle('pre-plugin', true) },
    withOrder({ ...logger('normal-order-post'), orderOf: 'post' }, ['resolveId', 'load', 'transform']),
    { ...logger('normal'), ...lifecycle('normal', false) },
    withOrder({ ...logger('pre-order-post'), enforce: 'pre', orderOf: 'post' }, ['resolveId', 'load', 'transform']),
    withOrder({ ...logger('post-order-pre'), enforce: 'post', orderOf: 'pre' }, ['resolveId', 'load', 'transform']),
  ]
}

function semanticsPlugins(calls) {
  const optionsFilter = {
    name: 'options-filter',
    options() {
      // Like plugin-vue: the real filter is only known once `options` runs.
      optionsFilter.transform.filter = { id: /options-target\.ts$/ }
    },
    transform: {
      filter: { id: /set-by-options-hook/ },
      handler(code, id) {
        calls.optionsFilter.push(short(id))
        return code.replace('__OPTIONS__', 'rewritten')
      },
    },
  }
  return [
    {
      name: 'env-probe',
      transform: {
        filter: { id: /env-probe\.ts$/ },
        handler(code) {
          const { name, config } = this.environment
          const probe = { name, consumer: config.consumer, conditions: config.resolve.conditions, external: config.resolve.externalConditions }
          return code.replace('__ENV_PROBE__', JSON.stringify(probe))
        },
      },
    },
    {
      name: 'meta',
      load(id) {
        if (id.endsWith('with-meta.ts')) return { code: readFileSync(id, 'utf-8'), meta: { meta: { from: 'load', n: 1 } } }
      },
      transform(code, id) {
        if (id.endsWith('with-meta.ts')) return code.replace('__META__', JSON.stringify(this.getModuleInfo(id).meta))
      },
    },
    optionsFilter,
  ]
}

test('hook order: enforce, hook order and sequential lifecycle hooks are called as by Vite', async () => {
  const logs = await both(
    hooksRoot,
    () => {
      const log = []
      return [{ name: 'log-holder', api: { log } }, ...orderingPlugins(log), ...semanticsPlugins({ optionsFilter: [] })]
    },
    async (server) => {
      await server.environments.ssr.runner.import('/src/entry.ts')
      const log = server.config.plugins.find((p) => p.name === 'log-holder').api.log
      const byModule = {}
      for (const [module, entry] of log) (byModule[module] ??= []).push(entry)
      return byModule
    },
  )
  assert.deepEqual(Object.keys(logs.native).sort(), Object.keys(logs.vite).sort())
  // Per module, the same hook sequence, `resolveId` calls of import analysis included: Vite runs
  // them before transform hooks with `order: 'post'`, and so do we.
  for (const module of Object.keys(logs.vite)) assert.deepEqual(logs.native[module], logs.vite[module], module)
  // The order itself, for one module (pre-order hooks, enforce pre, normal, post; TS stripped
  // between the `pre` plugins and the normal ones).
  assert.deepEqual(logs.native['typed.ts'], [
    'normal-order-pre:load',
    'post-order-pre:load',
    'pre-plugin:load',
    'normal:load',
    'post-plugin:load',
    'pre-order-post:load',
    'normal-order-post:load',
    'normal-order-pre:transform:types',
    'post-order-pre:transform:types',
    'pre-plugin:transform:types',
    'normal:transform:js',
    'post-plugin:transform:js',
    'pre-order-post:transform:js',
    'normal-order-post:transform:js',
  ])
  assert.deepEqual(logs.native.buildStart.slice(0, 2), ['pre-plugin:start', 'pre-plugin:end'])
})

test("transform hooks with order: 'post' run after import analysis and see rewritten specifiers, as in Vite", async () => {
  const seen = await both(
    hooksRoot,
    () => {
      const log = []
      // Specifiers of import/export statements and of `import('…')`.
      const specifiers = (code) =>
        [...code.matchAll(/^\s*(?:import|export)\b[^;\n'"]*?\bfrom\s*(["'])([^"']+)\1|^\s*import\s*(["'])([^"']+)\3|\bimport\(\s*(["'])([^"']+)\5/gm)].map((m) => m[2] ?? m[4] ?? m[6])
      return [
        { name: 'seen-holder', api: { log } },
        {
          name: 'late',
          transform: {
            order: 'post',
            handler(code, id) {
              if (!local(id)) return
              log.push([short(id), specifiers(code), code.includes('__vite_ssr_import__')])
              // What such a hook returns is what the runner executes.
              if (id.endsWith('typed.ts')) return `${code}\nexport const late = 'late'`
            },
          },
        },
        {
          name: 'normal',
          transform(code, id) {
            if (local(id)) log.push([`${short(id)} (normal)`, specifiers(code)])
          },
        },
        ...semanticsPlugins({ optionsFilter: [] }),
      ]
    },
    async (server) => {
      await server.environments.ssr.runner.import('/src/entry.ts')
      const mod = await server.environments.ssr.runner.import('/src/typed.ts')
      // \`import.meta.env\` is defined once, before such hooks, as in Vite.
      const env = { ...(await server.environments.ssr.runner.import('/src/env-mode.ts')) }
      const { log } = server.config.plugins.find((p) => p.name === 'seen-holder').api
      return { late: mod.late, env, log: Object.fromEntries(log.map(([k, ...v]) => [k, v])) }
    },
  )
  assert.deepEqual(seen.native, seen.vite)
  // Normal hooks see the specifiers as written, `order: 'post'` ones see the urls.
  assert.ok(Object.values(seen.vite.log).some(([specs]) => specs.some((s) => s.startsWith('/'))), JSON.stringify(seen.vite.log))
  assert.equal(seen.native.late, 'late')
})

test('this.environment in transform, load meta via this.getModuleInfo, a filter set in options(): same as Vite', async () => {
  const results = await both(
    hooksRoot,
    () => {
      const calls = { optionsFilter: [] }
      return [{ name: 'calls-holder', api: { calls } }, ...semanticsPlugins(calls)]
    },
    async (server) => {
      const { result } = await server.environments.ssr.runner.import('/src/entry.ts')
      const { calls } = server.config.plugins.find((p) => p.name === 'calls-holder').api
      return { result, calls }
    },
  )
  const { native, vite } = results
  assert.equal(native.result.probe.consumer, 'server')
  assert.equal(native.result.probe.name, 'ssr')
  assert.ok(native.result.probe.conditions.length > 0)
  assert.deepEqual(native.result.meta, { meta: { from: 'load', n: 1 } })
  assert.equal(native.result.filtered, 'rewritten')
  assert.equal(native.result.untouched, '__OPTIONS__')
  assert.equal(native.result.typed, 'value 2')
  assert.deepEqual(native.calls.optionsFilter, ['options-target.ts'])
  assert.deepEqual(native, vite)
})

test('a filter set by an options() hook is evaluated natively: only the matching module crosses into JS', async () => {
  const calls = { optionsFilter: [] }
  const plugins = semanticsPlugins(calls).filter((p) => p.name === 'options-filter')
  const server = await startServer(hooksRoot, { native: true, plugins })
  try {
    const container = server.environments.ssr.pluginContainer
    // Every transform crossing runs Vite's own container `transform` (of the class ours extends)
    // over the group the bridge selected.
    const viteContainer = Object.getPrototypeOf(Object.getPrototypeOf(container))
    const transform = viteContainer.transform
    const crossings = []
    viteContainer.transform = function (...args) {
      crossings.push(this.getSortedPlugins('transform').map((p) => p.name))
      return transform.apply(this, args)
    }
    try {
      const { runner } = server.environments.ssr
      assert.equal((await runner.import('/src/options-target.ts')).filtered, 'rewritten')
      assert.equal((await runner.import('/src/options-other.ts')).untouched, '__OPTIONS__')
      await runner.import('/src/typed.ts')
    } finally {
      viteContainer.transform = transform
    }
    assert.deepEqual(calls.optionsFilter, ['options-target.ts'])
    // One crossing (the post group: the plugin among the core plugins that run in JS).
    assert.equal(crossings.length, 1)
    assert.ok(crossings[0].includes('options-filter'))
  } finally {
    await server.close()
  }
})

test('@vitejs/plugin-vue: editing an SFC sends the same SSR HMR payloads (legacy handleHotUpdate runs)', async () => {
  const { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } = await import('node:fs')
  // Inside the repository, so that the copy resolves `vue` from its node_modules.
  const tmp = join(repoRoot, '.test-tmp')
  mkdirSync(tmp, { recursive: true })
  const out = {}
  for (const kind of ['vite', 'native']) {
    const dir = mkdtempSync(join(tmp, 'vue-hmr-'))
    cpSync(join(fixtures, 'vue'), dir, { recursive: true })
    const server = await startServer(dir, {
      native: kind === 'native',
      plugins: [vue()],
      server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 20 } },
    })
    try {
      const env = server.environments.ssr
      await env.runner.import('/src/entry.ts')
      const payload = new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${kind}: no HMR payload`)), 10_000)
        env.hot.api.outsideEmitter.on('send', (p) => {
          if (p.type === 'update' || p.type === 'full-reload') {
            clearTimeout(timer)
            resolve(p)
          }
        })
      })
      const file = join(dir, 'src/components/Counter.vue')
      await whenWatched(server, file)
      writeFileSync(file, readFileSync(file, 'utf8').replace('count is', 'clicks:'))
      const p = await payload
      const mod = await env.runner.import('/src/entry.ts')
      out[kind] = { type: p.type, updates: p.updates?.map((u) => `${u.path} <- ${u.acceptedPath}`), html: await mod.render() }
    } finally {
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    }
  }
  assert.match(out.native.html, /clicks: 6/)
  assert.deepEqual(out.native, out.vite)
})
