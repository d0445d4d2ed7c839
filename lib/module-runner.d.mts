// Public types of `vite-env-native/module-runner`. Transport and fetch-result
// types are Vite's own (the wire protocol is identical), re-exported so code
// written against `vite/module-runner` type-checks unchanged.

import type {
  FetchFunction,
  FetchFunctionOptions,
  FetchResult,
  HMRLogger,
  InterceptorOptions,
  ModuleEvaluator,
  ModuleRunnerContext,
  ModuleRunnerHmr,
  ModuleRunnerImportMeta,
  ModuleRunnerOptions as ViteModuleRunnerOptions,
  ModuleRunnerTransport,
  ModuleRunnerTransportHandlers,
  ResolvedResult,
  SSRImportMetadata,
} from 'vite/module-runner';

export type {
  FetchFunction,
  FetchFunctionOptions,
  FetchResult,
  HMRLogger,
  InterceptorOptions,
  ModuleEvaluator,
  ModuleRunnerContext,
  ModuleRunnerHmr,
  ModuleRunnerImportMeta,
  ModuleRunnerTransport,
  ModuleRunnerTransportHandlers,
  ResolvedResult,
  SSRImportMetadata,
};

/** Vite's runner options; the graph, when given, is this package's `EvaluatedModules`. */
export interface ModuleRunnerOptions extends Omit<ViteModuleRunnerOptions, 'evaluatedModules'> {
  evaluatedModules?: EvaluatedModules;
}

export declare const ssrModuleExportsKey = '__vite_ssr_exports__';
export declare const ssrImportKey = '__vite_ssr_import__';
export declare const ssrDynamicImportKey = '__vite_ssr_dynamic_import__';
export declare const ssrExportAllKey = '__vite_ssr_exportAll__';
export declare const ssrExportNameKey = '__vite_ssr_exportName__';
export declare const ssrImportMetaKey = '__vite_ssr_import_meta__';

/** A parsed source map; `mappings` are decoded on first lookup. */
export interface DecodedMap {
  map: { version: number; mappings?: string; names?: string[]; sources?: string[]; sourcesContent?: string[] };
  url: string;
  file: string;
  version: number;
  names: string[];
  resolvedSources: string[];
}

export declare class EvaluatedModuleNode {
  id: string;
  url: string;
  importers: Set<string>;
  imports: Set<string>;
  evaluated: boolean;
  meta: ResolvedResult | undefined;
  promise: Promise<any> | undefined;
  exports: any;
  file: string;
  map: DecodedMap | undefined;
  constructor(id: string, url: string);
}

export declare class EvaluatedModules {
  readonly idToModuleMap: Map<string, EvaluatedModuleNode>;
  readonly fileToModulesMap: Map<string, Set<EvaluatedModuleNode>>;
  readonly urlToIdModuleMap: Map<string, EvaluatedModuleNode>;
  /** Node by resolved id (file path with query, or virtual id). */
  getModuleById(id: string): EvaluatedModuleNode | undefined;
  /** All nodes of one file (different queries are different modules). */
  getModulesByFile(file: string): Set<EvaluatedModuleNode> | undefined;
  /** Node by the unresolved URL used in an import statement. */
  getModuleByUrl(url: string): EvaluatedModuleNode | undefined;
  /** Returns the node for `id`, creating it if needed; records `url` as an alias. */
  ensureModule(id: string, url: string): EvaluatedModuleNode;
  invalidateModule(node: EvaluatedModuleNode): void;
  /** Decoded inline source map of an evaluated module, or null. */
  getModuleSourceMapById(id: string): DecodedMap | null;
  clear(): void;
}

export interface HotCallback {
  deps: string[];
  fn: (modules: Array<any | undefined>) => void;
  exports?: readonly string[];
}

export interface HMRClient {
  logger: HMRLogger;
  hotModulesMap: Map<string, { id: string; callbacks: HotCallback[] }>;
  disposeMap: Map<string, (data: any) => void | Promise<void>>;
  pruneMap: Map<string, (data: any) => void | Promise<void>>;
  dataMap: Map<string, any>;
  customListenersMap: Map<string, ((data: any) => void)[]>;
  ctxToListenersMap: Map<string, Map<string, ((data: any) => void)[]>>;
  currentFirstInvalidatedBy: string | undefined;
  notifyListeners(event: string, data: any): Promise<void>;
  send(payload: any): void;
  clear(): void;
  prunePaths(paths: string[]): Promise<void>;
  queueUpdate(payload: any): Promise<void>;
}

export interface ModuleRunnerDebugger {
  (formatter: unknown, ...args: unknown[]): void;
}

export declare class ModuleRunner {
  options: ModuleRunnerOptions;
  evaluator: ModuleEvaluator;
  evaluatedModules: EvaluatedModules;
  /** Undefined when HMR is disabled or the transport cannot receive messages. */
  hmrClient?: HMRClient;
  constructor(options: ModuleRunnerOptions, evaluator?: ModuleEvaluator, debug?: ModuleRunnerDebugger);
  /** Imports a module by server URL, file path or root-relative id. */
  import<T = any>(url: string): Promise<T>;
  /** Clears the module graph and all HMR state. */
  clearCache(): void;
  /** Clears caches, removes source map support and disconnects the transport. */
  close(): Promise<void>;
  isClosed(): boolean;
  /** Evaluates an already-fetched module; override to observe or wrap evaluation. */
  protected directRequest(url: string, mod: EvaluatedModuleNode, callstack: string[]): Promise<any>;
}

/**
 * A store of V8 code cache bytes for `ESModulesEvaluator` (e.g. one on disk): `get` returns the
 * bytes made for exactly `source` under `key` (the module id); V8 checks them only against the
 * source's length, so a store must match the full source (or a hash of it), never `key` alone.
 */
export interface ModuleCodeCache {
  get(key: string, source: string): Uint8Array | undefined;
  set(key: string, source: string, bytes: Uint8Array): void;
}

export declare class ESModulesEvaluator implements ModuleEvaluator {
  /**
   * `codeCache`: where V8 code cache bytes are read and stored (made 2 s after a module's first
   * evaluation, off the request path). Without one, compiled scripts are only kept in memory for
   * re-evaluation.
   */
  constructor(options?: { codeCache?: ModuleCodeCache });
  readonly startOffset: number;
  /** Forgets the compiled scripts kept for re-evaluation. */
  clearCompiledCode(): void;
  /** Makes and stores now the code cache bytes still pending (the runner's `close()` calls it). */
  flushCodeCache(): void;
  runInlinedModule(context: ModuleRunnerContext, code: string): Promise<any>;
  runExternalModule(filepath: string): Promise<any>;
}

export declare function normalizeModuleId(file: string): string;
export declare function createDefaultImportMeta(modulePath: string): ModuleRunnerImportMeta;
/** `import.meta` for Node: adds `main: false` and a working `resolve()`. */
export declare function createNodeImportMeta(modulePath: string): ModuleRunnerImportMeta;
export declare function createWebSocketModuleRunnerTransport(options: {
  createConnection: () => WebSocket;
  pingInterval?: number;
}): Required<Pick<ModuleRunnerTransport, 'connect' | 'disconnect' | 'send'>>;
