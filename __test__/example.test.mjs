// `npm start`: the example app, loaded through its own vite.config.mts (the one-line plugin),
// serves pages rendered by the native environment and exits cleanly on SIGTERM.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleRoot } from './helpers.mjs'

test('the example server renders through the native environment and stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [join(exampleRoot, 'server.mjs')], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 20 s\n${output}`)), 20_000)
      child.stdout.on('data', (d) => {
        output += d
        const match = /(http:\/\/localhost:\d+\/) \(ssr environment: native\)/.exec(output)
        if (match) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
    })
    const home = await (await fetch(url)).text()
    assert.match(home, /<title>vite-env-native example · Home<\/title>/)
    assert.match(home, /rendered on the server: true \(mode development\)/)
    const about = await fetch(new URL('/about', url))
    assert.equal(about.status, 200)
    assert.match(await about.text(), /request #2/)
  } finally {
    child.kill('SIGTERM')
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const { code, signal } = await exited
  clearTimeout(timer)
  assert.equal(signal, null, `did not exit on its own after SIGTERM\n${output}`)
  assert.equal(code, 0, output)
})
