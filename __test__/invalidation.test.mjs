// Invalidation without a file change (`moduleGraph.invalidateModule`, `invalidateAll`) and
// `dev.preTransformRequests`, through Vite's own environment and ours (issue 12, item 1).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { repoRoot, startServer } from './helpers.mjs'

const fixture = join(repoRoot, '__test__', 'fixtures', 'invalidation')
const ROUNDS = 20

/** What each round of import → invalidate → import evaluates again, per round. */
async function reEvaluations(native) {
  const server = await startServer(fixture, { native })
  try {
    const env = server.environments.ssr
    const log = []
    for (let round = 0; round < ROUNDS; round++) {
      globalThis.__evaluations = []
      await env.runner.import('/entry.js')
      const graph = env.moduleGraph
      if (round % 2 === 0) graph.invalidateAll()
      else graph.invalidateModule(await graph.getModuleByUrl('/a.js'))
      globalThis.__evaluations = []
      const { values } = await env.runner.import('/entry.js')
      assert.deepEqual(values, ['slow', 'a', 'b', 'c'])
      log.push(globalThis.__evaluations.join(','))
    }
    return log
  } finally {
    await server.close()
  }
}

describe('invalidation without a file change', () => {
  it(`re-evaluates exactly what Vite re-evaluates, ${ROUNDS} rounds of invalidateAll / invalidateModule`, async () => {
    const vite = await reEvaluations(false)
    const ours = await reEvaluations(true)
    // Vite: everything after invalidateAll, only the invalidated module after invalidateModule.
    assert.deepEqual(vite.slice(0, 2), ['slow,a,b,c', 'a'])
    assert.deepEqual(ours, vite)
  })
})

/** The ids `transform` hooks saw after `transformRequest('/entry.js')` and a pause. */
async function transformedAfterEntry(native, preTransformRequests) {
  const seen = []
  const spy = { name: 'spy', transform: (_code, id) => void seen.push(id.slice(fixture.length)) }
  const dev = preTransformRequests === undefined ? {} : { preTransformRequests }
  const server = await startServer(fixture, { native, plugins: [spy], environments: { ssr: { dev } } })
  try {
    await server.environments.ssr.transformRequest('/entry.js')
    await new Promise((resolve) => setTimeout(resolve, 300))
    return seen.sort()
  } finally {
    await server.close()
  }
}

describe('dev.preTransformRequests', () => {
  let results
  before(async () => {
    results = {}
    for (const value of [false, true]) {
      results[value] = { vite: await transformedAfterEntry(false, value), ours: await transformedAfterEntry(true, value) }
    }
  })
  after(() => {
    delete globalThis.__evaluations
  })

  it('false: the static imports of a transformed module are not transformed', () => {
    assert.deepEqual(results.false.vite, ['/entry.js'])
    assert.deepEqual(results.false.ours, results.false.vite)
  })

  it('true: they are transformed in the background', () => {
    assert.deepEqual(results.true.vite, ['/a.js', '/b.js', '/c.js', '/entry.js', '/slow.js'])
    assert.deepEqual(results.true.ours, results.true.vite)
  })
})
