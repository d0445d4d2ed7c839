// `npm run ready`: everything a change must pass before it lands.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cargoEnv } from './env.mjs'
import { run } from './run.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const env = cargoEnv()
const steps = [
  ['cargo', ['fmt', '--all', '--', '--check']],
  // fuzz/ is a workspace of its own (nightly, libFuzzer): formatted here, built by scripts/fuzz.mjs.
  ['cargo', ['fmt', '--manifest-path', join(root, 'fuzz', 'Cargo.toml'), '--', '--check']],
  ['cargo', ['clippy', '--workspace', '--all-targets', '--', '-D', 'warnings']],
  [process.execPath, [join(root, 'scripts', 'test.mjs')]],
]
for (const [command, args] of steps) {
  console.log(`\n# ${command === process.execPath ? 'node' : command} ${args.join(' ')}`)
  if ((await run(command, args, { cwd: root, env })) !== 0) process.exit(1)
}
