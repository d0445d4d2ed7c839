// A name declared twice in one scope of a TS, TSX or JSX module is an error of Vite's `vite:oxc`
// step, located at the second declaration; TypeScript's declaration merging (overloads,
// interfaces, namespaces with classes, functions and enums, …) is not. Vite's own environment
// is the oracle for every program here: ours must accept what it accepts and refuse what it
// refuses, at the same place, in our syntax-error shape.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startServer } from './helpers.mjs'

// Every declaration form that takes a name in a scope; the tests pair them in both orders.
const tsForms = [
  'let X = 1',
  'const X = 1',
  'using X = null',
  'var X = 1',
  'declare let X: number',
  'declare const X: number',
  'declare var X: number',
  'function X() {}',
  'function X(): void',
  'declare function X(): void',
  'class X {}',
  'declare class X {}',
  'abstract class X {}',
  'interface X {}',
  'type X = 1',
  'enum X { A }',
  'const enum X { A }',
  'declare enum X { A }',
  'declare const enum X { A }',
  'namespace X { export const a = 1 }',
  'namespace X { type T = 1 }',
  'namespace X {}',
  'declare namespace X { const a: number }',
  'namespace X { const enum E { A } }',
  'namespace X.Y { export const a = 1 }',
  'namespace X { import y = Z.y }',
  "import { a as X } from './dep.ts'",
  "import type { a as X } from './dep.ts'",
  "import { type a as X } from './dep.ts'",
  "import * as X from './dep.ts'",
  "import X from './dep.ts'",
  "import X = require('./dep.ts')",
  'import X = Z.a',
]
const jsForms = [
  'let X = 1',
  'const X = 1',
  'var X = 1',
  'function X() {}',
  'class X {}',
  "import { a as X } from './dep.ts'",
  "import * as X from './dep.ts'",
]

// Scopes: blocks, functions, parameters, `var` hoisting, catch, loops, switch, static blocks,
// namespaces, type parameters, enum members, exports.
const scopeCases = [
  '{ function f() {}\nfunction f() {} }',
  '{ let f = 1\nfunction f() {} }',
  '{ function f() {}\nlet f = 1 }',
  '{ var f = 1\nfunction f() {} }',
  '{ function f() {}\nvar f = 1 }',
  '{ function f() {} }\nlet f = 1',
  'let f = 1\n{ function f() {} }',
  '{ var a = 1 }\nlet a = 2',
  'let a = 1\n{ var a = 2 }',
  '{ { var a } let a }',
  'function g() { { { var a } let a } }',
  'function g() { let a = 1\n{ var a = 2 } }',
  'function g(a) { { let a = 1 } }',
  'function g(a) { function a() {} }',
  'function g(a) { class a {} }',
  'function g(a) { let a = 1 }',
  'function g(a) { var a = 1 }',
  'function g(a, a) {}',
  'function g() { var a = 1; function a() {} }',
  'function g() { function a() {}\nvar a }',
  'function g() { function a() {}\nfunction a() {} }',
  'function f(a, { b }, ...c) { let d; var a, b, c }',
  'function f(a, { b }, ...c) { let c }',
  'function f(a = 1) { let a }',
  'function f(a = () => { let b; let b }) {}',
  'const f = (a) => { var a }',
  'const f = ({ a }) => { let a }',
  'const f = function a(a) { let a }',
  'const f = function a() { let a }',
  'const C = class A { m() { let A } }',
  'let o = { m(a) { let a } }',
  'let o = { set m(a) { let a } }',
  'let o = { get m() { let a; let a; return 1 } }',
  'class A { set m(a) { let a } }',
  'class A { m(a) { var a } }',
  'class A { constructor(private a: number) { let a } }',
  'class A { constructor(a = 1) { var a } }',
  'class A { static { let a; var a } }',
  'class A { static { var a }; static { let a } }',
  'class A { static { let a; { var a } } }',
  'class A { p = () => { let a; let a } }',
  'namespace N { var a = 1\nlet a = 2 }',
  'namespace N { { var a = 1 }\nlet a = 2 }',
  'var a = 1\nnamespace N { let a = 2 }',
  'namespace N { var a = 1 }\nlet a = 2',
  'namespace N { export namespace N {} }\nlet N = 1',
  'namespace N { ; }\nlet N = 1',
  'namespace A.B { }\nlet A = 1',
  'namespace A.B { export const a = 1 }\nnamespace A.B { export const b = 1 }',
  'namespace A.B { export const a = 1 }\nnamespace A { export const B = 1 }',
  'namespace A.B { export const a = 1 }\nnamespace A { export let B = 1 }',
  "declare module 'x' { export const a: number }\ndeclare module 'x' { export const a: number }",
  "declare module 'm' { let a: number }\nlet a = 1",
  'declare global { var a: number }\nvar a = 1',
  'declare global { let a: number }\nlet a = 1',
  'type T = 1\ndeclare global { type T = 2 }',
  'try {} catch (e) { let e = 1 }',
  'try {} catch (e) { var e = 1 }',
  'try {} catch (e) { { var e = 1 } }',
  'try {} catch (e) { function e() {} }',
  'try {} catch (e) { class e {} }',
  'try {} catch (e) { enum e {} }',
  'try {} catch (e) { type e = 1 }',
  'try {} catch ([e]) { var e = 1 }',
  'try {} catch ({ e }) { let e = 1 }',
  'try {} catch (e) { try {} catch (e) {} }',
  'for (let i = 0; ; ) { let i = 1; break }',
  'for (let i = 0; ; ) { var i; break }',
  'for (var i = 0; ; ) { let i; break }',
  'for (let i of []) { var i }',
  'for (const k in {}) { let k }',
  'for (let i = 0, i = 1; ; ) { break }',
  'let a\nfor (var a of []) {}',
  'let a\nwhile (0) var a',
  'let a\nif (0) var a',
  'let a\nlabel: { var a }',
  'let a\ntry { var a } finally {}',
  'switch (1) { case 1: let a = 1; break; case 2: let a = 2 }',
  'switch (1) { case 1: function f() {} case 2: function f() {} }',
  'switch (1) { case 1: let a = 1; break; default: var a }',
  'if (true) { let a } else { let a }',
  'let a = 1, a = 2',
  'const [a, a] = [1, 2]',
  'const { a, b: a } = { a: 1, b: 2 }',
  'let { a = 1, ...a } = {}',
  'using a = null\n{ using a = null }',
  'function f<T, T>() {}',
  'type A<T, T> = 1',
  'function f<T>(x: T) { type T = 1 }',
  'function f<T>(x: T) { let T }',
  'class A<T> { m() { type T = 1 } }',
  'class A { m<T>() { type T = 1 } }',
  'enum E { A, B }\nenum E { C = 2 }',
  "enum E { A, 'A' }",
  'enum E { A }\nenum E { A = 2 }',
  'export const a = 1\nexport const a = 2',
  'export function f(): void\nexport function f(x?: number) {}',
  'export default function f() {}\nfunction f() {}',
  'export default class A {}\nlet A',
  'export default function () {}\nlet A',
  'export default interface X {}\ntype X = 1',
  'let X = 1\nexport default interface X {}',
  'export const [a, { b: [a2] }] = [1, { b: [2] }]\nlet a2',
  'let a = 1\nexport { a as b }\nlet b = 2',
  'export import X = Z.a\nlet X = 1',
  'let a: { b: number; b: string }',
  'const x = { a: 1, a: 2 }',
  'interface Window {}\ndeclare global { interface Window {} }',
]

/** Vite's answer: `null` when it transforms, else the redeclared name and its place. */
function viteRedeclaration(error) {
  // oxc's report is drawn with ANSI colours: under a source line, the second declaration's
  // name is underlined (`─┬─`), and the label "It can not be redeclared here" hangs from the
  // `┬` (`╰──`). The underline's start is the column.
  const lines = error.message.replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  const name = /Identifier `([^`]+)` has already been declared/.exec(error.message)?.[1]
  const label = lines.findIndex((l) => l.includes('It can not be redeclared here'))
  assert.ok(name && label > 0, `Vite's error is a redeclaration: ${error.message}`)
  let underline = label - 1
  while (underline > 0 && !lines[underline].includes('┬')) underline--
  let start = lines[label].indexOf('╰')
  while (start > 0 && '─┬'.includes(lines[underline][start - 1])) start--
  const column = start - lines[label].indexOf('│') - 2
  for (let i = underline - 1; i >= 0; i--) {
    const source = /^\s*(\d+)\s*│/.exec(lines[i])
    if (source) return { name, line: Number(source[1]), column }
  }
  assert.fail(`no source line in ${error.message}`)
}

describe('a name declared twice in one scope, against Vite', () => {
  let root
  let vite
  let ours
  let count = 0
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-redeclare-'))
    writeFileSync(join(root, 'dep.ts'), 'export const a = 1\nexport default 2\n')
    vite = await startServer(root, { native: false })
    ours = await startServer(root, { native: true })
  })
  after(async () => {
    await vite?.close()
    await ours?.close()
    rmSync(root, { recursive: true, force: true })
  })

  /** Both environments on one program; returns Vite's answer. */
  async function compare(ext, code) {
    const file = `case${count++}.${ext}`
    writeFileSync(join(root, file), `${code}\n`)
    const transform = (server) =>
      server.environments.ssr.transformRequest(`/${file}`).then(
        () => null,
        (e) => e,
      )
    const [viteError, ourError] = [await transform(vite), await transform(ours)]
    const what = `${file}: ${JSON.stringify(code)}`
    if (viteError === null || !/has already been declared/.test(viteError.message)) {
      // Accepted by Vite, or refused for another reason: never a redeclaration of ours.
      if (ourError) assert.doesNotMatch(ourError.message, /has already been declared/, what)
      if (viteError === null) assert.equal(ourError, null, `${what}: ${ourError?.message}`)
      return null
    }
    const expected = viteRedeclaration(viteError)
    assert.ok(ourError, `${what}: Vite refuses a redeclaration of \`${expected.name}\`, ours accepts`)
    // Ours is `vite:oxc`'s error in shape, with one label at the second declaration (oxc's report
    // labels both, and its header names the first): the place, the 1-based column, in the message.
    const place = `${relative(process.cwd(), join(root, file))}:${expected.line}:${expected.column + 1}`
    const lines = ourError.message.split('\n')
    assert.deepEqual(
      lines.slice(0, 4),
      ['Transform failed with 1 error:', '', `[PARSE_ERROR] Identifier \`${expected.name}\` has already been declared`, `   ╭─[ ${place} ]`],
      what,
    )
    assert.deepEqual({ ...ourError.errors[0].loc }, { file: join(root, file), line: expected.line, column: expected.column }, what)
    assert.equal(ourError.id, join(root, file), what)
    assert.equal(ourError.plugin, 'vite:oxc', what)
    assert.equal(ourError.pluginCode, `${code}\n`, what)
    return expected
  }

  test('every ordered pair of TypeScript declaration forms in one scope', async () => {
    let refused = 0
    for (const first of tsForms) {
      for (const second of tsForms) {
        if (await compare('ts', `${first}\n${second}`)) refused++
      }
    }
    // Both answers occur: the table tests merging and refusing.
    assert.ok(refused > 100 && refused < tsForms.length ** 2 - 100, `${refused} refused`)
  })

  test('every ordered pair of JavaScript declaration forms in a .jsx module', async () => {
    let refused = 0
    for (const first of jsForms) {
      for (const second of jsForms) {
        if (await compare('jsx', `${first}\n${second}`)) refused++
      }
    }
    assert.ok(refused > 10, `${refused} refused`)
  })

  test('scopes: blocks, functions, parameters, var hoisting, catch, loops, namespaces', async () => {
    let refused = 0
    for (const code of scopeCases) {
      if (await compare('ts', code)) refused++
    }
    assert.ok(refused > 30, `${refused} refused`)
  })

  test('.tsx, .mts and .jsx are checked; .js is left to V8 as in Vite', async () => {
    const code = 'export const a = 1\nlet b = 1\nlet b = 2'
    for (const ext of ['tsx', 'mts', 'jsx']) {
      assert.deepEqual(await compare(ext, code), { name: 'b', line: 3, column: 4 }, ext)
    }
    assert.equal(await compare('js', code), null)
    const file = 'plain.js'
    writeFileSync(join(root, file), code)
    for (const server of [vite, ours]) {
      await assert.rejects(server.environments.ssr.runner.import(`/${file}`), /Identifier 'b' has already been declared/)
    }
  })

  test('the runner sees the located error, and the fixed file runs', async () => {
    const file = join(root, 'fixed.ts')
    writeFileSync(file, 'type T = 1\ntype T = 2\nexport const ok = 1\n')
    const runner = ours.environments.ssr.runner
    const error = await runner.import('/fixed.ts').then(
      () => assert.fail('refused'),
      (e) => e,
    )
    assert.match(error.message, /^Transform failed with 1 error:\n\n\[PARSE_ERROR\] Identifier `T` has already been declared\n {3}╭─\[ \S*fixed\.ts:2:6 \]\n/)
    writeFileSync(file, 'type T = 1\nexport const ok = 1\n')
    ours.environments.ssr.moduleGraph.invalidateAll()
    assert.equal((await runner.import('/fixed.ts')).ok, 1)
  })
})
