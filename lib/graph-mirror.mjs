// Keeps a Vite `EnvironmentModuleGraph` (Vite's own class, so plugins, Vite's HMR code and the
// mixed `server.moduleGraph` see the objects they expect, with stable identity) in step with the
// native graph. The native graph is the source of truth: structural changes (nodes, edges,
// accept data) arrive as a journal applied whenever JS looks at the graph; per-node state that
// changes on every edit (timestamps, transform result) is read from the native graph when a
// node's property is read. Neither the cold path nor HMR propagation pays for the mirror.

// Vite's `removeTimestampQuery` + `removeImportQuery`: `?t=…` and `?import` never name a module.
const trailingSeparator = /[?&]$/
const cleanQueries = (url) =>
  url
    .replace(/\bt=\d{13}&?\b/, '')
    .replace(trailingSeparator, '')
    .replace(/(\?|&)import=?(?:&|$)/, '$1')
    .replace(trailingSeparator, '')

const MAX_PENDING_META = 1000

export class GraphMirror {
  /**
   * @param native the `NativeEnvironment` handle
   * @param graph Vite's `EnvironmentModuleGraph` instance of the environment
   * @param toError turns a native error record into an `Error` with Vite's fields
   */
  constructor(native, graph, toError) {
    this.native = native
    this.toError = toError
    this.graph = graph
    this.nodesByKey = new Map()
    this.keysByNode = new WeakMap()
    // Transform results as JS objects, one per node and result version: `node.transformResult`
    // is the same object until the module's result changes (Vitest edits it in place), and a
    // read between changes costs no crossing. The epoch moves with every call that may change
    // a result (requests, invalidations); only then does a read ask for the version again.
    this.resultSlots = new Map()
    this.epoch = 0
    // `meta` of pipeline resolutions whose node does not exist yet, by resolved id: Vite gives a
    // node the `meta` of the resolution that created it (`_ensureEntryFromUrl(url, _, resolved)`).
    this.resolvedMeta = new Map()
    // Vite does not export `EnvironmentModuleNode`: take it from a throwaway graph of the same class.
    this.NodeClass = new graph.constructor('probe', async () => null).createFileOnlyEntry('/probe').constructor
    this.patchGraph()
  }

  /**
   * A pipeline `resolveId` hook resolved to `id` with `meta`: the node created for `id` next
   * carries it. An existing node keeps its own, as in Vite.
   */
  noteResolvedMeta(id, meta) {
    this.sync()
    if (this.graph.idToModuleMap.has(id)) return
    this.resolvedMeta.delete(id)
    this.resolvedMeta.set(id, meta)
    // Resolutions that never create a node (a failed importer) must not accumulate.
    if (this.resolvedMeta.size > MAX_PENDING_META) this.resolvedMeta.delete(this.resolvedMeta.keys().next().value)
  }

  keyOf(node) {
    return this.keysByNode.get(node)
  }

  /** The node object of a native key (after applying pending changes). */
  nodeOf(key) {
    this.sync()
    return this.nodesByKey.get(key)
  }

  /** Applies every native change since the last call. */
  sync() {
    const events = this.native.takeGraphEvents()
    for (const event of events) this.apply(event)
    return events
  }

  apply(event) {
    const node = this.nodesByKey.get(event.key)
    switch (event.kind) {
      case 'created':
        this.create(event)
        break
      case 'imports': {
        if (!node) break
        const next = new Set(event.imported.map((key) => this.nodesByKey.get(key)).filter(Boolean))
        for (const previous of node.importedModules) if (!next.has(previous)) previous.importers.delete(node)
        for (const dep of next) dep.importers.add(node)
        node.importedModules = next
        node.isSelfAccepting = event.isSelfAccepting
        node.acceptedHmrDeps = new Set(event.acceptedDeps.map((key) => this.nodesByKey.get(key)).filter(Boolean))
        node.acceptedHmrExports = event.acceptedExports ? new Set(event.acceptedExports) : null
        // Only with `experimental.hmrPartialAccept`, keyed by module id as in Vite.
        node.importedBindings = event.importedBindings
          ? new Map(event.importedBindings.filter(({ key }) => this.nodesByKey.has(key)).map(({ key, names }) => [this.nodesByKey.get(key).id, new Set(names)]))
          : null
        break
      }
    }
  }

  create({ key, url, id, file, isSelfAccepting }) {
    const { graph } = this
    // Vite's `setIsSelfAccepting`: `undefined` until the module's analysis for one found by import analysis.
    const node = new this.NodeClass(url, graph.environment, isSelfAccepting !== undefined)
    node.id = id
    node.file = file
    const meta = this.resolvedMeta.get(id)
    if (meta !== undefined) {
      node.meta = meta
      this.resolvedMeta.delete(id)
    }
    defineNativeState(node, key, this)
    this.nodesByKey.set(key, node)
    this.keysByNode.set(node, key)
    graph.urlToModuleMap.set(url, node)
    graph.idToModuleMap.set(id, node)
    let fileNodes = graph.fileToModulesMap.get(file)
    if (!fileNodes) graph.fileToModulesMap.set(file, (fileNodes = new Set()))
    fileNodes.add(node)
  }

  /** Some module's `transformResult` may have changed: the next read of each checks. */
  resultsMayHaveChanged() {
    this.epoch++
  }

  /** The slot of `key`'s result object, up to date. */
  resultSlot(key) {
    let slot = this.resultSlots.get(key)
    if (!slot) this.resultSlots.set(key, (slot = { epoch: -1, version: -1, value: null }))
    if (slot.epoch !== this.epoch) {
      const version = this.native.resultVersion(key) ?? 0
      if (version !== slot.version) {
        slot.version = version
        slot.value = toTransformResult(this.native.getTransformResult(key))
      }
      slot.epoch = this.epoch
    }
    return slot
  }

  /**
   * The node's `transformResult` object for a result of `version` just received as `record`
   * (a request's answer): the object the node already has for that version, else a new one
   * that becomes the node's.
   */
  resultObject(key, version, record) {
    let slot = this.resultSlots.get(key)
    if (!slot) this.resultSlots.set(key, (slot = { epoch: -1, version: -1, value: null }))
    if (slot.version !== version || !slot.value) {
      slot.version = version
      slot.value = toTransformResult(record)
    }
    slot.epoch = this.epoch
    return slot.value
  }

  /** Routes the graph's reads through `sync()` and its writes to the native graph. */
  patchGraph() {
    const { graph, native } = this
    const original = {
      getModuleByUrl: graph.getModuleByUrl.bind(graph),
      getModuleById: graph.getModuleById.bind(graph),
      getModulesByFile: graph.getModulesByFile.bind(graph),
      invalidateModule: graph.invalidateModule.bind(graph),
    }
    graph.getModuleByUrl = async (rawUrl) => {
      this.sync()
      return graph.urlToModuleMap.get(cleanQueries(rawUrl)) ?? original.getModuleByUrl(rawUrl)
    }
    graph.getModuleById = (id) => {
      this.sync()
      return original.getModuleById(id)
    }
    graph.getModulesByFile = (file) => {
      this.sync()
      return original.getModulesByFile(file)
    }
    // Resolved natively through the same path as a runner's request (JS `resolveId` hooks
    // included, once per url): a node is never created by Vite's JS graph alone.
    const ensureEntry = async (rawUrl, _setIsSelfAccepting = true, resolved) => {
      // A node's own url needs no resolution (every `ssrLoadModule` of a loaded entry).
      this.sync()
      const known = graph.urlToModuleMap.get(cleanQueries(rawUrl))
      if (known) return known
      const response = await native.ensureEntryFromUrl(rawUrl, resolved?.id ?? undefined)
      if (response.error) throw this.toError(response.error)
      this.sync()
      return this.nodesByKey.get(response.key)
    }
    graph.ensureEntryFromUrl = ensureEntry
    graph._ensureEntryFromUrl = ensureEntry
    // No timestamp: the native clock's now (transforms are stamped with it).
    graph.invalidateModule = (mod, seen = new Set(), timestamp = undefined, isHmr = false, softInvalidate = false) => {
      const key = this.keyOf(mod)
      if (key === undefined) return original.invalidateModule(mod, seen, timestamp ?? Date.now(), isHmr, softInvalidate)
      // Invalidation changes no structure: the nodes read their new state on demand.
      native.invalidateModule(key, timestamp, isHmr, softInvalidate)
      this.resultsMayHaveChanged()
      seen.add(mod)
    }
    graph.onFileChange = (file) => {
      this.resultsMayHaveChanged()
      return native.onFileChange(file)
    }
    graph.onFileDelete = (file) => {
      native.onFileDelete(file)
      this.resultsMayHaveChanged()
      // The deleted modules' edges arrive as structural changes.
      this.sync()
    }
    graph.invalidateAll = () => {
      native.invalidateAll()
      this.resultsMayHaveChanged()
    }
  }
}

/** Vite's SSR `TransformResult` from the binding's record. */
const toTransformResult = (record) =>
  record ? { code: record.code, map: record.map ? JSON.parse(record.map) : null, ssr: true, deps: record.deps, dynamicDeps: record.dynamicDeps } : null

/**
 * Node properties backed by the native graph: timestamps and `lastHMRInvalidationReceived` are
 * read when asked for, the transform result through the mirror's slots (one object per result);
 * `ssrModule`/`ssrError` (written by Vite's SSR compat runner) are dropped once the module is
 * invalidated after they were set, as Vite clears them.
 */
function defineNativeState(node, key, mirror) {
  const { native } = mirror
  const state = () => native.nodeState(key) ?? { lastInvalidationTimestamp: 0, lastHMRTimestamp: 0, lastHMRInvalidationReceived: false }
  const stamp = () => {
    const s = state()
    return `${s.lastInvalidationTimestamp}:${s.lastHMRTimestamp}`
  }
  const accessor = (name, get, set) => Object.defineProperty(node, name, { configurable: true, enumerable: true, get, set })
  accessor('lastInvalidationTimestamp', () => state().lastInvalidationTimestamp, (t) => native.setNodeState(key, undefined, t, undefined))
  accessor('lastHMRTimestamp', () => state().lastHMRTimestamp, (t) => native.setNodeState(key, t, undefined, undefined))
  accessor('lastHMRInvalidationReceived', () => state().lastHMRInvalidationReceived, (v) => native.setNodeState(key, undefined, undefined, !!v))
  accessor(
    'transformResult',
    () => mirror.resultSlot(key).value,
    // A plugin's own assignment stays until the module's result changes natively.
    (value) => {
      mirror.resultSlot(key).value = value ?? null
    },
  )
  for (const name of ['ssrModule', 'ssrError']) {
    let stored
    accessor(
      name,
      () => (stored && stored.stamp === stamp() ? stored.value : null),
      (value) => {
        stored = value == null ? undefined : { value, stamp: stamp() }
      },
    )
  }
}
