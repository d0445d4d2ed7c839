// Svelte 5 SSR with hydration: a node:http server with Vite in middleware mode (Vite's SSR guide).
// src/entry-server.js and App.svelte (compiled for the server by vite-plugin-svelte) are loaded,
// transformed and run by the native `ssr` environment.
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import { createServer as createViteServer } from 'vite'
import { isNativeEnvironment } from 'vite-env-native'

const root = import.meta.dirname
const port = Number(process.env.PORT ?? 5173)

const server = http.createServer()
// The browser's HMR websocket shares this server's port.
const vite = await createViteServer({ root, appType: 'custom', server: { middlewareMode: true, hmr: { server } } })
const ssr = vite.environments.ssr
if (!isNativeEnvironment(ssr)) throw new Error('the ssr environment is not native: is nativeEnvironments() in vite.config.mjs?')

server.on('request', (req, res) => {
  vite.middlewares(req, res, async () => {
    try {
      const url = req.url ?? '/'
      const template = await vite.transformIndexHtml(url, await readFile(`${root}/index.html`, 'utf8'))
      const { render } = await ssr.runner.import('/src/entry-server.js')
      const { head, body } = await render(url)
      const html = template.replace('<!--app-head-->', () => head).replace('<!--app-html-->', () => body)
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    } catch (error) {
      vite.ssrFixStacktrace(error)
      console.error(error)
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.stack ?? error))
    }
  })
})

server.listen(port, () => {
  console.log(`svelte-ssr: http://localhost:${server.address().port}/ (ssr environment: native)`)
})

const shutdown = async () => {
  server.close()
  await vite.close()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
