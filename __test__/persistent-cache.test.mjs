// The persistent module cache across restarts (issue 14, item 3): each restart below is a new
// Vite server on the same app folder, the store under `<cacheDir>/vite-env-native/ssr.redb`.
// One test per cause that must invalidate (each fails if the native check of that cause is
// skipped), plus: a warm restart serves exactly what a cold start (and a cacheless start) does
// and does hit the cache; `cache: false` writes nothing; `--force` clears; a damaged store and a
// writer killed with SIGKILL leave a store the next start can use.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { createServer } from 'vite'
import { codeCache, nativeEnvironments, persistentCacheStats } from 'vite-env-native'
import { countingScripts, repoRoot } from './helpers.mjs'

const dirs = []
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function write(dir, file, content) {
  mkdirSync(dirname(join(dir, file)), { recursive: true })
  writeFileSync(join(dir, file), content)
}

/** A small TypeScript app in its own folder (its own package.json, so its own cacheDir). */
function app(files = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ven-persist-'))
  dirs.push(dir)
  const all = {
    'package.json': JSON.stringify({ name: 'persist-app', private: true, type: 'module' }),
    'src/entry.ts': [
      "import { b } from './b'",
      "import { lib } from './lib'",
      "import { dep } from 'dep'",
      'export const out: string[] = [b, lib, dep, String(__FLAG__), import.meta.env.VITE_GREETING]',
      '',
    ].join('\n'),
    'src/b.ts': "export const b: string = 'b1'\n",
    'src/lib/index.ts': "export const lib: string = 'lib-index'\n",
    '.env': 'VITE_GREETING=hello\n',
    'node_modules/dep/package.json': JSON.stringify({ name: 'dep', version: '1.0.0', type: 'module', exports: './v1.js' }),
    'node_modules/dep/v1.js': "export const dep = 'dep-v1'\n",
    'node_modules/dep/v2.js': "export const dep = 'dep-v2'\n",
    ...files,
  }
  for (const [file, content] of Object.entries(all)) write(dir, file, content)
  return dir
}

const storeFile = (dir) => join(dir, 'node_modules', '.vite', 'vite-env-native', 'ssr.redb')

/**
 * One server lifetime on `dir`: imports the entry through the runner, then takes every module's
 * transformed code; returns the entry's `out`, the codes by url, and the cache's counters.
 */
async function serve(dir, { flag = '1', cache, plugins = [], force = false, cliForce = false, resolve, onEnv } = {}) {
  const server = await createServer({
    // What `vite --force` passes.
    ...(cliForce ? { forceOptimizeDeps: true } : {}),
    root: dir,
    configFile: false,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, ws: false, watch: null, hmr: false },
    optimizeDeps: { noDiscovery: true, include: [], ...(force ? { force: true } : {}) },
    define: { __FLAG__: JSON.stringify(flag) },
    ssr: { noExternal: ['dep'] },
    ...(resolve ? { resolve } : {}),
    plugins: [nativeEnvironments(cache === undefined ? {} : { cache }), ...plugins],
  })
  const env = server.environments.ssr
  try {
    await onEnv?.(env)
    const { out } = await env.runner.import('/src/entry.ts')
    const urls = [...env.moduleGraph.idToModuleMap.values()].map((m) => m.url).sort()
    const codes = {}
    for (const url of urls) codes[url] = (await env.transformRequest(url)).code
    return { out, codes, env }
  } finally {
    await server.close()
  }
}

/** `serve`, with the cache's counters once the server closed (every write committed). */
async function serveWithStats(dir, options) {
  const { env, ...served } = await serve(dir, options)
  return { ...served, stats: persistentCacheStats(env) }
}

const MODULES = 4 // entry, b, lib/index, dep/v1.js

describe('persistent cache across restarts', () => {
  test('a warm restart serves what a cold start and a cacheless start serve, from the cache', async () => {
    const dir = app()
    const cold = await serveWithStats(dir)
    assert.equal(cold.stats.opened, 'empty')
    assert.equal(cold.stats.hits, 0)
    assert.equal(cold.stats.writes, MODULES, 'every module was written by close()')
    assert.ok(existsSync(storeFile(dir)))
    const warm = await serveWithStats(dir)
    assert.equal(warm.stats.opened, 'kept')
    assert.equal(warm.stats.hits, MODULES, JSON.stringify(warm.stats))
    assert.equal(warm.stats.rejected, 0)
    assert.deepEqual(warm.out, ['b1', 'lib-index', 'dep-v1', '1', 'hello'])
    assert.deepEqual(warm.codes, cold.codes)
    const none = await serveWithStats(app(), { cache: false })
    assert.deepEqual(warm.out, none.out)
    assert.deepEqual(Object.keys(warm.codes).length, Object.keys(none.codes).length)
  })

  test('a file edited while the server is down is transformed again', async () => {
    const dir = app()
    await serveWithStats(dir)
    write(dir, 'src/b.ts', "export const b: string = 'b2'\n")
    const { out, stats } = await serveWithStats(dir)
    assert.equal(out[0], 'b2')
    assert.equal(stats.rejected, 1)
    assert.equal(stats.hits, MODULES - 1)
  })

  test('another define value is not served from the old store', async () => {
    const dir = app()
    await serveWithStats(dir, { flag: 'one' })
    const { out, stats } = await serveWithStats(dir, { flag: 'two' })
    assert.equal(out[3], 'two')
    assert.equal(stats.hits, 0)
    assert.equal(stats.opened, 'empty')
  })

  test('a file created while the server is down that shadows a resolution is used', async () => {
    const dir = app()
    await serveWithStats(dir)
    // `./lib` resolved to lib/index.ts; a file lib.ts now comes first.
    write(dir, 'src/lib.ts', "export const lib: string = 'lib-file'\n")
    const { out, stats } = await serveWithStats(dir)
    assert.equal(out[1], 'lib-file')
    assert.ok(stats.rejected >= 1, JSON.stringify(stats))
  })

  test('a package swapped to another version under node_modules is used', async () => {
    const dir = app()
    await serveWithStats(dir)
    write(dir, 'node_modules/dep/package.json', JSON.stringify({ name: 'dep', version: '2.0.0', type: 'module', exports: './v2.js' }))
    const swapped = await serveWithStats(dir)
    assert.equal(swapped.out[2], 'dep-v2')
    // Same entry file, new contents.
    write(dir, 'node_modules/dep/v2.js', "export const dep = 'dep-v2.1'\n")
    const patched = await serveWithStats(dir)
    assert.equal(patched.out[2], 'dep-v2.1')
  })

  test('changed tsconfig paths (resolve.tsconfigPaths) are followed', async () => {
    const tsconfig = (target) => JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': [`src/${target}/*`] } } })
    const dir = app({
      'tsconfig.json': tsconfig('lib-a'),
      'src/b.ts': "export { b } from '@lib/value'\n",
      'src/lib-a/value.ts': "export const b: string = 'from-a'\n",
      'src/lib-b/value.ts': "export const b: string = 'from-b'\n",
    })
    const resolve = { tsconfigPaths: true }
    assert.equal((await serveWithStats(dir, { resolve })).out[0], 'from-a')
    write(dir, 'tsconfig.json', tsconfig('lib-b'))
    const { out, stats } = await serveWithStats(dir, { resolve })
    assert.equal(out[0], 'from-b')
    assert.ok(stats.rejected >= 1, JSON.stringify(stats))
  })

  test("a resolveId hook's new answer for the same plugin list is followed", async () => {
    const dir = app({
      'src/b.ts': "export { b } from '~pick'\n",
      'src/one.ts': "export const b: string = 'picked-one'\n",
      'src/two.ts': "export const b: string = 'picked-two'\n",
    })
    // Same name, same filter, same order: only the answer changes (the hook reads the world).
    const pick = (choice) => ({
      name: 'pick',
      resolveId: { filter: { id: /^~pick$/ }, handler: () => join(dir, 'src', `${choice}.ts`) },
    })
    assert.equal((await serveWithStats(dir, { plugins: [pick('one')] })).out[0], 'picked-one')
    const again = await serveWithStats(dir, { plugins: [pick('one')] })
    assert.equal(again.out[0], 'picked-one')
    assert.equal(again.stats.hits, MODULES + 1, 'modules resolved through a resolveId hook are cached')
    const { out, stats } = await serveWithStats(dir, { plugins: [pick('two')] })
    assert.equal(out[0], 'picked-two')
    assert.ok(stats.rejected >= 1, JSON.stringify(stats))
  })

  test('a changed lockfile empties the store', async () => {
    const dir = app({ 'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/dep': { version: '1.0.0' } } }) })
    await serveWithStats(dir)
    assert.equal((await serveWithStats(dir)).stats.hits, MODULES)
    write(dir, 'package-lock.json', JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/dep': { version: '2.0.0' } } }))
    const { stats } = await serveWithStats(dir)
    assert.equal(stats.opened, 'empty')
    assert.equal(stats.hits, 0)
  })

  test('the code-cache seam keeps bytes per module and code hash across restarts', async () => {
    const dir = app()
    const bytes = Uint8Array.from([1, 2, 3, 250])
    await serveWithStats(dir, { onEnv: (env) => codeCache(env).put('/src/entry.ts', 'hash-1', bytes) })
    await serveWithStats(dir, {
      onEnv: (env) => {
        assert.deepEqual([...codeCache(env).get('/src/entry.ts', 'hash-1')], [...bytes])
        assert.equal(codeCache(env).get('/src/entry.ts', 'hash-2'), undefined)
      },
    })
    await serveWithStats(dir, { cache: false, onEnv: (env) => assert.equal(codeCache(env), undefined) })
  })

  test("a restart's runner compiles its modules from the V8 code cache in the store, never an edited one's", async () => {
    const dir = app()
    const first = await countingScripts(() => serveWithStats(dir))
    assert.deepEqual(first, { compiled: MODULES, fromCache: 0 })
    const second = await countingScripts(() => serveWithStats(dir))
    assert.deepEqual(second, { compiled: MODULES, fromCache: MODULES })
    write(dir, 'src/b.ts', "export const b: string = 'b2'\n")
    const edited = await countingScripts(() => serveWithStats(dir))
    assert.deepEqual(edited, { compiled: MODULES, fromCache: MODULES - 1 })
    assert.deepEqual(await countingScripts(() => serveWithStats(dir, { cache: false })), { compiled: MODULES, fromCache: 0 })
  })

  test('an env file value read through import.meta.env is not served stale', async () => {
    const dir = app()
    await serveWithStats(dir)
    write(dir, '.env', 'VITE_GREETING=bye\n')
    const { out } = await serveWithStats(dir)
    assert.equal(out[4], 'bye')
  })

  test('adding, removing and reordering JS transform plugins changes what is served', async () => {
    const tag = (name) => ({
      name,
      transform: {
        filter: { id: /b\.ts$/ },
        handler: (code) => code.replace(/'(b1[^']*)'/, `'$1+${name}'`),
      },
    })
    const dir = app()
    await serveWithStats(dir)
    // Added (not declared cacheable: the modules it touches are never cached).
    const added = await serveWithStats(dir, { plugins: [tag('p1')] })
    assert.equal(added.out[0], 'b1+p1')
    const again = await serveWithStats(dir, { plugins: [tag('p1')] })
    assert.equal(again.out[0], 'b1+p1')
    assert.equal(again.stats.hits, MODULES - 1, 'b.ts, touched by p1, is not cached')
    // Declared cacheable, in two orders.
    const cache = { plugins: ['p1', 'p2'] }
    const ordered = await serveWithStats(dir, { cache, plugins: [tag('p1'), tag('p2')] })
    assert.equal(ordered.out[0], 'b1+p1+p2')
    const orderedAgain = await serveWithStats(dir, { cache, plugins: [tag('p1'), tag('p2')] })
    assert.equal(orderedAgain.out[0], 'b1+p1+p2')
    assert.equal(orderedAgain.stats.hits, MODULES, 'modules of cacheable plugins are cached')
    const reordered = await serveWithStats(dir, { cache, plugins: [tag('p2'), tag('p1')] })
    assert.equal(reordered.out[0], 'b1+p2+p1')
    // Removed.
    const removed = await serveWithStats(dir)
    assert.equal(removed.out[0], 'b1')
  })

  test('a damaged store is a cold start, not a crash', async () => {
    const dir = app()
    const cold = await serveWithStats(dir)
    writeFileSync(storeFile(dir), Buffer.alloc(64 << 10, 'garbage '))
    const damaged = await serveWithStats(dir)
    assert.equal(damaged.stats.opened, 'replaced')
    assert.equal(damaged.stats.hits, 0)
    assert.deepEqual(damaged.codes, cold.codes)
    const warm = await serveWithStats(dir)
    assert.equal(warm.stats.hits, MODULES)
  })

  test('a writer killed mid-write (SIGKILL) leaves a store the next start uses', async () => {
    const dir = app()
    // Many modules, edited and re-imported in a loop: the child writes until it is killed.
    const leaves = 40
    for (let i = 0; i < leaves; i++) write(dir, `src/leaf${i}.ts`, `export const v${i}: number = ${i}\n`)
    write(dir, 'src/many.ts', Array.from({ length: leaves }, (_, i) => `export * from './leaf${i}'`).join('\n'))
    const child = `
      const { createServer } = await import(${JSON.stringify(import.meta.resolve('vite'))})
      const { nativeEnvironments } = await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'lib', 'index.mjs')).href)})
      const { renameSync, writeFileSync } = await import('node:fs')
      const dir = ${JSON.stringify(dir)}
      const server = await createServer({
        root: dir, configFile: false, logLevel: 'silent', appType: 'custom',
        server: { middlewareMode: true, ws: false, watch: null, hmr: false },
        optimizeDeps: { noDiscovery: true, include: [] },
        define: { __FLAG__: '"1"' }, ssr: { noExternal: ['dep'] },
        plugins: [nativeEnvironments()],
      })
      const env = server.environments.ssr
      for (let round = 0; ; round++) {
        // Written as editors save (a new file renamed over the old): the kill never leaves half a file.
        for (let i = 0; i < ${leaves}; i++) {
          const file = dir + '/src/leaf' + i + '.ts'
          writeFileSync(file + '.tmp', 'export const v' + i + ': number = ' + (round * 1000 + i) + '\\n')
          renameSync(file + '.tmp', file)
        }
        env.moduleGraph.invalidateAll()
        env.runner.evaluatedModules.clear()
        await env.runner.import('/src/many.ts')
        process.stdout.write('round ' + round + '\\n')
      }
    `
    const proc = spawn(process.execPath, ['--input-type=module', '-e', child], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    proc.stderr.on('data', (chunk) => {
      stderr += chunk
    })
    await new Promise((resolve, reject) => {
      let rounds = 0
      proc.stdout.on('data', (chunk) => {
        rounds += String(chunk).split('round').length - 1
        if (rounds >= 5) resolve()
      })
      proc.on('exit', (code) => reject(new Error(`the writer exited (${code}) before it was killed: ${stderr}`)))
    })
    const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve(signal)))
    proc.kill('SIGKILL')
    assert.equal(await exited, 'SIGKILL')

    // The store opens (kept, or replaced at worst) and nothing stale is served: the leaves on
    // disk are the last round's, whatever the store holds.
    const server = await createServer({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      appType: 'custom',
      server: { middlewareMode: true, ws: false, watch: null, hmr: false },
      optimizeDeps: { noDiscovery: true, include: [] },
      define: { __FLAG__: '"1"' },
      ssr: { noExternal: ['dep'] },
      plugins: [nativeEnvironments()],
    })
    try {
      const env = server.environments.ssr
      const many = await env.runner.import('/src/many.ts')
      for (let i = 0; i < leaves; i++) {
        const onDisk = Number(/= (\d+)/.exec(readFileSync(join(dir, `src/leaf${i}.ts`), 'utf8'))[1])
        assert.equal(many[`v${i}`], onDisk)
      }
      const stats = persistentCacheStats(env)
      assert.ok(stats, 'the store opened')
      assert.notEqual(stats.opened, undefined)
    } finally {
      await server.close()
    }
  })

  test('cache: false reads and writes nothing', async () => {
    const dir = app()
    const { stats } = await serveWithStats(dir, { cache: false })
    assert.equal(stats, undefined)
    assert.equal(existsSync(join(dir, 'node_modules', '.vite', 'vite-env-native')), false)
  })

  test('--force (optimizeDeps.force) clears the store', async () => {
    const dir = app()
    await serveWithStats(dir)
    for (const options of [{ cliForce: true }, { force: true }]) {
      const forced = await serveWithStats(dir, options)
      assert.equal(forced.stats.opened, 'empty', JSON.stringify(options))
      assert.equal(forced.stats.hits, 0)
      const after = await serveWithStats(dir)
      assert.equal(after.stats.hits, MODULES)
    }
  })

  test('a wrong cache option fails at config time', () => {
    assert.throws(() => nativeEnvironments({ cache: 'yes' }), TypeError)
    assert.throws(() => nativeEnvironments({ cache: { plugins: [1] } }), TypeError)
  })
})
