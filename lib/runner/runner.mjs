// ModuleRunner: fetches transformed modules from the server over a transport
// and evaluates them, keeping a runner-side module graph.

import {
  ESModulesEvaluator,
  ssrDynamicImportKey,
  ssrExportAllKey,
  ssrExportNameKey,
  ssrImportKey,
  ssrImportMetaKey,
  ssrModuleExportsKey,
} from './evaluator.mjs';
import { EvaluatedModules } from './evaluated-modules.mjs';
import { createDefaultImportMeta } from './import-meta.mjs';
import { HmrClient, HotContext, createRunnerHmrHandler, defaultHmrLogger, silentLogger } from './hmr.mjs';
import { dirnamePosix, posixPathToFileHref, resolvePosix, stripQuery } from './paths.mjs';
import { enableSourceMaps } from './sourcemap.mjs';
import { normalizeTransport } from './transport.mjs';

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
  // Builtins list from the server, fetched once.
  #isBuiltin;
  #builtinsLoading;
  #closed = false;
  #resetSourceMaps;
  // "Waits-for" edges between module evaluations: requesterId → (targetId →
  // number of pending awaits). Used to detect import cycles that would
  // otherwise deadlock (see #wouldDeadlock).
  #waits = new Map();
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
        this.transport.connect(createRunnerHmrHandler(this));
      } else {
        // As in Vite, HMR is on unless `hmr: false`, and needs a transport that can receive.
        throw new Error('HMR is not supported by this runner transport, but `hmr` option was set to true');
      }
    } else {
      this.transport.connect?.();
    }

    if (options.sourcemapInterceptor !== false) {
      this.#resetSourceMaps = enableSourceMaps(this);
    }
  }

  /** Imports a module by server URL, file path or root-relative id. */
  async import(url) {
    const generation = ++this.#generation;
    this.#forgetSettledFailures();
    this.#activeGenerations.add(generation);
    try {
      const mod = await this.cachedModule(url);
      return await this.cachedRequest(url, mod);
    } finally {
      this.#activeGenerations.delete(generation);
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
  // Cycle detection
  //
  // Awaiting a module that is still evaluating deadlocks if that module is
  // (transitively) waiting for the requester; ESM semantics then hand out the
  // partially initialized namespace instead. Rather than walking the static
  // import graph from the requested module on every request (quadratic on
  // large graphs, vitejs/vite#20084), we keep the set of *live* waits between
  // evaluations and only walk those. Evaluated modules never reach this check
  // (fast path in cachedRequest), and the live-wait graph only contains
  // modules blocked right now — for sequential static imports that is a single
  // chain, so the walk is bounded by the current import depth.
  // -------------------------------------------------------------------------

  #addWait(fromId, toId) {
    let targets = this.#waits.get(fromId);
    if (!targets) this.#waits.set(fromId, (targets = new Map()));
    targets.set(toId, (targets.get(toId) ?? 0) + 1);
  }

  #removeWait(fromId, toId) {
    const targets = this.#waits.get(fromId);
    if (!targets) return;
    const count = (targets.get(toId) ?? 1) - 1;
    if (count > 0) targets.set(toId, count);
    else {
      targets.delete(toId);
      if (targets.size === 0) this.#waits.delete(fromId);
    }
  }

  async #awaitAs(requesterId, mod, promise) {
    if (!requesterId) return promise;
    this.#addWait(requesterId, mod.id);
    try {
      return await promise;
    } finally {
      this.#removeWait(requesterId, mod.id);
    }
  }

  /** True when waiting for in-flight `mod` from `callstack` could never finish. */
  #wouldDeadlock(mod, callstack) {
    // The requested module is one of our own (lexical) importers.
    if (callstack.includes(mod.id)) return true;
    if (this.#waits.size === 0) return false;
    const onStack = new Set(callstack);
    const seen = new Set([mod.id]);
    const pending = [mod.id];
    while (pending.length > 0) {
      const targets = this.#waits.get(pending.pop());
      if (!targets) continue;
      for (const id of targets.keys()) {
        if (seen.has(id)) continue;
        seen.add(id);
        const node = this.evaluatedModules.getModuleById(id);
        // Finished evaluations cannot be part of a deadlock (vitejs/vite#22999).
        if (!node || !node.promise || node.evaluated) continue;
        if (onStack.has(id)) return true;
        pending.push(id);
      }
    }
    return false;
  }

  // -------------------------------------------------------------------------

  #finishImport(exports, meta, metadata) {
    if ('externalize' in meta && (meta.type === 'module' || meta.type === 'commonjs')) {
      checkExternalNamedImports(exports, meta.url, meta.type, metadata);
    }
    return exports;
  }

  /** Evaluates `mod` (once) and returns its namespace. */
  async cachedRequest(url, mod, callstack = [], metadata) {
    const meta = mod.meta;
    const moduleId = meta.id;
    const requesterId = callstack[callstack.length - 1];
    if (requesterId) mod.importers.add(requesterId);

    // Already evaluated (or failed in this import graph): no cycle possible.
    if (mod.evaluated && mod.promise) {
      return this.#finishImport(await mod.promise, meta, metadata);
    }

    // Currently evaluating: share the evaluation, unless that would deadlock.
    if (mod.promise) {
      if (mod.exports && this.#wouldDeadlock(mod, callstack)) {
        return this.#finishImport(mod.exports, meta, metadata);
      }
      return this.#finishImport(await this.#awaitAs(requesterId, mod, mod.promise), meta, metadata);
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
    if (requesterId) this.#addWait(requesterId, moduleId);
    try {
      const promise = this.directRequest(url, mod, callstack);
      mod.promise = promise;
      mod.evaluated = false;
      promise.then(
        () => this.#failures.delete(mod),
        () => this.#recordFailure(mod, promise),
      );
      return this.#finishImport(await promise, meta, metadata);
    } finally {
      if (requesterId) this.#removeWait(requesterId, moduleId);
      mod.evaluated = true;
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
    const result =
      url.startsWith('data:') || this.#isBuiltin?.(url)
        ? { externalize: url, type: 'builtin' }
        : await this.transport.invoke('fetchModule', [
            url,
            importer,
            { cached: hasMeta, startOffset: this.evaluator.startOffset },
          ]);

    if ('cache' in result) {
      if (!known || !known.meta) throw new Error(`Module "${url}" was mistakenly invalidated during fetch phase.`);
      return known;
    }
    const id = 'externalize' in result ? result.externalize : result.id;
    const moduleUrl = 'url' in result ? result.url : url;
    const mod = this.evaluatedModules.ensureModule(id, moduleUrl);
    if ('invalidate' in result && result.invalidate) this.evaluatedModules.invalidateModule(mod);
    result.url = moduleUrl;
    result.id = id;
    mod.meta = result;
    return mod;
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
      return this.cachedRequest(dep, depMod, callstack, metadata);
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

    const context = {
      [ssrImportKey]: request,
      [ssrDynamicImportKey]: dynamicRequest,
      [ssrModuleExportsKey]: exports,
      [ssrExportAllKey]: (source) => reexportAll(exports, source),
      [ssrExportNameKey]: (name, getter) =>
        Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: getter }),
      [ssrImportMetaKey]: importMeta,
    };
    this.debug?.('[module runner] executing', posixPathToFileHref(modulePath));
    await this.evaluator.runInlinedModule(context, code, mod);
    return exports;
  }
}
