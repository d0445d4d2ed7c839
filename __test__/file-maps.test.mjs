// Pre-compiled JavaScript that ships its own source map (inline or in a `.map` file beside it):
// like Vite, the map is composed into the module's, so a stack points into the original source
// (issue 12, item 5).
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { transformWithOxc } from 'vite'
import { startServer } from './helpers.mjs'

const SOURCE = `type Shape = { kind: 'circle' }

export function area(shape: Shape): number {
  const r: number = 2
  if (shape.kind === 'circle') {
    throw new Error('thrown on line 6')
  }
  return r
}
`

describe('a file’s own source map', () => {
  let root
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-file-maps-'))
    mkdirSync(join(root, 'src'))
    mkdirSync(join(root, 'dist'))
    writeFileSync(join(root, 'src/area.ts'), SOURCE)
    const out = await transformWithOxc(SOURCE, join(root, 'src/area.ts'), { sourcemap: true })
    const map = JSON.stringify({ ...out.map, sources: ['../src/area.ts'], file: 'area.js' })
    const inline = `//# sourceMappingURL=data:application/json;base64,${Buffer.from(map).toString('base64')}`
    writeFileSync(join(root, 'dist/inline.js'), `${out.code}\n${inline}\n`)
    writeFileSync(join(root, 'dist/beside.js'), `${out.code}\n//# sourceMappingURL=beside.js.map\n`)
    writeFileSync(join(root, 'dist/beside.js.map'), map)
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  /** Where the first stack frame of the error `area` throws, through Vite's environment or ours. */
  async function thrownAt(native, url) {
    const server = await startServer(root, { native })
    try {
      const { area } = await server.environments.ssr.runner.import(url)
      try {
        area({ kind: 'circle' })
      } catch (error) {
        return error.stack.split('\n')[1].match(/\((.*)\)/)?.[1]
      }
      assert.fail('area throws')
    } finally {
      await server.close()
    }
  }

  for (const url of ['/dist/inline.js', '/dist/beside.js']) {
    test(`${url}: the stack points into the TypeScript source, as with Vite`, async () => {
      const expected = `${join(root, 'src/area.ts')}:6:11`
      assert.equal(await thrownAt(false, url), expected, 'Vite')
      assert.equal(await thrownAt(true, url), expected, 'native')
    })
  }
})
