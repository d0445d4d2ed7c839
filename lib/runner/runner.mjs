// ModuleRunner: fetches transformed modules from the server over a transport
// and evaluates them, keeping a runner-side module graph.

import { ESModulesEvaluator, LAZY_SOURCE_MAPS, scriptNameOf } from './evaluator.mjs';
import { EvaluatedModules, HELD_RESULT, MODULE_SOURCE_MAP, SAME_RESULT } from './evaluated-modules.mjs';
import { createDefaultImportMeta } from './import-meta.mjs';
import { HmrClient, HotContext, NOTE_FULL_RELOAD, createRunnerHmrHandler, defaultHmrLogger, silentLogger } from './hmr.mjs';
import { dirnamePosix, posixPathToFileHref, resolvePosix, stripQuery, toSlash } from './paths.mjs';
import { enableSourceMaps, nodeSourceMapsEnabled, registerSourceMapWithNode } from './sourcemap.mjs';
import { normalizeTransport } from './transport.mjs';

let inspector;
/**
 * True when a debugger may be attached (the inspector is open): modules are then fetched with
 * their inline map, which the debugger reads from the code.
 */
function debuggerAttached() {
  if (inspector === undefined) {
    try {
      inspector = (typeof process !== 'undefined' && process.getBuiltinModule?.('node:inspector')) || null;
    } catch {
      inspector = null;
    }
  }
  return inspector !== null && inspector.url() !== undefined;
}

// How long a cycle of waits may stay held for an older import that never arrives.
const HELD_CYCLE_FALLBACK_MS = 1000;

/** Orders serial-order keys: older top-level import first, then entry order. */
function compareKeys(a, b) {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return a.generation - b.generation || a.sequence - b.sequence;
}

function isPrimitive(value) {
  return !value || (typeof value !== 'object' && typeof value !== 'function');
}

/** Builds the `isBuiltin` predicate from the server's list (strings and serialized RegExps). */
function builtinMatcher(list) {
  const names = new Set();
  const patterns = [];
  for (const entry of list) {
    if (typeof entry === 'string') names.add(entry);
    else if (entry && typeof entry === 'object' && 'type' in entry) {
      if (entry.type === 'string') names.add(entry.value);
      else patterns.push(new RegExp(entry.source, entry.flags));
    } else if (entry instanceof RegExp) patterns.push(entry);
  }
  return (id) => names.has(id) || patterns.some((re) => re.test(id));
}

/**
 * Static imports of externals are turned into `await __vite_ssr_import__(id,
 * {importedNames})` by the server. Node would reject a missing named export at
 * link time; reproduce that error here so dev matches production.
 */
function checkExternalNamedImports(namespace, rawId, moduleType, metadata) {
  if (metadata?.isDynamicImport || !metadata?.importedNames?.length) return;
  const missing = metadata.importedNames.filter((name) => !(name in namespace));
  if (missing.length === 0) return;
  const last = missing[missing.length - 1];
  if (moduleType === 'module') {
    throw new SyntaxError(`[vite] The requested module '${rawId}' does not provide an export named '${last}'`);
  }
  throw new SyntaxError(
    `[vite] Named export '${last}' not found. The requested module '${rawId}' is a CommonJS module, which may not support all module.exports as named exports.\n` +
      `CommonJS modules can always be imported via the default export, for example using:\n\n` +
      `import pkg from '${rawId}';\n` +
      `const {${missing.join(', ')}} = pkg;\n`,
  );
}

/** `export * from` — live getters for every key not already exported. */
function reexportAll(exports, source) {
  if (exports === source) return;
  if (isPrimitive(source) || Array.isArray(source) || source instanceof Promise) return;
  for (const key in source) {
    if (key === 'default' || key === '__esModule' || key in exports) continue;
    try {
      Object.defineProperty(exports, key, {
        enumerable: true,
        configurable: true,
        get: () => source[key],
      });
    } catch {
      // Sealed namespaces or non-configurable keys: skip like Vite does.
    }
  }
}

export class ModuleRunner {
  // Pending fetches per URL, so concurrent imports of one URL fetch once.
  #inflightFetches = new Map();
  // The files of full reloads received while each pending fetch waited (see #fetchModuleInfo).
  #reloadsDuringFetches = new Set();
  #onHmrMessage;
  // Builtins list from the server, fetched once.
  #isBuiltin;
  #builtinsLoading;
  #closed = false;
  #resetSourceMaps;
  // The evaluator compiles where Node's source map support does not look (see sourcemap.mjs).
  #lazyEvaluator;
  // The server keeps maps for us (an in-process server of ours and an evaluator that takes code
  // without them): fetches ask for `lazySourceMap`.
  #lazySourceMaps;
  #registerMapsOnEvaluation = false;
  // With lazy source maps: the last answer with code per url, kept across `evaluatedModules`
  // clears and full reloads. The server confirms it is still current (see #fetchModuleInfo).
  #heldResults = new Map();
  // "Waits-for" edges between module evaluations: requesterId → (targetId →
  // set of pending waits, each releasable). See "Waits between evaluations".
  #waits = new Map();
  // Serial-order key of every evaluation in flight: id → { generation, sequence }.
  #evaluationOrder = new Map();
  #orderSequence = 0;
  // Cycles of waits left unbroken until no older import can enter them (see #breakHeldCycles).
  #heldCycles = new Set();
  #heldCycleTimer;
  #heldCycleTimeout = false;
  // Failed evaluations and the import generation they failed in; see
  // #forgetSettledFailures.
  #failures = new Map();
  #generation = 0;
  #activeGenerations = new Set();

  constructor(options, evaluator = new ESModulesEvaluator(), debug) {
    this.options = options;
    this.evaluator = evaluator;
    this.debug = debug;
    this.evaluatedModules = options.evaluatedModules ?? new EvaluatedModules();
    this.transport = normalizeTransport(options.transport);
    this.hmrClient = undefined;

    if (options.hmr !== false) {
      const hmrOption = options.hmr ?? true;
      if (this.transport.connect) {
        const logger =
          hmrOption === true || hmrOption.logger === undefined
            ? defaultHmrLogger
            : hmrOption.logger === false
              ? silentLogger
              : hmrOption.logger;
        this.hmrClient = new HmrClient(logger, this.transport, ({ acceptedPath }) => this.import(acceptedPath));
        this.#onHmrMessage = createRunnerHmrHandler(this);
        this.transport.connect(this.#onHmrMessage);
      } else {
        // As in Vite, HMR is on unless `hmr: false`, and needs a transport that can receive.
        throw new Error('HMR is not supported by this runner transport, but `hmr` option was set to true');
      }
    } else {
      this.transport.connect?.();
    }

    this.#lazyEvaluator = evaluator[LAZY_SOURCE_MAPS] === true;
    this.#lazySourceMaps = this.#lazyEvaluator && this.transport[LAZY_SOURCE_MAPS] === true;
    const sourceMaps = enableSourceMaps(this, this.#lazyEvaluator);
    this.#resetSourceMaps = sourceMaps.undo;
    this.#registerMapsOnEvaluation = sourceMaps.registerOnEvaluation;
  }

  /** Imports a module by server URL, file path or root-relative id. */
  async import(url) {
    const generation = ++this.#generation;
    this.#forgetSettledFailures();
    this.#activeGenerations.add(generation);
    try {
      const mod = await this.cachedModule(url);
      return await this.#cachedRequest(url, mod, [], undefined, generation);
    } finally {
      this.#activeGenerations.delete(generation);
      if (this.#heldCycles.size > 0) this.#breakHeldCycles();
    }
  }

  /** Clears the module graph and all HMR state. */
  clearCache() {
    this.evaluatedModules.clear();
    this.hmrClient?.clear();
    this.#failures.clear();
  }

  /** Clears caches, detaches source map support and disconnects the transport. */
  async close() {
    this.#resetSourceMaps?.();
    this.#resetSourceMaps = undefined;
    this.clearCache();
    this.#heldResults.clear();
    this.evaluator.flushCodeCache?.();
    this.evaluator.clearCompiledCode?.();
    this.hmrClient = undefined;
    this.#closed = true;
    await this.transport.disconnect?.();
  }

  isClosed() {
    return this.#closed;
  }

  // -------------------------------------------------------------------------
  // Failure recovery
  //
  // A module whose evaluation threw keeps its rejected promise so every other
  // importer in the same import graph sees the same error (like ESM's
  // "evaluation error" state). But unlike a real ESM loader, a dev runner
  // lives across file edits: once every top-level import that could have
  // observed the failure has finished, the next `import()` forgets it, so the
  // module (and its importers, which failed with it) are evaluated again and
  // can pick up the fixed code. `meta` is kept: the server answers `cache`
  // for unchanged code and sends the new code for edited files.
  // -------------------------------------------------------------------------

  #recordFailure(mod, promise) {
    // Ignore failures of a promise that was already replaced (HMR re-run).
    if (mod.promise === promise) this.#failures.set(mod, { promise, generation: this.#generation });
  }

  #forgetSettledFailures() {
    if (this.#failures.size === 0) return;
    let oldestActive = Infinity;
    for (const generation of this.#activeGenerations) if (generation < oldestActive) oldestActive = generation;
    for (const [mod, failure] of this.#failures) {
      if (failure.generation >= oldestActive) continue;
      this.#failures.delete(mod);
      if (mod.promise !== failure.promise) continue;
      mod.promise = undefined;
      mod.evaluated = false;
      mod.exports = undefined;
      mod.imports.clear();
    }
  }

  // -------------------------------------------------------------------------
  // Waits between evaluations, and cycles among them
  //
  // A module that is still evaluating is awaited, whoever started it, unless
  // the wait would close a cycle of waiting modules; then one edge of the cycle
  // is given the partially initialized namespace instead, as ESM does. Only
  // live waits are kept (not the static import graph, which made Vite's check
  // quadratic: vitejs/vite#20084), so a walk is bounded by the modules blocked
  // right now. Which edge is broken follows serial order: every evaluation
  // carries the key (generation of the top-level import, sequence) under which
  // a one-import-at-a-time run would enter it, and the module with the smallest
  // key in the cycle is the one its predecessor gets half-done. A concurrent
  // import may close the cycle at another edge than the serial run would; the
  // wait at the serial edge is then released instead (issue 10).
  // -------------------------------------------------------------------------

  #addWait(fromId, toId, record) {
    let targets = this.#waits.get(fromId);
    if (!targets) this.#waits.set(fromId, (targets = new Map()));
    let records = targets.get(toId);
    if (!records) targets.set(toId, (records = new Set()));
    records.add(record);
  }

  #removeWait(fromId, toId, record) {
    const targets = this.#waits.get(fromId);
    const records = targets?.get(toId);
    if (!records) return;
    records.delete(record);
    if (records.size > 0) return;
    targets.delete(toId);
    if (targets.size === 0) this.#waits.delete(fromId);
  }

  /** Awaits `promise` (the evaluation of `mod`) as a wait of `requesterId`, which a cycle may release early. */
  async #waitFor(requesterId, mod, promise) {
    if (!requesterId) return promise;
    const record = {};
    this.#addWait(requesterId, mod.id, record);
    try {
      return await new Promise((resolve, reject) => {
        record.release = resolve;
        promise.then(resolve, reject);
      });
    } finally {
      this.#removeWait(requesterId, mod.id, record);
    }
  }

  #isEvaluating(id) {
    const node = this.evaluatedModules.getModuleById(id);
    return !!node && !!node.promise && !node.evaluated;
  }

  #newOrderKey(generation) {
    return { generation, sequence: ++this.#orderSequence };
  }

  /** The serial-order key of the evaluation that requests a module (or of the top-level import). */
  #requesterKey(requesterId, generation) {
    return (requesterId && this.#evaluationOrder.get(requesterId)) || this.#newOrderKey(generation);
  }

  /**
   * Walks the live waits from in-flight `mod`: a serial run would have entered every module
   * found there from the requester's import, so an older requester adopts them. Returns the
   * waiting path `mod → … → requester` when one exists (waiting would close a cycle).
   */
  #adoptAndFindCycle(mod, requesterId, requesterKey) {
    const cameFrom = new Map([[mod.id, undefined]]);
    const pending = [mod.id];
    let found = false;
    for (let index = 0; index < pending.length; index++) {
      const id = pending[index];
      const key = this.#evaluationOrder.get(id);
      if (key && key.generation > requesterKey.generation) {
        this.#evaluationOrder.set(id, this.#newOrderKey(requesterKey.generation));
      }
      if (id === requesterId) {
        found = true;
        continue;
      }
      const targets = this.#waits.get(id);
      if (!targets) continue;
      for (const target of targets.keys()) {
        if (cameFrom.has(target)) continue;
        // Finished evaluations cannot be part of a cycle (vitejs/vite#22999).
        if (!this.#isEvaluating(target)) continue;
        cameFrom.set(target, id);
        pending.push(target);
      }
    }
    if (!found) return undefined;
    const path = [];
    for (let id = requesterId; id !== undefined; id = cameFrom.get(id)) path.push(id);
    return path.reverse();
  }

  /** Resolves the waits of `fromId` on `toId` with `toId`'s partial namespace. */
  #releaseWait(fromId, toId, exports) {
    const records = this.#waits.get(fromId)?.get(toId);
    if (!records) return false;
    for (const record of records) record.release(exports);
    return true;
  }

  /**
   * Before `requesterId` waits for in-flight `mod`: true when it must take `mod`'s partial
   * namespace now. When the cycle should break at another edge, that wait is released.
   */
  #breaksCycleHere(mod, requesterId, generation) {
    const requesterKey = this.#requesterKey(requesterId, generation);
    if (!requesterId) {
      this.#adoptAndFindCycle(mod, undefined, requesterKey);
      return false;
    }
    // Cycle: requester → mod → … → requester.
    const path = this.#adoptAndFindCycle(mod, requesterId, requesterKey);
    if (!path) {
      if (this.#heldCycles.size > 0) queueMicrotask(() => this.#breakHeldCycles());
      return false;
    }
    const first = this.#serialFirst(path);
    if (first === 0) {
      const key = this.#evaluationOrder.get(path[0]);
      if (!key || key.generation <= this.#oldestActiveGeneration()) return true;
    }
    // The requester waits (its edge closes the cycle); the break is made, or held until no
    // older import could still enter this cycle first.
    this.#heldCycles.add(path);
    queueMicrotask(() => this.#breakHeldCycles());
    return false;
  }

  /** Index in the cycle `path` (closed by last → first) of the module a serial run enters first. */
  #serialFirst(path) {
    let first = 0;
    for (let index = 1; index < path.length; index++) {
      if (compareKeys(this.#evaluationOrder.get(path[index]), this.#evaluationOrder.get(path[first])) < 0) first = index;
    }
    return first;
  }

  #oldestActiveGeneration() {
    let oldest = Infinity;
    for (const generation of this.#activeGenerations) if (generation < oldest) oldest = generation;
    return oldest;
  }

  /**
   * Breaks every held cycle that no older import can enter any more: its first module's
   * importer in the cycle gets the partial namespace. Cycles already broken are dropped.
   */
  #breakHeldCycles() {
    if (this.#heldCycles.size === 0) return;
    const oldest = this.#oldestActiveGeneration();
    for (const path of this.#heldCycles) {
      const live = path.every(
        (id, index) => this.#isEvaluating(id) && this.#waits.get(id)?.has(path[(index + 1) % path.length]),
      );
      if (!live) {
        this.#heldCycles.delete(path);
        continue;
      }
      const first = this.#serialFirst(path);
      const key = this.#evaluationOrder.get(path[first]);
      // Untracked waits (an import started from a module's own code) could keep an older
      // import from ever finishing: the fallback timer breaks the cycle anyway.
      if (key && key.generation > oldest && !this.#heldCycleTimeout) continue;
      const firstNode = this.evaluatedModules.getModuleById(path[first]);
      if (!firstNode?.exports) continue;
      this.#heldCycles.delete(path);
      this.#releaseWait(path[(first + path.length - 1) % path.length], path[first], firstNode.exports);
    }
    this.#heldCycleTimeout = false;
    clearTimeout(this.#heldCycleTimer);
    this.#heldCycleTimer = undefined;
    if (this.#heldCycles.size > 0) {
      this.#heldCycleTimer = setTimeout(() => {
        this.#heldCycleTimeout = true;
        this.#breakHeldCycles();
      }, HELD_CYCLE_FALLBACK_MS);
    }
  }

  // -------------------------------------------------------------------------

  #finishImport(exports, meta, metadata) {
    if ('externalize' in meta && (meta.type === 'module' || meta.type === 'commonjs')) {
      checkExternalNamedImports(exports, meta.url, meta.type, metadata);
    }
    return exports;
  }

  /** Evaluates `mod` (once) and returns its namespace. */
  cachedRequest(url, mod, callstack = [], metadata) {
    return this.#cachedRequest(url, mod, callstack, metadata, this.#generation);
  }

  async #cachedRequest(url, mod, callstack, metadata, generation) {
    const meta = mod.meta;
    const moduleId = meta.id;
    const requesterId = callstack[callstack.length - 1];
    if (requesterId) mod.importers.add(requesterId);

    // Already evaluated (or failed in this import graph): no cycle possible.
    if (mod.evaluated && mod.promise) {
      return this.#finishImport(await mod.promise, meta, metadata);
    }

    // Currently evaluating: share the evaluation, unless waiting would close a cycle.
    if (mod.promise) {
      // A module that has not started its code yet waits on nothing: no cycle through it.
      if (this.#breaksCycleHere(mod, requesterId, generation) && mod.exports) {
        return this.#finishImport(mod.exports, meta, metadata);
      }
      return this.#finishImport(await this.#waitFor(requesterId, mod, mod.promise), meta, metadata);
    }

    let slowTimer;
    if (this.debug) {
      slowTimer = setTimeout(() => {
        const chain = [...callstack, moduleId]
          .reverse()
          .map((id) => `  - ${id}`)
          .join('\n');
        this.debug(`[module runner] module ${moduleId} takes over 2s to load.\nstack:\n${chain}`);
      }, 2000);
    }
    this.#evaluationOrder.set(moduleId, this.#newOrderKey(this.#requesterKey(requesterId, generation).generation));
    try {
      const promise = this.directRequest(url, mod, callstack);
      mod.promise = promise;
      mod.evaluated = false;
      const settle = () => {
        // A wait released by a cycle returns before the evaluation ends.
        if (mod.promise === promise) mod.evaluated = true;
        if (this.#evaluationOrder.get(moduleId) && !this.#isEvaluating(moduleId)) this.#evaluationOrder.delete(moduleId);
      };
      promise.then(
        () => {
          this.#failures.delete(mod);
          settle();
        },
        () => {
          this.#recordFailure(mod, promise);
          settle();
        },
      );
      return this.#finishImport(await this.#waitFor(requesterId, mod, promise), meta, metadata);
    } finally {
      if (slowTimer) clearTimeout(slowTimer);
    }
  }

  /** Fetch info for `url`; concurrent calls for the same URL share one fetch. */
  cachedModule(url, importer) {
    let pending = this.#inflightFetches.get(url);
    if (pending) {
      this.debug?.('[module runner] using cached module info for', url);
      return pending;
    }
    const known = this.evaluatedModules.getModuleByUrl(url);
    pending = this.#fetchModuleInfo(url, importer, known).finally(() => {
      this.#inflightFetches.delete(url);
    });
    this.#inflightFetches.set(url, pending);
    return pending;
  }

  #ensureBuiltins() {
    if (this.#isBuiltin) return undefined;
    this.#builtinsLoading ??= (async () => {
      try {
        this.debug?.('[module runner] fetching builtins from server');
        const list = await this.transport.invoke('getBuiltins', []);
        this.#isBuiltin = builtinMatcher(list);
        this.debug?.('[module runner] builtins loaded:', list);
      } finally {
        this.#builtinsLoading = undefined;
      }
    })();
    return this.#builtinsLoading;
  }

  async #fetchModuleInfo(url, importer, known) {
    if (this.#closed) throw new Error('Vite module runner has been closed.');
    await this.#ensureBuiltins();
    this.debug?.('[module runner] fetching', url);
    const hasMeta = !!(known && known.meta);
    // Builtins and data: URLs never need the server.
    const reloads = { files: new Set(), all: false };
    this.#reloadsDuringFetches.add(reloads);
    const lazy = this.#lazySourceMaps && !debuggerAttached();
    // The answer this runner got for `url` before (a full reload cleared the graph): an
    // in-process server of ours answers "same" when it would send that very transform result.
    const held = lazy && !hasMeta ? this.#heldResults.get(url) : undefined;
    let result;
    try {
      result =
        url.startsWith('data:') || this.#isBuiltin?.(url)
          ? { externalize: url, type: 'builtin' }
          : await this.transport.invoke('fetchModule', [
              url,
              importer,
              lazy
                ? held
                  ? {
                      cached: false,
                      startOffset: this.evaluator.startOffset,
                      lazySourceMap: true,
                      [HELD_RESULT]: held[MODULE_SOURCE_MAP].handle,
                    }
                  : { cached: hasMeta, startOffset: this.evaluator.startOffset, lazySourceMap: true }
                : { cached: hasMeta, startOffset: this.evaluator.startOffset },
            ]);
    } finally {
      this.#reloadsDuringFetches.delete(reloads);
    }

    if ('cache' in result) {
      if (!known || !known.meta) throw new Error(`Module "${url}" was mistakenly invalidated during fetch phase.`);
      return known;
    }
    if (result[SAME_RESULT] === true) {
      if (!held) throw new Error(`Module "${url}" was answered as held, but the runner holds no answer for it.`);
      // A new object, as a new answer would be: what was done per answer (e.g. handing its map
      // to Node, whose entry for the script name another runner may have replaced) is done again.
      result = { ...held, invalidate: result.invalidate };
    }
    const id = 'externalize' in result ? result.externalize : result.id;
    const moduleUrl = 'url' in result ? result.url : url;
    const mod = this.evaluatedModules.ensureModule(id, moduleUrl);
    if ('invalidate' in result && result.invalidate) this.evaluatedModules.invalidateModule(mod);
    result.url = moduleUrl;
    result.id = id;
    mod.meta = result;
    if (lazy && result[MODULE_SOURCE_MAP]) this.#heldResults.set(url, result);
    // A full reload of this module's file that arrived while it was fetched found no module to
    // reload, and the answer may hold the code from before the edit: it would be evaluated and
    // kept. Vite's runner has this race; replay the reload now that the module is in the graph.
    const file = result.file && toSlash(result.file);
    if (this.hmrClient && file && (reloads.all || reloads.files.has(file))) {
      this.#onHmrMessage?.({ type: 'full-reload', triggeredBy: file });
    }
    return mod;
  }

  /** Called by the HMR handler for every full reload: pending fetches note its file. */
  [NOTE_FULL_RELOAD](triggeredBy) {
    for (const reloads of this.#reloadsDuringFetches) {
      if (triggeredBy) reloads.files.add(toSlash(triggeredBy));
      else reloads.all = true;
    }
  }

  /**
   * Evaluates `mod` (fetch result in `mod.meta`). Subclasses may override this
   * to observe or wrap evaluation.
   */
  async directRequest(url, mod, _callstack) {
    const meta = mod.meta;
    const moduleId = meta.id;
    const callstack = [..._callstack, moduleId];

    const request = async (dep, metadata) => {
      const importer = ('file' in meta && meta.file) || moduleId;
      const depMod = await this.cachedModule(dep, importer);
      depMod.importers.add(moduleId);
      mod.imports.add(depMod.id);
      return this.#cachedRequest(dep, depMod, callstack, metadata, this.#generation);
    };
    const dynamicRequest = async (dep) => {
      dep = String(dep);
      // Relative dynamic imports are relative to this module's URL.
      if (dep[0] === '.') dep = resolvePosix(dirnamePosix(url), dep);
      return request(dep, { isDynamicImport: true });
    };

    if ('externalize' in meta) {
      this.debug?.('[module runner] externalizing', meta.externalize);
      const exports = await this.evaluator.runExternalModule(meta.externalize);
      mod.exports = exports;
      return exports;
    }

    const { code, file } = meta;
    if (code == null) {
      const importer = callstack[callstack.length - 2];
      throw new Error(`[module runner] Failed to load "${url}"${importer ? ` imported from ${importer}` : ''}`);
    }

    const modulePath = stripQuery(file || moduleId);
    const createImportMeta = this.options.createImportMeta ?? createDefaultImportMeta;
    const importMeta = await createImportMeta(modulePath);

    // Namespace objects have a null prototype and the `Module` tag.
    const exports = Object.create(null);
    Object.defineProperty(exports, Symbol.toStringTag, {
      value: 'Module',
      enumerable: false,
      configurable: false,
    });
    // Published before evaluation so circular importers can see bindings.
    mod.exports = exports;

    if (this.hmrClient) {
      // Created lazily: most modules never touch import.meta.hot.
      let hot;
      Object.defineProperty(importMeta, 'hot', {
        enumerable: true,
        get: () => {
          if (!this.hmrClient) throw new Error('[module runner] HMR client was closed.');
          this.debug?.('[module runner] creating hmr context for', mod.url);
          hot ??= new HotContext(this.hmrClient, mod.url);
          return hot;
        },
        set: (value) => {
          hot = value;
        },
      });
    }

    // Literal keys (the values of the `ssr*Key` names): V8 builds the object from a boilerplate.
    const context = {
      __vite_ssr_import__: request,
      __vite_ssr_dynamic_import__: dynamicRequest,
      __vite_ssr_exports__: exports,
      __vite_ssr_exportAll__: (source) => reexportAll(exports, source),
      __vite_ssr_exportName__: (name, getter) =>
        Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: getter }),
      __vite_ssr_import_meta__: importMeta,
    };
    this.debug?.('[module runner] executing', posixPathToFileHref(modulePath));
    if (this.#registerMapsOnEvaluation && nodeSourceMapsEnabled()) registerSourceMapWithNode(scriptNameOf(mod.id), meta);
    await this.evaluator.runInlinedModule(context, code, mod);
    return exports;
  }
}
