// Syntax errors as users see them, against Vite's own environment on the same files. Overlays and
// logs of frameworks often print only `message`, so it names the file, line and column as Vite's
// does, in the shape of the Vite step that fails first for that kind of module:
// - TS, TSX, JSX: `vite:oxc`, whose message is oxc's report
//   ("Transform failed with 1 error:\n\n[PARSE_ERROR] …\n   ╭─[ <path from cwd>:<line>:<1-based column> ]…"),
//   with `plugin`, `id`, `pluginCode` and `errors` (each with a 0-based `loc.column`);
// - JS, virtual modules: the module-runner transform ("Parse failure: …\nAt file: <url>:<line>:<column>"),
//   with `code`, `id` (the url), `pos`, `loc` and `frame`.
// The parsers' own wording ("Unexpected token" or "Expression expected") is not compared.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { stripVTControlCharacters } from 'node:util'
import { startServer } from './helpers.mjs'

const files = {
  'bad.ts': 'export const a: number = 1\nexport const b = (1 +;\n',
  'bad.tsx': 'export const a = 1\nexport const b = <div>{(1 +}</div>\n',
  'bad.jsx': 'export const a = 1\nexport const b = <div>{(1 +}</div>\n',
  'bad.mts': 'export const a = 1 as number\nexport const b = (1 +;\n',
  // The frameworks' broken module: the marker's span differs (oxc underlines two characters).
  'greet.ts': 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  // A two-digit line widens the gutter.
  'long.ts': `${Array.from({ length: 11 }, (_, i) => `export const a${i} = ${i}\n`).join('')}export const b = (1 +;\n`,
  // Valid for import analysis (es-module-lexer), refused by the module-runner transform's parser.
  'bad.js': 'export const a = 1\nexport const b = 1 +;\n',
  'bad.mjs': 'let x = 1\nx = x +* 2\nexport {x}\n',
  'glob.ts': 'export const g = import.meta.glob(42)\n',
  'hook.js': 'export const fails = "in a plugin"\n',
}

// A virtual module's code and a plugin whose transform hook fails, the same on both servers.
const plugins = () => [
  {
    name: 'test:virtual',
    resolveId: (id) => (id.startsWith('virtual:') ? `\0${id}` : undefined),
    load: (id) => (id.startsWith('\0virtual:') ? 'export const a = 1\nexport const b = 1 +;\n' : undefined),
  },
  {
    name: 'test:failing-hook',
    transform(code, id) {
      if (id.endsWith('/hook.js')) throw new Error('this hook fails')
    },
  },
]

const oxcCases = ['/bad.ts', '/bad.tsx', '/bad.jsx', '/bad.mts', '/greet.ts', '/long.ts']
const runnerCases = ['/bad.js', '/bad.mjs', 'virtual:bad.js']

/** The fields of a `vite:oxc` error that do not depend on the parser's wording. */
function oxcShape(error, { marker = true } = {}) {
  const lines = stripVTControlCharacters(error.message).split('\n')
  return {
    keys: Object.keys(error).sort(),
    plugin: error.plugin,
    id: error.id,
    pluginCode: error.pluginCode,
    code: error.code,
    loc: error.loc,
    frame: error.frame,
    head: lines.slice(0, 2),
    label: lines[2].startsWith('[PARSE_ERROR] '),
    // `   ╭─[ <file>:<line>:<column> ]`, the gutter, the failing line.
    place: lines.slice(3, 6),
    marker: marker ? lines.slice(6, 8).map((line) => line.replace(/─(?=┬)/g, '').trimEnd()) : undefined,
    tail: lines.slice(8),
    errors: error.errors?.map(({ code, kind, id, loc }) => ({ code, kind, id, loc: { ...loc } })),
  }
}

/** The fields of a module-runner parse failure that do not depend on the parser's wording. */
function runnerShape(error) {
  const lines = error.message.split('\n')
  return {
    keys: Object.keys(error).sort(),
    plugin: error.plugin,
    code: error.code,
    id: error.id,
    pos: error.pos,
    loc: { ...error.loc },
    frame: error.frame,
    first: lines[0].startsWith('Parse failure: '),
    last: lines.at(-1),
  }
}

describe('syntax errors, against Vite', () => {
  let root
  let vite
  let ours
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-errors-'))
    for (const [name, code] of Object.entries(files)) writeFileSync(join(root, name), code)
    vite = await startServer(root, { plugins: plugins() })
    ours = await startServer(root, { native: true, plugins: plugins() })
  })
  after(async () => {
    await vite?.close()
    await ours?.close()
    rmSync(root, { recursive: true, force: true })
  })

  /** The error of each entry point of `server` for `url`, from a fresh graph. */
  async function failures(server, url) {
    const env = server.environments.ssr
    const entryPoints = {
      transformRequest: () => env.transformRequest(url),
      'runner.import': () => env.runner.import(url),
      ssrLoadModule: () => server.ssrLoadModule(url),
      fetchModule: () => env.fetchModule(url),
    }
    const errors = {}
    for (const [name, call] of Object.entries(entryPoints)) {
      env.moduleGraph.invalidateAll()
      errors[name] = await call().then(
        () => assert.fail(`${url} ${name}: a syntax error rejects`),
        (e) => e,
      )
    }
    return errors
  }

  for (const url of oxcCases) {
    test(`${url}: vite:oxc's error, the place in its message`, async () => {
      const [theirs, mine] = await Promise.all([failures(vite, url), failures(ours, url)])
      for (const name of Object.keys(theirs)) {
        const options = { marker: !url.startsWith('/greet') }
        assert.deepEqual(oxcShape(mine[name], options), oxcShape(theirs[name], options), `${url} ${name}`)
        // The place a log shows: the path from the working directory, the 1-based column.
        const { line, column } = mine[name].errors[0].loc
        const place = `${relative(process.cwd(), join(root, url.slice(1)))}:${line}:${column + 1}`
        assert.ok(mine[name].message.includes(` ${place} ]`), `${url} ${name}: ${mine[name].message} names ${place}`)
      }
    })
  }

  for (const url of runnerCases) {
    test(`${url}: the module-runner transform's parse failure, the url and place in its message`, async () => {
      const [theirs, mine] = await Promise.all([failures(vite, url), failures(ours, url)])
      for (const name of Object.keys(theirs)) {
        assert.deepEqual(runnerShape(mine[name]), runnerShape(theirs[name]), `${url} ${name}`)
        const { line, column } = mine[name].loc
        assert.ok(mine[name].message.endsWith(`\nAt file: ${url}:${line}:${column}`), mine[name].message)
      }
    })
  }

  test('a plugin hook’s error carries the code it was given as pluginCode, as in Vite', async () => {
    const [theirs, mine] = await Promise.all([failures(vite, '/hook.js'), failures(ours, '/hook.js')])
    for (const name of Object.keys(theirs)) {
      assert.equal(mine[name].pluginCode, theirs[name].pluginCode, name)
      assert.equal(mine[name].pluginCode, files['hook.js'], name)
      assert.equal(mine[name].plugin, 'test:failing-hook', name)
    }
  })

  test('an import.meta.glob error keeps the glob plugin’s own message', async () => {
    const error = await ours.environments.ssr.runner.import('/glob.ts').then(
      () => assert.fail('rejects'),
      (e) => e,
    )
    assert.equal(error.plugin, 'vite:import-glob')
    assert.doesNotMatch(error.message, /^Parse failure|^Transform failed/)
    assert.equal(error.loc?.line, 1)
  })
})
