// A full reload that reaches a runner while one of the reloaded file's modules is being fetched
// (issue 10, found by `bench/soak.mjs`): the reload finds no module to reload, and the fetch may
// answer with the code from before the edit. Vite's runner keeps that code until the next edit;
// ours replays the reload once the module is in its graph, so the next import is current.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ModuleRunner } from '../lib/module-runner.mjs'

/** A transport whose `fetchModule` answers wait until the test releases them. */
function controlledTransport() {
  const fetches = []
  let onMessage
  return {
    fetches,
    push: (payload) => onMessage(payload),
    transport: {
      connect(handlers) {
        onMessage = handlers.onMessage
      },
      async invoke({ data: { name, data: args } }) {
        if (name === 'getBuiltins') return { result: [] }
        const [url, , { cached }] = args
        return { result: await new Promise((resolve) => fetches.push({ url, cached, answer: resolve })) }
      },
    },
  }
}

const moduleCode = (revision) => ({
  code: `__vite_ssr_exportName__("revision", () => revision);\nconst revision = ${revision};`,
  file: '/root/a.js',
  id: '/root/a.js',
  url: '/a.js',
  invalidate: false,
})

async function nextFetch(fetches) {
  while (!fetches.length) await new Promise(setImmediate)
  return fetches.shift()
}

test('a full reload received while its module is fetched reaches that module', async () => {
  const { fetches, push, transport } = controlledTransport()
  const runner = new ModuleRunner({ transport, hmr: { logger: false }, sourcemapInterceptor: false })
  const first = runner.import('/a.js')
  const pending = await nextFetch(fetches)
  // The file changes on the server while the fetch is answered from before the change.
  push({ type: 'full-reload', triggeredBy: '/root/a.js', path: '*' })
  pending.answer(moduleCode(1))
  assert.equal((await first).revision, 1, 'the import that started before the edit')

  // The server now has the edit: it sends code to a runner without the module, and `cache`
  // to one that has it (Vite's `fetchModule` rule).
  const next = runner.import('/a.js')
  const answering = setInterval(() => {
    for (const fetch of fetches.splice(0)) fetch.answer(fetch.cached ? { cache: true } : moduleCode(2))
  })
  try {
    assert.equal((await next).revision, 2)
  } finally {
    clearInterval(answering)
  }
  await runner.close()
})

test('a full reload of another file leaves a pending fetch alone', async () => {
  const { fetches, push, transport } = controlledTransport()
  const runner = new ModuleRunner({ transport, hmr: { logger: false }, sourcemapInterceptor: false })
  const first = runner.import('/a.js')
  const pending = await nextFetch(fetches)
  push({ type: 'full-reload', triggeredBy: '/root/b.js', path: '*' })
  pending.answer(moduleCode(1))
  assert.equal((await first).revision, 1)
  const again = runner.import('/a.js')
  const check = await nextFetch(fetches)
  assert.equal(check.cached, true, 'the runner still holds the module')
  check.answer({ cache: true })
  assert.equal((await again).revision, 1)
  await runner.close()
})
