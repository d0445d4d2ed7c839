// Entry urls (`ssrLoadModule`, `runner.import`, `moduleGraph.ensureEntryFromUrl`) resolve like any
// other url, through the JS `resolveId` hooks, once per url; virtual modules get Vite's graph urls;
// a url only a `load` hook serves is its own id (issue 12 item 3, issue 11 SolidStart (c)).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, describe, it } from 'node:test'
import { repoRoot, startServer } from './helpers.mjs'

const root = join(repoRoot, '__test__', 'fixtures', 'entry-resolve')

/** An `enforce: 'pre'` resolver of virtual modules and of `/a.js` (to `b.js`), and a load-only url. */
function plugin(calls) {
  return {
    name: 'entry-resolve',
    enforce: 'pre',
    resolveId(source, importer) {
      calls.push(`${source} <- ${importer ? importer.slice(root.length) : '-'}`)
      if (source.startsWith('virtual:')) return `\0${source}`
      if (source === '/a.js') return join(root, 'b.js')
    },
    load(id) {
      if (id.startsWith('\0virtual:') || id.startsWith('/@manifest/')) return `export default ${JSON.stringify(id.replace('\0', ''))}\n`
    },
  }
}

const sourcesOf = (node) => node?.transformResult?.map?.sources

async function observe(native) {
  const calls = []
  const server = await startServer(root, { native, plugins: [plugin(calls)] })
  const env = server.environments.ssr
  try {
    const seen = {
      ssrLoadModule: (await server.ssrLoadModule('virtual:x')).default,
      redirected: (await server.ssrLoadModule('/a.js')).default,
      runnerImport: (await env.runner.import('virtual:y')).default,
      imported: (await env.runner.import('/imports-virtual.js')).default,
      loadOnly: (await env.runner.import('/@manifest/ssr/x')).default,
    }
    const graph = env.moduleGraph
    const entered = await graph.ensureEntryFromUrl('virtual:z')
    const byUrl = await graph.getModuleByUrl('virtual:x')
    const byId = graph.getModuleById('\0virtual:x')
    return {
      seen,
      oneNode: byUrl === byId && byId !== undefined,
      virtualNode: { url: byId?.url, id: byId?.id, sources: sourcesOf(byId) },
      importedNode: { url: graph.getModuleById('\0virtual:imported')?.url, sources: sourcesOf(graph.getModuleById('\0virtual:imported')) },
      ensured: { url: entered.url, id: entered.id, same: entered === graph.getModuleById('\0virtual:z') },
      urls: [...graph.urlToModuleMap.keys()].sort(),
      calls,
    }
  } finally {
    await server.close()
  }
}

describe('entry urls resolve through the JS resolveId hooks', () => {
  let vite
  let ours
  before(async () => {
    vite = await observe(false)
    ours = await observe(true)
  })

  it('an enforce: pre resolver decides the entry module', () => {
    assert.deepEqual(vite.seen, {
      ssrLoadModule: 'virtual:x',
      redirected: 'b',
      runnerImport: 'virtual:y',
      imported: 'virtual:imported',
      loadOnly: '/@manifest/ssr/x',
    })
    assert.deepEqual(ours.seen, vite.seen)
  })

  it('resolveId is called once per url, as in Vite', () => {
    assert.deepEqual(ours.calls, vite.calls)
    assert.equal(ours.calls.filter((call) => call.startsWith('virtual:x ')).length, 1)
  })

  it("a virtual entry's node has Vite's url, one node by url and by id, no NUL in its map's sources", () => {
    assert.deepEqual(vite.virtualNode, { url: 'virtual:x', id: '\0virtual:x', sources: ['virtual:x'] })
    assert.equal(ours.oneNode, true)
    assert.deepEqual(ours.virtualNode, vite.virtualNode)
    assert.deepEqual(ours.ensured, vite.ensured)
    // Reached by an import, Vite's url (and so its map's source) is the id itself.
    assert.deepEqual(ours.importedNode, vite.importedNode)
  })

  it('graph urls equal Vite', () => {
    assert.deepEqual(ours.urls, vite.urls)
  })
})
