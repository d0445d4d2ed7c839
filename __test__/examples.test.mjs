// The examples in examples/ (ssr-basic, vue-ssr, react-ssr, svelte-ssr, express), each started as a user
// does (`npm run dev` in a copy of its folder, one dev server per example): the server-rendered
// page holds the rendered component, and the server only starts when its `ssr` environment is
// native (`isNativeEnvironment`). The framework examples are then opened in headless Chromium
// (one browser for all): the page hydrates without console errors, the counter counts, an edit of
// the component reaches the open page through client HMR (no reload), and the next
// server-rendered page has the edit (the native ssr environment saw the change).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { accessSync, constants, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { chromium } from 'playwright-core'
import { repoRoot } from './helpers.mjs'

const examples = [
  {
    name: 'ssr-basic',
    rendered: '<h1>vite-env-native example · Home</h1>',
  },
  {
    name: 'vue-ssr',
    rendered: '<div id="app"><!--[--><h1>Hello from Vue</h1><button type="button">count is 0</button><!--]--></div>',
    component: 'src/App.vue',
    heading: ['Hello from Vue', 'Edited in Vue'],
    hmrKeepsState: true,
  },
  {
    name: 'react-ssr',
    rendered: '<div id="root"><h1>Hello from React</h1><button type="button">count is <!-- -->0</button></div>',
    component: 'src/App.jsx',
    heading: ['Hello from React', 'Edited in React'],
    hmrKeepsState: true,
  },
  {
    name: 'svelte-ssr',
    rendered: '<div id="app"><!--[--><h1>Hello from Svelte</h1> <button type="button">count is 0</button><!--]--></div>',
    component: 'src/App.svelte',
    heading: ['Hello from Svelte', 'Edited in Svelte'],
    // Svelte 5's HMR remounts the edited component: its `$state` starts over (client side only).
    hmrKeepsState: false,
  },
  {
    name: 'express',
    rendered: '<h1>Hello from Express</h1>\n<p>Rendered on the server for <code>/?from=test</code>.</p>\n<button type="button" id="counter">count is 0</button>',
    path: '/?from=test',
  },
]

// One browser for every example, launched by the first browser test.
let browserLaunch
function browser() {
  browserLaunch ??= (async () => {
    const executablePath = chromiumPath()
    if (!executablePath) {
      throw new Error(
        `The browser tests need Chromium and found ${process.env.CHROMIUM_PATH ? `no executable at CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : 'no `chromium` on PATH'}: ` +
          'install it (Debian/Ubuntu: `apt-get install -y chromium`, as .ci/run does), or set CHROMIUM_PATH to a Chromium or Chrome executable.',
      )
    }
    return chromium.launch({ executablePath })
  })()
  return browserLaunch
}
after(async () => {
  if (browserLaunch) await (await browserLaunch.catch(() => undefined))?.close()
})

/** `CHROMIUM_PATH`, else `chromium` (Debian's package) or `chromium-browser` on `PATH`, if executable. */
function chromiumPath() {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  const candidates = process.env.CHROMIUM_PATH
    ? [process.env.CHROMIUM_PATH]
    : dirs.flatMap((dir) => [join(dir, 'chromium'), join(dir, 'chromium-browser')])
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

for (const example of examples) {
  describe(`examples/${example.name}`, () => {
    let app
    before(async () => {
      app = await startExample(example.name)
    })
    after(() => app?.stop())

    test('`npm run dev` serves the page rendered by the native ssr environment', async () => {
      const response = await fetch(new URL(example.path ?? '/', app.url))
      const html = await response.text()
      assert.equal(response.status, 200, html)
      assert.ok(html.includes(example.rendered), `the rendered component is missing from\n${html}`)
      // Printed only after the server checked isNativeEnvironment(vite.environments.ssr).
      assert.match(app.output(), /\(ssr environment: native\)/)
    })

    if (example.component) {
      test('in Chromium: hydrates, counts, and takes an edit of the component by HMR and by SSR', async () => {
        const page = await (await browser()).newPage()
        const problems = []
        page.on('console', (message) => {
          if (message.type() === 'error' || /hydrat/i.test(message.text())) problems.push(`console.${message.type()}: ${message.text()}`)
        })
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
        try {
          await page.goto(app.url, { waitUntil: 'networkidle' })
          const button = page.locator('button')
          const heading = page.locator('h1')
          assert.equal((await button.textContent()).trim(), 'count is 0')
          await button.click()
          await until(async () => (await button.textContent()).trim() === 'count is 1', 'the counter to count (hydration)')

          // A reload would lose this mark; HMR keeps it.
          await page.evaluate(() => (window.__sameDocument = true))
          const [original, edited] = example.heading
          const file = join(app.dir, example.component)
          const source = readFileSync(file, 'utf8')
          assert.ok(source.includes(original))
          saveAtomically(file, source.replace(original, edited))
          await until(async () => (await heading.textContent()) === edited, `the open page to show "${edited}"`)
          assert.equal(await page.evaluate(() => window.__sameDocument), true, 'the page reloaded instead of taking the update by HMR')
          if (example.hmrKeepsState) assert.equal((await button.textContent()).trim(), 'count is 1', 'the update lost the component state')

          const next = await (await fetch(app.url)).text()
          assert.ok(next.includes(`<h1>${edited}</h1>`), `the next server-rendered page lacks the edit:\n${next}`)
          assert.deepEqual(problems, [])
        } finally {
          await page.close()
        }
      })
    }
  })
}

/**
 * `npm run dev` in a fresh copy of examples/<name> (inside the repository, so that it resolves
 * `vite`, the frameworks and `vite-env-native` as the example does), on a free port, in its own
 * process group so that stopping it stops npm and the server.
 */
async function startExample(name) {
  const tmp = join(repoRoot, '.test-tmp')
  mkdirSync(tmp, { recursive: true })
  const dir = mkdtempSync(join(tmp, `example-${name}-`))
  cpSync(join(repoRoot, 'examples', name), dir, { recursive: true, filter: (path) => !path.includes('node_modules') })
  const child = spawn('npm', ['run', 'dev'], { cwd: dir, env: { ...process.env, PORT: '0' }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const stop = async () => {
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {}
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, 10_000)
    await exited
    // npm exits first; the server may still be closing Vite (and writing its deps cache).
    await until(() => !groupAlive(child.pid), 'the dev server to exit', 10_000).catch(() => process.kill(-child.pid, 'SIGKILL'))
    clearTimeout(timer)
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }
  try {
    const url = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 30 s:\n${output}`)), 30_000)
      exited.then(() => reject(new Error(`\`npm run dev\` exited before serving:\n${output}`)))
      child.stdout.on('data', () => {
        const match = /(http:\/\/localhost:\d+\/)/.exec(output)
        if (match) {
          clearTimeout(timer)
          resolve(match[1])
        }
      })
    })
    return { dir, url, output: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** Writes elsewhere, then renames over `file`: the watcher never sees a truncated file. */
function saveAtomically(file, text) {
  const temporary = `${file}.saving`
  writeFileSync(temporary, text)
  renameSync(temporary, file)
}

async function until(predicate, what, timeout = 15_000) {
  const start = Date.now()
  while (!(await predicate())) {
    if (Date.now() - start > timeout) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
