// Source maps of in-process runners are kept native until a stack trace needs them (issue 14,
// item 1), and module code is compiled with `vm.Script` and kept for re-evaluation (item 2).
// Every stack is checked against Vite's own environment and runner (the oracle) on an error
// thrown 10 frames deep across TypeScript modules, in each `sourcemapInterceptor` mode, with
// Node's source maps on and off, and under `--enable-source-maps`.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import module from 'node:module'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createServerModuleRunner as viteCreateServerModuleRunner } from 'vite'
import { createServerModuleRunner as ourCreateServerModuleRunner } from 'vite-env-native'
import { SAME_RESULT } from '../lib/runner/evaluated-modules.mjs'
import { ESModulesEvaluator, MemoryCodeCache } from '../lib/runner/evaluator.mjs'
import { countingScripts, startServer } from './helpers.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const DEPTH = 10

/** Module `k` of the chain: `call<k>` calls `call<k+1>`; the last one throws. */
function chainModule(k) {
  const last = k === DEPTH - 1
  return [
    last ? '' : `import { call${k + 1} } from './m${k + 1}'`,
    '',
    // Type-only lines and annotations: generated lines and columns differ from the source's.
    `export interface Step${k} {`,
    '  depth: number',
    '  label?: string',
    '}',
    '',
    `type Label${k} = \`m\${number}\``,
    '',
    `export function call${k}(step: Step${k}): number {`,
    `  const depth: number = step.depth + ${k + 1}`,
    `  const label: Label${k} = \`m\${depth}\``,
    last
      ? '  const message: string = `deep ${depth} ${label}`\n  throw new Error(message)'
      : `  const result: number = call${k + 1}({ depth, label } as Step${k + 1})\n  return result`,
    '}',
    '',
  ].join('\n')
}

const SEMANTICS = [
  '// Module semantics Vite gives code in its runner',
  'export const topThis = this === undefined',
  'export const strict = (function () { return this === undefined })()',
  "export const args = typeof arguments === 'object' ? arguments.length : -1",
  'await new Promise((resolve) => setTimeout(resolve, 1))',
  'export const awaited = true',
  'export function named(a, b) { return a + b /* kept */ }',
  'export const source = named.toString()',
  '',
].join('\n')

function writeApp(root) {
  mkdirSync(join(root, 'src'), { recursive: true })
  for (let k = 0; k < DEPTH; k++) writeFileSync(join(root, 'src', `m${k}.ts`), chainModule(k))
  writeFileSync(join(root, 'src', 'unused.ts'), 'export const unused: number = 1\n')
  writeFileSync(
    join(root, 'src', 'entry.ts'),
    "import { call0 } from './m0'\nimport { unused } from './unused'\n\nexport function run(): number {\n  return call0({ depth: unused })\n}\n",
  )
  writeFileSync(join(root, 'src', 'semantics.js'), SEMANTICS)
}

/** The 1-based line of the first occurrence of `needle` in `src/<file>`. */
function lineOf(root, file, needle) {
  const lines = readFileSync(join(root, 'src', file), 'utf8').split('\n')
  const index = lines.findIndex((line) => line.includes(needle))
  assert.ok(index >= 0, `${needle} in ${file}`)
  return index + 1
}

/** `[function, file, line, column]` of each frame of `stack` in the app's `src` folder. */
function appFrames(stack, root) {
  const frames = []
  for (const line of stack.split('\n')) {
    const match = /^\s+at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?$/.exec(line)
    if (!match || !match[2].startsWith(join(root, 'src'))) continue
    frames.push([match[1] ?? null, basename(match[2]), Number(match[3]), Number(match[4])])
  }
  return frames
}

/** The chain's frames as the original source has them (columns from Vite, the oracle). */
function assertOriginalLines(frames, root) {
  const expected = []
  for (let k = DEPTH - 1; k >= 0; k--) {
    const file = `m${k}.ts`
    expected.push([file, k === DEPTH - 1 ? lineOf(root, file, 'throw new Error') : lineOf(root, file, `call${k + 1}({`)])
  }
  expected.push(['entry.ts', lineOf(root, 'entry.ts', 'call0(')])
  assert.deepEqual(
    frames.map(([, file, line]) => [file, line]),
    expected,
  )
  assert.deepEqual(
    frames.slice(0, DEPTH).map(([name]) => name),
    Array.from({ length: DEPTH }, (_, i) => `call${DEPTH - 1 - i}`),
  )
}

async function stackThrough(server, create, options) {
  const runner = create(server.environments.ssr, { hmr: false, ...options })
  try {
    return await deepStack(runner)
  } finally {
    await runner.close()
  }
}

async function deepStack(runner) {
  const entry = await runner.import('/src/entry.ts')
  try {
    entry.run()
  } catch (error) {
    return error.stack
  }
  assert.fail('run() should throw')
}

function inlineMapIn(code) {
  return code.includes(`//# source${'MappingURL'}=data:application/json;base64,`) && /sourceMappingSource=vite-generated/.test(code)
}

describe('source maps: an error 10 frames deep, in-process runners, Vite as the oracle', () => {
  let root
  let vite
  let ours
  let stackTraceLimit
  before(async () => {
    stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 50
    root = mkdtempSync(join(tmpdir(), 'ven-source-maps-'))
    writeApp(root)
    vite = await startServer(root, { native: false })
    ours = await startServer(root, { native: true })
  })
  after(async () => {
    Error.stackTraceLimit = stackTraceLimit
    await vite?.close()
    await ours?.close()
    rmSync(root, { recursive: true, force: true })
  })

  const modes = [
    ['node', 'node'],
    ['prepareStackTrace', 'prepareStackTrace'],
    ['an object', { retrieveFile: () => undefined }],
  ]
  for (const [label, mode] of modes) {
    test(`sourcemapInterceptor: ${label}`, async () => {
      assert.equal(process.sourceMapsEnabled, false)
      const expected = appFrames(await stackThrough(vite, viteCreateServerModuleRunner, { sourcemapInterceptor: mode }), root)
      const actual = appFrames(await stackThrough(ours, ourCreateServerModuleRunner, { sourcemapInterceptor: mode }), root)
      assert.deepEqual(actual, expected)
      assertOriginalLines(actual, root)
      assert.equal(process.sourceMapsEnabled, false, 'restored on close')
    })
  }

  test('sourcemapInterceptor: false, with process.setSourceMapsEnabled(true)', async () => {
    process.setSourceMapsEnabled(true)
    try {
      const expected = appFrames(await stackThrough(vite, viteCreateServerModuleRunner, { sourcemapInterceptor: false }), root)
      const actual = appFrames(await stackThrough(ours, ourCreateServerModuleRunner, { sourcemapInterceptor: false }), root)
      assert.deepEqual(actual, expected)
      assertOriginalLines(actual, root)
    } finally {
      process.setSourceMapsEnabled(false)
    }
  })

  test('sourcemapInterceptor: false, source maps off: raw positions that ssrFixStacktrace maps like Vite', async () => {
    const fixed = async (server, create) => {
      const error = new Error('placeholder')
      error.stack = await stackThrough(server, create, { sourcemapInterceptor: false })
      const raw = appFrames(error.stack, root)
      server.ssrFixStacktrace(error)
      return { raw, fixed: appFrames(error.stack, root) }
    }
    const expected = await fixed(vite, viteCreateServerModuleRunner)
    const actual = await fixed(ours, ourCreateServerModuleRunner)
    // Unmapped: the generated code's lines (each transform prints its own code).
    assert.notDeepEqual(
      actual.raw.map(([, file, line]) => [file, line]),
      actual.fixed.map(([, file, line]) => [file, line]),
    )
    assert.deepEqual(
      actual.fixed.map(([, file, line, column]) => [file, line, column]),
      expected.fixed.map(([, file, line, column]) => [file, line, column]),
    )
  })

  test('maps stay native until a stack trace asks: no inline map in the code, Node gets a map only for frames it formats', async () => {
    // A root of its own: Node keeps the maps earlier tests gave it (Vite's runner gives all).
    const lazyRoot = mkdtempSync(join(tmpdir(), 'ven-source-maps-lazy-'))
    writeApp(lazyRoot)
    const server = await startServer(lazyRoot, { native: true })
    const runner = ourCreateServerModuleRunner(server.environments.ssr, { hmr: false, sourcemapInterceptor: 'node' })
    try {
      const entry = await runner.import('/src/entry.ts')
      const nodes = [...runner.evaluatedModules.idToModuleMap.values()]
      assert.equal(nodes.length, DEPTH + 2)
      for (const node of nodes) assert.ok(!inlineMapIn(node.meta.code), `${node.id} carries no inline map`)
      const m9 = join(lazyRoot, 'src', 'm9.ts')
      const unused = join(lazyRoot, 'src', 'unused.ts')
      assert.equal(module.findSourceMap(m9), undefined, 'Node has no map before a stack trace')
      let stack
      try {
        entry.run()
      } catch (error) {
        stack = error.stack
      }
      assertOriginalLines(appFrames(stack, lazyRoot), lazyRoot)
      assert.ok(module.findSourceMap(m9), 'the map of a module in the trace is handed to Node')
      assert.equal(module.findSourceMap(unused), undefined, 'a module in no trace keeps its map native')
      // Remote runners (fetchModule over a transport) still get Vite's inline map.
      const remote = await server.environments.ssr.fetchModule('/src/m3.ts')
      assert.ok(inlineMapIn(remote.code))
    } finally {
      await runner.close()
      await server.close()
      rmSync(lazyRoot, { recursive: true, force: true })
    }
  })

  test('full reload and an edit: kept scripts rerun, the edited module is compiled and mapped anew', async () => {
    const viteRunner = viteCreateServerModuleRunner(vite.environments.ssr, { hmr: false, sourcemapInterceptor: 'node' })
    const ourRunner = ourCreateServerModuleRunner(ours.environments.ssr, { hmr: false, sourcemapInterceptor: 'node' })
    const file = join(root, 'src', 'm5.ts')
    const original = readFileSync(file, 'utf8')
    try {
      const first = appFrames(await deepStack(ourRunner), root)
      ourRunner.evaluatedModules.clear()
      assert.deepEqual(appFrames(await deepStack(ourRunner), root), first)
      // Two lines more above `call5`: every position in m5.ts moves.
      writeFileSync(file, `// edited\n// edited\n${original}`)
      for (const server of [vite, ours]) server.environments.ssr.moduleGraph.onFileChange(file)
      viteRunner.evaluatedModules.clear()
      ourRunner.evaluatedModules.clear()
      const expected = appFrames(await deepStack(viteRunner), root)
      const actual = appFrames(await deepStack(ourRunner), root)
      assert.deepEqual(actual, expected)
      assertOriginalLines(actual, root)
      assert.equal(actual.find(([name]) => name === 'call5')[2], first.find(([name]) => name === 'call5')[2] + 2)
    } finally {
      writeFileSync(file, original)
      for (const server of [vite, ours]) server.environments.ssr.moduleGraph.onFileChange(file)
      await viteRunner.close()
      await ourRunner.close()
    }
  })

  test('--enable-source-maps: every interceptor mode, in a child process', () => {
    const child = join(here, 'fixtures', 'source-maps', 'stack-child.mjs')
    for (const mode of ['false', 'node', 'prepareStackTrace']) {
      const run = (impl) =>
        JSON.parse(
          execFileSync(process.execPath, ['--enable-source-maps', '--stack-trace-limit=50', child, root, impl, mode], {
            encoding: 'utf8',
          }),
        )
      const expected = appFrames(run('vite').stack, root)
      const actual = run('native')
      assert.equal(actual.inlineMaps, false, 'maps kept native')
      assert.deepEqual(appFrames(actual.stack, root), expected, mode)
      assertOriginalLines(expected, root)
    }
  })

  test('with the inspector open (a debugger may attach), modules come with their inline map', () => {
    const child = join(here, 'fixtures', 'source-maps', 'stack-child.mjs')
    const run = (impl) =>
      JSON.parse(
        execFileSync(process.execPath, ['--inspect=127.0.0.1:0', '--stack-trace-limit=50', child, root, impl, 'node'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }),
      )
    const expected = run('vite')
    const actual = run('native')
    assert.equal(actual.inlineMaps, true)
    assert.deepEqual(appFrames(actual.stack, root), appFrames(expected.stack, root))
  })

  test("an uncaught error: Node prints the original source line, as with Vite's runner ('node' mode)", () => {
    const child = join(here, 'fixtures', 'source-maps', 'stack-child.mjs')
    const report = (impl) => {
      try {
        execFileSync(process.execPath, [child, root, impl, 'node', 'uncaught'], { encoding: 'utf8', stdio: 'pipe' })
      } catch (error) {
        // The source line Node prints above the stack: `file:line`, the line, the caret.
        return error.stderr.split('\n').slice(0, 3).join('\n')
      }
      assert.fail(`${impl}: the child should exit with the uncaught error`)
    }
    const expected = report('vite')
    assert.match(expected, /m9\.ts:\d+\n\s*throw new Error\(message\)\n\s*\^/)
    assert.equal(report('native'), expected)
  })
})

describe('module code compiled with vm.Script', () => {
  let root
  let vite
  let ours
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ven-code-cache-'))
    writeApp(root)
    vite = await startServer(root, { native: false })
    ours = await startServer(root, { native: true })
  })
  after(async () => {
    await vite?.close()
    await ours?.close()
    rmSync(root, { recursive: true, force: true })
  })

  /**
   * The semantics module's exports, `named` left out and `source` (`named.toString()`) checked to
   * be the text of the code the runner was given: the compiled wrapper changes no function's text.
   */
  const semanticsOf = async (runner, expectedBody = 'a + b') => {
    const { named, source, ...rest } = await runner.import('/src/semantics.js')
    const code = runner.evaluatedModules.getModuleByUrl('/src/semantics.js').meta.code
    assert.ok(source.startsWith('function named(a, b) {') && source.includes(`return ${expectedBody}`), source)
    assert.ok(code.includes(source), 'toString() is the function as written in the module code')
    return { ...rest, named }
  }
  const EXPECTED_SEMANTICS = { topThis: true, strict: true, args: 6, awaited: true }
  const withoutNamed = ({ named, ...rest }) => rest

  test("a full reload reruns the kept scripts without compiling, with Vite's module semantics", async () => {
    const viteRunner = viteCreateServerModuleRunner(vite.environments.ssr, { hmr: false })
    const expected = await semanticsOf(viteRunner)
    await viteRunner.close()
    assert.deepEqual(withoutNamed(expected), EXPECTED_SEMANTICS)

    const runner = ourCreateServerModuleRunner(ours.environments.ssr, { hmr: false })
    try {
      let semantics
      const cold = await countingScripts(async () => {
        semantics = await semanticsOf(runner)
        await runner.import('/src/entry.ts')
      })
      assert.deepEqual(withoutNamed(semantics), EXPECTED_SEMANTICS)
      assert.equal(semantics.named(2, 1), 3)
      assert.equal(cold.compiled, DEPTH + 3)
      runner.evaluatedModules.clear()
      const warm = await countingScripts(async () => {
        semantics = await semanticsOf(runner)
        await runner.import('/src/entry.ts')
      })
      assert.equal(warm.compiled, 0)
      assert.deepEqual(withoutNamed(semantics), EXPECTED_SEMANTICS)
    } finally {
      await runner.close()
    }
  })

  test('a re-import after a clear gets "same" for every unchanged module, new code for an edited one', async () => {
    const env = ours.environments.ssr
    const runner = ourCreateServerModuleRunner(env, { hmr: false })
    const file = join(root, 'src', 'unused.ts')
    const original = readFileSync(file, 'utf8')
    const answers = []
    const fetchModule = env.fetchModule
    env.fetchModule = async function (...args) {
      const result = await fetchModule.apply(this, args)
      answers.push([args[0], typeof result.code === 'string' ? 'code' : result[SAME_RESULT] ? 'same' : Object.keys(result).join()])
      return result
    }
    try {
      const entry = await runner.import('/src/entry.ts')
      assert.equal(entry.run.length, 0)
      const cold = answers.splice(0)
      assert.equal(cold.length, DEPTH + 2)
      assert.ok(cold.every(([, kind]) => kind === 'code'))
      const codeBefore = runner.evaluatedModules.getModuleByUrl('/src/m3.ts').meta.code
      writeFileSync(file, 'export const unused: number = 7\n')
      env.moduleGraph.onFileChange(file)
      runner.evaluatedModules.clear()
      const warm = await countingScripts(async () => {
        const again = await runner.import('/src/entry.ts')
        // The edit is evaluated: run() throws from m9 with the depth the edited `unused` starts.
        assert.throws(() => again.run(), /deep 62 m62/)
      })
      assert.equal(warm.compiled, 1, 'only the edited module is compiled')
      assert.deepEqual(
        Object.fromEntries(answers),
        Object.fromEntries(cold.map(([url]) => [url, url.endsWith('/unused.ts') ? 'code' : 'same'])),
      )
      assert.equal(runner.evaluatedModules.getModuleByUrl('/src/m3.ts').meta.code, codeBefore)
    } finally {
      env.fetchModule = fetchModule
      writeFileSync(file, original)
      env.moduleGraph.onFileChange(file)
      await runner.close()
    }
  })

  test('the codeCache seam: bytes made after the first evaluation, used by a new evaluator, never for edited code', async () => {
    const store = new MemoryCodeCache()
    const gets = []
    const counting = {
      get: (key, source) => {
        const bytes = store.get(key, source)
        gets.push([basename(key), bytes !== undefined])
        return bytes
      },
      set: (key, source, bytes) => store.set(key, source, bytes),
    }
    const first = ourCreateServerModuleRunner(ours.environments.ssr, { hmr: false, evaluator: new ESModulesEvaluator({ codeCache: counting }) })
    await semanticsOf(first)
    await first.close()
    assert.equal(store.size, 1)

    const second = ourCreateServerModuleRunner(ours.environments.ssr, { hmr: false, evaluator: new ESModulesEvaluator({ codeCache: counting }) })
    const file = join(root, 'src', 'semantics.js')
    const original = readFileSync(file, 'utf8')
    try {
      gets.length = 0
      let semantics
      const reused = await countingScripts(async () => {
        semantics = await semanticsOf(second)
      })
      assert.deepEqual(reused, { compiled: 1, fromCache: 1 })
      assert.deepEqual(gets, [['semantics.js', true]])
      assert.deepEqual(withoutNamed(semantics), EXPECTED_SEMANTICS)

      // Same length, other code: V8 would accept the old bytes; the store must not offer them.
      const edited = original.replace('return a + b', 'return a - b')
      assert.equal(edited.length, original.length)
      writeFileSync(file, edited)
      ours.environments.ssr.moduleGraph.onFileChange(file)
      second.evaluatedModules.clear()
      gets.length = 0
      const recompiled = await countingScripts(async () => {
        semantics = await semanticsOf(second, 'a - b')
      })
      assert.deepEqual(recompiled, { compiled: 1, fromCache: 0 })
      assert.deepEqual(gets, [['semantics.js', false]])
      assert.equal(semantics.named(2, 1), 1)
    } finally {
      writeFileSync(file, original)
      ours.environments.ssr.moduleGraph.onFileChange(file)
      await second.close()
    }
  })
})
