#!/usr/bin/env node
// First page of each framework app (`__test__/frameworks/<name>`): a dev server started as the
// framework's docs say, ours (`nativeEnvironments()`) vs Vite's own environment (VEN_OFF=1),
// alternating fresh processes in one run. "cold" is the first start after installing (no
// caches: Vite's dependency optimizer and the framework's own start empty); "restart" is a
// later start of the same app (their caches warm). The time is from spawning the CLI to the
// first 200 answer of the app's first route, which includes the server's start and the SSR of
// that page.
//
//   node bench/frameworks.mjs [--apps sveltekit,vike] [--runs 3]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { APPS, VITE_CLI, get, installApp, startDevServer, vitePortArgs } from '../__test__/frameworks/harness.mjs'
import { freePort } from '../__test__/helpers.mjs'
import { isMain } from './common.mjs'
import { parseArgs } from './harness/lib.mjs'

/** Milliseconds from spawning the dev server to its first page. */
async function firstPage(app, dir, node, env) {
  const port = await freePort()
  const started = performance.now()
  const server = startDevServer(node, join(dir, 'app'), app.cli ?? VITE_CLI, (app.portArgs ?? vitePortArgs)(port), { ...app.env, ...env })
  try {
    for (;;) {
      const page = await get(port, app.routes[0]).catch(() => undefined)
      if (page?.status === 200) return performance.now() - started
      if (performance.now() - started > 120_000) throw new Error(`${app.name}: no first page in 120 s:\n${server.log()}`)
      await sleep(20)
    }
  } finally {
    server.stop()
    await sleep(300)
  }
}

const summary = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted.at(-1) }
}
const fmt = (ms) => `${Math.round(ms)}`

/**
 * Returns one entry per app: { app, vite: { cold, restart: [...] }, ours: { cold, restart: [...] },
 * row } (milliseconds; `row` is the printed summary).
 */
export async function runFrameworks({ apps: names, runs = 3, log = console.log } = {}) {
  const only = names ? new Set(names) : undefined
  const apps = APPS.filter((app) => !only || only.has(app.name))
  const rows = []
  for (const app of apps) {
    // One install per environment, so that each one's first start is really cold.
    const dirs = { vite: mkdtempSync(join(tmpdir(), `ven-bench-${app.name}-vite-`)), ours: mkdtempSync(join(tmpdir(), `ven-bench-${app.name}-ours-`)) }
    const envs = { vite: { VEN_OFF: '1' }, ours: {} }
    try {
      const nodes = { vite: installApp(app, dirs.vite), ours: installApp(app, dirs.ours) }
      const times = { vite: { cold: 0, restart: [] }, ours: { cold: 0, restart: [] } }
      // Alternating which goes first, so that neither always meets a busier machine.
      for (const [round, order] of [['cold', ['vite', 'ours']], ...Array.from({ length: runs }, (_, i) => ['restart', i % 2 ? ['vite', 'ours'] : ['ours', 'vite']])]) {
        for (const which of order) {
          const ms = await firstPage(app, dirs[which], nodes[which], envs[which])
          if (round === 'cold') times[which].cold = ms
          else times[which].restart.push(ms)
        }
      }
      const ratios = times.vite.restart.map((ms, i) => ms / times.ours.restart[i])
      rows.push({
        app: app.name,
        vite: times.vite,
        ours: times.ours,
        row: {
          app: app.name,
          'cold vite ms': fmt(times.vite.cold),
          'cold ours ms': fmt(times.ours.cold),
          'cold vite/ours': (times.vite.cold / times.ours.cold).toFixed(2),
          'restart vite ms (median)': fmt(summary(times.vite.restart).median),
          'restart ours ms (median)': fmt(summary(times.ours.restart).median),
          'restart vite/ours min/median/max': Object.values(summary(ratios)).map((r) => r.toFixed(2)).join(' / '),
        },
      })
      log(rows.at(-1).row)
    } finally {
      for (const dir of Object.values(dirs)) rmSync(dir, { recursive: true, force: true })
    }
  }
  return rows
}

if (isMain(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2))
  const runs = Number(args.runs ?? 3)
  const rows = await runFrameworks({ apps: args.apps ? String(args.apps).split(',') : undefined, runs })
  console.log(`\nnode ${process.version}, ${runs} restarts per environment; vite/ours > 1 means ours is faster`)
  console.table(rows.map((r) => r.row))
}
