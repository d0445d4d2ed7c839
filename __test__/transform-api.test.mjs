// `moduleRunnerTransform(code, inMap, url, originalCode)` from 'vite-env-native' against Vite's:
// the result's shape and the map's sources and sourcesContent in each of Vite's three map cases.

import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { moduleRunnerTransform as viteTransform, transformWithOxc } from 'vite'
import { moduleRunnerTransform as ourTransform } from 'vite-env-native'

const URL = '/src/entry.js'
const CODE = "import { a } from './a.js'\nexport const b = a + 1\nconsole.log(import('./c.js'))\n"

// What both must agree on: everything but the mappings (their granularity differs).
function shape(result) {
  const { map } = result
  return {
    code: typeof result.code,
    ssr: result.ssr,
    deps: result.deps,
    dynamicDeps: result.dynamicDeps,
    map: map && { version: map.version, sources: map.sources, sourcesContent: map.sourcesContent, mappings: typeof map.mappings },
  }
}

async function both(...args) {
  const [vite, ours] = [await viteTransform(...args), await ourTransform(...args)]
  return { vite, ours }
}

describe('moduleRunnerTransform API (differential)', () => {
  test('no input map: the source is originalCode', async () => {
    const original = `// the file as written\n${CODE}`
    const { vite, ours } = await both(CODE, null, URL, original)
    assert.deepStrictEqual(shape(ours), shape(vite))
    assert.deepStrictEqual(ours.map.sourcesContent, [original])
  })

  test('no originalCode', async () => {
    const { vite, ours } = await both(CODE, null, URL)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(shape(ours))), JSON.parse(JSON.stringify(shape(vite))))
  })

  test('an input map with empty mappings is the result map', async () => {
    const inMap = { version: 3, sources: [], names: [], mappings: '' }
    const { vite, ours } = await both(CODE, inMap, URL, CODE)
    assert.equal(vite.map, inMap)
    assert.equal(ours.map, inMap)
  })

  test('an input map with sources is composed: sources and content from it', async () => {
    const ts = "import { a } from './a.js'\nconst n: number = a\nexport const b = n + 1\n"
    const stripped = await transformWithOxc(ts, '/root/src/entry.ts', { sourcemap: true })
    const inMap = { ...stripped.map, sources: ['entry.ts'], sourcesContent: [ts] }
    const { vite, ours } = await both(stripped.code, inMap, URL, ts)
    assert.deepStrictEqual(shape(ours), shape(vite))
    assert.deepStrictEqual(ours.map.sourcesContent, [ts])
  })
})
