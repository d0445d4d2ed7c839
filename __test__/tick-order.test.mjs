// Microtasks and `process.nextTick` callbacks queued by a module's top level run, relative to the
// evaluation of the next sibling module, in Vite's order (issue 12, item 14): a sibling Vite must
// still transform is evaluated after them, one whose result Vite holds before them.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer } from './helpers.mjs'

const files = {
  'queue.ts': `const log = (s: string) => (globalThis as any).__venTickLog.push(s)
log('queue')
process.nextTick(() => log('queue:tick'))
Promise.resolve().then(() => log('queue:micro'))
queueMicrotask(() => process.nextTick(() => log('queue:micro-tick')))
export const queued = 1
`,
  'sibling.ts': `(globalThis as any).__venTickLog.push('sibling')\nexport const sibling = 1\n`,
  'nested.ts': `import { queued } from './queue.ts'\n(globalThis as any).__venTickLog.push('nested')\nexport const nested = queued\n`,
  'last.ts': `(globalThis as any).__venTickLog.push('last')\nexport const last = 1\n`,
  'entry.ts': `import { nested } from './nested.ts'\nimport { sibling } from './sibling.ts'\nimport { last } from './last.ts'\nexport default nested + sibling + last\n`,
}

async function tickOrders(root, native) {
  const server = await startServer(root, { native })
  try {
    const runner = server.environments.ssr.runner
    const orders = {}
    for (const phase of ['cold', 'after clearCache', 'after invalidation']) {
      if (phase === 'after clearCache') runner.clearCache()
      if (phase === 'after invalidation') {
        for (const node of runner.evaluatedModules.idToModuleMap.values()) runner.evaluatedModules.invalidateModule(node)
      }
      globalThis.__venTickLog = []
      await runner.import('/entry.ts')
      // Let every queued callback run before reading the log.
      await new Promise((resolve) => setTimeout(resolve, 20))
      orders[phase] = globalThis.__venTickLog.join(' ')
    }
    return orders
  } finally {
    await server.close()
    delete globalThis.__venTickLog
  }
}

test('nextTick and microtask callbacks of a module run before or after its sibling as under Vite', async (t) => {
  const results = {}
  for (const native of [false, true]) {
    const root = mkdtempSync(join(tmpdir(), 'ven-ticks-'))
    t.after(() => rmSync(root, { recursive: true, force: true }))
    for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text)
    results[native ? 'ours' : 'vite'] = await tickOrders(root, native)
  }
  assert.deepStrictEqual(results.ours, results.vite)
  // The cold start is where the orders differed: the sibling came before the ticks.
  assert.match(results.vite.cold, /queue:tick .*sibling/)
})
