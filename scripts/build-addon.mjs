// `npm install` in a source checkout (`prepare`): builds the optimised addon from source.
// Installed from the registry (no Cargo.toml), the prebuilt npm/<platform> package is used instead.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cargoEnv } from './env.mjs'
import { run } from './run.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
if (!existsSync(join(root, 'Cargo.toml')) || process.env.VITE_ENV_NATIVE_SKIP_BUILD) process.exit(0)

const profile = process.argv.includes('--debug') ? [] : ['--release']
const napi = join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js')
const code = await run(
  process.execPath,
  [napi, 'build', '--platform', ...profile, '--js', 'index.js', '--dts', 'index.d.ts'],
  { cwd: root, env: cargoEnv() },
)
process.exit(code)
