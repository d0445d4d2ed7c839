#!/usr/bin/env node
// Differential fuzz of the module-runner transform (issue 10, "Fuzzing"): random ES module
// programs run through Vite's own SSR environment and through vite-env-native's; each program's
// exports, the order of its side effects and its errors must be the same.
//
//   node scripts/fuzz-differential.mjs [--programs 500] [--seconds 300] [--seed 1] [--keep DIR]
//
// Not part of `npm test`: it runs for a bounded time and prints every difference with the
// program's files (also written to DIR/<case>/ with --keep), to be turned into regression tests.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'vite'
import { nativeEnvironments } from 'vite-env-native'
import { parseArgs } from '../bench/harness/lib.mjs'

const args = parseArgs(process.argv.slice(2))
const programs = Number(args.programs ?? 500)
const seconds = Number(args.seconds ?? 300)
let seed = Number(args.seed ?? 1)
/** How often an entry declares a name twice (`--redeclarations 0` turns it off). */
const redeclarations = Number(args.redeclarations ?? 0.15)

/** Deterministic pseudo-random numbers: the same seed gives the same programs. */
function next() {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}
const pick = (list) => list[Math.floor(next() * list.length)]
const chance = (p) => next() < p

// ---- program generator -------------------------------------------------------------------------
// A program is an entry module and two dependencies. Each module logs its evaluation and reads of
// imported bindings into `globalThis.__fuzzLog`, so the order of side effects is compared too.

const NAMES = ['a', 'b', 'c', 'value', 'fn', 'Klass', 'counter', 'data']

/** A dependency module `dep<n>` exporting every name of NAMES in some form. */
function dependency(n) {
  const lines = [`globalThis.__fuzzLog.push('dep${n} start')`]
  for (const name of NAMES) {
    const form = pick(['const', 'let', 'function', 'class', 'var', 'later', 'renamed'])
    switch (form) {
      case 'const':
        lines.push(`export const ${name} = ${JSON.stringify(`${name}${n}`)}`)
        break
      case 'let':
        lines.push(`export let ${name} = 0`, `export function bump_${name}() { ${name}++; return ${name} }`)
        break
      case 'function':
        lines.push(`export function ${name}() { return ${JSON.stringify(`${name}${n}()`)} }`)
        break
      case 'class':
        lines.push(`export class ${name} { static tag = ${JSON.stringify(name)}; get x() { return ${n} } }`)
        break
      case 'var':
        lines.push(`export var ${name} = [${n}, ${JSON.stringify(name)}]`)
        break
      case 'later':
        // Exported before its declaration: hoisting and TDZ must match.
        lines.push(`export { ${name} }`, `const ${name} = { n: ${n} }`)
        break
      case 'renamed':
        lines.push(`const local_${name} = ${n} * 2`, `export { local_${name} as ${name} }`)
        break
    }
  }
  if (chance(0.3)) lines.push(`export const { d${n}x, d${n}y = 'fallback' } = { d${n}x: ${n} }`, `export const [e${n}0, , ...e${n}rest] = [1, 2, 3, 4]`)
  if (chance(0.3)) lines.push(`export { a as "string name ${n}" }`.replace('a as', `${pick(NAMES)} as`))
  // A cycle between the dependencies: reads during evaluation may hit TDZ errors, which must
  // match too.
  if (chance(0.2)) lines.push(`import * as peer${n} from './dep${n === 1 ? 2 : 1}.js'`, `globalThis.__fuzzLog.push('peer ' + Object.keys(peer${n}).length)`)
  if (chance(0.5)) {
    lines.push(
      `export default ${pick([`function () { return ${n} }`, `function named${n}() { return ${n} }`, `class {}`, `class Named${n} {}`, `${n} + 1`, `{ dep: ${n} }`, `(function () { return this })()`])}`,
    )
  }
  else lines.push(`const def = 'default${n}'`, `export { def as default }`)
  if (n === 1 && chance(0.4)) lines.push(`export * from './dep2.js'`)
  if (chance(0.3)) lines.push(`export * as ns${n} from './dep${n === 1 ? 2 : 1}.js'`)
  lines.push(`globalThis.__fuzzLog.push('dep${n} end')`)
  return lines.join('\n')
}

/**
 * Statements declare names with a per-program counter, so a program declares a name twice only
 * where `redeclaration` does it on purpose.
 */
let declared = 0

/**
 * Two declarations of one name in the entry's top scope: some are errors (Vite's oxc refuses them
 * in TypeScript with a located error, V8 in JavaScript), some are merged or allowed.
 */
function redeclaration(imported, ts) {
  const name = `dup_${declared++}`
  const forms = [
    () => `let ${name} = 1; globalThis.__fuzzLog.push(${name}); let ${name} = 2`,
    () => `var ${name} = 1; var ${name} = 2; globalThis.__fuzzLog.push(${name})`,
    () => `function ${name}() { return 1 } var ${name}; globalThis.__fuzzLog.push(typeof ${name})`,
    () => `class ${name} {} function ${name}() {}`,
    () => `const ${name} = 1; { var ${name} = 2 }`,
    () => `{ let ${name} = 1; globalThis.__fuzzLog.push(${name}) } let ${name} = 2; globalThis.__fuzzLog.push(${name})`,
    () => `const ${pick(imported.filter((n) => n !== 'globalThis').concat(name))} = 'local'`,
    () => `function ${name}(a) { let a = 1; return a }`,
    () => `try {} catch (${name}) { let ${name} = 1 }`,
  ]
  const tsForms = [
    () => `type ${name} = 1; type ${name} = 2`,
    () => `interface ${name} { a: 1 } interface ${name} { b: 2 } globalThis.__fuzzLog.push('merged')`,
    () => `enum ${name} { A } enum ${name} { B = 1 } globalThis.__fuzzLog.push(${name}.A, ${name}.B)`,
    () => `namespace ${name} { export const a = 1 } namespace ${name} { export const b = 2 } globalThis.__fuzzLog.push(${name}.a + ${name}.b)`,
    () => `function ${name}(x: string): string; function ${name}(x: any) { return x } globalThis.__fuzzLog.push(${name}('o'))`,
    () => `type ${name} = 1; const ${name} = 2; globalThis.__fuzzLog.push(${name})`,
    () => `enum ${name} { A } const ${name} = 1`,
    () => `class ${name} {} interface ${name} { x: 1 } globalThis.__fuzzLog.push(typeof ${name})`,
  ]
  return pick(ts ? forms.concat(tsForms) : forms)()
}

/** A random statement of the entry that reads imported bindings (or shadows them). */
function statement(imported) {
  const name = `${pick(imported)}`
  const unique = `${name}_${declared++}`
  return pick([
    () => `globalThis.__fuzzLog.push(typeof ${name})`,
    () => `globalThis.__fuzzLog.push(String(typeof ${name} === 'function' ? ${name}.name : ${name}))`,
    () => `{ const ${name} = 'shadowed'; globalThis.__fuzzLog.push(${name}) }`,
    () => `function inner_${unique}(${name}) { return ${name} } globalThis.__fuzzLog.push(inner_${unique}('param'))`,
    () => `globalThis.__fuzzLog.push(JSON.stringify({ ${name} }, (k, v) => (typeof v === 'function' ? 'fn' : v)))`,
    () => `try { globalThis.__fuzzLog.push(String(${name}?.tag ?? ${name}?.length ?? 'none')) } catch (e) { globalThis.__fuzzLog.push(e.name) }`,
    () => `globalThis.__fuzzLog.push(((x = ${name}) => typeof x)())`,
    () => `label_${unique}: for (const k of [1]) { if (typeof ${name} === 'undefined') break label_${unique}; globalThis.__fuzzLog.push('loop') }`,
    () => `globalThis.__fuzzLog.push(\`tpl \${typeof ${name}}\`)`,
    () => `class Use_${unique} { m = typeof ${name}; static s = typeof ${name} } globalThis.__fuzzLog.push(new Use_${unique}().m + Use_${unique}.s)`,
    () => `globalThis.__fuzzLog.push(typeof (0, ${name}))`,
    () => `globalThis.__fuzzLog.push(typeof this, (function () { return typeof this })())`,
    () => `try { undeclared_${unique} = 1; globalThis.__fuzzLog.push('sloppy') } catch (e) { globalThis.__fuzzLog.push(e.name) }`,
    () => `globalThis.__fuzzLog.push(Object.getOwnPropertyNames(Object(${name})).length)`,
    () => `globalThis.__fuzzLog.push(${name} === ${name})`,
    () => `var ${unique}_copy = ${name}; globalThis.__fuzzLog.push(typeof ${unique}_copy)`,
    () => `globalThis.__fuzzLog.push(delete globalThis.nothing, typeof new.target)`.replace(', typeof new.target', ''),
  ])()
}

/** TypeScript-only statements: type positions that use imported names, and TS syntax. */
function tsStatement(imported) {
  const name = pick(imported)
  const unique = `${name}_${declared++}`
  return pick([
    () => `let typed_${unique}: typeof ${name} | undefined = undefined; globalThis.__fuzzLog.push(String(typed_${unique}))`,
    () => `type Alias_${unique} = typeof ${name}; const as_${unique} = 1 as unknown as Alias_${unique}; globalThis.__fuzzLog.push(typeof as_${unique})`,
    () => `enum E_${unique} { A, B = 'b' } globalThis.__fuzzLog.push(E_${unique}.A, E_${unique}.B)`,
    () => `const sat_${unique} = { k: 1 } satisfies Record<string, number>; globalThis.__fuzzLog.push(sat_${unique}.k)`,
    () => `function gen_${unique}<T>(x: T): T { return x } globalThis.__fuzzLog.push(typeof gen_${unique}<typeof ${name}>(${name}))`,
    () => `declare const ambient_${unique}: string; globalThis.__fuzzLog.push(typeof ${name}!)`,
    () => `class P_${unique} { constructor(public v: number = 1, private w?: string) {} } globalThis.__fuzzLog.push(new P_${unique}().v)`,
    () => `namespace N_${unique} { export const x = 1 } globalThis.__fuzzLog.push(N_${unique}.x)`,
    () => `interface I_${unique} { x: typeof ${name} } globalThis.__fuzzLog.push('interface')`,
  ])()
}

/** The entry module: imports in every form, statements, exports, maybe a hoisted function. */
function entry(ts) {
  declared = 0
  const lines = ["globalThis.__fuzzLog.push('entry start')"]
  const imported = []
  // An import declaring `names`, unless one is already imported (a redeclaration).
  const once = (name, code, ...more) => {
    if (imported.includes(name)) return `import './dep2.js'`
    imported.push(name, ...more)
    return code
  }
  const importForms = [
    () => {
      const aliases = NAMES.filter(() => chance(0.4))
        .map((n) => (chance(0.3) ? `${n} as ${n}_alias` : n))
        .filter((alias) => !imported.includes(alias.split(' as ').at(-1)))
      if (!aliases.length) return `import './dep1.js'`
      imported.push(...aliases.map((a) => a.split(' as ').at(-1)))
      return `import { ${aliases.join(', ')} } from './dep${pick([1, 2])}.js'`
    },
    () => once('dflt', `import dflt from './dep${pick([1, 2])}.js'`),
    () => once('ns', `import * as ns from './dep${pick([1, 2])}.js'`),
    () => `import './dep2.js'`,
    () => once('viaDefault', `import { default as viaDefault } from './dep${pick([1, 2])}.js'`),
    () => once('stringNamed', `import { "string name 1" as stringNamed } from './dep1.js'`),
    () => once('mixedDefault', `import mixedDefault, * as mixedNs from './dep${pick([1, 2])}.js'`, 'mixedNs'),
  ]
  const imports = new Set()
  for (let i = 0; i < 1 + Math.floor(next() * 3); i++) imports.add(pick(importForms)())
  // Imports placed after code are still hoisted: the order must match Vite's.
  const placeAfter = chance(0.3)
  if (!placeAfter) lines.push(...imports)
  if (!imported.length) imported.push('globalThis')
  for (let i = 0; i < 2 + Math.floor(next() * 5); i++) lines.push(ts && chance(0.5) ? tsStatement(imported) : statement(imported))
  if (chance(redeclarations)) lines.push(redeclaration(imported, ts))
  // An import used only as a type: TypeScript drops it, and with it the module's side effects.
  if (ts && chance(0.4)) lines.push(`import { ${pick(NAMES)} as typeOnly } from './dep${pick([1, 2])}.js'`, 'let onlyType: typeof typeOnly | null = null')
  if (ts && chance(0.2)) lines.push(`import type { ${pick(NAMES)} as declaredType } from './dep1.js'`, `import { type ${pick(NAMES)} as inlineType } from './dep2.js'`)
  if (placeAfter) lines.push(...imports)
  if (chance(0.5)) lines.push(`globalThis.__fuzzLog.push(hoisted())`, `function hoisted() { return typeof ${pick(imported)} }`)
  lines.push(`export const seen = globalThis.__fuzzLog.slice()`)
  if (chance(0.4)) lines.push(`export { ${pick(imported.filter((n) => n !== 'globalThis').concat('seen'))} as reexported }`)
  if (chance(0.3)) lines.push(`export * from './dep1.js'`)
  if (chance(0.3)) lines.push(`export { ${pick(NAMES)} as fromDep } from './dep2.js'`)
  if (chance(0.3)) lines.push(`const dyn = await import('./dep${pick([1, 2])}.js')`, `globalThis.__fuzzLog.push(Object.keys(dyn).sort().join())`)
  if (chance(0.2)) lines.push(`globalThis.__fuzzLog.push(typeof import.meta.url, /entry\\.[jt]s$/.test(import.meta.url))`)
  lines.push("globalThis.__fuzzLog.push('entry end')")
  return lines.join('\n')
}

// ---- running ---------------------------------------------------------------------------------

/** What a module namespace holds, in a comparable form. */
function describeNamespace(namespace) {
  const describe = (value, depth = 0) => {
    if (typeof value === 'function') return `function ${value.name}`
    if (value && typeof value === 'object') {
      if (depth >= 2) return `object with ${Object.keys(value).sort().join()}`
      return Object.fromEntries(Object.keys(value).sort().map((k) => [k, describe(value[k], depth + 1)]))
    }
    return value === undefined ? 'undefined' : value
  }
  return describe(namespace)
}

/**
 * An error's what, without its how: the first line that says what is wrong, without colours or
 * the wrapper lines of a transform error ("Transform failed with 1 error:", "[PARSE_ERROR]",
 * "Parse failure:"). The message's shape and position are the error-shape tests' business.
 */
function errorSummary(message) {
  const lines = String(message).replace(/\x1b\[[0-9;]*m/g, '').split('\n')
  const what = lines.filter((line) => line.trim() && !/^Transform failed with \d+ errors?:$/.test(line))
  const summary = (what[0] ?? '').replace(/^\s*(\[[A-Z_]+\]|Parse failure:)\s*/, '')
  return args.full ? [summary, ...what.slice(1, 6)].join(' / ') : summary
}

async function run(server, url) {
  globalThis.__fuzzLog = []
  try {
    const namespace = await server.environments.ssr.runner.import(url)
    return { exports: describeNamespace(namespace), log: globalThis.__fuzzLog }
  } catch (error) {
    return { error: `${error?.name}: ${errorSummary(error?.message)}`, log: globalThis.__fuzzLog }
  }
}

const root = mkdtempSync(join(tmpdir(), 'ven-fuzz-'))
writeFileSync(join(root, 'package.json'), '{ "type": "module" }')
const serverOptions = (plugins) => ({
  root,
  logLevel: 'silent',
  appType: 'custom',
  server: { middlewareMode: true, ws: false, watch: null },
  optimizeDeps: { noDiscovery: true },
  plugins,
})
const vite = await createServer(serverOptions([]))
const ours = await createServer(serverOptions([nativeEnvironments()]))

const started = Date.now()
const differences = []
let ran = 0
let failing = 0
for (let i = 0; i < programs && Date.now() - started < seconds * 1000; i++) {
  const dir = join(root, `case${i}`)
  mkdirSync(dir)
  // Half the entries are TypeScript (Vite strips them with oxc, we with swc).
  const ts = args.ts === undefined ? chance(0.5) : args.ts === 'yes'
  const entryFile = ts ? 'entry.ts' : 'entry.js'
  const files = { 'dep1.js': dependency(1), 'dep2.js': dependency(2), [entryFile]: entry(ts) }
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code)
  const url = `/case${i}/${entryFile}`
  const expected = JSON.stringify(await run(vite, url))
  const actual = JSON.stringify(await run(ours, url))
  if (args.show && i < Number(args.show)) console.log(expected.slice(0, 600))
  ran++
  if (expected.startsWith('{"error"')) failing++
  if (expected !== actual) {
    differences.push({ case: i, files, vite: expected, ours: actual })
    if (args.keep) {
      const kept = join(args.keep, `case${i}`)
      mkdirSync(kept, { recursive: true })
      for (const [name, code] of Object.entries(files)) writeFileSync(join(kept, name), code)
      writeFileSync(join(kept, 'results.json'), JSON.stringify({ vite: JSON.parse(expected), ours: JSON.parse(actual) }, null, 2))
    }
  }
}
await vite.close()
await ours.close()
rmSync(root, { recursive: true, force: true })

console.log(
  `differential fuzz: ${ran} programs (${failing} of them throw on Vite) in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${args.seed ?? 1}), ${differences.length} differences`,
)
for (const difference of differences.slice(0, 5)) {
  console.log(`\n--- case ${difference.case}`)
  for (const [name, code] of Object.entries(difference.files)) console.log(`// ${name}\n${code}`)
  console.log(`// Vite: ${difference.vite}\n// ours: ${difference.ours}`)
}
process.exitCode = differences.length ? 1 : 0
