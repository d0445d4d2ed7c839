// The published types (issue 13, "Types"): code written against Vite's environment API still
// type-checks when its imports of `vite` (the environment classes and factories) and
// `vite/module-runner` are swapped for vite-env-native's, under strict `tsc` with
// `moduleResolution` `bundler` and `node16`; and every option of `nativeEnvironments` is typed.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { repoRoot } from './helpers.mjs'

const fixtures = join(repoRoot, '__test__/fixtures/types')
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

/** Runs `tsc` on `files` of `dir`; returns its diagnostics ('' when there are none). */
function typeCheck(dir, files, moduleResolution) {
  const config = JSON.parse(readFileSync(join(fixtures, 'tsconfig.json'), 'utf8'))
  config.compilerOptions.module = moduleResolution === 'bundler' ? 'ESNext' : 'Node16'
  config.compilerOptions.moduleResolution = moduleResolution
  config.files = files
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config))
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, stdio: 'pipe' })
    return ''
  } catch (error) {
    return `${error.stdout}${error.stderr}`
  }
}

describe('types', () => {
  let dir
  before(() => {
    // Inside the package, so that `vite-env-native` resolves to this checkout by its own name.
    dir = mkdtempSync(join(repoRoot, '__test__', '.types-'))
    const usage = readFileSync(join(fixtures, 'usage.mts'), 'utf8')
    writeFileSync(join(dir, 'vite.mts'), usage.replace("'ENV_PACKAGE'", "'vite'").replace("'RUNNER_PACKAGE'", "'vite/module-runner'"))
    writeFileSync(join(dir, 'ours.mts'), usage.replace("'ENV_PACKAGE'", "'vite-env-native'").replace("'RUNNER_PACKAGE'", "'vite-env-native/module-runner'"))
    writeFileSync(join(dir, 'options.mts'), readFileSync(join(fixtures, 'options.mts')))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  for (const moduleResolution of ['bundler', 'node16']) {
    test(`the usage file checks against Vite (moduleResolution ${moduleResolution})`, () => {
      // The reference: if this fails, the usage file (not our types) is wrong.
      assert.equal(typeCheck(dir, ['vite.mts'], moduleResolution), '')
    })

    test(`the usage file checks with vite-env-native's imports (moduleResolution ${moduleResolution})`, () => {
      assert.equal(typeCheck(dir, ['ours.mts'], moduleResolution), '')
    })

    test(`nativeEnvironments options are typed (moduleResolution ${moduleResolution})`, () => {
      assert.equal(typeCheck(dir, ['options.mts'], moduleResolution), '')
    })
  }
})
