// Turns a generated app (harness/gen-app.mjs) into an HMR benchmark app: import cycles (every
// 25th module and every self-accepting leaf sits in a two-module cycle with a small companion
// module that reads it lazily), and self-accepting leaves (the last 20 modules accept their own
// updates), so edits exercise boundary search and circular-import checks in a large graph.
import fs from 'node:fs'
import path from 'node:path'

export function makeHmrApp(appDir, n) {
  const marker = path.join(appDir, '.hmr-app-v2')
  if (fs.existsSync(marker)) return
  const width = Math.max(4, String(n - 1).length)
  const rel = (i) => `src/mods/g${String(Math.floor(i / 50)).padStart(2, '0')}/m${String(i).padStart(width, '0')}.ts`
  for (let i = 1; i < n; i++) {
    const accepting = i >= n - 20
    if (i % 25 !== 0 && !accepting) continue
    const file = path.join(appDir, rel(i))
    const base = path.basename(file, '.ts')
    fs.writeFileSync(
      path.join(path.dirname(file), `${base}_cycle.ts`),
      `import * as owner from './${base}'\nexport const cycle_${base} = (): object => owner\n`,
    )
    let source = fs.readFileSync(file, 'utf8')
    source = `import { cycle_${base} } from './${base}_cycle'\n${source}\nexport const usesCycle_${base} = cycle_${base}\n`
    if (accepting) source += '\nif (import.meta.hot) import.meta.hot.accept()\n'
    fs.writeFileSync(file, source)
  }
  fs.writeFileSync(marker, 'two-module cycles at every 25th module and at the last 20 (self-accepting) modules\n')
}
