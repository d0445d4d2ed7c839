// `this.addWatchFile(file)` in `load` and `transform` (issue 12, item 11): as Vite's import
// analysis does with a module's added watch files, the file becomes an import of the module in
// the graph, so its edit invalidates the module and propagates like an edit of the module itself
// (an update when an importer accepts, a full reload when nothing does). Compared with Vite's own
// environment.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startServer, until, whenWatched } from './helpers.mjs'

function watchingPlugin(dir, watchLists) {
  const read = (name) => JSON.stringify(readFileSync(join(dir, name), 'utf8').trim())
  return {
    name: 'watching',
    resolveId(source) {
      if (source === 'virtual:accepted-data' || source === 'virtual:plain-data') return `\0${source}`
    },
    load(id) {
      // Two virtual modules built from files, as a framework's generated modules are.
      if (id === '\0virtual:accepted-data') {
        this.addWatchFile(join(dir, 'accepted.txt'))
        return `export const text = ${read('accepted.txt')}`
      }
      if (id === '\0virtual:plain-data') {
        this.addWatchFile(join(dir, 'plain.txt'))
        watchLists.push(this.getWatchFiles().map((f) => f.slice(dir.length)).sort())
        return `export const text = ${read('plain.txt')}`
      }
    },
    transform(code, id) {
      if (!id.endsWith('/templated.js')) return
      this.addWatchFile(join(dir, 'template.txt'))
      return code.replace('__TEMPLATE__', read('template.txt'))
    },
  }
}

async function run(native) {
  const dir = mkdtempSync(join(tmpdir(), 'ven-watch-'))
  const files = {
    'entry.js': "import './accepting.js'\nimport './plain.js'\nimport './templated.js'\n",
    'accepting.js':
      "import { text } from 'virtual:accepted-data'\nglobalThis.__watchLog.push(`accepting ${text}`)\nimport.meta.hot?.accept()\n",
    'plain.js': "import { text } from 'virtual:plain-data'\nglobalThis.__watchLog.push(`plain ${text}`)\n",
    'templated.js': 'globalThis.__watchLog.push(`templated ${__TEMPLATE__}`)\n',
    'accepted.txt': 'a1',
    'plain.txt': 'p1',
    'template.txt': 't1',
  }
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code)
  const watchLists = []
  const server = await startServer(dir, {
    native,
    plugins: [watchingPlugin(dir, watchLists)],
    server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 20 } },
  })
  const env = server.environments.ssr
  const payloads = []
  env.hot.api.outsideEmitter.on('send', (p) => {
    if (p.type === 'update') payloads.push(`update ${p.updates.map((u) => `${u.path} <- ${u.acceptedPath}`).join(' ')}`)
    else if (p.type === 'full-reload') payloads.push(`full-reload ${p.triggeredBy?.slice(dir.length)}`)
    else if (p.type === 'prune') payloads.push(`prune ${p.paths.join(' ')}`)
  })
  const log = (globalThis.__watchLog = [])
  const steps = {}
  const edit = async (name, content, step, done) => {
    const file = join(dir, name)
    await whenWatched(server, file)
    const before = payloads.length
    writeFileSync(file, content)
    await until(() => payloads.length > before && done(), `${native ? 'native' : 'vite'}: a payload after editing ${name}`)
    // Any further payload of the same edit.
    await new Promise((resolve) => setTimeout(resolve, 200))
    steps[step] = { payloads: payloads.slice(before), log: log.splice(0) }
  }
  try {
    await env.runner.import('/entry.js')
    steps.cold = { log: log.splice(0) }
    const transformResult = (id) => env.moduleGraph.getModuleById(id)?.transformResult ?? null
    // An importer accepts: the module re-executes with the file's new content.
    await edit('accepted.txt', 'a2', 'accepted', () => log.includes('accepting a2'))
    // Nothing accepts: a full reload triggered by the watched file. The runner never evaluated
    // that file, so (as with Vite's runner) it does not re-execute anything; the module is
    // invalidated and the next request loads the file's new content.
    await edit('plain.txt', 'p2', 'plain', () => true)
    steps.plain.invalidated = transformResult('\0virtual:plain-data') === null
    steps.plain.reloaded = (await env.transformRequest('virtual:plain-data')).code.includes('"p2"')
    await edit('template.txt', 't2', 'template', () => true)
    steps.template.invalidated = transformResult(join(dir, 'templated.js')) === null
    steps.template.reloaded = (await env.transformRequest('/templated.js')).code.includes('"t2"')
    // `this.getWatchFiles()` in the last load (the native pipeline loads modules concurrently,
    // so earlier lists differ in order).
    steps.watchFiles = watchLists.at(-1)
    const node = env.moduleGraph.getModuleById('\0virtual:plain-data')
    steps.graph = [...node.importedModules].map((m) => m.id?.slice(dir.length))
    return steps
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
    delete globalThis.__watchLog
  }
}

test('addWatchFile in load and transform: editing the file updates or reloads the module, as in Vite', async () => {
  const expected = await run(false)
  const actual = await run(true)
  assert.deepEqual(actual, expected)
  // Vite's outcome, so that the comparison cannot pass on nothing.
  assert.deepEqual(expected.accepted.payloads, ['update /accepting.js <- /accepting.js'])
  assert.deepEqual(expected.plain.payloads, ['full-reload /plain.txt'])
  assert.deepEqual(expected.template.payloads, ['full-reload /template.txt'])
  assert.equal(expected.plain.reloaded, true)
  assert.deepEqual(expected.graph, ['/plain.txt'])
  assert.deepEqual(expected.watchFiles, ['/accepted.txt', '/plain.txt', '/template.txt'])
})
