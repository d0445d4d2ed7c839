// Shared by the HMR benchmark processes: a dev server with HMR on the generated app (Vite's own
// SSR environment, or ours with `--env-pkg`), the entry cold-loaded and the watcher's initial scan
// done, so that every edit is seen.
import path from 'node:path'
import { importPackage } from './harness/lib.mjs'

export const ENTRY = '/src/entry-server.ts'

export async function startHmrServer(args) {
  const { mod: vite } = await importPackage(path.resolve(args['vite-dir']))
  const envPkg = args['env-pkg'] ? (await importPackage(path.resolve(args['env-pkg']))).mod : null
  const server = await vite.createServer({
    root: path.resolve(args._[0]),
    logLevel: 'error',
    appType: 'custom',
    // No client websocket: only the server-side channel of the SSR runner is measured.
    server: { middlewareMode: true, hmr: true, ws: false },
    optimizeDeps: { noDiscovery: true },
    plugins: envPkg ? [envPkg.nativeEnvironments()] : [],
  })
  const runner = server.environments.ssr.runner
  const entry = await runner.import(ENTRY)
  const watcher = server.watcher
  if (!watcher._readyEmitted) await Promise.race([new Promise((r) => watcher.once('ready', r)), new Promise((r) => setTimeout(r, 60_000))])
  return { server, runner, entry, watcher }
}

/** The file of generated module `i` of an `n`-module app. */
export const moduleFile = (appDir, n, i) => {
  const width = Math.max(4, String(n - 1).length)
  return path.join(path.resolve(appDir), `src/mods/g${String(Math.floor(i / 50)).padStart(2, '0')}/m${String(i).padStart(width, '0')}.ts`)
}
