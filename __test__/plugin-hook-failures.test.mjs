// JS plugin hooks that throw, return a wrong type or never settle (issue 10): the error names the
// plugin and the hook, in Vite's error shape, and the environment keeps serving.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { nativeEnvironments } from 'vite-env-native'
import { exampleRoot, startServer } from './helpers.mjs'

const VIRTUAL = '\0virtual:case:'

// One virtual module per case; the case's hook misbehaves only for its own module.
const cases = {
  'transform-code-number': { transform: () => ({ code: 42 }) },
  'transform-map-not-json': { transform: (code) => ({ code, map: '{not json' }) },
  'transform-map-number': { transform: (code) => ({ code, map: 5 }) },
  'load-code-number': { load: () => ({ code: 42 }) },
  'load-result-number': { load: () => 7 },
  'resolve-id-number': { resolveId: () => ({ id: 42 }) },
}

function casePlugin(name, hooks) {
  const own = (id) => id === VIRTUAL + name
  return {
    name: `case-${name}`,
    resolveId(specifier) {
      if (specifier !== `virtual:case:${name}`) return undefined
      return hooks.resolveId ? hooks.resolveId() : VIRTUAL + name
    },
    load(id) {
      if (!own(id)) return undefined
      return hooks.load ? hooks.load() : 'export default 1\n'
    },
    transform(code, id) {
      if (!own(id) || !hooks.transform) return undefined
      return hooks.transform(code)
    },
  }
}

const plugins = () => Object.entries(cases).map(([name, hooks]) => casePlugin(name, hooks))

let servers
before(async () => {
  servers = {
    vite: await startServer(exampleRoot, { native: false, plugins: plugins() }),
    native: await startServer(exampleRoot, { native: true, plugins: plugins() }),
  }
})
after(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()))
})

const importCase = (server, name) =>
  server.environments.ssr.runner.import(`virtual:case:${name}`).then(
    () => undefined,
    (error) => error,
  )

for (const name of Object.keys(cases)) {
  test(`${name}: an error naming the plugin and hook, where Vite fails too`, async () => {
    const viteError = await importCase(servers.vite, name)
    assert.ok(viteError instanceof Error, 'Vite fails on this result as well')
    const error = await importCase(servers.native, name)
    assert.ok(error instanceof Error, 'ours fails')
    const hook = name.split('-')[0] === 'resolve' ? 'resolveId' : name.split('-')[0]
    assert.equal(error.plugin, `case-${name}`)
    assert.match(error.message, new RegExp(`The ${hook} hook of plugin "case-${name}" returned`))
    if (hook !== 'resolveId') assert.equal(error.id, VIRTUAL + name)
    // The environment keeps serving.
    const mod = await servers.native.environments.ssr.runner.import('/src/format.ts')
    assert.equal(mod.escapeHtml('&'), '&amp;')
  })
}

test('a transform map whose mappings are not a string, on a file module: named where Vite fails bare', async () => {
  const badMap = {
    name: 'bad-mappings',
    transform(code, id) {
      if (id.endsWith('/src/format.ts')) return { code, map: { version: 3, sources: ['x.ts'], names: [], mappings: 5 } }
    },
  }
  const errors = {}
  for (const native of [false, true]) {
    const server = await startServer(exampleRoot, { native, plugins: [badMap] })
    try {
      errors[native ? 'native' : 'vite'] = await server.environments.ssr.runner.import('/src/format.ts').catch((e) => e)
    } finally {
      await server.close()
    }
  }
  assert.ok(errors.vite instanceof Error)
  assert.equal(errors.native.plugin, 'bad-mappings')
  assert.match(errors.native.message, /The transform hook of plugin "bad-mappings" returned a malformed source map/)
  assert.match(errors.native.id, /\/src\/format\.ts$/)
})

test('a load hook that throws: the error names the plugin and keeps the id', async () => {
  const thrower = {
    name: 'throwing-load',
    resolveId: (id) => (id === 'virtual:throws' ? '\0virtual:throws' : undefined),
    load(id) {
      if (id === '\0virtual:throws') throw new Error('load broke')
    },
  }
  const server = await startServer(exampleRoot, { native: true, plugins: [thrower] })
  try {
    const error = await server.environments.ssr.runner.import('virtual:throws').catch((e) => e)
    assert.match(error.message, /load broke/)
    assert.equal(error.plugin, 'throwing-load')
    assert.equal(error.id, '\0virtual:throws')
  } finally {
    await server.close()
  }
})

test('a hook that never settles fails after the bound, and the environment keeps serving', async () => {
  const hung = {
    name: 'never-settles',
    transform(code, id) {
      if (id.endsWith('/src/format.ts')) return new Promise(() => {})
    },
  }
  const server = await startServer(exampleRoot, { plugins: [nativeEnvironments({ hookTimeout: 300 }), hung] })
  try {
    const started = Date.now()
    const error = await server.environments.ssr.runner.import('/src/format.ts').catch((e) => e)
    assert.ok(error instanceof Error)
    assert.equal(error.plugin, 'never-settles')
    assert.match(error.message, /The transform hook of plugin "never-settles" did not settle within 300 ms/)
    assert.ok(Date.now() - started < 10_000)
    const { render } = await server.environments.ssr.runner.import('/src/entry-server.ts').catch(() => ({}))
    // entry-server imports format.ts, which still hangs: another module proves the environment serves.
    assert.equal(render, undefined)
    const other = await server.environments.ssr.transformRequest('/src/state.ts').catch((e) => e)
    assert.ok(!(other instanceof Error), `another module still transforms: ${other?.message}`)
  } finally {
    await server.close()
  }
})

test('hookTimeout is validated', () => {
  assert.throws(() => nativeEnvironments({ hookTimeout: -1 }), /hookTimeout/)
})

test('the bound: the option, else VITE_ENV_NATIVE_HOOK_TIMEOUT, else 60 s', async () => {
  const { HOOK_TIMEOUT, hookTimeout } = await import('../lib/plugin-bridge.mjs')
  const saved = process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT
  try {
    delete process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT
    assert.equal(hookTimeout({}), 60_000)
    process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT = '1500'
    assert.equal(hookTimeout({}), 1500)
    assert.equal(hookTimeout({ [HOOK_TIMEOUT]: 0 }), 0)
  } finally {
    if (saved === undefined) delete process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT
    else process.env.VITE_ENV_NATIVE_HOOK_TIMEOUT = saved
  }
})
