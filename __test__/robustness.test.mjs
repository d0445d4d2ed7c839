// Deeply nested modules through a real Vite server on the native core: a located error in
// Vite's shape or a correct result, and the server keeps serving (issue 10). Before the fix a
// `.js` or `.ts` file with 20,000 nested parentheses killed the process with SIGSEGV.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

const DEEP = 100_000

/** `depth` levels of one construct as a module that exports `x`. */
const nested = {
  parentheses: (depth) => `export const x = ${'('.repeat(depth)}1${')'.repeat(depth)};`,
  brackets: (depth) => `export const x = ${'['.repeat(depth)}1${']'.repeat(depth)};`,
  templates: (depth) => `export const x = ${'`${'.repeat(depth)}1${'}`'.repeat(depth)};`,
  arrows: (depth) => `export const x = ${'a => '.repeat(depth)}1;`,
  jsx: (depth) => `export const x = ${'<a>'.repeat(depth)}${'</a>'.repeat(depth)};`,
  typeArguments: (depth) => `export let x: ${'A<'.repeat(depth)}1${'>'.repeat(depth)} = 1;`,
  members: (depth) => `const a = { b: null }; a.b = a; export const x = typeof a${'.b'.repeat(depth)};`,
}

describe('deeply nested modules', () => {
  let root
  let server
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-deep-'))
    writeFileSync(join(root, 'ok.ts'), 'export const ok: number = 1\n')
    server = await startServer(root, { native: true })
  })
  after(async () => {
    await server?.close()
    rmSync(root, { recursive: true, force: true })
  })

  const tooDeep = [
    ['parentheses', ['js', 'ts', 'tsx']],
    ['brackets', ['js', 'ts', 'tsx']],
    ['templates', ['js', 'ts', 'tsx']],
    ['arrows', ['js', 'ts', 'tsx']],
  ]
  for (const [construct, extensions] of tooDeep) {
    for (const ext of extensions) {
      test(`${DEEP} levels of ${construct} in .${ext}: a located error, and the server keeps serving`, async () => {
        const file = `${construct}-${ext}.${ext}`
        writeFileSync(join(root, file), `// ${construct}\n${nested[construct](DEEP)}\n`)
        const runner = server.environments.ssr.runner
        const error = await runner.import(`/${file}`).then(
          () => assert.fail('a nesting this deep is refused'),
          (e) => e,
        )
        assert.match(error.message, /Nesting too deep: more than 4096 levels/)
        // In the shape of a syntax error of that kind of module (`__test__/errors.test.mjs`).
        if (ext === 'js') {
          assert.equal(error.id, `/${file}`)
          assert.equal(error.loc?.line, 2)
          assert.equal(error.loc?.file, `/${file}`)
          assert.ok(error.frame?.includes('^'), 'the frame points at the bracket')
        } else {
          assert.equal(error.id, join(root, file))
          assert.equal(error.errors[0].loc.line, 2)
          assert.equal(error.errors[0].loc.file, join(root, file))
          assert.match(error.message, /\n 2 │ .*\n {3}│ +┬/, 'the report marks the bracket')
        }
        assert.equal((await runner.import('/ok.ts')).ok, 1)
        // The user fixes the file: the next request succeeds without a restart.
        writeFileSync(join(root, file), `export const x = ${construct === 'arrows' ? '(a => 1)(0)' : '(1)'};\n`)
        server.environments.ssr.moduleGraph.onFileChange(join(root, file))
        assert.equal((await runner.import(`/${file}`)).x, 1)
      })
    }
  }

  // JSX elements nest without brackets in the source, but the language step prints them as
  // nested calls, which the next (module-runner) step refuses with the same error.
  for (const ext of ['jsx', 'tsx']) {
    test(`${DEEP} levels of JSX elements in .${ext}: an error naming the module`, async () => {
      const file = `jsx-${ext}.${ext}`
      writeFileSync(join(root, file), nested.jsx(DEEP))
      const error = await server.environments.ssr.runner.import(`/${file}`).then(
        () => assert.fail('a nesting this deep is refused'),
        (e) => e,
      )
      assert.match(error.message, /Nesting too deep: more than 4096 levels/)
      // The module-runner step's failure (on the language step's output) names the url.
      assert.equal(error.id, `/${file}`)
      assert.equal((await server.environments.ssr.runner.import('/ok.ts')).ok, 1)
    })
  }

  // No lexical limit on these: the transform gives the right code, and Node decides whether it
  // can run it (V8 throws a RangeError for the deep ones).
  const transformed = [
    ['typeArguments', ['ts', 'tsx']],
    ['members', ['js', 'ts']],
  ]
  for (const [construct, extensions] of transformed) {
    for (const ext of extensions) {
      test(`${DEEP} levels of ${construct} in .${ext}: transformed, and the server keeps serving`, async () => {
        const file = `${construct}-${ext}.${ext}`
        writeFileSync(join(root, file), nested[construct](DEEP))
        const result = await server.environments.ssr.transformRequest(`/${file}`)
        assert.ok(result.code.includes('__vite_ssr_exportName__("x"'), 'the module exports x')
        if (construct === 'typeArguments') {
          assert.equal((await server.environments.ssr.runner.import(`/${file}`)).x, 1)
        }
        assert.equal((await server.environments.ssr.runner.import('/ok.ts')).ok, 1)
      })
    }
  }
})
