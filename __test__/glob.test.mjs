// `import.meta.glob` (native in our environments, Vite's `vite:import-glob` in its own) on the same
// files: keys, order, values, options, errors and HMR of created and deleted files.
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { copyFixture, repoRoot, startServer, until, whenWatched } from './helpers.mjs'

const fixture = join(repoRoot, '__test__', 'fixtures', 'glob')
const options = (dir) => ({ resolve: { alias: { '@mods': join(dir, 'src', 'mods') } } })

async function observe(native) {
  const copy = copyFixture(fixture)
  const server = await startServer(copy.dir, { native, ...options(copy.dir) })
  try {
    const env = server.environments.ssr
    const mod = await env.runner.import('/src/entry.ts')
    return await mod.observe()
  } finally {
    await server.close()
    copy.dispose()
  }
}

test('import.meta.glob: every option and form gives what Vite gives', async () => {
  const vite = await observe(false)
  const native = await observe(true)
  assert.deepEqual(native, vite)
  // The fixture exercises what it claims to (Vite's own answers).
  assert.deepEqual(Object.keys(vite.lazy), ['./mods/a.ts'])
  assert.deepEqual(Object.keys(vite.eager), ['./mods/a.ts', './mods/b.js', './mods/nested/c.ts'])
  assert.equal(vite.raw['./other/note.txt'], 'plain text\n')
  assert.deepEqual(vite.aliased, { '/src/mods/nested/c.ts': 'c' })
})

async function failure(native, code) {
  const copy = copyFixture(fixture)
  writeFileSync(join(copy.dir, 'src', 'bad.ts'), code)
  const server = await startServer(copy.dir, { native })
  try {
    await server.environments.ssr.runner.import('/src/bad.ts')
    return 'no error'
  } catch (error) {
    return error.message.split('\n')[0].replace(copy.dir, '<root>')
  } finally {
    await server.close()
    copy.dispose()
  }
}

test('import.meta.glob: invalid calls fail with Vite’s messages', async () => {
  for (const code of [
    "export const x = import.meta.glob('./a/*.ts', { foo: true })",
    "export const x = import.meta.glob('./a/*.ts', { eager: 'yes' })",
    'const p = "./x"\nexport const x = import.meta.glob(p)',
    "export const x = import.meta.glob('./a/*.ts', { base: 'mods' })",
    "export const x = import.meta.glob('./a/*.ts', { as: 'raw', query: '?x' })",
    "export const x = import.meta.glob('mods/*.ts')",
  ]) {
    const vite = await failure(false, code)
    const native = await failure(true, code)
    assert.notEqual(vite, 'no error', code)
    assert.ok(native.includes(vite.replace(/^.*?(Invalid glob|Unknown glob|Expected glob|Option|Options)/, '$1')), `${code}\nvite:   ${vite}\nnative: ${native}`)
  }
})

async function hmr(native) {
  const copy = copyFixture(fixture)
  const payloads = []
  const server = await startServer(copy.dir, {
    native,
    ...options(copy.dir),
    server: { middlewareMode: true, ws: false, hmr: true, watch: { usePolling: true, interval: 20 } },
  })
  try {
    const env = server.environments.ssr
    env.hot.api.outsideEmitter.on('send', (p) => {
      if (p.type === 'update') payloads.push(p.updates.map((u) => u.path).sort())
      else if (p.type === 'full-reload') payloads.push('full-reload')
    })
    let mod = await env.runner.import('/src/entry.ts')
    const before = Object.keys((await mod.observe()).lazy)
    const created = join(copy.dir, 'src', 'mods', 'd.ts')
    await whenWatched(server, join(copy.dir, 'src', 'mods', 'a.ts'))
    writeFileSync(created, "export const name = 'd'; export default 'D'")
    await until(() => payloads.length > 0, 'a payload for the created file')
    mod = await env.runner.import('/src/entry.ts')
    const after = Object.keys((await mod.observe()).lazy)
    return { before, after, payloads }
  } finally {
    await server.close()
    copy.dispose()
  }
}

test('import.meta.glob: a created file that matches updates the importer, as in Vite', async () => {
  const vite = await hmr(false)
  const native = await hmr(true)
  assert.deepEqual(native, vite)
  assert.ok(vite.after.includes('./mods/d.ts'), JSON.stringify(vite))
})

test('import.meta.glob runs where Vite runs it: after normal transform hooks, before enforce: post ones', async () => {
  const seen = {}
  for (const native of [false, true]) {
    const log = []
    const spy = (name, enforce) => ({
      name,
      enforce,
      transform(code, id) {
        if (id.endsWith('/src/entry.ts')) log.push(`${name}: ${code.includes('import.meta.glob(') ? 'glob calls' : 'expanded'}`)
      },
    })
    const copy = copyFixture(fixture)
    const server = await startServer(copy.dir, { native, ...options(copy.dir), plugins: [spy('normal'), spy('late', 'post')] })
    try {
      await server.environments.ssr.runner.import('/src/entry.ts')
    } finally {
      await server.close()
      copy.dispose()
    }
    seen[native ? 'native' : 'vite'] = log
  }
  assert.deepEqual(seen.native, seen.vite)
  assert.deepEqual(seen.vite, ['normal: glob calls', 'late: expanded'])
})
