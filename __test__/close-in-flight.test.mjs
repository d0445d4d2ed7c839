// server.close() and server.restart() while transforms, imports and JS hooks are in flight; several
// servers in one process; the addon in worker_threads (issue 10, "Faults"). Each scenario runs in
// a child process that must settle everything, report no unhandled rejection and exit on its own.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'

function runChild(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'close-in-flight.mjs'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, output })
    })
  })
}

async function scenario(args, expected) {
  const { code, signal, output } = await runChild(args)
  assert.equal(signal, null, `killed after 60 s: a hang, or the process did not exit on its own\n${output}`)
  assert.equal(code, 0, output)
  assert.doesNotMatch(output, /unhandled rejections/)
  assert.match(output, expected)
  assert.match(output, /done, waiting for the process to exit on its own/)
  return output
}

test('server.close() with imports, transforms, warmups and JS hooks in flight', async () => {
  // Closed at once, mid-way and after most work: everything settles (results or "closed" errors).
  for (const delay of ['0', '5', '40']) {
    const output = await scenario(['close', delay], /close: settled 60 /)
    for (const [, reasons] of output.matchAll(/"reasons":\[(.*?)\]/g)) {
      assert.match(reasons || '"Server is closed"', /^("(Server is closed|Vite module runner has been closed\.)",?)+$/, output)
    }
  }
})

test('server.restart() with work in flight, then the new environment serves', async () => {
  await scenario(['restart'], /restart: m0 = 200/)
})

test('three servers in one process: closing one mid-work leaves the others serving', async () => {
  await scenario(['multi'], /multi: others served 200/)
})

test('the addon in worker_threads: used, closed and terminated; used to the end; then on the main thread', async () => {
  const output = await scenario(['worker'], /worker: main thread m0 = 200/)
  assert.match(output, /worker: terminated with 1/)
  assert.match(output, /worker says m0 = 200/)
  assert.match(output, /worker: finished with 0/)
})

// Node fixed a use-after-free of threadsafe functions during worker teardown in 24.14 and 25.4
// (nodejs/node#58484); before, a worker terminated with native async calls in flight can take the
// process down (SIGSEGV in about half the runs on Node 20.20).
const [major, minor] = process.versions.node.split('.').map(Number)
const teardownFixed = major > 25 || (major === 25 && minor >= 4) || (major === 24 && minor >= 14)
test('the addon in worker_threads: terminated mid-transform', { skip: !teardownFixed && `Node ${process.versions.node} crashes in worker teardown (nodejs/node#58484)` }, async () => {
  for (let run = 0; run < 5; run++) {
    const output = await scenario(['worker', 'mid-transform'], /worker: main thread m0 = 200/)
    assert.match(output, /worker: terminated with 1/)
  }
})
