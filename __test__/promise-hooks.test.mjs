// The plugin bridge keeps the `transform` hooks' plugin contexts of a group run in an
// AsyncLocalStorage. On Node < 24 an enabled AsyncLocalStorage installs promise hooks, which tax
// every promise in the process (the module runner makes several per import: about 3-4 % of a
// cold start's and a warm re-import's CPU profile, issue 14 item 4). The storage is enabled only
// while a group run is in progress.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { exampleRoot } from './helpers.mjs'

test('no promise hooks are left installed once the JS transform hooks have run', { skip: Number(process.versions.node.split('.')[0]) >= 24 && 'Node 24 keeps AsyncLocalStorage without promise hooks' }, () => {
  const out = execFileSync(process.execPath, [join(import.meta.dirname, 'fixtures', 'promise-hooks-after-transform.mjs'), exampleRoot], { encoding: 'utf8', timeout: 60_000 })
  const result = JSON.parse(out.trim().split('\n').pop())
  assert.equal(result.trackedAtStart, false, 'promise hooks were on before the server started: the check cannot tell')
  assert.ok(result.transformed > 0, 'the JS transform hook never ran')
  assert.equal(result.trackedAfterImport, false, 'promise hooks are still installed after the transform groups finished')
})
