// A second write inside chokidar's 50 ms `change` throttle is never reported by the watcher; our
// pipeline is fast enough to have read the first one by then, so the file is looked at again
// after the window (lib/dropped-changes.mjs). Found by the SvelteKit test: edit, see the edit,
// break the file at once, and the broken file was never served.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startServer, whenWatched } from './helpers.mjs'

let root
let server
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'ven-dropped-'))
  writeFileSync(join(root, 'value.js'), 'export const value = 1\n')
  server = await startServer(root, { native: true, server: { middlewareMode: true, ws: false, watch: {} } })
})
after(async () => {
  await server?.close()
  rmSync(root, { recursive: true, force: true })
})

const read = async () => (await server.environments.ssr.runner.import('/value.js')).value

test('a write the watcher drops is still served', async () => {
  assert.equal(await read(), 1)
  const file = join(root, 'value.js')
  await whenWatched(server, file)
  for (let round = 2; round < 8; round += 2) {
    const changed = new Promise((resolve) => server.watcher.once('change', resolve))
    writeFileSync(file, `export const value = ${round}\n`)
    const noEvent = setTimeout(() => server.watcher.emit('change', '(no change event)'), 5000)
    assert.equal(await changed, file, `round ${round}: the watcher reports the first write`)
    clearTimeout(noEvent)
    // Read as soon as the update is served, then write again inside the watcher's 50 ms window.
    const eventAt = Date.now()
    while ((await read()) !== round) {
      assert.ok(Date.now() - eventAt < 5000, `round ${round}: the first write is served`)
      await sleep(1)
    }
    const servedAfter = Date.now() - eventAt
    writeFileSync(file, `export const value = ${round + 1}\n`)
    const deadline = Date.now() + 3000
    while ((await read()) !== round + 1 && Date.now() < deadline) await sleep(20)
    assert.equal(await read(), round + 1, `round ${round}: the second write (${servedAfter} ms after the event) is served`)
  }
})
