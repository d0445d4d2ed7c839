// Vitest on the one-line plugin (issue 11, item 5). The app of `__test__/frameworks/vitest` is
// copied to a temporary folder and installs its pinned Vitest and Vite and our packed tarballs; its
// `vitest.config.ts` adds `nativeEnvironments()` unless VEN_OFF=1 (stock Vite, the reference).
// `vitest run` with the forks and with the threads pool must give the same result per test as
// stock, report the failing assertion and the stack of an error thrown two TS modules deep at the
// same file:line:column (the .ts sources), also from Vitest's warm module cache, and watch mode
// must re-run the same test files after an edit and see it. Which environment did the work is
// probed in Vitest's own process: `probe.reporter.ts` (passed on the command line, not part of the
// app's config) records per Vite environment whether it is native and which test files its module
// graph holds, i.e. which environment transformed and served the test files to the workers. A
// probe inside a test cannot see it: tests run in worker processes whose module runner is Vitest's
// own and only talks to the environment over RPC.
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { packTarballs, repoRoot, vitestNode } from './helpers.mjs'

let dir
let app
let node

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ven-vitest-'))
  app = join(dir, 'app')
  const { main, platform } = packTarballs(join(dir, 'packs'))
  cpSync(join(repoRoot, '__test__/frameworks/vitest'), app, { recursive: true })
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', main, platform], { cwd: app, stdio: 'pipe' })
  // Vitest 5 needs Node >= 22.12: an older Node runs it (and so our addon) on Node 22 from npm.
  node = vitestNode()
})
after(() => rmSync(dir, { recursive: true, force: true }))

/** Vitest's CLI in its own process group (its pool's workers included), stopped by that group. */
function startVitest(args, { native, probe }) {
  const child = spawn(node, [join(app, 'node_modules/vitest/vitest.mjs'), ...args, '--reporter=./probe.reporter.ts'], {
    cwd: app,
    env: { ...process.env, VEN_OFF: native ? '0' : '1', VEN_PROBE: probe, CI: '', NO_COLOR: '1' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout.on('data', (chunk) => (log += chunk))
  child.stderr.on('data', (chunk) => (log += chunk))
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    log: () => log,
    exited,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {}
    },
  }
}

/** The probe's records so far, one per finished run. */
const probeRuns = (probe) =>
  existsSync(probe)
    ? readFileSync(probe, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : []

let runs = 0

/**
 * `vitest run --reporter=json`: Vitest's JSON report and the probe's record of the run. Vitest 5
 * keeps transformed modules on disk (`fsModuleCache`, on by default) and later serves them without
 * asking the environment: a run gets an empty cache folder of its own unless `cache` names one to
 * reuse.
 */
async function vitestRun(pool, native, cache = join(dir, `cache-${runs}`)) {
  const name = `${pool}-${native ? 'ours' : 'stock'}-${runs++}`
  const probe = join(dir, `${name}.probe`)
  const output = join(dir, `${name}.json`)
  const args = ['run', `--pool=${pool}`, `--fsModuleCachePath=${cache}`, '--reporter=json', `--outputFile.json=${output}`]
  const vitest = startVitest(args, { native, probe })
  const timeout = setTimeout(vitest.stop, 120_000)
  const code = await vitest.exited
  clearTimeout(timeout)
  assert.ok(existsSync(output), `vitest wrote its report (exit ${code}):\n${vitest.log()}`)
  const [record, ...more] = probeRuns(probe)
  assert.equal(more.length, 0)
  return { code, report: JSON.parse(readFileSync(output, 'utf8')), probe: record }
}

/** Per test: its state, and for a failure the message and the stack frames in the app's own files. */
function outcomes(report) {
  const result = {}
  for (const file of report.testResults) {
    for (const assertion of file.assertionResults) {
      const key = `${file.name.slice(app.length + 1)} > ${assertion.fullName}`
      const failure = assertion.failureMessages.join('\n')
      result[key] = {
        status: assertion.status,
        message: failure.split('\n')[0],
        frames: failure
          .split('\n')
          .filter((line) => line.includes(app) && !line.includes('node_modules'))
          .map((line) => line.trim().replace(app, '<app>')),
      }
    }
  }
  return result
}

/** `<app>/file:line:column` of the first `snippet` in the app's `file`, at `offset` into it. */
function positionOf(file, snippet, offset = 0) {
  const lines = readFileSync(join(app, file), 'utf8').split('\n')
  const line = lines.findIndex((text) => text.includes(snippet))
  assert.notEqual(line, -1, `${snippet} in ${file}`)
  return `<app>/${file}:${line + 1}:${lines[line].indexOf(snippet) + offset + 1}`
}

const TEST_FILES = ['test/fail.test.ts', 'test/glob.test.ts', 'test/math.test.ts', 'test/mock.test.ts', 'test/stack.test.ts']

for (const pool of ['forks', 'threads']) {
  describe(`vitest run --pool=${pool}`, () => {
    let stock
    let ours
    let oursWarm
    before(async () => {
      stock = await vitestRun(pool, false)
      const cache = join(dir, `cache-${pool}-ours`)
      ours = await vitestRun(pool, true, cache)
      // The next run of the same suite, with the modules Vitest cached on disk.
      oursWarm = await vitestRun(pool, true, cache)
    })

    test('the test files were served by our ssr environment (stock: by Vite’s)', () => {
      assert.deepEqual(ours.probe.ran, TEST_FILES)
      assert.deepEqual(ours.probe.environments.ssr, { native: true, testFiles: TEST_FILES })
      assert.equal(ours.probe.environments.__vitest__.native, true)
      assert.deepEqual(stock.probe.environments.ssr, { native: false, testFiles: TEST_FILES })
    })

    test('every test has the state it has on stock Vitest', () => {
      const states = (run) => Object.fromEntries(Object.entries(outcomes(run.report)).map(([key, { status }]) => [key, status]))
      assert.equal(Object.keys(states(stock)).length, 12)
      assert.deepEqual(states(ours), states(stock))
      assert.deepEqual(
        Object.keys(states(ours)).filter((key) => states(ours)[key] === 'failed'),
        ['test/fail.test.ts > a failing assertion', 'test/stack.test.ts > an error thrown two modules deep'],
      )
      assert.equal(ours.code, stock.code)
    })

    test('a second run from Vitest’s module cache reports the same as the first', () => {
      assert.deepEqual(outcomes(oursWarm.report), outcomes(ours.report))
      assert.deepEqual(oursWarm.probe.environments.ssr, { native: true, testFiles: TEST_FILES })
    })

    test('the failing assertion is reported at its line and column in the .ts file', () => {
      const key = 'test/fail.test.ts > a failing assertion'
      const failure = outcomes(ours.report)[key]
      assert.equal(failure.message, 'AssertionError: expected 4 to be 5 // Object.is equality')
      assert.deepEqual(failure.frames, [`at ${positionOf('test/fail.test.ts', '.toBe(sum)', '.'.length)}`])
      assert.deepEqual(failure, outcomes(stock.report)[key])
    })

    test('an error thrown two modules deep has its stack mapped to the .ts lines', () => {
      const key = 'test/stack.test.ts > an error thrown two modules deep'
      const failure = outcomes(ours.report)[key]
      assert.equal(failure.message, 'RangeError: not a size: big')
      assert.deepEqual(failure.frames, [
        `at parseSize (${positionOf('src/deep/parse.ts', 'throw new RangeError', 'throw '.length)})`,
        `at parseConfig (${positionOf('src/deep/parse.ts', 'parseSize(entries')})`,
        `at loadConfig (${positionOf('src/deep/load.ts', 'parseConfig(entries)')})`,
        `at ${positionOf('test/stack.test.ts', "loadConfig('name = b")}`,
      ])
      assert.deepEqual(failure, outcomes(stock.report)[key])
    })
  })
}

describe('vitest watch', () => {
  const EDITS = [
    // Imported by two test files, one of them through src/format.ts: both re-run, and `add` now
    // returns one more (the failing assertion passes, the one before it fails).
    { file: 'src/math.ts', edit: (text) => text.replace('return left + right', 'return left + right + 1') },
    // Imported by src/deep/load.ts only: the stack test re-runs alone.
    { file: 'src/deep/parse.ts', edit: (text) => text.replace("entries.name ?? 'none'", "entries.name ?? 'unnamed'") },
  ]

  /**
   * The probe's records of a watch session: the first run, then one per edit. As a user's second
   * session, it starts with the modules of a previous run in Vitest's module cache: Vitest then
   * assigns `transformResult` of those nodes itself, and its watcher's `invalidateModule` must
   * clear them for an edit to be fetched again.
   */
  async function watchSession(native, options = []) {
    const name = `watch-${native ? 'ours' : 'stock'}${options.join('')}`
    const cache = join(dir, `cache-${name}`)
    await vitestRun('forks', native, cache)
    const probe = join(dir, `${name}.probe`)
    const originals = EDITS.map(({ file }) => readFileSync(join(app, file), 'utf8'))
    const vitest = startVitest(['watch', '--pool=forks', `--fsModuleCachePath=${cache}`, ...options], { native, probe })
    const waitForRuns = async (count, what) => {
      const start = Date.now()
      while (probeRuns(probe).length < count) {
        if (Date.now() - start > 60_000) throw new Error(`timed out waiting for ${what}:\n${vitest.log()}`)
        await sleep(100)
      }
    }
    try {
      await waitForRuns(1, 'the first run')
      for (const [index, { file, edit }] of EDITS.entries()) {
        writeFileSync(join(app, file), edit(originals[index]))
        await waitForRuns(index + 2, `the re-run after editing ${file}`)
      }
      // No further run follows.
      await sleep(1500)
      return probeRuns(probe)
    } finally {
      vitest.stop()
      EDITS.forEach(({ file }, index) => writeFileSync(join(app, file), originals[index]))
    }
  }

  // Without isolation the worker keeps its modules between runs and asks with `cached: true`.
  for (const options of [[], ['--no-isolate']]) {
    test(`an edit re-runs the test files that import the module, as on stock Vitest${options.length ? ` (${options.join(' ')})` : ''}`, async () => {
      const stock = await watchSession(false, options)
      const ours = await watchSession(true, options)
      assert.equal(ours.length, 3)
      assert.deepEqual(ours[0].ran, TEST_FILES)
      assert.deepEqual(ours[1].ran, ['test/fail.test.ts', 'test/math.test.ts'])
      assert.equal(ours[1].tests['test/fail.test.ts > a failing assertion'], 'passed', 'the edit is seen')
      assert.equal(ours[1].tests['test/fail.test.ts > passes before the failing one'], 'failed', 'the edit is seen')
      assert.deepEqual(ours[2].ran, ['test/stack.test.ts'])
      for (const run of ours) assert.equal(run.environments.ssr.native, true)
      const withoutEnvironments = (session) => session.map(({ ran, tests }) => ({ ran, tests }))
      assert.deepEqual(withoutEnvironments(ours), withoutEnvironments(stock))
    })
  }
})
