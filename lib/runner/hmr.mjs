// HMR for the module runner: the `import.meta.hot` context, the client-side
// bookkeeping (accept callbacks, dispose/prune handlers, data, custom event
// listeners) and the handler for messages coming from the server.

import { toSlash } from './paths.mjs';

const noop = () => {};
export const silentLogger = { debug: noop, error: noop };
/** Default logger: everything goes to stdout with the `[vite]` tag. */
export const defaultHmrLogger = {
  debug: (...msg) => console.log('[vite]', ...msg),
  error: (error) => console.log('[vite]', error),
};

/** `import.meta.hot` of one module (keyed by the module's URL). */
export class HotContext {
  constructor(client, ownerPath) {
    this.hmrClient = client;
    this.ownerPath = ownerPath;
    if (!client.dataMap.has(ownerPath)) client.dataMap.set(ownerPath, {});

    // The module is being (re-)evaluated: its previous accept callbacks and
    // event listeners belong to the old instance and must not fire again.
    const hot = client.hotModulesMap.get(ownerPath);
    if (hot) hot.callbacks = [];
    const stale = client.ctxToListenersMap.get(ownerPath);
    if (stale) {
      for (const [event, staleFns] of stale) {
        const listeners = client.customListenersMap.get(event);
        if (listeners) {
          client.customListenersMap.set(
            event,
            listeners.filter((fn) => !staleFns.includes(fn)),
          );
        }
      }
    }
    this.newListeners = new Map();
    client.ctxToListenersMap.set(ownerPath, this.newListeners);
  }

  get data() {
    return this.hmrClient.dataMap.get(this.ownerPath);
  }

  accept(deps, callback) {
    if (typeof deps === 'function' || !deps) {
      // Self-accepting.
      this.#register([this.ownerPath], ([mod]) => deps?.(mod));
    } else if (typeof deps === 'string') {
      this.#register([deps], ([mod]) => callback?.(mod));
    } else if (Array.isArray(deps)) {
      this.#register(deps, callback);
    } else {
      throw new Error('invalid hot.accept() usage.');
    }
  }

  acceptExports(exportNames, callback) {
    const names = typeof exportNames === 'string' ? [exportNames] : exportNames;
    this.#register([this.ownerPath], ([mod]) => callback?.(mod), names);
  }

  dispose(cb) {
    this.hmrClient.disposeMap.set(this.ownerPath, cb);
  }

  prune(cb) {
    this.hmrClient.pruneMap.set(this.ownerPath, cb);
  }

  // Declining is a no-op in Vite as well; kept for API compatibility.
  decline() {}

  invalidate(message) {
    const firstInvalidatedBy = this.hmrClient.currentFirstInvalidatedBy ?? this.ownerPath;
    const payload = { path: this.ownerPath, message, firstInvalidatedBy };
    this.hmrClient.notifyListeners('vite:invalidate', payload);
    this.send('vite:invalidate', payload);
    this.hmrClient.logger.debug(`invalidate ${this.ownerPath}${message ? `: ${message}` : ''}`);
  }

  on(event, cb) {
    const add = (map) => {
      const list = map.get(event) || [];
      list.push(cb);
      map.set(event, list);
    };
    add(this.hmrClient.customListenersMap);
    add(this.newListeners);
  }

  off(event, cb) {
    const remove = (map) => {
      const list = map.get(event);
      if (list === undefined) return;
      const kept = list.filter((fn) => fn !== cb);
      if (kept.length === 0) map.delete(event);
      else map.set(event, kept);
    };
    remove(this.hmrClient.customListenersMap);
    remove(this.newListeners);
  }

  send(event, data) {
    this.hmrClient.send({ type: 'custom', event, data });
  }

  #register(deps, callback = () => {}, exports) {
    const map = this.hmrClient.hotModulesMap;
    const hot = map.get(this.ownerPath) || { id: this.ownerPath, callbacks: [] };
    hot.callbacks.push({ deps, fn: callback, exports });
    map.set(this.ownerPath, hot);
  }
}

export class HmrClient {
  constructor(logger, transport, importUpdatedModule) {
    this.logger = logger;
    this.transport = transport;
    this.importUpdatedModule = importUpdatedModule;
    this.hotModulesMap = new Map();
    this.disposeMap = new Map();
    this.pruneMap = new Map();
    this.dataMap = new Map();
    this.customListenersMap = new Map();
    this.ctxToListenersMap = new Map();
    this.currentFirstInvalidatedBy = undefined;
    this.updateQueue = [];
    this.pendingUpdateQueue = false;
  }

  async notifyListeners(event, data) {
    const listeners = this.customListenersMap.get(event);
    // One failing listener must not prevent the others from running.
    if (listeners) await Promise.allSettled(listeners.map((fn) => fn(data)));
  }

  send(payload) {
    this.transport.send(payload).catch((err) => this.logger.error(err));
  }

  clear() {
    this.hotModulesMap.clear();
    this.disposeMap.clear();
    this.pruneMap.clear();
    this.dataMap.clear();
    this.customListenersMap.clear();
    this.ctxToListenersMap.clear();
  }

  /** Modules that are no longer imported: run dispose, then prune, then drop their data. */
  async prunePaths(paths) {
    try {
      await Promise.all(paths.map((path) => this.disposeMap.get(path)?.(this.dataMap.get(path))));
      await Promise.all(paths.map((path) => this.pruneMap.get(path)?.(this.dataMap.get(path))));
    } finally {
      for (const path of paths) this.dataMap.delete(path);
    }
  }

  warnFailedUpdate(err, path) {
    // Fetch errors were already reported by the transport layer.
    if (!(err instanceof Error) || !err.message.includes('fetch')) this.logger.error(err);
    this.logger.error(
      `Failed to reload ${path}. This could be due to syntax errors or importing non-existent modules. (see errors above)`,
    );
  }

  /**
   * Updates triggered by one file change arrive as separate messages; fetch
   * them concurrently but apply their callbacks in arrival order.
   */
  async queueUpdate(update) {
    this.updateQueue.push(this.#fetchUpdate(update));
    if (this.pendingUpdateQueue) return;
    this.pendingUpdateQueue = true;
    await Promise.resolve();
    this.pendingUpdateQueue = false;
    const batch = this.updateQueue;
    this.updateQueue = [];
    for (const apply of await Promise.all(batch)) apply?.();
  }

  async #fetchUpdate(update) {
    const { path, acceptedPath, firstInvalidatedBy } = update;
    const hot = this.hotModulesMap.get(path);
    // Nobody accepts updates for this module (anymore).
    if (!hot) return undefined;
    const isSelfUpdate = path === acceptedPath;
    const callbacks = hot.callbacks.filter(({ deps }) => deps.includes(acceptedPath));
    let namespace;
    if (isSelfUpdate || callbacks.length > 0) {
      const dispose = this.disposeMap.get(acceptedPath);
      if (dispose) await dispose(this.dataMap.get(acceptedPath));
      try {
        namespace = await this.importUpdatedModule(update);
      } catch (err) {
        this.warnFailedUpdate(err, acceptedPath);
      }
    }
    return () => {
      try {
        this.currentFirstInvalidatedBy = firstInvalidatedBy;
        for (const { deps, fn } of callbacks) {
          fn(deps.map((dep) => (dep === acceptedPath ? namespace : undefined)));
        }
        this.logger.debug(`hot updated: ${isSelfUpdate ? path : `${acceptedPath} via ${path}`}`);
      } finally {
        this.currentFirstInvalidatedBy = undefined;
      }
    };
  }
}

/** Runs async jobs strictly one after another. */
function createSerialQueue() {
  let tail = Promise.resolve();
  return (job) => {
    const run = tail.then(job);
    // Keep the chain alive after a failure; the caller still sees the rejection.
    tail = run.catch(() => {});
    return run;
  };
}

/** URLs of modules that no evaluated module imports, reachable upward from `ids`. */
function findEntrypoints(graph, ids) {
  const seen = new Set();
  const entries = new Set();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop();
    if (seen.has(id)) continue;
    seen.add(id);
    const node = graph.getModuleById(id);
    if (!node) continue;
    if (node.importers.size === 0) entries.add(node.url);
    else for (const importer of node.importers) stack.push(importer);
  }
  return entries;
}

function allEntrypoints(graph) {
  const entries = new Set();
  for (const node of graph.idToModuleMap.values()) {
    if (node.importers.size === 0) entries.add(node.url);
  }
  return entries;
}

/** The runner's method that pending fetches learn of a full reload by (see `ModuleRunner`). */
export const NOTE_FULL_RELOAD = Symbol('vite-env-native.noteFullReload');

/** The `onMessage` handler given to the transport when HMR is enabled. */
export function createRunnerHmrHandler(runner) {
  const enqueue = createSerialQueue();
  return (payload) => enqueue(() => handleHmrPayload(runner, payload));
}

async function handleHmrPayload(runner, payload) {
  const client = runner.hmrClient;
  if (!client || runner.isClosed()) return undefined;
  switch (payload.type) {
    case 'connected':
      client.logger.debug('connected.');
      return undefined;
    case 'update':
      await client.notifyListeners('vite:beforeUpdate', payload);
      await Promise.all(
        payload.updates.map(async (update) => {
          if (update.type === 'js-update') return client.queueUpdate(update);
          client.logger.error('css hmr is not supported in runner mode.');
          return undefined;
        }),
      );
      await client.notifyListeners('vite:afterUpdate', payload);
      return undefined;
    case 'custom':
      await client.notifyListeners(payload.event, payload.data);
      return undefined;
    case 'full-reload': {
      const graph = runner.evaluatedModules;
      const { triggeredBy } = payload;
      runner[NOTE_FULL_RELOAD]?.(triggeredBy);
      let entries;
      if (triggeredBy) {
        const nodes = graph.getModulesByFile(toSlash(triggeredBy));
        entries = findEntrypoints(graph, nodes ? [...nodes].map((node) => node.id) : []);
      } else {
        entries = allEntrypoints(graph);
      }
      // The changed file is not part of what this runner executed.
      if (entries.size === 0) return undefined;
      client.logger.debug('program reload');
      await client.notifyListeners('vite:beforeFullReload', payload);
      graph.clear();
      for (const url of entries) {
        if (runner.isClosed()) break;
        try {
          await runner.import(url);
        } catch (err) {
          if (runner.isClosed()) break;
          if (err.code !== 'ERR_OUTDATED_OPTIMIZED_DEP') {
            client.logger.error(`An error happened during full reload\n${err.message}\n${err.stack}`);
          }
        }
      }
      return undefined;
    }
    case 'prune':
      await client.notifyListeners('vite:beforePrune', payload);
      await client.prunePaths(payload.paths);
      return undefined;
    case 'error': {
      await client.notifyListeners('vite:error', payload);
      const err = payload.err;
      client.logger.error(`Internal Server Error\n${err.message}\n${err.stack}`);
      return undefined;
    }
    case 'ping':
    case 'bundled-dev-update':
      return undefined;
    default:
      return payload;
  }
}
