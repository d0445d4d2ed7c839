// Loads the napi addon through its generated CommonJS loader (index.js at the package root).
import { createRequire } from 'node:module'
import { hostPlatform, platformOfTriple } from './platform.mjs'

const require = createRequire(import.meta.url)
const binding = loadBinding()

function loadBinding() {
  try {
    return require('../index.js')
  } catch (error) {
    throw missingBinding(error)
  }
}

/** The loader's own message blames npm; say what is missing and what to do instead. */
function missingBinding(cause) {
  const { name, napi } = require('../package.json')
  const platform = hostPlatform()
  const prebuilt = napi.targets.map(platformOfTriple)
  const lines = [`${name}: no native binary could be loaded for this machine (${platform}, Node ${process.version}).`]
  if (prebuilt.includes(platform)) {
    lines.push(
      `- Installed from npm: the binary comes in the optional dependency ${name}-${platform}. Reinstall without`,
      '  --omit=optional / --no-optional, and with the same OS and CPU as the machine that runs it (a lockfile or',
      '  node_modules made on another platform lacks it).',
    )
  } else {
    lines.push(`- No prebuilt binary is published for ${platform} (prebuilt: ${prebuilt.join(', ')}).`)
  }
  lines.push('- Or build it from source: clone the repository, then `npm install` (Rust >= 1.95 needed) or `npm run build`.')
  return new Error(lines.join('\n'), { cause })
}

export const { NativeEnvironment, moduleRunnerTransform: nativeModuleRunnerTransform } = binding

/** Where a native environment keeps its `NativeEnvironment` handle (also its brand). */
export const NATIVE = Symbol.for('vite-env-native.native')
