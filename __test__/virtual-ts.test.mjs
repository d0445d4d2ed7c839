// A virtual module whose `\0` id ends in `.ts` is not TypeScript to Vite (its TS step never
// matches `\0` ids): its code runs as written, an unused import included (issue 12, item 12).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

const virtualTs = {
  name: 'virtual-ts',
  resolveId: (id) => (id === 'virtual:entry.ts' ? '\0virtual:entry.ts' : undefined),
  // A TypeScript step would elide the import of `unused` and drop its side effect.
  load: (id) =>
    id === '\0virtual:entry.ts'
      ? "import { unused } from '/side-effect.js'\nexport const ran = globalThis.__sideEffectRuns\n"
      : undefined,
}

describe('virtual modules with a .ts id', () => {
  let root
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ven-virtual-ts-'))
    writeFileSync(join(root, 'side-effect.js'), 'globalThis.__sideEffectRuns = (globalThis.__sideEffectRuns ?? 0) + 1\nexport const unused = 1\n')
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  for (const native of [false, true]) {
    test(`${native ? 'native' : 'Vite'}: the unused import runs`, async () => {
      delete globalThis.__sideEffectRuns
      const server = await startServer(root, { native, plugins: [virtualTs] })
      try {
        const mod = await server.environments.ssr.runner.import('virtual:entry.ts')
        assert.equal(mod.ran, 1)
      } finally {
        await server.close()
      }
    })
  }
})
