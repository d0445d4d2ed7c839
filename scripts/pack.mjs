// `npm run pack -- --out DIR`: the tarballs a release publishes for this machine, side by side:
//   vite-env-native-<version>.tgz                  the main package (JS, loader, types), whose
//                                                 package.json lists every platform package as
//                                                 an optional dependency (what `napi pre-publish`
//                                                 writes at release time)
//   vite-env-native-<platform>-<version>.tgz       this machine's platform package, holding only
//                                                 the release addon built by `npm run build`
// The checkout's own package.json is not changed; both packages are staged in a temporary folder
// and packed with scripts off (the main package's `prepare` builds from source, and only in a
// source checkout).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { hostPlatform, platformOfTriple } from '../lib/platform.mjs'
import { run } from './run.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const outAt = process.argv.indexOf('--out')
const out = resolve(outAt === -1 ? join(root, 'dist-pack') : process.argv[outAt + 1])
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

const platforms = pkg.napi.targets.map(platformOfTriple)
const host = hostPlatform()
if (!platforms.includes(host)) {
  console.error(`[vite-env-native] ${host} is not one of the package's targets (${platforms.join(', ')})`)
  process.exit(1)
}
const binary = `${pkg.napi.binaryName}.${host}.node`
if (!existsSync(join(root, binary))) {
  console.error(`[vite-env-native] ${binary} is missing: run \`npm run build\` first (the release addon).`)
  process.exit(1)
}

mkdirSync(out, { recursive: true })
const staging = mkdtempSync(join(tmpdir(), 'ven-pack-'))
try {
  // The platform package: its npm/<platform> folder plus the binary.
  const platformDir = join(staging, host)
  cpSync(join(root, 'npm', host), platformDir, { recursive: true })
  cpSync(join(root, binary), join(platformDir, binary))

  // The main package: the files it lists, its README, and optional dependencies on every
  // platform package at this version.
  const mainDir = join(staging, 'main')
  mkdirSync(mainDir)
  for (const entry of [...pkg.files, 'README.md']) cpSync(join(root, entry), join(mainDir, entry), { recursive: true })
  const published = { ...pkg }
  published.optionalDependencies = Object.fromEntries(platforms.map((p) => [`${pkg.name}-${p}`, pkg.version]))
  delete published.devDependencies
  // The examples are workspaces of the source checkout only.
  delete published.workspaces
  published.scripts = {}
  writeFileSync(join(mainDir, 'package.json'), `${JSON.stringify(published, null, 2)}\n`)

  for (const dir of [mainDir, platformDir]) {
    const code = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', out], { cwd: dir })
    if (code !== 0) process.exit(code)
  }
  console.log(`[vite-env-native] packed into ${out}`)
} finally {
  rmSync(staging, { recursive: true, force: true })
}
