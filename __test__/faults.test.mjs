// A Rust panic anywhere in the engine becomes a JS error naming the step and the module, and the
// environment keeps serving (issue 10, "Faults"). Panics are injected through the addon's
// test-only variable, read once when the first panic point is reached.
process.env.VITE_ENV_NATIVE_TEST_INJECT_PANIC =
  'transform:panic-transform,resolve:panic-resolve,graph:panic-graph,invalidate:panic-change'

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from './helpers.mjs'

const files = {
  'ok.ts': `export const ok: number = 1\n`,
  'panic-transform.ts': `export const a: number = 1\n`,
  'imports-resolve.ts': `import { b } from './panic-resolve.ts'\nexport const c = b\n`,
  'panic-resolve.ts': `export const b = 2\n`,
  'panic-graph.ts': `import { ok } from './ok.ts'\nexport const d = ok\n`,
  'panic-change.ts': `export const e = 3\n`,
}

async function rejection(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
  assert.fail('expected a rejection')
}

test('panics in the transform, the resolver and the graph are errors with context; the environment keeps serving', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'ven-faults-'))
  t.after(() => rmSync(root, { recursive: true, force: true }))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text)
  const server = await startServer(root, { native: true })
  t.after(() => server.close())
  const env = server.environments.ssr
  const runner = env.runner

  const cases = [
    ['/panic-transform.ts', /internal error while transforming .*panic-transform\.ts: injected panic \(transform\)/],
    ['/imports-resolve.ts', /internal error while resolving \.\/panic-resolve\.ts: injected panic \(resolve\) \(imported by .*imports-resolve\.ts\)/],
    ['/panic-graph.ts', /internal error while updating the module graph for .*panic-graph\.ts: injected panic \(graph\)/],
  ]
  for (const [url, message] of cases) {
    for (const attempt of [1, 2]) {
      const error = await rejection(runner.import(url))
      assert.match(error.message, message, `${url}, attempt ${attempt}`)
      assert.equal(error.code, 'ERR_VITE_ENV_NATIVE_INTERNAL')
    }
    const viaTransformRequest = await rejection(env.transformRequest(url))
    assert.match(viaTransformRequest.message, message)
    // Still serving other modules.
    assert.equal((await runner.import('/ok.ts')).ok, 1)
  }

  // A synchronous call into the graph: a thrown error, not an abort.
  await runner.import('/panic-change.ts')
  assert.throws(() => env.moduleGraph.onFileChange(join(root, 'panic-change.ts')), /internal error while invalidating the modules of .*panic-change\.ts: injected panic \(invalidate\)/)
  assert.equal((await runner.import('/ok.ts')).ok, 1)
  assert.equal((await env.transformRequest('/ok.ts')).code.includes('ok'), true)
})
