// Passed by the test harness with `--reporter=./probe.reporter.ts` (not part of the app's config):
// after every run, appends one JSON line to $VEN_PROBE: the test files that ran, each test's state,
// and per Vite environment of the server whether it is a native one and which of those test files
// its module graph holds (the environment that transformed and served them to the workers).
import { appendFileSync } from 'node:fs'
import { relative } from 'node:path'
import { isNativeEnvironment } from 'vite-env-native'
import type { Reporter, TestModule, Vitest } from 'vitest/node'

export default class ProbeReporter implements Reporter {
  private vitest!: Vitest

  onInit(vitest: Vitest) {
    this.vitest = vitest
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const root = this.vitest.config.root
    const ran = testModules.map((m) => relative(root, m.moduleId)).sort()
    const tests: Record<string, string> = {}
    for (const testModule of testModules) {
      for (const testCase of testModule.children.allTests()) {
        tests[`${relative(root, testModule.moduleId)} > ${testCase.fullName}`] = testCase.result().state
      }
    }
    const environments: Record<string, { native: boolean; testFiles: string[] }> = {}
    for (const [name, environment] of Object.entries(this.vitest.vite.environments)) {
      const testFiles = ran.filter((file) => environment.moduleGraph.getModuleById(`${root}/${file}`))
      environments[name] = { native: isNativeEnvironment(environment), testFiles }
    }
    appendFileSync(process.env.VEN_PROBE!, `${JSON.stringify({ ran, tests, environments })}\n`)
  }
}
