// Unusual files through Vite's own environment and ours (issue 10): huge, empty, binary, other
// encodings, line endings, odd paths, and files the process cannot read. Each gives the same
// exports as Vite, or an error in Vite's shape, and the server keeps serving.
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

const isRoot = process.getuid?.() === 0

/** name → [file, contents] written under the root; `url` defaults to `/${file}`. */
function fixtures() {
  const bigArray = `export const n = [${'1,'.repeat(5_000_000)}].length\n` // ~10 MB on one line
  const bigString = `export const s = ${JSON.stringify('x'.repeat(1 << 20))}.length\n`
  const manyLines = `${'export const a0 = 0\n'}${Array.from({ length: 1_200_000 }, (_, i) => `var v${i} = ${i}`).join('\n')}\nexport const last = v1199999\n` // ~20 MB
  return {
    'empty.js': '',
    'empty.ts': '',
    'only-comment.ts': '// nothing here\n',
    'bom.ts': '\uFEFFexport const bom: number = 1\n',
    'crlf.ts': 'export const a: number = 1\r\nexport const b = 2\r\n',
    'lone-cr.js': 'export const a = 1\rexport const b = 2\r',
    'latin1.js': Buffer.from('export const s = "caf\xe9"\n', 'latin1'),
    'utf16.js': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('export const a = 1\n', 'utf16le')]),
    'binary.js': Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x80, 0x81, 10, 0]),
    'one-line-10mb.js': bigArray,
    'string-1mb.js': bigString,
    'many-lines-20mb.js': manyLines,
    'dir with space/ünïcødé.ts': 'export const name: string = "spaced"\n',
  }
}

async function outcome(server, url) {
  const { root } = server.config
  try {
    const mod = await server.environments.ssr.runner.import(url)
    return { exports: Object.fromEntries(Object.entries(mod).map(([k, v]) => [k, typeof v === 'string' && v.length > 40 ? v.length : v])) }
  } catch (error) {
    // Not `id`: a parse error's is the file path in ours, the url in Vite's (ERR_LOAD_URL ones,
    // without `id` as in Vite, are compared in load-url-error.test.mjs).
    // Parse errors are worded by different parsers (oxc, swc): compared by their shape only.
    const message = /^Parse failure: /.test(error.message) ? 'Parse failure' : error.message.split('\n')[0].replace(root, '<root>')
    return { error: error.code ?? 'parse error', message }
  }
}

describe('unusual inputs, Vite vs ours', () => {
  let root
  let vite
  let native
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-inputs-'))
    mkdirSync(join(root, 'dir with space'))
    mkdirSync(join(root, 'a-directory.js'))
    for (const [file, contents] of Object.entries(fixtures())) writeFileSync(join(root, file), contents)
    symlinkSync(join(root, 'loop-b.js'), join(root, 'loop-a.js'))
    symlinkSync(join(root, 'loop-a.js'), join(root, 'loop-b.js'))
    writeFileSync(join(root, 'secret.js'), 'export const secret = 1\n')
    chmodSync(join(root, 'secret.js'), 0o000)
    writeFileSync(join(root, 'ok.js'), 'export const ok = 1\n')
    vite = await startServer(root, { native: false })
    native = await startServer(root, { native: true })
  })
  after(async () => {
    await vite?.close()
    await native?.close()
    rmSync(root, { recursive: true, force: true })
  })

  const urls = [
    ...Object.keys(fixtures()).map((file) => `/${file.split('/').map(encodeURIComponent).join('/')}`),
    '/dir with space/ünïcødé.ts',
    '/a-directory.js',
    '/loop-a.js',
    ...(isRoot ? [] : ['/secret.js']),
  ]
  for (const url of urls) {
    test(url, async () => {
      const expected = await outcome(vite, url)
      const actual = await outcome(native, url)
      assert.deepEqual(actual, expected)
      assert.deepEqual(await outcome(native, '/ok.js'), { exports: { ok: 1 } }, 'still serving')
    })
  }
})
