// Syntax errors as users see them: overlays and logs of frameworks often print only `message`,
// so it names the file, line and column, as Vite's own module-runner parse failures do
// ("Parse failure: …\nAt file: <file>:<line>:<column>"); `loc` and `frame` say the same.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

describe('syntax errors', () => {
  let root
  let server
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-errors-'))
    writeFileSync(join(root, 'bad.ts'), 'export const a: number = 1\nexport const b = (1 +;\n')
    writeFileSync(join(root, 'bad.js'), 'export const a = 1\nexport const b = (1 +;\n')
    writeFileSync(join(root, 'bad.tsx'), 'export const a = 1\nexport const b = <div>{(1 +}</div>\n')
    writeFileSync(join(root, 'glob.ts'), 'export const g = import.meta.glob(42)\n')
    server = await startServer(root, { native: true })
  })
  after(async () => {
    await server?.close()
    rmSync(root, { recursive: true, force: true })
  })

  const cases = [
    ['bad.ts', 2, 21],
    ['bad.js', 2, 21],
    ['bad.tsx', 2, 27],
  ]
  for (const [file, line, column] of cases) {
    test(`${file}: message, loc and frame name the place, through every entry point`, async () => {
      const env = server.environments.ssr
      const entryPoints = {
        'runner.import': () => env.runner.import(`/${file}`),
        ssrLoadModule: () => server.ssrLoadModule(`/${file}`),
        transformRequest: () => env.transformRequest(`/${file}`),
        fetchModule: () => env.fetchModule(`/${file}`),
      }
      for (const [name, call] of Object.entries(entryPoints)) {
        env.moduleGraph.invalidateAll()
        const error = await call().then(
          () => assert.fail(`${name}: a syntax error rejects`),
          (e) => e,
        )
        const place = `${join(root, file)}:${line}:${column}`
        assert.ok(error.message.includes(place), `${name}: ${JSON.stringify(error.message)} names ${place}`)
        assert.match(error.message, /^Parse failure: /, name)
        assert.deepEqual({ ...error.loc }, { file: join(root, file), line, column }, name)
        assert.equal(error.id, join(root, file), name)
        assert.ok(error.frame.includes(`${line}  |`), `${name}: frame ${error.frame}`)
      }
    })
  }

  test('an import.meta.glob error keeps the glob plugin’s own message', async () => {
    const error = await server.environments.ssr.runner.import('/glob.ts').then(
      () => assert.fail('rejects'),
      (e) => e,
    )
    assert.equal(error.plugin, 'vite:import-glob')
    assert.doesNotMatch(error.message, /^Parse failure/)
    assert.equal(error.loc?.line, 1)
  })
})
