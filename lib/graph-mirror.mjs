// Keeps a Vite `EnvironmentModuleGraph` (Vite's own class, so plugins, Vite's HMR code and the
// mixed `server.moduleGraph` see the objects they expect, with stable identity) in step with the
// native graph. The native graph is the source of truth; changes arrive as a journal that is
// applied whenever JS looks at the graph, so the cold-start path never pays for the mirror.

const cleanQueries = (url) =>
  url
    .replace(/[?&]t=\d+&?/, (m) => (m.startsWith('?') && m.endsWith('&') ? '?' : m.startsWith('?') ? '' : m.endsWith('&') ? '&' : ''))
    .replace(/[?&]import(?=&|$)/, '')
    .replace(/\?$/, '')

export class GraphMirror {
  /**
   * @param native the `NativeEnvironment` handle
   * @param graph Vite's `EnvironmentModuleGraph` instance of the environment
   */
  constructor(native, graph) {
    this.native = native
    this.graph = graph
    this.nodesByKey = new Map()
    this.keysByNode = new WeakMap()
    this.transformCache = new Map()
    // Vite does not export `EnvironmentModuleNode`: take it from a throwaway graph of the same class.
    this.NodeClass = new graph.constructor('probe', async () => null).createFileOnlyEntry('/probe').constructor
    this.patchGraph()
  }

  keyOf(node) {
    return this.keysByNode.get(node)
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
        break
      }
      case 'transformed':
        this.transformCache.delete(event.key)
        break
      case 'invalidated':
        if (!node) break
        this.transformCache.delete(event.key)
        node.lastInvalidationTimestamp = event.lastInvalidationTimestamp
        node.lastHMRTimestamp = event.lastHmrTimestamp
        node.ssrModule = null
        node.ssrError = null
        break
    }
  }

  create({ key, url, id, file }) {
    const { graph } = this
    const node = new this.NodeClass(url, graph.environment, true)
    node.id = id
    node.file = file
    const mirror = this
    // The result lives natively; it is copied into JS only when someone reads it.
    Object.defineProperty(node, 'transformResult', {
      configurable: true,
      enumerable: true,
      get() {
        if (mirror.transformCache.has(key)) return mirror.transformCache.get(key)
        const native = mirror.native.getTransformResult(key)
        const result = native
          ? {
              code: native.code,
              map: native.map ? JSON.parse(native.map) : null,
              ssr: true,
              deps: native.deps,
              dynamicDeps: native.dynamicDeps,
            }
          : null
        mirror.transformCache.set(key, result)
        return result
      },
      set(value) {
        // Vite's own writers (invalidation) go through the patched graph methods; a plugin that
        // assigns a result sees it back until the next native change of this module.
        mirror.transformCache.set(key, value ?? null)
      },
    })
    this.nodesByKey.set(key, node)
    this.keysByNode.set(node, key)
    graph.urlToModuleMap.set(url, node)
    graph.idToModuleMap.set(id, node)
    let fileNodes = graph.fileToModulesMap.get(file)
    if (!fileNodes) graph.fileToModulesMap.set(file, (fileNodes = new Set()))
    fileNodes.add(node)
  }

  /** Routes the graph's reads through `sync()` and its writes to the native graph. */
  patchGraph() {
    const { graph, native } = this
    const original = {
      getModuleByUrl: graph.getModuleByUrl.bind(graph),
      getModuleById: graph.getModuleById.bind(graph),
      getModulesByFile: graph.getModulesByFile.bind(graph),
      ensureEntryFromUrl: graph._ensureEntryFromUrl.bind(graph),
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
    const ensureEntry = async (rawUrl, setIsSelfAccepting = true, resolved) => {
      let key
      try {
        key = native.ensureEntryFromUrl(rawUrl)
      } catch {
        // Not resolvable natively (e.g. a plugin's virtual module): Vite's own behaviour.
        return original.ensureEntryFromUrl(rawUrl, setIsSelfAccepting, resolved)
      }
      this.sync()
      return this.nodesByKey.get(key)
    }
    graph.ensureEntryFromUrl = ensureEntry
    graph._ensureEntryFromUrl = ensureEntry
    graph.invalidateModule = (mod, seen = new Set(), timestamp = Date.now(), isHmr = false, softInvalidate = false) => {
      const key = this.keyOf(mod)
      if (key === undefined) return original.invalidateModule(mod, seen, timestamp, isHmr, softInvalidate)
      native.invalidateModule(key, timestamp, isHmr, softInvalidate)
      for (const event of this.sync()) {
        if (event.kind === 'invalidated') seen.add(this.nodesByKey.get(event.key))
      }
      seen.add(mod)
    }
    graph.onFileChange = (file) => {
      native.onFileChange(file)
      this.sync()
    }
    graph.onFileDelete = (file) => {
      native.onFileDelete(file)
      this.sync()
      for (const mod of original.getModulesByFile(file) ?? []) {
        for (const dep of mod.importedModules) dep.importers.delete(mod)
      }
    }
    graph.invalidateAll = () => {
      native.invalidateAll()
      this.sync()
    }
  }
}
