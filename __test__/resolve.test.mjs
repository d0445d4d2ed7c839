// Resolution options that change which file a specifier names, against Vite's own environment.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { graphShape, repoRoot, startServer } from './helpers.mjs'

const fixture = join(repoRoot, '__test__', 'fixtures', 'tsconfig-paths')

async function load(native, resolve) {
  const server = await startServer(fixture, { native, resolve })
  try {
    const env = server.environments.ssr
    const mod = await env.runner.import('/src/entry.ts')
    return { result: mod.result, graph: graphShape(env) }
  } catch (error) {
    return { error: error.message.replace(fixture, '<root>').split('\n')[0] }
  } finally {
    await server.close()
  }
}

test('resolve.tsconfigPaths: tsconfig `paths` resolve as with Vite, and only when enabled', async () => {
  const vite = await load(false, { tsconfigPaths: true })
  const native = await load(true, { tsconfigPaths: true })
  assert.equal(vite.result, 'util lib nested+util')
  assert.deepEqual(native, vite)
  // Off (the default): `@/util` is an unknown package for both.
  const viteOff = await load(false, {})
  const nativeOff = await load(true, {})
  assert.ok(viteOff.error && nativeOff.error, JSON.stringify({ viteOff, nativeOff }))
})
