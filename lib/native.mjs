// Loads the napi addon through its generated CommonJS loader (index.js at the package root).
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const binding = require('../index.js')

export const { NativeEnvironment, moduleRunnerTransform: nativeModuleRunnerTransform } = binding

/** Where a native environment keeps its `NativeEnvironment` handle (also its brand). */
export const NATIVE = Symbol.for('vite-env-native.native')
