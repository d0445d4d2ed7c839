// The package as users get it (issue 13): `npm run pack` writes the main tarball and this
// machine's platform tarball; a fresh Vite 8 app in the shape of create-vite's `vanilla-ts`
// template, with an SSR entry, installs both with no Rust toolchain on PATH, adds the one line
// to its config and renders a TypeScript module through our environment.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { hostPlatform } from '../lib/platform.mjs'
import { packTarballs, repoRoot } from './helpers.mjs'

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'))
const platform = hostPlatform()

const entries = (tarball) => execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n')

/** PATH without any folder that holds `cargo` or `rustc`: the install must not need Rust. */
function pathWithoutRust() {
  return process.env.PATH.split(delimiter)
    .filter((dir) => !['cargo', 'rustc'].some((tool) => existsSync(join(dir, tool))))
    .join(delimiter)
}

const APP = {
  'index.html': '<!doctype html>\n<html lang="en">\n  <body>\n    <div id="app"><!--app-html--></div>\n    <script type="module" src="/src/main.ts"></script>\n  </body>\n</html>\n',
  'src/counter.ts': 'export function label(count: number): string {\n  return `count is ${count}`\n}\n',
  'src/main.ts': "import { label } from './counter'\n\ndocument.querySelector<HTMLDivElement>('#app')!.textContent = label(0)\n",
  'src/entry-server.ts': "import { label } from './counter'\n\ninterface Page { url: string }\n\nexport function render(page: Page): string {\n  return `<h1>${page.url}</h1><button>${label(1)}</button>`\n}\n",
  'vite.config.ts': "import { defineConfig } from 'vite'\nimport { nativeEnvironments } from 'vite-env-native'\n\nexport default defineConfig({\n  plugins: [nativeEnvironments()],\n})\n",
  'render.mjs': [
    "import { createServer } from 'vite'",
    "import { isNativeEnvironment } from 'vite-env-native'",
    "const server = await createServer({ appType: 'custom', logLevel: 'error', server: { middlewareMode: true, hmr: false, ws: false } })",
    "const { render } = await server.ssrLoadModule('/src/entry-server.ts')",
    "console.log(JSON.stringify({ html: render({ url: '/about' }), native: isNativeEnvironment(server.environments.ssr) }))",
    'await server.close()',
    '',
  ].join('\n'),
}

describe('the packed package', () => {
  let dir
  let mainTarball
  let platformTarball
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'ven-package-'))
    ;({ main: mainTarball, platform: platformTarball } = packTarballs(join(dir, 'packs')))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('the main tarball holds only what users need', () => {
    const files = entries(mainTarball).map((f) => f.replace(/^package\//, ''))
    for (const file of files) {
      assert.match(file, /^(lib\/.*\.(mjs|d\.mts)|index\.js|index\.d\.ts|package\.json|README\.md)$/, `unexpected ${file}`)
    }
    for (const needed of ['index.js', 'index.d.ts', 'lib/index.mjs', 'lib/module-runner.mjs', 'lib/index.d.mts', 'README.md']) {
      assert.ok(files.includes(needed), `missing ${needed}`)
    }
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', mainTarball, 'package/package.json'], { encoding: 'utf8' }))
    assert.equal(manifest.scripts.install, undefined, 'no install script')
    assert.equal(manifest.scripts.prepare, undefined, 'no build step for users')
    assert.equal(manifest.workspaces, undefined, 'the examples are not part of the package')
    assert.equal(manifest.optionalDependencies[`${pkg.name}-${platform}`], pkg.version)
    assert.equal(Object.keys(manifest.optionalDependencies).length, pkg.napi.targets.length)
  })

  test('the platform tarball holds the binary, limited to its platform', () => {
    const files = entries(platformTarball).map((f) => f.replace(/^package\//, ''))
    assert.ok(files.includes(`${pkg.napi.binaryName}.${platform}.node`), files.join(', '))
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', platformTarball, 'package/package.json'], { encoding: 'utf8' }))
    assert.deepEqual(manifest.os, [process.platform])
    assert.deepEqual(manifest.cpu, [process.arch])
  })

  test('a fresh Vite 8 app installs it without Rust and renders TypeScript through it', () => {
    const app = join(dir, 'app')
    mkdirSync(join(app, 'src'), { recursive: true })
    writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n')
    for (const [file, text] of Object.entries(APP)) writeFileSync(join(app, file), text)
    const env = { ...process.env, PATH: pathWithoutRust() }
    assert.throws(() => execFileSync('cargo', ['--version'], { env, stdio: 'pipe' }), 'cargo is out of reach')
    const vite = `vite@${pkg.devDependencies.vite}`
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', mainTarball, platformTarball, vite], {
      cwd: app,
      env,
      stdio: 'pipe',
    })
    assert.ok(!existsSync(join(app, 'node_modules', pkg.name, 'node_modules', 'vite')), 'one copy of vite')
    const result = JSON.parse(execFileSync(process.execPath, ['render.mjs'], { cwd: app, env, encoding: 'utf8' }))
    assert.deepEqual(result, { html: '<h1>/about</h1><button>count is 1</button>', native: true })

    // Without the platform package, the error says what is missing and what to do.
    rmSync(join(app, 'node_modules', `${pkg.name}-${platform}`), { recursive: true })
    const failure = (() => {
      try {
        execFileSync(process.execPath, ['-e', `import('${pkg.name}')`], { cwd: app, env, stdio: 'pipe' })
      } catch (error) {
        return error.stderr.toString()
      }
      return ''
    })()
    assert.match(failure, new RegExp(`no native binary could be loaded for this machine \\(${platform}, Node`))
    assert.match(failure, new RegExp(`optional dependency ${pkg.name}-${platform}`))
    // The loader's own message stays only as the `cause`.
    assert.doesNotMatch(failure.split('[cause]')[0], /npm has a bug/)
  })
})
