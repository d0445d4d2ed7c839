// A process that uses vite-env-native must exit on its own when the server closes.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleRoot } from './helpers.mjs'

function runChild(mode) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'exit-after-close.mjs'), exampleRoot, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, output })
    })
  })
}

for (const mode of ['hmr', 'no-hmr']) {
  test(`process exits by itself after server.close() (${mode})`, async () => {
    const { code, signal, output } = await runChild(mode)
    assert.equal(signal, null, `killed after 20 s: the process did not exit on its own\n${output}`)
    assert.equal(code, 0, output)
    assert.match(output, /closed/)
  })
}
