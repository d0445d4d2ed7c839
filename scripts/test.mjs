// `npm test`: the Rust workspace tests, then the JS tests (which need the built addon).
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cargoEnv } from './env.mjs'
import { run } from './run.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const only = process.argv.includes('--rust') ? 'rust' : process.argv.includes('--js') ? 'js' : undefined
let failed = false

if (only !== 'js') {
  console.log('\n# cargo test --workspace')
  failed ||= (await run('cargo', ['test', '--workspace'], { cwd: root, env: cargoEnv() })) !== 0
}
if (only !== 'rust') {
  const files = readdirSync(join(root, '__test__'))
    .filter((f) => f.endsWith('.test.mjs'))
    .sort()
    .map((f) => join('__test__', f))
  console.log(`\n# node --test (${files.length} files)`)
  // One file at a time: each starts real Vite servers, and the machine may have only 2 cores.
  failed ||= (await run(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: root })) !== 0
}
process.exit(failed ? 1 : 0)
