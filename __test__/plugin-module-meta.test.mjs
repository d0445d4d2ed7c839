// `meta` of hook results (issue 12, item 10): what `resolveId` returns is the new node's `meta`,
// what `load` and `transform` return is merged into the module's info, as Vite's container and
// module graph do. Every observation is compared with Vite's own environment.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startServer } from './helpers.mjs'

const probed = (id) => id === '\0virtual:dep' || id === '\0virtual:entry' || id.endsWith('/file-dep.js')
const short = (id) => id.replace(/^.*\//, '').replace('\0', '\\0')

function metaPlugins(note) {
  const info = (ctx, id) => {
    const moduleInfo = ctx.getModuleInfo(id)
    return moduleInfo ? JSON.stringify(moduleInfo.meta) : 'no module info'
  }
  return [
    {
      name: 'meta-resolver',
      enforce: 'pre',
      resolveId(source) {
        if (source === 'virtual:dep') return { id: '\0virtual:dep', meta: { resolver: { from: 'resolveId dep' } } }
        if (source === 'virtual:entry') return { id: '\0virtual:entry', meta: { resolver: { from: 'resolveId entry' } } }
      },
    },
    {
      name: 'meta-loader',
      load(id) {
        if (!probed(id)) return
        note(id, `load: ${info(this, id)}`)
        const code = id.startsWith('\0') ? `export const name = ${JSON.stringify(id.slice(1))}` : `export const name = 'file-dep'`
        return { code, meta: { loader: { from: 'load' } } }
      },
    },
    {
      name: 'meta-transformer',
      transform(code, id) {
        if (!probed(id)) return
        note(id, `transform: ${info(this, id)}`)
        return { code, meta: { transformer: { from: 'transform' } } }
      },
    },
    {
      name: 'meta-late-reader',
      transform: {
        order: 'post',
        handler(_code, id) {
          if (probed(id)) note(id, `post transform: ${info(this, id)}`)
        },
      },
    },
  ]
}

async function observe(native) {
  const dir = mkdtempSync(join(tmpdir(), 'ven-meta-'))
  writeFileSync(join(dir, 'entry.js'), "import { name } from 'virtual:dep'\nimport { name as fileName } from './file-dep.js'\nexport default [name, fileName]\n")
  writeFileSync(join(dir, 'file-dep.js'), "export const name = 'on disk'\n")
  // Per module, in hook order (the native pipeline transforms imports concurrently).
  const seen = {}
  const note = (id, line) => (seen[short(id)] ??= []).push(line)
  const server = await startServer(dir, { native, plugins: metaPlugins(note) })
  try {
    const env = server.environments.ssr
    const entry = await env.runner.import('/entry.js')
    // Requested by the runner itself: its node is created after `load`, as in Vite.
    const virtualEntry = await env.runner.import('virtual:entry')
    for (const id of ['\0virtual:dep', '\0virtual:entry', join(dir, 'file-dep.js')]) {
      const node = env.moduleGraph.getModuleById(id)
      note(id, `node meta ${JSON.stringify(node?.meta ?? null)}, info ${JSON.stringify(env.pluginContainer.getModuleInfo(id)?.meta ?? null)}`)
    }
    return { seen, exports: [entry.default, virtualEntry.name] }
  } finally {
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

test('resolveId, load and transform meta reach later hooks and the module node, as in Vite', async () => {
  const expected = await observe(false)
  const actual = await observe(true)
  assert.deepEqual(actual, expected)
  // What Vite shows, so the comparison cannot pass on two empty results.
  assert.equal(expected.seen['\\0virtual:dep'][0], 'load: {"resolver":{"from":"resolveId dep"}}')
  assert.equal(expected.seen['file-dep.js'][2], 'post transform: {"loader":{"from":"load"},"transformer":{"from":"transform"}}')
})
