// `nativeEnvironments()`: which environments move, and `vite build` left alone.
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { build, createBuilder, createServer, createServerHotChannel } from 'vite'
import { createRunnableDevEnvironment, isNativeEnvironment, nativeEnvironments } from 'vite-env-native'
import { copyFixture, exampleRoot, startServer } from './helpers.mjs'

test('every server-consumer environment moves, the client stays', async () => {
  const server = await startServer(exampleRoot, {
    native: true,
    environments: { worker: { consumer: 'server' }, edge: { consumer: 'client' } },
  })
  try {
    const { client, ssr, worker, edge } = server.environments
    assert.equal(isNativeEnvironment(ssr), true)
    assert.equal(isNativeEnvironment(worker), true)
    assert.equal(isNativeEnvironment(client), false)
    assert.equal(isNativeEnvironment(edge), false)
    const mod = await worker.runner.import('/src/format.ts')
    assert.equal(mod.escapeHtml('&'), '&amp;')
  } finally {
    await server.close()
  }
})

test('an environment with its own factory keeps it; `environments` option restricts', async () => {
  let called = 0
  const server = await startServer(exampleRoot, {
    plugins: [nativeEnvironments({ environments: ['ssr'] })],
    environments: {
      worker: { consumer: 'server' },
      custom: {
        consumer: 'server',
        dev: {
          createEnvironment(name, config) {
            called++
            return createRunnableDevEnvironment(name, config, { transport: createServerHotChannel() })
          },
        },
      },
    },
  })
  try {
    assert.equal(isNativeEnvironment(server.environments.ssr), true)
    assert.equal(isNativeEnvironment(server.environments.worker), false)
    assert.equal(called, 1)
    assert.equal(isNativeEnvironment(server.environments.custom), true)
  } finally {
    await server.close()
  }
})

test('per-environment factory, exactly like Vite’s', async () => {
  const server = await createServer({
    root: exampleRoot,
    configFile: false,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, ws: false, watch: null },
    environments: { ssr: { dev: { createEnvironment: (name, config, ctx) => createRunnableDevEnvironment(name, config, ctx) } } },
  })
  try {
    assert.equal(isNativeEnvironment(server.environments.ssr), true)
    const { render } = await server.environments.ssr.runner.import('/src/entry-server.ts')
    assert.match(await render('/'), /rendered on the server: true/)
  } finally {
    await server.close()
  }
})

test('vite build and builder.buildApp are untouched', async () => {
  const fixture = copyFixture(exampleRoot)
  try {
    const common = { root: fixture.dir, configFile: false, logLevel: 'silent', plugins: [nativeEnvironments()] }
    await build({ ...common, build: { ssr: 'src/entry-server.ts', outDir: 'dist-ssr' } })
    // `.mjs` when the app's package scope is CommonJS (no "type": "module").
    const out = ['entry-server.js', 'entry-server.mjs'].map((f) => join(fixture.dir, 'dist-ssr', f)).find(existsSync)
    assert.ok(out, 'the SSR build wrote its entry')
    const { render } = await import(out)
    assert.match(await render('/'), /vite-env-native example · Home/)
    assert.ok(readFileSync(out, 'utf8').length > 0)

    const builder = await createBuilder({
      ...common,
      environments: { ssr: { build: { outDir: 'dist-app', rollupOptions: { input: 'src/entry-server.ts' } } } },
      builder: {},
    })
    await builder.build(builder.environments.ssr)
    assert.ok(['entry-server.js', 'entry-server.mjs'].some((f) => existsSync(join(fixture.dir, 'dist-app', f))))
  } finally {
    fixture.dispose()
  }
})
