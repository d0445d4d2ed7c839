#!/usr/bin/env node
// Coverage-guided fuzzing of the engine (issue 10, "Fuzzing"): `cargo fuzz` targets in fuzz/,
// each run for a bounded time, with its seeds and token dictionary.
//
//   nice -n 10 node scripts/fuzz.mjs [--seconds 60] [--targets transform,resolver_specifiers]
//                                    [--sanitizer address|none] [--timeout 10] [--debug-assertions]
//
// Targets are built as the addon is (release, no debug assertions) unless --debug-assertions:
// then swc's own debug assertions fire too, which release builds compile out (triage each one
// against a release build before calling it a bug).
// Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Not part of `npm test`.
// The corpus grows in fuzz/corpus/<target>/ between runs; a crash is saved in
// fuzz/artifacts/<target>/ and replayed with `cargo +nightly fuzz run <target> <file>`.
// Exit code 1 when a target crashed.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const fuzzDir = join(root, 'fuzz')
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
)
const seconds = Number(args.seconds ?? 60)
const timeout = Number(args.timeout ?? 10)
const buildFlags = ['--fuzz-dir', fuzzDir, '--sanitizer', args.sanitizer ?? 'address', ...('debug-assertions' in args ? ['--debug-assertions'] : ['--release'])]

/** Each target's dictionary and longest input (the transform's long enough for deep nesting). */
const TARGETS = {
  transform: { dict: 'js-ts.dict', maxLen: 8192 },
  resolver_specifiers: { dict: 'resolver.dict', maxLen: 512 },
}
const targets = (args.targets ?? Object.keys(TARGETS).join(',')).split(',')
for (const target of targets) {
  if (!TARGETS[target]) {
    console.error(`unknown target ${target}; targets: ${Object.keys(TARGETS).join(', ')}`)
    process.exit(2)
  }
}

// cargo fuzz passes `--target <host>` itself and builds with sanitizer flags, so it keeps its
// own target dir (fuzz/target unless CARGO_FUZZ_TARGET_DIR says otherwise): sharing the
// addon's would rebuild everything both ways. CARGO_BUILD_TARGET only has to agree with it.
const env = {
  ...process.env,
  CARGO_TARGET_DIR: process.env.CARGO_FUZZ_TARGET_DIR ?? join(fuzzDir, 'target'),
  CARGO_BUILD_TARGET: process.env.CARGO_BUILD_TARGET ?? 'x86_64-unknown-linux-gnu',
  CARGO_INCREMENTAL: '0',
}

/** Runs a command, echoing its output; resolves with the exit code and the output. */
function run(command, commandArgs) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const echo = (stream) => (chunk) => {
      output += chunk
      stream.write(chunk)
    }
    child.stdout.on('data', echo(process.stdout))
    child.stderr.on('data', echo(process.stderr))
    child.on('exit', (code, signal) => resolve({ code: signal ? 1 : (code ?? 1), output }))
    child.on('error', (error) => resolve({ code: 1, output: `cannot run ${command}: ${error.message}` }))
  })
}

const fuzz = ['+nightly', 'fuzz']
// Every target at once (cargo fuzz builds one or all).
const build = await run('cargo', [...fuzz, 'build', ...buildFlags])
if (build.code !== 0) {
  console.error('\ncargo fuzz build failed (needs `rustup toolchain install nightly` and `cargo install cargo-fuzz`)')
  process.exit(2)
}

const results = []
for (const target of targets) {
  const { dict, maxLen } = TARGETS[target]
  const corpus = join(fuzzDir, 'corpus', target)
  const artifacts = join(fuzzDir, 'artifacts', target)
  mkdirSync(corpus, { recursive: true })
  mkdirSync(artifacts, { recursive: true })
  const before = new Set(readdirSync(artifacts))
  const seeds = join(fuzzDir, 'seeds', target)
  console.log(`\n# ${target}: ${seconds} s`)
  const started = Date.now()
  const { code, output } = await run('cargo', [
    ...fuzz,
    'run',
    ...buildFlags,
    target,
    corpus,
    ...(existsSync(seeds) ? [seeds] : []),
    '--',
    `-max_total_time=${seconds}`,
    `-timeout=${timeout}`,
    `-max_len=${maxLen}`,
    `-dict=${join(fuzzDir, 'dict', dict)}`,
    `-artifact_prefix=${artifacts}/`,
    '-rss_limit_mb=4096',
    '-print_final_stats=1',
  ])
  const stat = (name) => Number(output.match(new RegExp(`stat::${name}:\\s*(\\d+)`))?.[1] ?? NaN)
  const found = readdirSync(artifacts).filter((file) => !before.has(file))
  results.push({
    target,
    executions: stat('number_of_executed_units'),
    // Wall time of the run: a crash ends it early.
    seconds: Math.round((Date.now() - started) / 1000),
    corpus: readdirSync(corpus).length,
    crashes: found.length,
    exit: code,
    found,
  })
}

console.log('\n# fuzz summary')
for (const r of results) {
  console.log(
    `${r.target}: ${r.executions.toLocaleString('en')} executions in ${r.seconds} s, corpus ${r.corpus} inputs, ` +
      `${r.crashes} crash${r.crashes === 1 ? '' : 'es'}${r.exit && !r.crashes ? ` (exit ${r.exit})` : ''}`,
  )
  for (const file of r.found) console.log(`  fuzz/artifacts/${r.target}/${file}`)
}
process.exitCode = results.some((r) => r.crashes || r.exit) ? 1 : 0
