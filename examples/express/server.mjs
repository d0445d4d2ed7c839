// An Express server with Vite in middleware mode, the pattern of Vite's SSR guide
// (https://vite.dev/guide/ssr): `vite.ssrLoadModule` runs src/entry-server.ts on the native `ssr`
// environment.
import fs from 'node:fs/promises'
import http from 'node:http'
import express from 'express'
import { createServer as createViteServer } from 'vite'
import { isNativeEnvironment } from 'vite-env-native'

const root = import.meta.dirname
const port = Number(process.env.PORT ?? 5173)

const app = express()
const server = http.createServer(app)
// Vite in middleware mode; the browser's HMR websocket shares this server's port.
const vite = await createViteServer({ root, appType: 'custom', server: { middlewareMode: true, hmr: { server } } })
if (!isNativeEnvironment(vite.environments.ssr)) {
  throw new Error('the ssr environment is not native: is nativeEnvironments() in vite.config.mjs?')
}

app.use(vite.middlewares)

app.use('*all', async (req, res, next) => {
  const url = req.originalUrl
  try {
    const template = await vite.transformIndexHtml(url, await fs.readFile(`${root}/index.html`, 'utf-8'))
    const { render } = await vite.ssrLoadModule('/src/entry-server.ts')
    const appHtml = await render(url)
    const html = template.replace('<!--ssr-outlet-->', () => appHtml)
    res.status(200).set({ 'Content-Type': 'text/html' }).end(html)
  } catch (error) {
    // Stack traces point at the original sources.
    vite.ssrFixStacktrace(error)
    next(error)
  }
})

server.listen(port, () => {
  console.log(`express: http://localhost:${server.address().port}/ (ssr environment: native)`)
})

const shutdown = async () => {
  server.close()
  await vite.close()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
