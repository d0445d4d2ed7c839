// Stack columns of calls to imported functions, through Vite's environment and ours: Vite maps
// the rewritten `(0, __vite_ssr_import_0__.f)(` back to the callee's start (vitejs/vite#19625),
// so a frame's column is the one Node gives for the original code (issue 12, item 6).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { SourceMap } from 'node:module'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

const CALLERS = `import { capture, obj } from './capture'

export function plain() {
  return capture(1)
}
export function typeArguments() {
  return   capture<number>(2)
}
export function method() {
  return obj.m()
}
export function spaced() {
  return [1].map(() => capture ( 4 ))
}
`

describe('columns of calls to imports', () => {
  let root
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'ven-call-columns-'))
    writeFileSync(
      join(root, 'capture.ts'),
      "export function capture<T>(x: T): T {\n  throw new Error('from capture ' + x)\n}\nexport const obj = { m() { throw new Error('m') } }\n",
    )
    writeFileSync(join(root, 'callers.ts'), CALLERS)
  })
  after(() => rmSync(root, { recursive: true, force: true }))

  /** `name` → where the caller's frame points, for each exported caller. */
  async function callerFrames(native) {
    const server = await startServer(root, { native })
    try {
      const callers = await server.environments.ssr.runner.import('/callers.ts')
      const frames = {}
      for (const name of Object.keys(callers).sort()) {
        try {
          callers[name]()
        } catch (error) {
          frames[name] = error.stack.split('\n')[2].match(/\(([^)]*)\)/)?.[1].replace(root, '<root>')
        }
      }
      return frames
    } finally {
      await server.close()
    }
  }

  test('equal to Vite’s, at the callee’s start', async () => {
    const expected = await callerFrames(false)
    assert.deepEqual(expected, {
      method: '<root>/callers.ts:10:14',
      plain: '<root>/callers.ts:4:10',
      spaced: '<root>/callers.ts:13:24',
      typeArguments: '<root>/callers.ts:7:12',
    })
    assert.deepEqual(await callerFrames(true), expected)
  })

  test('a hoisted import maps to its declaration from its first column', async () => {
    const server = await startServer(root, { native: true })
    try {
      const { code, map } = await server.environments.ssr.transformRequest('/callers.ts')
      const line = code.split('\n').findIndex((l) => l.startsWith('const __vite_ssr_import_0__'))
      const entry = new SourceMap(map).findEntry(line, 0)
      assert.deepEqual(
        [entry.generatedLine, entry.generatedColumn, entry.originalLine, entry.originalColumn],
        [line, 0, 0, 0],
      )
    } finally {
      await server.close()
    }
  })
})
