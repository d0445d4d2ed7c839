// `node.transformResult` is one object per result, as in Vite (issue 11, Vitest row): edits to it
// stay until the module is invalidated, `transformRequest` of a cached module returns it, and
// reading it again costs no crossing into the addon.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { NATIVE } from '../lib/native.mjs'
import { repoRoot, startServer } from './helpers.mjs'

const root = join(repoRoot, '__test__', 'fixtures', 'entry-resolve')

async function observe(native) {
  const server = await startServer(root, { native })
  const env = server.environments.ssr
  try {
    await env.runner.import('/imports-virtual.js').catch(() => {})
    await env.runner.import('/a.js')
    const node = env.moduleGraph.getModuleById(join(root, 'a.js'))
    const first = node.transformResult
    const seen = { object: typeof first === 'object' && first !== null, stable: node.transformResult === first }
    // What Vitest does: attach data to the result in place and read it back later.
    first.attached = 'kept'
    seen.editKept = node.transformResult.attached
    const requested = await env.transformRequest('/a.js')
    seen.transformRequestIsNodeResult = requested === node.transformResult
    env.moduleGraph.invalidateModule(node)
    seen.afterInvalidation = node.transformResult
    const fresh = await env.transformRequest('/a.js')
    seen.freshIsNew = fresh !== first && fresh.attached === undefined
    seen.freshIsNodeResult = fresh === node.transformResult
    return { seen, env, node, server }
  } catch (error) {
    await server.close()
    throw error
  }
}

test('node.transformResult is one object per result, as in Vite', async () => {
  const vite = await observe(false)
  await vite.server.close()
  const ours = await observe(true)
  try {
    assert.deepEqual(vite.seen, {
      object: true,
      stable: true,
      editKept: 'kept',
      transformRequestIsNodeResult: true,
      afterInvalidation: null,
      freshIsNew: true,
      freshIsNodeResult: true,
    })
    assert.deepEqual(ours.seen, vite.seen)

    // Reading it again crosses into the addon at most once per change, never per read.
    const addon = ours.env[NATIVE]
    const counts = { getTransformResult: 0, resultVersion: 0 }
    for (const name of Object.keys(counts)) {
      const original = addon[name].bind(addon)
      addon[name] = (...args) => {
        counts[name]++
        return original(...args)
      }
    }
    for (let i = 0; i < 1000; i++) assert.equal(ours.node.transformResult.code.length > 0, true)
    assert.deepEqual(counts, { getTransformResult: 0, resultVersion: 0 })
  } finally {
    await ours.server.close()
  }
})

// Vitest's module cache fills `transformResult` of nodes from disk without a transform, then
// relies on `invalidateModule` (its watcher's) to clear it so the edited module is fetched again.
async function assignedThenInvalidated(native) {
  const server = await startServer(root, { native })
  const graph = server.environments.ssr.moduleGraph
  try {
    const seen = {}
    for (const [name, invalidate] of [
      ['invalidateModule', (node) => graph.invalidateModule(node)],
      ['onFileChange', (node) => graph.onFileChange(node.file)],
    ]) {
      const node = await graph.ensureEntryFromUrl('/a.js')
      const cached = { code: 'export default "from the cache"', map: null, ssr: true, deps: [], dynamicDeps: [] }
      node.transformResult = cached
      seen[`${name}: assigned`] = node.transformResult === cached
      invalidate(node)
      seen[`${name}: after`] = node.transformResult
    }
    return seen
  } finally {
    await server.close()
  }
}

test('a transformResult assigned by JS is cleared by invalidation, as in Vite', async () => {
  const vite = await assignedThenInvalidated(false)
  assert.deepEqual(vite, {
    'invalidateModule: assigned': true,
    'invalidateModule: after': null,
    'onFileChange: assigned': true,
    'onFileChange: after': null,
  })
  assert.deepEqual(await assignedThenInvalidated(true), vite)
})
