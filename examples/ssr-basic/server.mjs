// The example SSR app: a plain node:http server with Vite in middleware mode. Every module of
// src/entry-server.ts is resolved, transformed, graphed and fetched by the native environment.
import http from 'node:http'
import { fileURLToPath } from 'node:url'
import { createServer as createViteServer, isRunnableDevEnvironment } from 'vite'
import { isNativeEnvironment } from 'vite-env-native'

const root = fileURLToPath(new URL('.', import.meta.url))
const port = Number(process.env.PORT ?? 5173)

const vite = await createViteServer({ root, server: { middlewareMode: true }, appType: 'custom' })
const ssr = vite.environments.ssr
if (!isRunnableDevEnvironment(ssr) || !isNativeEnvironment(ssr)) throw new Error('ssr is not the native runnable environment')

const server = http.createServer((req, res) => {
  vite.middlewares(req, res, async () => {
    try {
      const { render } = await ssr.runner.import('/src/entry-server.ts')
      const html = await render(req.url ?? '/')
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html)
    } catch (error) {
      vite.ssrFixStacktrace(error)
      console.error(error)
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error?.stack ?? error))
    }
  })
})

server.listen(port, () => {
  console.log(`vite-env-native example: http://localhost:${server.address().port}/ (ssr environment: native)`)
})

const shutdown = async () => {
  server.close()
  await vite.close()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
