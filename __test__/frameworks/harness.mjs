// Shared by `__test__/frameworks.test.mjs` and `bench/frameworks.mjs`: the framework apps of this
// folder, how each is installed from our packed tarballs and how its dev server is started.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { nodeBinary, packTarballs, repoRoot } from '../helpers.mjs'

/**
 * Vite's own CLI; an app whose docs start it with its framework's CLI names that in `cli`, and
 * in `portArgs` how that CLI takes the port when it differs from Vite's.
 */
export const VITE_CLI = ['node_modules/vite/bin/vite.js', 'dev']
export const vitePortArgs = (port) => ['--port', String(port), '--strictPort']

/**
 * The environment of the app's processes on `node` (a binary path): that binary first on PATH, so
 * npm and anything spawned through `#!/usr/bin/env node` run on it too.
 */
export const withNode = (node, env = {}) => ({ ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}`, ...env })

/** A dev server on the `node` binary, in its own process group, stopped by that group. */
export function startDevServer(node, app, cli, portArgs, env) {
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
export async function until(predicate, what, timeout) {
  const start = Date.now()
  while (!(await predicate().catch(() => false))) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

export async function get(port, path) {
  const response = await fetch(`http://localhost:${port}${path}`, { headers: { accept: 'text/html' } })
  return { status: response.status, native: response.headers.get('x-ssr-native'), html: await response.text() }
}

/** Dev-build specifics that differ between any two runs. */
export const normalize = (html) =>
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
export function save(file, text) {
  writeFileSync(file, text)
}

/**
 * Each app: its `routes`; the TS `module` that the edit test changes (`edit`, `editedText`,
 * `originalText`) and breaks (`broken`); `place`, where the syntax error is as the dev server
 * shows it on Vite's own environment (its log or 500 page): oxc's report names the file from the
 * working directory with a 1-based column.
 */
export const APPS = [
  {
    name: 'sveltekit',
    routes: ['/', '/about'],
    module: 'src/lib/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy kit',
    originalText: 'Hello kit',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
    place: 'src/lib/greeting.ts:3:1',
  },
  {
    name: 'tanstack-start',
    routes: ['/', '/about'],
    module: 'src/greeting.ts',
    edit: (text) => text.replace('Hello', 'Howdy'),
    editedText: 'Howdy start',
    originalText: 'Hello start',
    broken: 'export function greet(name: string): string {\n  return `Hello ${name\n}\n',
    place: 'src/greeting.ts:3:1',
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
    place: 'src/greeting.ts:3:1',
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
    place: 'app/greeting.ts:3:1',
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
    place: 'src/greeting.ts:3:1',
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
    // SolidStart's server-functions compiler (Babel) parses the module before `vite:oxc`, on
    // Vite's own environment as on ours: its message names the place.
    place: 'greeting.ts: Unterminated template. (3:1)',
  },
]

/**
 * The newest Vite 8 on the registry: each app also runs on it (its HTML compared with Vite's own
 * environment on that version), besides the version its package.json pins.
 */
export function newestVite8() {
  try {
    const versions = JSON.parse(execFileSync('npm', ['view', 'vite@^8', 'version', '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))
    return [versions].flat().at(-1)
  } catch {
    return undefined
  }
}
export const NEWEST_VITE = newestVite8()


/** The vite version an app's package.json pins. */
export const pinnedVite = (app) =>
  JSON.parse(readFileSync(join(repoRoot, '__test__/frameworks', app.name, 'package.json'), 'utf8')).devDependencies?.vite

/**
 * Copies `app` into `dir/app` and installs its packages with our tarballs (and `vite` at
 * `version`, when given) on the Node binary it needs; returns that binary.
 */
export function installApp(app, dir, version) {
  const node = app.node ? nodeBinary(app.node) : process.execPath
  const { main, platform } = packTarballs(join(dir, 'packs'))
  cpSync(join(repoRoot, '__test__/frameworks', app.name), join(dir, 'app'), { recursive: true })
  const packages = [main, platform, ...(version ? [`vite@${version}`] : [])]
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages], { cwd: join(dir, 'app'), env: withNode(node), stdio: 'pipe' })
  return node
}
