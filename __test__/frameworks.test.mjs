// Real frameworks on the one-line plugin (issue 11): each app of `__test__/frameworks/<name>` is
// copied to a temporary folder, installs its pinned packages and our packed tarballs (one copy of
// vite), and runs its dev server the way its docs do. Each route's HTML must equal the HTML of
// the same app on Vite's own environment (VEN_OFF=1); then an edit of a TS module shows up, a
// syntax error gives a 500 with the file named in the server's log, and the fix recovers.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort, nodeBinary, nodeBinaryPackage, packTarballs, repoRoot } from './helpers.mjs'

/**
 * Vite's own CLI; an app whose docs start it with its framework's CLI names that in `cli`, and
 * in `portArgs` how that CLI takes the port when it differs from Vite's.
 */
const VITE_CLI = ['node_modules/vite/bin/vite.js', 'dev']
const vitePortArgs = (port) => ['--port', String(port), '--strictPort']

/**
 * The environment of the app's processes on `node` (a binary path): that binary first on PATH, so
 * npm and anything spawned through `#!/usr/bin/env node` run on it too.
 */
const withNode = (node, env = {}) => ({ ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}`, ...env })

/** A dev server on the `node` binary, in its own process group, stopped by that group. */
function startDevServer(node, app, cli, portArgs, env) {
  const [script, ...args] = cli
  const child = spawn(node, [join(app, script), ...args, ...portArgs], {
    cwd: app,
    env: withNode(node, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout.on('data', (chunk) => (log += chunk))
  child.stderr.on('data', (chunk) => (log += chunk))
  return {
    log: () => log,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    },
  }
}

/** Waits until the async `predicate` holds, polling every 100 ms. */
async function until(predicate, what, timeout) {
  const start = Date.now()
  while (!(await predicate().catch(() => false))) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function get(port, path) {
  const response = await fetch(`http://localhost:${port}${path}`, { headers: { accept: 'text/html' } })
  return { status: response.status, native: response.headers.get('x-ssr-native'), html: await response.text() }
}

/** Dev-build specifics that differ between any two runs. */
const normalize = (html) =>
  html
    // SvelteKit's app version (a timestamp).
    .replace(/version: "\d+"/g, 'version: "<n>"')
    // TanStack Router's dehydrated matches carry their update time (`Date.now()`).
    .replace(/([{,]u:)\d{13}(?=[,}])/g, '$1<t>')
    // React Router's manifest version (`Math.random()` per server).
    .replace(/"version": "0\.\d+"/g, '"version": "<n>"')
    // Astro's island render time.
    .replace(/server-render-time="[\d.]+"/g, 'server-render-time="<ms>"')

/**
 * Saves `text` to `file` in place, as most editors do: a truncation, then a write. The watcher
 * may report the truncation, and chokidar drops the write's own `change` within 50 ms of it: the
 * native environment reports that dropped change itself (`lib/dropped-changes.mjs`), so no pause
 * between saves is needed.
 */
function save(file, text) {
  writeFileSync(file, text)
}

const APPS = [
  {
    name: 'sveltekit',
    routes: ['/', '/about'],
    module: 'src/lib/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy kit',
    originalText: 'Hello kit',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  },
  {
    name: 'tanstack-start',
    routes: ['/', '/about'],
    module: 'src/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy start',
    originalText: 'Hello start',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  },
  {
    name: 'vike',
    // Vike's docs start the dev server with its own CLI, which has no `--strictPort` (it warns).
    cli: ['node_modules/vike/bin.js', 'dev'],
    portArgs: (port) => ['--port', String(port)],
    routes: ['/', '/about'],
    module: 'src/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy vike',
    originalText: 'Hello vike',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  },
  {
    name: 'react-router',
    // Framework mode's CLI (`react-router dev`), as its docs start the app.
    cli: ['node_modules/@react-router/dev/bin.cjs', 'dev'],
    routes: ['/', '/about'],
    module: 'app/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy router',
    originalText: 'Hello router',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  },
  {
    // Astro 7 needs Node >= 22.12.
    name: 'astro',
    node: 22,
    cli: ['node_modules/astro/bin/astro.mjs', 'dev'],
    env: { ASTRO_TELEMETRY_DISABLED: '1' },
    routes: ['/', '/about'],
    module: 'src/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy astro',
    originalText: 'Hello astro',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  },
  {
    // SolidStart 2 needs Node >= 24. The module is imported by `src/app.tsx`: routes are lazy, and
    // a syntax error reached only from a route leaves the streamed page open (on Vite's own too).
    name: 'solidstart',
    node: 24,
    routes: ['/', '/about'],
    module: 'src/lib/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy solid',
    originalText: 'Hello solid',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
  },
]

/**
 * The newest Vite 8 on the registry: each app also runs on it (its HTML compared with Vite's own
 * environment on that version), besides the version its package.json pins.
 */
function newestVite8() {
  try {
    const versions = JSON.parse(execFileSync('npm', ['view', 'vite@^8', 'version', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
    return [versions].flat().at(-1)
  } catch {
    return undefined
  }
}
const NEWEST_VITE = newestVite8()

for (const [app, vite] of APPS.flatMap((app) => {
  const pinned = JSON.parse(readFileSync(join(repoRoot, '__test__/frameworks', app.name, 'package.json'), 'utf8')).devDependencies?.vite
  return NEWEST_VITE && NEWEST_VITE !== pinned ? [[app], [app, NEWEST_VITE]] : [[app]]
})) {
  // An app that needs a newer Node runs on that binary (proving the addon loads there too).
  const skip = app.node && !nodeBinaryPackage() && `no Node ${app.node} binary package for ${process.platform}-${process.arch}`
  describe(`framework: ${app.name}${vite ? ` on vite ${vite}` : ''}`, { skip }, () => {
    let dir
    let node = process.execPath
    before(() => {
      if (app.node) node = nodeBinary(app.node)
      dir = mkdtempSync(join(tmpdir(), `ven-${app.name}-`))
      const { main, platform } = packTarballs(join(dir, 'packs'))
      cpSync(join(repoRoot, '__test__/frameworks', app.name), join(dir, 'app'), { recursive: true })
      const packages = [main, platform, ...(vite ? [`vite@${vite}`] : [])]
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], { cwd: join(dir, 'app'), env: withNode(node), stdio: 'pipe' })
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    async function serve(env, work) {
      // A free port each time: test files and other checkouts run side by side.
      const at = await freePort()
      const server = startDevServer(node, join(dir, 'app'), app.cli ?? VITE_CLI, (app.portArgs ?? vitePortArgs)(at), { ...app.env, ...env })
      try {
        await until(async () => (await get(at, app.routes[0])).status === 200, `${app.name} dev server`, 60_000).catch((error) => {
          error.message += `; its log:\n${server.log()}`
          throw error
        })
        return await work(at, server)
      } finally {
        server.stop()
        await sleep(200)
      }
    }

    test('every route renders the same HTML as on Vite’s own environment', async () => {
      const render = (env) =>
        serve(env, async (at) => {
          const pages = {}
          for (const route of app.routes) pages[route] = await get(at, route)
          return pages
        })
      const vite = await render({ VEN_OFF: '1' })
      const ours = await render({})
      for (const route of app.routes) {
        assert.equal(vite[route].native, 'false')
        assert.equal(ours[route].native, 'true', 'the SSR environment is ours')
        assert.equal(ours[route].status, vite[route].status, route)
        assert.equal(normalize(ours[route].html), normalize(vite[route].html), route)
      }
    })

    // The edit cycle runs on the pinned version only; the newest version gets the HTML check.
    if (vite === undefined) test('an edit shows, a syntax error is a 500 naming the file, the fix recovers', async () => {
      const file = join(dir, 'app', app.module)
      const original = readFileSync(file, 'utf8')
      await serve({}, async (at, server) => {
        save(file, app.edit(original))
        await until(async () => (await get(at, app.routes[0])).html.includes(app.editedText), 'the edit', 20_000)
        const logBefore = server.log().length
        save(file, app.broken)
        await until(async () => (await get(at, app.routes[0])).status === 500, 'the 500', 20_000)
        // Named by its path, or by its root-relative url as Vike's error log does.
        const logged = server.log().slice(logBefore)
        assert.ok(logged.includes(`/${app.module}`), `the log names ${file}:\n${logged}`)
        save(file, original)
        await until(async () => (await get(at, app.routes[0])).status === 200, 'the recovery', 20_000)
        assert.ok((await get(at, app.routes[0])).html.includes(app.originalText))
      })
    })
  })
}
