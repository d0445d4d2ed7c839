// Ids whose query ends in an extension (`Comp.vue?vue&type=script&lang.ts`, the sub-requests of
// Vue's and Svelte's plugins) are transformed by that extension, as Vite's TS step reads them:
// its filter and its language take the whole id when it ends in `.<ext>`, the file path
// otherwise. Each case runs on Vite's own environment and on ours; the results must be equal.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

// A plugin serving the block of a single-file component as a sub-request, as Vue's does.
const CODE = {
  // TypeScript: types, an enum, an import used only as a type (elided: no side effect).
  ts: "import { unused } from '/side-effect.js'\nenum Kind { A = 'a' }\nconst value: string = Kind.A\nlet typed: typeof unused | undefined\nexport default { value, typed }\n",
  tsx: "import { unused } from '/side-effect.js'\nconst tag = <b>{'x' as string}</b>\nexport default { value: typeof tag }\n",
  // Plain JavaScript: the unused import stays, and runs.
  js: "import { unused } from '/side-effect.js'\nexport default { value: 'js' }\n",
}
const subRequests = {
  name: 'sub-requests',
  resolveId: (id) => (id.startsWith('/Comp.vue?') || id.startsWith('/plain.ts?') ? id : undefined),
  load(id) {
    const lang = /lang\.(\w+)$/.exec(id)?.[1]
    if (id.startsWith('/Comp.vue?') && lang) return CODE[lang]
    if (id.startsWith('/plain.ts?')) return CODE.ts
  },
}
const jsxOptions = { oxc: { jsx: { runtime: 'classic', pragma: 'h' } } }
const CASES = [
  '/Comp.vue?vue&type=script&lang.ts',
  '/Comp.vue?vue&type=script&setup=true&lang.tsx',
  '/Comp.vue?vue&type=script&lang.js',
  // The path's extension counts when the query ends in none.
  '/plain.ts?inline=1',
]

async function observe(root, native, url) {
  delete globalThis.__sideEffectRuns
  globalThis.h = (tag, props, ...children) => ({ tag, children })
  const server = await startServer(root, { native, plugins: [subRequests], ...jsxOptions })
  try {
    const mod = await server.environments.ssr.runner.import(url)
    return { exports: JSON.parse(JSON.stringify(mod.default)), sideEffectRuns: globalThis.__sideEffectRuns ?? 0 }
  } catch (error) {
    return { error: String(error.message).split('\n')[0] }
  } finally {
    await server.close()
  }
}

describe('ids whose query names the language', () => {
  let root
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ven-query-lang-'))
    writeFileSync(join(root, 'side-effect.js'), 'globalThis.__sideEffectRuns = (globalThis.__sideEffectRuns ?? 0) + 1\nexport const unused = 1\n')
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  for (const url of CASES) {
    test(url, async () => {
      const vite = await observe(root, false, url)
      const ours = await observe(root, true, url)
      assert.ok(!vite.error, `Vite imports it: ${vite.error}`)
      assert.deepEqual(ours, vite)
    })
  }
})
