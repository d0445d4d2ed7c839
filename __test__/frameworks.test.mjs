// Real frameworks on the one-line plugin (issue 11): each app of `__test__/frameworks/<name>` is
// copied to a temporary folder, installs its pinned packages and our packed tarballs (one copy of
// vite), and runs its dev server the way its docs do. Each route's HTML must equal the HTML of
// the same app on Vite's own environment (VEN_OFF=1); then an edit of a TS module shows up, a
// syntax error gives a 500 with the file, line and column named in the server's log or page as
// on Vite's own environment (checked there too), and the fix recovers.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { stripVTControlCharacters } from 'node:util'
import { APPS, NEWEST_VITE, VITE_CLI, get, installApp, normalize, pinnedVite, save, startDevServer, until, vitePortArgs } from './frameworks/harness.mjs'
import { freePort, nodeBinaryPackage } from './helpers.mjs'

for (const [app, vite] of APPS.flatMap((app) => {
  const pinned = pinnedVite(app)
  return NEWEST_VITE && NEWEST_VITE !== pinned ? [[app], [app, NEWEST_VITE]] : [[app]]
})) {
  // An app that needs a newer Node runs on that binary (proving the addon loads there too).
  const skip = app.node && !nodeBinaryPackage() && `no Node ${app.node} binary package for ${process.platform}-${process.arch}`
  describe(`framework: ${app.name}${vite ? ` on vite ${vite}` : ''}`, { skip }, () => {
    let dir
    let node = process.execPath
    before(() => {
      dir = mkdtempSync(join(tmpdir(), `ven-${app.name}-`))
      node = installApp(app, dir, vite)
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    async function serve(env, work) {
      // A free port each time: test files and other checkouts run side by side.
      const at = await freePort()
      const server = startDevServer(node, join(dir, 'app'), app.cli ?? VITE_CLI, (app.portArgs ?? vitePortArgs)(at), { ...app.env, ...env })
      try {
        await until(async () => (await get(at, app.routes[0])).status === 200, `${app.name} dev server`, 60_000).catch((error) => {
          error.message += `; its log:\n${server.log()}`
          throw error
        })
        return await work(at, server)
      } finally {
        server.stop()
        await sleep(200)
      }
    }

    test('every route renders the same HTML as on Vite’s own environment', async () => {
      const render = (env) =>
        serve(env, async (at) => {
          const pages = {}
          for (const route of app.routes) pages[route] = await get(at, route)
          return pages
        })
      const vite = await render({ VEN_OFF: '1' })
      const ours = await render({})
      for (const route of app.routes) {
        assert.equal(vite[route].native, 'false')
        assert.equal(ours[route].native, 'true', 'the SSR environment is ours')
        assert.equal(ours[route].status, vite[route].status, route)
        assert.equal(normalize(ours[route].html), normalize(vite[route].html), route)
      }
    })

    /**
     * Saves the broken module and waits for a 500 whose log or page shows `app.place`; returns
     * what the server showed (log since the save, then the page), without colours. Polled: an
     * in-place save is a truncate then a write, and a request between the two may already fail
     * on the empty file (a 500 naming no place) before the broken content is served.
     */
    async function breakModule(at, server, file) {
      const logBefore = server.log().length
      save(file, app.broken)
      let shown = ''
      await until(
        async () => {
          const response = await get(at, app.routes[0])
          shown = stripVTControlCharacters(`${server.log().slice(logBefore)}\n${response.html}`)
          return response.status === 500 && shown.includes(app.place)
        },
        `a 500 showing ${app.place}`,
        20_000,
      ).catch(() => {})
      return shown
    }

    // The edit cycle runs on the pinned version only; the newest version gets the HTML check.
    if (vite === undefined) test('an edit shows, a syntax error is a 500 naming the file, line and column as on Vite’s own environment, the fix recovers', async () => {
      const file = join(dir, 'app', app.module)
      const original = readFileSync(file, 'utf8')
      // Where Vite's own environment shows the error.
      const shownByVite = await serve({ VEN_OFF: '1' }, async (at, server) => {
        try {
          return await breakModule(at, server, file)
        } finally {
          save(file, original)
        }
      })
      assert.ok(shownByVite.includes(app.place), `Vite's own environment shows ${app.place}:\n${shownByVite}`)
      await serve({}, async (at, server) => {
        save(file, app.edit(original))
        await until(async () => (await get(at, app.routes[0])).html.includes(app.editedText), 'the edit', 20_000)
        const shown = await breakModule(at, server, file)
        // Named by its path, its root-relative url (Vike's log) or its path from the working
        // directory (oxc's report).
        assert.ok(shown.includes(app.module), `the log names ${file}:\n${shown}`)
        // Line and column as Vite's own environment shows them, in what this framework shows.
        assert.ok(shown.includes(app.place), `the log or page shows ${app.place}:\n${shown}`)
        save(file, original)
        await until(async () => (await get(at, app.routes[0])).status === 200, 'the recovery', 20_000)
        assert.ok((await get(at, app.routes[0])).html.includes(app.originalText))
      })
    })
  })
}
