// `nativeEnvironments()` with a framework that sets `dev.createEnvironment` itself (issue 11 #2):
// Vite's stock environments are taken over with the framework's context, custom classes are kept
// with one info line.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import * as vite from 'vite'
import { isNativeEnvironment, nativeEnvironments } from 'vite-env-native'
import { exampleRoot, startServer } from './helpers.mjs'

function recordingLogger() {
  const logger = vite.createLogger('silent')
  const infos = []
  return { infos, logger: { ...logger, info: (msg) => infos.push(msg) } }
}

// A `config` hook as SvelteKit's: the ssr environment is Vite's stock runnable one.
const stockFactoryPlugin = (createEnvironment) => ({
  name: 'framework-like',
  config: () => ({ environments: { ssr: { dev: { createEnvironment } } } }),
})

const virtualFormat = {
  name: 'virtual-format',
  resolveId: (id) => (id === 'virtual:format' ? '\0virtual:format' : undefined),
  load: (id) =>
    id === '\0virtual:format' ? `import { escapeHtml } from '~fmt'\nexport default escapeHtml('&')` : undefined,
}

test("a framework's stock runnable factory is taken over", async () => {
  const { infos, logger } = recordingLogger()
  const server = await startServer(exampleRoot, {
    customLogger: logger,
    plugins: [
      stockFactoryPlugin((name, config, context) => vite.createRunnableDevEnvironment(name, config, context)),
      nativeEnvironments(),
    ],
  })
  try {
    const { ssr } = server.environments
    assert.equal(isNativeEnvironment(ssr), true)
    assert.equal(vite.isRunnableDevEnvironment(ssr), true)
    const { render } = await ssr.runner.import('/src/entry-server.ts')
    assert.match(await render('/'), /rendered on the server: true/)
    assert.deepEqual(infos.filter((line) => line.includes('vite-env-native')), [])
  } finally {
    await server.close()
  }
})

test("the framework's context is kept: transport, hot, runner options, per-environment options", async () => {
  const transport = vite.createServerHotChannel()
  const sent = []
  const send = transport.send
  transport.send = (payload) => {
    sent.push(payload)
    send.call(transport, payload)
  }
  const runnerOptions = { hmr: false }
  const server = await startServer(exampleRoot, {
    plugins: [
      stockFactoryPlugin((name, config, context) =>
        vite.createRunnableDevEnvironment(name, config, {
          ...context,
          transport,
          hot: false,
          runnerOptions,
          options: { resolve: { alias: { '~fmt': '/src/format.ts' } } },
        }),
      ),
      virtualFormat,
      nativeEnvironments(),
    ],
  })
  try {
    const { ssr } = server.environments
    assert.equal(isNativeEnvironment(ssr), true)
    assert.equal(ssr._runnerOptions, runnerOptions)
    // `hot: false` filters HMR payloads; custom events still reach the framework's transport.
    ssr.hot.send({ type: 'full-reload' })
    ssr.hot.send('framework:event', { n: 1 })
    assert.deepEqual(sent, [{ type: 'custom', event: 'framework:event', data: { n: 1 } }])
    // The alias exists only in the factory's `options`.
    const mod = await ssr.runner.import('virtual:format')
    assert.equal(mod.default, '&amp;')
  } finally {
    await server.close()
  }
})

test("a framework's stock DevEnvironment (not runnable) becomes a native DevEnvironment", async () => {
  const server = await startServer(exampleRoot, {
    plugins: [
      stockFactoryPlugin(
        (name, config) => new vite.DevEnvironment(name, config, { hot: false, transport: vite.createServerHotChannel() }),
      ),
      nativeEnvironments(),
    ],
  })
  try {
    const { ssr } = server.environments
    assert.equal(isNativeEnvironment(ssr), true)
    assert.equal(vite.isRunnableDevEnvironment(ssr), false)
    const result = await ssr.fetchModule('/src/format.ts')
    assert.match(result.code, /escapeHtml/)
  } finally {
    await server.close()
  }
})

test('a custom environment class is kept, with one info line naming the environment', async () => {
  class WorkerdLikeEnvironment extends vite.DevEnvironment {}
  const { infos, logger } = recordingLogger()
  const server = await startServer(exampleRoot, {
    customLogger: logger,
    plugins: [
      stockFactoryPlugin(
        (name, config) => new WorkerdLikeEnvironment(name, config, { hot: false, transport: vite.createServerHotChannel() }),
      ),
      nativeEnvironments(),
    ],
  })
  try {
    const { ssr } = server.environments
    assert.equal(isNativeEnvironment(ssr), false)
    assert.ok(ssr instanceof WorkerdLikeEnvironment)
    const lines = infos.filter((line) => line.includes('vite-env-native'))
    assert.equal(lines.length, 1)
    assert.match(lines[0], /"ssr"/)
    assert.match(lines[0], /WorkerdLikeEnvironment/)
  } finally {
    await server.close()
  }
})
