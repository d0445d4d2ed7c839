// Runs a command with inherited stdio; resolves with its exit code.
import { spawn } from 'node:child_process'

export function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', shell: process.platform === 'win32', ...options })
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)))
    child.on('error', (error) => {
      console.error(`[vite-env-native] cannot run ${command}: ${error.message}`)
      resolve(1)
    })
  })
}
