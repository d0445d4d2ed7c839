// Evaluates server-transformed modules: each module's code is the body of an async function
// taking the `__vite_ssr_*__` parameters, compiled with `vm.Script` so V8's work is reused (see
// "Reusing compiled code" below); `new AsyncFunction(...)` where `node:vm` is not available.

import { MODULE_SOURCE_MAP } from './evaluated-modules.mjs';

export const ssrModuleExportsKey = '__vite_ssr_exports__';
export const ssrImportKey = '__vite_ssr_import__';
export const ssrDynamicImportKey = '__vite_ssr_dynamic_import__';
export const ssrExportAllKey = '__vite_ssr_exportAll__';
export const ssrExportNameKey = '__vite_ssr_exportName__';
export const ssrImportMetaKey = '__vite_ssr_import_meta__';

export const AsyncFunction = async function () {}.constructor;

const PARAMETERS = [
  ssrModuleExportsKey,
  ssrImportMetaKey,
  ssrImportKey,
  ssrDynamicImportKey,
  ssrExportAllKey,
  ssrExportNameKey,
];

/**
 * True on an evaluator that compiles code where Node's source map support does not look and
 * needs no inline map: the runner then asks an in-process server of ours to keep maps native,
 * and hands them to Node only when a stack trace needs them (see sourcemap.mjs). Also the mark
 * of a transport to such a server.
 */
export const LAZY_SOURCE_MAPS = Symbol.for('vite-env-native.lazySourceMaps');

// `process.getBuiltinModule` keeps this file loadable where there is no `node:vm` (the runner
// is runtime-agnostic like Vite's).
const vm = typeof process !== 'undefined' ? process.getBuiltinModule?.('node:vm') : undefined;

let headerLines;
/**
 * How many lines V8 puts before the body of `new AsyncFunction(...)` (the
 * `async function anonymous(a,b\n) {` header). Measured instead of hard-coded
 * because it is an engine detail. The server shifts source maps by this
 * amount (+1 for our `"use strict"` line) so stack traces line up.
 */
function functionHeaderLineCount() {
  if (headerLines === undefined) {
    const marker = '/*body*/';
    const source = new AsyncFunction('a', 'b', marker).toString();
    headerLines = source.slice(0, source.indexOf(marker)).split('\n').length - 1;
  }
  return headerLines;
}

// The script a module's code is compiled as: the shape V8 gives `new AsyncFunction(params,
// body)` (the body between lines of its own), strict like Vite's `"use strict";` body prefix.
// The code starts on line `startOffset + 1`, as inside `new AsyncFunction`, so positions (and
// the maps the server shifted by `startOffset`) agree. Padding lines rather than `lineOffset`:
// V8 ignores `lineOffset` for code with a `sourceURL` comment (inline-mapped code has one).
const scriptPrefix = (startOffset) => `(async function (${PARAMETERS.join(', ')}) {"use strict";${'\n'.repeat(startOffset)}`;
const SCRIPT_SUFFIX = '\n})';
// Code whose map the runner keeps aside (an in-process server of ours) still names one: Node
// looks for the map of an uncaught exception's source line only in scripts with a
// `sourceMappingURL`, and finds the module's map where the runner registered it (see
// sourcemap.mjs). The comment's own map is empty, so a debugger reading it sees no mappings.
const LAZY_MAP_SUFFIX = `${SCRIPT_SUFFIX}\n//# source${'MappingURL'}=data:application/json;base64,${btoa('{"version":3,"sources":[],"names":[],"mappings":""}')}`;

/** `sourceURL` escaping (as the server writes it): the script name frames report for the id. */
export function scriptNameOf(id) {
  return id.replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/\t/g, '%09');
}

// ---------------------------------------------------------------------------
// Reusing compiled code
//
// Each module's compiled script is kept (one per module id, with the exact source it was
// compiled from): evaluating the same code again (a full reload, `evaluatedModules.clear()`,
// an invalidated module whose code did not change) runs it without compiling, with the
// functions V8 compiled lazily during earlier runs. A module whose code changed is compiled
// anew, since the source must be the very same string.
//
// `codeCache` is the seam for a store of V8 code cache bytes (`vm.Script` `cachedData`), e.g.
// one on disk serving restarts: `get(key, source)` returns the bytes made for exactly `source`
// under `key` (the module id), `set(key, source, bytes)` stores them. V8 checks cache data only
// against the source's length, so a store must match the full source (or a hash of it), never
// the key alone. Bytes are made after the module's first evaluation, so functions compiled
// lazily while it ran are included. Without a store no bytes are made: in memory the kept
// scripts are cheaper than deserialising cache data (see README, "Module evaluation").
// ---------------------------------------------------------------------------

/** A `codeCache` store in memory (a reference implementation of the seam). */
export class MemoryCodeCache {
  #entries = new Map();

  get(key, source) {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.source === source ? entry.data : undefined;
  }

  set(key, source, data) {
    this.#entries.set(key, { source, data });
  }

  delete(key) {
    this.#entries.delete(key);
  }

  clear() {
    this.#entries.clear();
  }

  get size() {
    return this.#entries.size;
  }
}

const CACHE_DATA_DELAY_MS = 2000;
const CACHE_DATA_SLICE = 100;

function makeCacheData(entries) {
  for (const { id, source, script, store } of entries) {
    try {
      store.set(id, source, script.createCachedData());
    } catch {
      // No cache data (the engine refused, or the store failed): compiled next time.
    }
  }
}

export class ESModulesEvaluator {
  // Module id → { code, lazyMap, script }: the last script compiled for the module.
  #scripts = new Map();
  #scriptPrefix;

  /** `options.codeCache`: a store of V8 code cache bytes (see above); none by default. */
  constructor(options = {}) {
    // +1: the `"use strict";` line prepended in runInlinedModule.
    this.startOffset = functionHeaderLineCount() + 1;
    this.#scriptPrefix = scriptPrefix(this.startOffset);
    this.codeCache = vm ? options.codeCache : undefined;
  }

  /** Compiled with `vm.Script` by this class's own `runInlinedModule` (not a subclass's). */
  get [LAZY_SOURCE_MAPS]() {
    return vm !== undefined && this.runInlinedModule === ESModulesEvaluator.prototype.runInlinedModule;
  }

  /** Forgets the compiled scripts and cache bytes kept for reuse. */
  clearCompiledCode() {
    this.#scripts.clear();
  }

  /**
   * Compiles `code` as a module function: `{ run, evaluated }`, where `evaluated()` is to be
   * called after a successful first evaluation. `id` names the script (frames report it, like
   * the `sourceURL` the server adds to inline-mapped code) and keys the reuse. `lazyMap`: the
   * code's map is kept aside by the runner (the code has no inline map).
   */
  compileModule(code, id, lazyMap = false) {
    if (!vm || id === undefined) {
      // Modules are always strict; on its own line so startOffset stays exact.
      return { run: new AsyncFunction(...PARAMETERS, `"use strict";\n${code}`), evaluated: undefined };
    }
    const kept = this.#scripts.get(id);
    let script;
    let store;
    // The same code (usually the very string the runner kept) gives the same source: no need
    // to build it and compare it whole.
    if (kept !== undefined && kept.lazyMap === lazyMap && kept.code === code) {
      script = kept.script;
    } else {
      const source = this.#scriptPrefix + code + (lazyMap ? LAZY_MAP_SUFFIX : SCRIPT_SUFFIX);
      const cachedData = this.codeCache?.get(id, source);
      script = new vm.Script(source, {
        filename: scriptNameOf(id),
        cachedData,
        importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
      });
      this.#scripts.set(id, { code, lazyMap, script });
      if (this.codeCache && (cachedData === undefined || script.cachedDataRejected === true)) {
        store = () => this.#queueCacheData(id, source, script, this.codeCache);
      }
    }
    const run = script.runInThisContext();
    // V8 names the frames of `new AsyncFunction` code `eval`; Vite's stack traces show that name.
    Object.defineProperty(run, 'name', { value: 'eval' });
    return { run, evaluated: store };
  }

  // Cache bytes are made a while after a module's first evaluation, off the request that
  // evaluated it: `createCachedData` costs about as much as a compile, and the later it runs
  // the more lazily compiled functions (those the first requests called) it includes.
  #pendingCacheData = [];
  #cacheDataTimer;

  #queueCacheData(id, source, script, store) {
    this.#pendingCacheData.push({ id, source, script, store });
    if (this.#cacheDataTimer === undefined) {
      this.#cacheDataTimer = setTimeout(() => this.#makeCacheDataInSlices(), CACHE_DATA_DELAY_MS);
      this.#cacheDataTimer.unref?.();
    }
  }

  // A slice at a time, so a request arriving meanwhile waits for one slice at most.
  #makeCacheDataInSlices() {
    this.#cacheDataTimer = undefined;
    const slice = this.#pendingCacheData.splice(0, CACHE_DATA_SLICE);
    makeCacheData(slice);
    if (this.#pendingCacheData.length > 0 && this.#cacheDataTimer === undefined) {
      this.#cacheDataTimer = setTimeout(() => this.#makeCacheDataInSlices(), 0);
      this.#cacheDataTimer.unref?.();
    }
  }

  /**
   * Makes and stores the cache bytes of every module evaluated since the last time, now (the
   * runner calls it when it closes, the environment before its store closes).
   */
  flushCodeCache() {
    clearTimeout(this.#cacheDataTimer);
    this.#cacheDataTimer = undefined;
    makeCacheData(this.#pendingCacheData.splice(0));
  }

  async runInlinedModule(context, code, mod) {
    const { run, evaluated } = this.compileModule(code, mod?.id, !!mod?.meta?.[MODULE_SOURCE_MAP]);
    await run(
      context[ssrModuleExportsKey],
      context[ssrImportMetaKey],
      context[ssrImportKey],
      context[ssrDynamicImportKey],
      context[ssrExportAllKey],
      context[ssrExportNameKey],
    );
    evaluated?.();
    // A namespace object gains no new exports after evaluation.
    Object.seal(context[ssrModuleExportsKey]);
  }

  runExternalModule(file) {
    return import(file);
  }
}
