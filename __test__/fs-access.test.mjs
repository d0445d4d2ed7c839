// `server.fs` (allow, deny, strict) applies to module requests that arrive through a custom
// transport (a runner in a worker, over HTTP or WebSocket), as in Vite 8: every vector runs
// against Vite's own `DevEnvironment` and ours on the same files, the answers must be equal, and
// each is also checked against the expected answer so a shared mistake still fails.
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DevEnvironment as ViteDevEnvironment } from 'vite'
import { ESModulesEvaluator, ModuleRunner } from 'vite/module-runner'
import { DevEnvironment as NativeDevEnvironment } from 'vite-env-native'
import { startServer } from './helpers.mjs'

let base
let root
let outside

before(() => {
  // No package.json above: Vite's default `server.fs.allow` is the root itself.
  base = realpathSync(mkdtempSync(join(tmpdir(), 'ven-fs-')))
  root = join(base, 'root')
  outside = join(base, 'outside')
  const files = {
    'root/main.js': "export default 'main'\n",
    'root/data.txt': 'data\n',
    'root/icon.svg': '<svg></svg>\n',
    'root/.env': 'SECRET=env\n',
    'root/.env.local': 'SECRET=local\n',
    'root/.ENV': 'SECRET=upper\n',
    'root/key.pem': 'PEM\n',
    'root/cert.crt': 'CRT\n',
    'root/.git/config': '[core]\n',
    'root/x.secret.js': "export default 'custom deny'\n",
    'root/imports-outside.js': "import value from '../outside/imported.js'\nexport default value\n",
    'root/reads-env.js': "import env from './.env?raw'\nexport default env\n",
    'root/client-entry.js': "import value from '../outside/client-only.js'\nexport default value\n",
    'outside/secret.js': "export default 'secret'\n",
    'outside/secret.txt': 'secret text\n',
    'outside/imported.js': "export default 'imported'\n",
    'outside/client-only.js': "export default 'client only'\n",
  }
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(base, file, '..'), { recursive: true })
    writeFileSync(join(base, file), content)
  }
  symlinkSync(outside, join(root, 'link'), 'dir')
})

after(() => rmSync(base, { recursive: true, force: true }))

/**
 * A runner ↔ environment channel that is neither Vite's WebSocket server nor says
 * `skipFsCheck`: what a runner in a worker uses (payloads are cloned as across a thread).
 */
function remoteTransport() {
  const toServer = new EventEmitter()
  const toRunner = new EventEmitter()
  const client = { send: (payload) => toRunner.emit('message', structuredClone(payload)) }
  const listeners = new Map()
  const channel = {
    send: (payload) => client.send(payload),
    on(event, handler) {
      if (event === 'vite:client:connect' || event === 'vite:client:disconnect') return
      const listener = (payload) => {
        if (payload.type === 'custom' && payload.event === event) handler(payload.data, client)
      }
      listeners.set(handler, listener)
      toServer.on('message', listener)
    },
    off(_event, handler) {
      const listener = listeners.get(handler)
      if (listener) toServer.off('message', listener)
      listeners.delete(handler)
    },
  }
  const runnerTransport = {
    connect: ({ onMessage }) => toRunner.on('message', onMessage),
    disconnect: () => toRunner.removeAllListeners(),
    send: async (payload) => {
      toServer.emit('message', structuredClone(payload))
    },
  }
  return { channel, runnerTransport }
}

const IMPLS = [
  ['vite', ViteDevEnvironment],
  ['ours', NativeDevEnvironment],
]

/**
 * A server whose `remote` environment talks through a custom transport. `ssr` stays the default
 * in-process runnable environment (ours through the plugin for our side).
 */
async function serve(impl, Environment, fs) {
  const { channel, runnerTransport } = remoteTransport()
  const server = await startServer(root, {
    native: impl === 'ours',
    server: { middlewareMode: true, ws: false, watch: null, hmr: false, ...(fs ? { fs } : {}) },
    environments: {
      remote: {
        consumer: 'server',
        dev: { createEnvironment: (name, config) => new Environment(name, config, { hot: false, transport: channel }) },
      },
    },
  })
  return { server, runnerTransport }
}

/** `'ok'`, or the error as comparable data (the temporary folder written `<base>`). */
async function outcome(promise) {
  try {
    await promise
    return 'ok'
  } catch (error) {
    const answer = { code: error.code, message: String(error.message).replaceAll(base, '<base>') }
    if (error.code === 'ERR_DENIED_ID') answer.id = String(error.id).replaceAll(base, '<base>')
    return answer
  }
}

/**
 * Asks `transformRequest` and `fetchModule` of the custom-transport environment for every url in
 * `expected` (url → `'ok'` or the error code), on Vite and on us; returns both answers.
 */
async function differential(expected, { fs, setup } = {}) {
  const answers = {}
  for (const [impl, Environment] of IMPLS) {
    const { server } = await serve(impl, Environment, fs)
    try {
      await setup?.(server)
      const env = server.environments.remote
      answers[impl] = {}
      for (const url of Object.keys(expected)) {
        answers[impl][url] = {
          transformRequest: await outcome(env.transformRequest(url)),
          fetchModule: await outcome(env.fetchModule(url)),
        }
      }
    } finally {
      await server.close()
    }
  }
  assert.deepStrictEqual(answers.ours, answers.vite)
  for (const [url, want] of Object.entries(expected)) {
    for (const [call, got] of Object.entries(answers.vite[url])) {
      assert.equal(got === 'ok' ? 'ok' : got.code, want, `${call}(${url})`)
    }
  }
  return answers
}

const fsUrl = (path) => `/@fs${path}`

describe('server.fs on a custom transport', () => {
  test('a file outside the allow list fails to load, by /@fs/ url, absolute path or file url', async () => {
    const answers = await differential({
      '/main.js': 'ok',
      [fsUrl(`${outside}/secret.js`)]: 'ERR_LOAD_URL',
      [`${outside}/secret.js`]: 'ERR_LOAD_URL',
      [`file://${outside}/secret.js`]: 'ERR_LOAD_URL',
    })
    assert.deepEqual(answers.ours[fsUrl(`${outside}/secret.js`)].transformRequest, {
      code: 'ERR_LOAD_URL',
      message: 'Failed to load url /@fs<base>/outside/secret.js (resolved id: <base>/outside/secret.js). Does the file exist?',
    })
  })

  test('`..` segments and percent-encoded separators do not leave the allow list', async () => {
    await differential({
      '/../outside/secret.js': 'ERR_LOAD_URL',
      [fsUrl(`${root}/../outside/secret.js`)]: 'ERR_LOAD_URL',
      [`file://${root}/../outside/secret.js`]: 'ERR_LOAD_URL',
      '/%2e%2e/outside/secret.js': 'ERR_LOAD_URL',
      '/..%2Foutside%2Fsecret.js': 'ERR_LOAD_URL',
      '/%2E%2E%2Foutside%2Fsecret.js': 'ERR_LOAD_URL',
      [fsUrl(`${root}/%2e%2e/outside/secret.js`)]: 'ERR_LOAD_URL',
      [fsUrl(`${root}%2F..%2Foutside%2Fsecret.js`)]: 'ERR_LOAD_URL',
      '/../outside/secret.txt?raw': 'ERR_DENIED_ID',
    })
  })

  test('a symlink from inside the root to outside is judged by its target, except by /@fs/ path as Vite does', async () => {
    await differential({
      '/link/secret.js': 'ERR_LOAD_URL',
      '/link/secret.txt?raw': 'ERR_DENIED_ID',
      // Vite takes an /@fs/ path as written (no real path), so this one is inside the root.
      [fsUrl(`${root}/link/secret.js`)]: 'ok',
    })
  })

  test('fs.deny files (.env, .env.*, *.pem, *.crt, .git) fail, with ?raw, ?url, ?inline, ?import or none', async () => {
    const answers = await differential({
      '/data.txt?raw': 'ok',
      '/icon.svg': 'ok',
      '/.env': 'ERR_LOAD_URL',
      '/.env?import': 'ERR_LOAD_URL',
      '/.env?raw': 'ERR_DENIED_ID',
      '/.env?url': 'ERR_DENIED_ID',
      '/.env?inline': 'ERR_DENIED_ID',
      '/.env?import&raw': 'ERR_DENIED_ID',
      '/.env.local?raw': 'ERR_DENIED_ID',
      '/.ENV?raw': 'ERR_DENIED_ID',
      '/key.pem': 'ERR_LOAD_URL',
      '/key.pem?raw': 'ERR_DENIED_ID',
      '/cert.crt?url': 'ERR_DENIED_ID',
      '/.git/config?raw': 'ERR_DENIED_ID',
      [fsUrl(`${outside}/secret.txt?raw`)]: 'ERR_DENIED_ID',
    })
    assert.deepEqual(answers.ours['/.env?raw'].transformRequest, {
      code: 'ERR_DENIED_ID',
      message: 'Denied ID <base>/root/.env?raw',
      id: '<base>/root/.env?raw',
    })
  })

  test('custom allow and deny lists', async () => {
    await differential(
      {
        '/main.js': 'ok',
        [fsUrl(`${outside}/secret.js`)]: 'ok',
        [fsUrl(`${outside}/secret.txt?raw`)]: 'ok',
        '/x.secret.js': 'ERR_LOAD_URL',
        '/.env?raw': 'ok',
      },
      { fs: { allow: [root, outside], deny: ['*.secret.js'] } },
    )
  })

  test('a file a loaded module imports may be loaded from outside the allow list (safeModulePaths)', async () => {
    // Before any module imports it, the file is outside the allow list.
    await differential({ [fsUrl(`${outside}/imported.js`)]: 'ERR_LOAD_URL' })
    // After its importer was transformed (Vite's import analysis marks the import safe); a denied
    // file stays denied though a module imports it.
    await differential({
      '/imports-outside.js': 'ok',
      [fsUrl(`${outside}/imported.js`)]: 'ok',
      [fsUrl(`${outside}/secret.js`)]: 'ERR_LOAD_URL',
      '/reads-env.js': 'ok',
      '/.env?raw': 'ERR_DENIED_ID',
    })
    // Vite's set is shared by the environments: the client environment's imports count too.
    await differential(
      { [fsUrl(`${outside}/client-only.js`)]: 'ok' },
      { setup: (server) => server.environments.client.transformRequest('/client-entry.js') },
    )
  })

  test('strict: false lifts what strict applies', async () => {
    const strict = {
      '/../outside/secret.js': 'ERR_LOAD_URL',
      [fsUrl(`${outside}/secret.js`)]: 'ERR_LOAD_URL',
      '/link/secret.js': 'ERR_LOAD_URL',
      '/.env': 'ERR_LOAD_URL',
      '/.env?raw': 'ERR_DENIED_ID',
      '/key.pem?url': 'ERR_DENIED_ID',
    }
    await differential(strict)
    const loose = Object.fromEntries(Object.keys(strict).map((url) => [url, 'ok']))
    await differential(loose, { fs: { strict: false } })
  })

  test('the in-process runner is not restricted, the custom transport on the same server is', async () => {
    const urls = [fsUrl(`${outside}/secret.js`), '/link/secret.js', '/.env?raw']
    const answers = {}
    for (const [impl, Environment] of IMPLS) {
      const { server } = await serve(impl, Environment)
      try {
        const remote = server.environments.remote
        const ssr = server.environments.ssr
        answers[impl] = {
          inProcess: await Promise.all(urls.map((url) => ssr.runner.import(url).then((m) => m.default))),
          transformRequest: await Promise.all(urls.map((url) => outcome(ssr.transformRequest(url)))),
          remote: await Promise.all(urls.map((url) => outcome(remote.transformRequest(url)))),
        }
      } finally {
        await server.close()
      }
    }
    assert.deepStrictEqual(answers.ours, answers.vite)
    assert.deepEqual(answers.vite.inProcess, ['secret', 'secret', 'SECRET=env\n'])
    assert.deepEqual(answers.vite.transformRequest, ['ok', 'ok', 'ok'])
    assert.deepEqual(
      answers.vite.remote.map((a) => a.code),
      ['ERR_LOAD_URL', 'ERR_LOAD_URL', 'ERR_DENIED_ID'],
    )
  })

  test('a module runner on the custom transport gets Vite\'s answers through fetchModule', async () => {
    const answers = {}
    for (const [impl, Environment] of IMPLS) {
      const { server, runnerTransport } = await serve(impl, Environment)
      const runner = new ModuleRunner({ transport: runnerTransport, hmr: false, sourcemapInterceptor: false }, new ESModulesEvaluator())
      const value = (url) =>
        runner.import(url).then(
          (m) => m.default,
          (error) => ({ code: error.code, message: String(error.message).replaceAll(base, '<base>') }),
        )
      try {
        answers[impl] = {
          main: await value('/main.js'),
          importsOutside: await value('/imports-outside.js'),
          readsEnv: await value('/reads-env.js'),
          outside: await value(fsUrl(`${outside}/secret.js`)),
          traversal: await value('/../outside/secret.js'),
          symlink: await value('/link/secret.js'),
          env: await value('/.env'),
        }
      } finally {
        await runner.close()
        await server.close()
      }
    }
    assert.deepStrictEqual(answers.ours, answers.vite)
    const { main, importsOutside, readsEnv, outside: outsideAnswer, traversal, symlink, env } = answers.vite
    assert.equal(main, 'main')
    assert.equal(importsOutside, 'imported')
    assert.equal(readsEnv.code, 'ERR_DENIED_ID')
    for (const denied of [outsideAnswer, traversal, symlink, env]) assert.equal(denied.code, 'ERR_LOAD_URL')
  })
})
