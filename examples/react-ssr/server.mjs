// React SSR with streaming (renderToPipeableStream) and hydration: a node:http server with Vite in
// middleware mode (Vite's SSR guide). src/entry-server.jsx and App.jsx are loaded, transformed and
// run by the native `ssr` environment.
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { Writable } from 'node:stream'
import { createServer as createViteServer } from 'vite'
import { isNativeEnvironment } from 'vite-env-native'

const root = import.meta.dirname
const port = Number(process.env.PORT ?? 5173)
const ABORT_DELAY_MS = 10_000

const server = http.createServer()
// The browser's HMR websocket (React Fast Refresh) shares this server's port.
const vite = await createViteServer({ root, appType: 'custom', server: { middlewareMode: true, hmr: { server } } })
const ssr = vite.environments.ssr
if (!isNativeEnvironment(ssr)) throw new Error('the ssr environment is not native: is nativeEnvironments() in vite.config.mjs?')

server.on('request', (req, res) => {
  vite.middlewares(req, res, async () => {
    try {
      const url = req.url ?? '/'
      // transformIndexHtml adds Vite's client and plugin-react's Fast Refresh preamble.
      const template = await vite.transformIndexHtml(url, await readFile(`${root}/index.html`, 'utf8'))
      const [htmlStart, htmlEnd] = template.split('<!--app-html-->')
      const { render } = await ssr.runner.import('/src/entry-server.jsx')
      let didError = false
      const { pipe, abort } = render(url, {
        onShellReady() {
          res.writeHead(didError ? 500 : 200, { 'content-type': 'text/html; charset=utf-8' })
          res.write(htmlStart)
          // React ends the stream it pipes into; the page's tail goes after it.
          const body = new Writable({
            write(chunk, encoding, callback) {
              res.write(chunk, encoding, callback)
            },
            final(callback) {
              res.end(htmlEnd)
              callback()
            },
          })
          pipe(body)
        },
        onShellError(error) {
          fail(res, error)
        },
        onError(error) {
          didError = true
          console.error(error)
        },
      })
      // A render still pending after ABORT_DELAY_MS sends its fallbacks and ends.
      const timer = setTimeout(abort, ABORT_DELAY_MS)
      res.once('close', () => clearTimeout(timer))
    } catch (error) {
      fail(res, error)
    }
  })
})

function fail(res, error) {
  vite.ssrFixStacktrace(error)
  console.error(error)
  res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.stack ?? error))
}

server.listen(port, () => {
  console.log(`react-ssr: http://localhost:${server.address().port}/ (ssr environment: native)`)
})

const shutdown = async () => {
  server.close()
  await vite.close()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
