// Source map support: a small VLQ decoder, position lookup, and the
// `Error.prepareStackTrace` interceptor used with
// `sourcemapInterceptor: 'prepareStackTrace'`.

import { base64ToUtf8, decodeSourceURL, dirnamePosix, resolvePosix, toSlash } from './paths.mjs';
import { sourceMapPayloadOf } from './evaluated-modules.mjs';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_VALUE[B64.charCodeAt(i)] = i;

/**
 * Decodes a `mappings` string into one array per generated line, each holding
 * segments `[genColumn, sourceIndex, sourceLine, sourceColumn, nameIndex?]`
 * (all 0-based, absolute). Segments within a line are sorted by column, which
 * the binary search in `lookupOriginal` relies on.
 */
export function decodeMappings(mappings) {
  const lines = [];
  let line = [];
  let sourceIndex = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  let nameIndex = 0;
  let genColumn = 0;
  let sorted = true;
  let pos = 0;
  const length = mappings.length;

  // Reads one base64 VLQ value starting at `pos`.
  const readVlq = () => {
    let result = 0;
    let shift = 0;
    let digit;
    do {
      const code = mappings.charCodeAt(pos++);
      digit = code < 128 ? B64_VALUE[code] : -1;
      if (digit === -1) throw new Error(`Invalid VLQ character in source map at ${pos - 1}`);
      result += (digit & 31) * 2 ** shift;
      shift += 5;
    } while (digit & 32);
    // The lowest bit is the sign.
    const negative = result % 2 === 1;
    result = Math.floor(result / 2);
    return negative ? (result === 0 ? -0x80000000 : -result) : result;
  };
  const atFieldEnd = () => {
    if (pos >= length) return true;
    const c = mappings.charCodeAt(pos);
    return c === 44 /* , */ || c === 59 /* ; */;
  };
  const finishLine = () => {
    if (!sorted) line.sort((a, b) => a[0] - b[0]);
    lines.push(line);
    line = [];
    genColumn = 0;
    sorted = true;
  };

  while (pos < length) {
    const c = mappings.charCodeAt(pos);
    if (c === 59 /* ; */) {
      pos++;
      finishLine();
      continue;
    }
    if (c === 44 /* , */) {
      pos++;
      continue;
    }
    const column = genColumn + readVlq();
    if (column < genColumn) sorted = false;
    genColumn = column;
    if (atFieldEnd()) {
      line.push([column]);
      continue;
    }
    sourceIndex += readVlq();
    sourceLine += readVlq();
    sourceColumn += readVlq();
    if (atFieldEnd()) {
      line.push([column, sourceIndex, sourceLine, sourceColumn]);
      continue;
    }
    nameIndex += readVlq();
    line.push([column, sourceIndex, sourceLine, sourceColumn, nameIndex]);
  }
  finishLine();
  return lines;
}

/**
 * A parsed source map whose `mappings` are only decoded on the first lookup:
 * most evaluated modules never appear in a stack trace.
 */
export class DecodedMap {
  /** `lineOffset`: empty generated lines before the mapped code (the evaluator's `startOffset`). */
  constructor(map, from, lineOffset = 0) {
    this.map = map;
    this.version = map.version;
    this.names = map.names || [];
    this._encoded = map.mappings || '';
    this._decoded = undefined;
    this._lineOffset = lineOffset;
    this.url = from;
    this.file = from;
    const baseDir = dirnamePosix(from);
    this.resolvedSources = (map.sources || []).map((source) => resolvePosix(baseDir, source || ''));
  }

  /** Decoded mappings (computed once). */
  get lines() {
    if (this._decoded === undefined) {
      const lines = decodeMappings(this._encoded);
      this._decoded = this._lineOffset > 0 ? [...Array.from({ length: this._lineOffset }, () => []), ...lines] : lines;
    }
    return this._decoded;
  }
}

/**
 * Maps a generated position (1-based line, 0-based column) to the original
 * one, choosing the closest segment at or before the column (the usual
 * "greatest lower bound" bias). Returns null when nothing maps there.
 */
export function lookupOriginal(map, line, column) {
  if (line < 1 || column < 0) return null;
  const lines = map.lines;
  const segments = lines[line - 1];
  if (!segments || segments.length === 0) return null;
  let low = 0;
  let high = segments.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (segments[mid][0] <= column) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  if (found === -1) return null;
  // Prefer the first of several segments starting at the same column.
  while (found > 0 && segments[found - 1][0] === segments[found][0]) found--;
  const segment = segments[found];
  if (segment.length === 1) return null;
  return {
    source: map.resolvedSources[segment[1]] ?? null,
    line: segment[2] + 1,
    column: segment[3],
    name: segment.length === 5 ? (map.names[segment[4]] ?? null) : null,
  };
}

// ---------------------------------------------------------------------------
// Error.prepareStackTrace interceptor
// ---------------------------------------------------------------------------

// All runners that currently use the interceptor share one hook; each
// contributes its `EvaluatedModules` (for inline maps of evaluated modules)
// and optional retrieve handlers (for files Vite did not evaluate).
const activeGraphs = new Set();
const fileRetrievers = new Set();
const mapRetrievers = new Set();
const externalMapCache = new Map();
const fileContentCache = new Map();
let hookInstalled = false;
let previousPrepareStackTrace;

function firstResult(handlers, arg) {
  for (const handler of handlers) {
    const result = handler(arg);
    if (result) return result;
  }
  return null;
}

function relativeTo(file, url) {
  if (!file) return url;
  const dir = dirnamePosix(toSlash(file));
  const protocol = /^\w+:\/\/[^/]*/.exec(dir)?.[0] ?? '';
  const rest = dir.slice(protocol.length);
  if (protocol && /^\/\w:/.test(rest)) return `${protocol}/${toSlash(resolvePosix(rest, url))}`;
  return protocol + resolvePosix(rest, url);
}

function retrieveFileContent(path) {
  if (fileContentCache.has(path)) return fileContentCache.get(path);
  const content = firstResult(fileRetrievers, path);
  if (typeof content !== 'string') return null;
  fileContentCache.set(path, content);
  return content;
}

/** Finds a source map for a file that was not evaluated by a runner. */
function retrieveExternalMap(source) {
  if (externalMapCache.has(source)) return externalMapCache.get(source);
  let entry = null;
  const handled = firstResult(mapRetrievers, source);
  if (handled && handled.map) {
    entry = handled;
  } else {
    const content = retrieveFileContent(source);
    if (content) {
      const re = /\/\/[@#]\s*sourceMappingURL=([^\s'"]+)\s*$|\/\*[@#]\s*sourceMappingURL=[^\s*'"]+\s*\*\/\s*$/gm;
      let last = null;
      for (let match; (match = re.exec(content)); ) last = match;
      const url = last?.[1];
      if (url) {
        if (/^data:application\/json[^,]+base64,/.test(url)) {
          entry = { url: source, map: base64ToUtf8(url.slice(url.indexOf(',') + 1)) };
        } else {
          const mapUrl = relativeTo(source, url);
          const mapText = retrieveFileContent(mapUrl);
          if (mapText) entry = { url: mapUrl, map: mapText };
        }
      }
    }
  }
  const result = entry
    ? { url: entry.url, map: new DecodedMap(typeof entry.map === 'string' ? JSON.parse(entry.map) : entry.map, entry.url) }
    : null;
  externalMapCache.set(source, result);
  return result;
}

/** Original position of a frame, or null when it is not mapped. */
function mapFramePosition(source, line, column) {
  const id = decodeSourceURL(source);
  for (const graph of activeGraphs) {
    const map = graph.getModuleSourceMapById(id);
    if (map) {
      const pos = lookupOriginal(map, line, column);
      if (pos && pos.source != null) return { ...pos, source: relativeTo(id, pos.source), fromRunner: true };
      return null;
    }
  }
  if (fileRetrievers.size === 0 && mapRetrievers.size === 0) return null;
  const external = retrieveExternalMap(source);
  if (!external) return null;
  const pos = lookupOriginal(external.map, line, column);
  if (pos && pos.source != null) return { ...pos, source: relativeTo(external.url, pos.source), fromRunner: false };
  return null;
}

/** Formats a V8 CallSite whose location was remapped (mirrors V8's own format). */
function formatMappedFrame(frame, pos) {
  const location = `${pos.source}:${pos.line}:${pos.column + 1}`;
  let functionName = frame.getFunctionName();
  // A module's top-level code runs inside `new AsyncFunction`, which V8 names
  // `eval`; that name is an artefact of the runner, not of the user's code.
  if (functionName === 'eval' && pos.fromRunner) functionName = null;
  const prefix = frame.isAsync?.() ? 'async ' : '';
  if (frame.isConstructor()) return `${prefix}new ${functionName || '<anonymous>'} (${location})`;
  if (frame.isToplevel()) return functionName ? `${prefix}${functionName} (${location})` : `${prefix}${location}`;
  let typeName = frame.getTypeName();
  if (typeName === '[object Object]') typeName = 'null';
  const methodName = frame.getMethodName();
  let name;
  if (functionName) {
    name = typeName && !functionName.startsWith(typeName) ? `${typeName}.${functionName}` : functionName;
    if (methodName && !functionName.endsWith(`.${methodName}`) && functionName !== methodName) {
      name += ` [as ${methodName}]`;
    }
  } else {
    name = `${typeName}.${methodName || '<anonymous>'}`;
  }
  return `${prefix}${name} (${location})`;
}

function formatFrame(frame) {
  if (!frame.isNative()) {
    const source = frame.getFileName() || frame.getScriptNameOrSourceURL();
    const line = frame.getLineNumber();
    if (source && line != null) {
      const pos = mapFramePosition(source, line, (frame.getColumnNumber() ?? 1) - 1);
      if (pos) return formatMappedFrame(frame, pos);
    }
  }
  return String(frame);
}

function remapStack(error, frames) {
  // Same header V8 produces by default: `Error.prototype.toString` semantics.
  let header;
  try {
    const name = error?.name ?? 'Error';
    const message = error?.message ?? '';
    header = message ? `${name || 'Error'}: ${message}` : `${name || 'Error'}`;
  } catch {
    header = '<error>';
  }
  let out = header;
  for (const frame of frames) out += `\n    at ${formatFrame(frame)}`;
  return out;
}

/**
 * Installs the shared `Error.prepareStackTrace` hook for `graph`. Returns a
 * function that unregisters it and restores the previous hook when no runner
 * uses it anymore.
 */
export function installStackTraceInterceptor(graph, options = {}) {
  if (!hookInstalled) {
    previousPrepareStackTrace = Error.prepareStackTrace;
    Error.prepareStackTrace = remapStack;
    hookInstalled = true;
  }
  activeGraphs.add(graph);
  if (options.retrieveFile) fileRetrievers.add(options.retrieveFile);
  if (options.retrieveSourceMap) mapRetrievers.add(options.retrieveSourceMap);
  return () => {
    activeGraphs.delete(graph);
    if (options.retrieveFile) fileRetrievers.delete(options.retrieveFile);
    if (options.retrieveSourceMap) mapRetrievers.delete(options.retrieveSourceMap);
    if (activeGraphs.size === 0 && hookInstalled) {
      // Only restore if nobody replaced our hook in the meantime.
      if (Error.prepareStackTrace === remapStack) Error.prepareStackTrace = previousPrepareStackTrace;
      hookInstalled = false;
      externalMapCache.clear();
      fileContentCache.clear();
    }
  };
}

// ---------------------------------------------------------------------------
// Node's own source map support (`sourcemapInterceptor: 'node'`, `--enable-source-maps`,
// `process.setSourceMapsEnabled(true)`)
//
// Node reads the map of `new Function` code from its inline comment when the code is compiled;
// code compiled with `vm.Script` (our evaluator) it does not look at. So Node is given a
// module's map when a stack trace with one of the module's frames is formatted: the default
// `Error.prepareStackTrace` (Node's formatter, which applies source maps) is wrapped, and before
// it runs, each module of a runner in the trace is registered the way Node registers eval'd
// code: an empty function is compiled whose `sourceURL` is the module's script name and whose
// `sourceMappingURL` holds its map (shifted like the inline map Vite would have sent).
// ---------------------------------------------------------------------------

const nodeGraphs = new Set();
// Fetch results whose map Node has (a new result of a module is registered again).
let registeredWithNode = new WeakSet();
let nodeHookInstalled = false;
let nodePreviousPrepareStackTrace;

/** True when Node applies source maps to stack traces now. */
export function nodeSourceMapsEnabled() {
  return typeof process !== 'undefined' && process.sourceMapsEnabled === true;
}

/**
 * Gives Node the source map of an evaluated module (fetch result `meta`), whose frames report
 * `scriptName`. Node keeps maps only while its source maps are enabled.
 */
export function registerSourceMapWithNode(scriptName, meta) {
  if (registeredWithNode.has(meta)) return;
  const payload = sourceMapPayloadOf(meta);
  if (!payload) return;
  try {
    // Only compiled, never called: Node caches the map of eval'd code at compile time.
    new Function(`//# sourceURL=${scriptName}\n//# sourceMappingURL=data:application/json;base64,${payload}`);
    registeredWithNode.add(meta);
  } catch {
    // Code generation from strings disallowed: frames stay unmapped, as Node would leave them.
  }
}

function registerFramesWithNode(trace) {
  if (!nodeSourceMapsEnabled() || !Array.isArray(trace)) return;
  let last;
  for (const frame of trace) {
    const scriptName = frame?.getFileName?.();
    if (!scriptName || scriptName === last) continue;
    last = scriptName;
    const id = decodeSourceURL(scriptName);
    for (const graph of nodeGraphs) {
      const meta = graph.getModuleById(id)?.meta;
      if (meta && 'code' in meta) {
        registerSourceMapWithNode(scriptName, meta);
        break;
      }
    }
  }
}

function prepareStackTraceForNode(error, trace) {
  try {
    registerFramesWithNode(trace);
  } catch {
    // A stack trace must never fail because a map could not be registered.
  }
  return nodePreviousPrepareStackTrace(error, trace);
}

// Node prints the source line of an uncaught exception (found through its source maps) before
// the stack is formatted: reading the stack first registers the maps of its frames.
function formatStackBeforeNodeReports(error) {
  try {
    if (error !== null && typeof error === 'object') void error.stack;
  } catch {
    // A throwing `stack` getter: Node reports what it can.
  }
}

/**
 * Lets Node's source map support see the modules of `graph` (evaluated with `vm.Script`).
 * Returns an undo function, or null when Node's formatter cannot be wrapped (no default
 * `Error.prepareStackTrace`): then each module's map must be registered when it is evaluated.
 */
export function installNodeSourceMapBridge(graph) {
  if (!nodeHookInstalled) {
    if (typeof Error.prepareStackTrace !== 'function') return null;
    nodePreviousPrepareStackTrace = Error.prepareStackTrace;
    Error.prepareStackTrace = prepareStackTraceForNode;
    process.on('uncaughtExceptionMonitor', formatStackBeforeNodeReports);
    nodeHookInstalled = true;
  }
  nodeGraphs.add(graph);
  return () => {
    nodeGraphs.delete(graph);
    if (nodeGraphs.size === 0 && nodeHookInstalled) {
      if (Error.prepareStackTrace === prepareStackTraceForNode) Error.prepareStackTrace = nodePreviousPrepareStackTrace;
      process.off('uncaughtExceptionMonitor', formatStackBeforeNodeReports);
      nodeHookInstalled = false;
      registeredWithNode = new WeakSet();
    }
  };
}

/**
 * Applies the runner's `sourcemapInterceptor` option. Returns `{ undo, registerOnEvaluation }`:
 * `undo` restores what was changed; `registerOnEvaluation` tells the runner to hand each module's
 * map to Node when it evaluates it (while Node's source maps are enabled), for code compiled
 * where Node does not look (`lazyEvaluator`) and no stack trace hook can do it later.
 */
export function enableSourceMaps(runner, lazyEvaluator = false) {
  // Like Vite's runner: anything but 'node' (including the default) installs the
  // prepareStackTrace hook; server-side factories choose 'node' explicitly.
  const mode = runner.options.sourcemapInterceptor;
  if (mode === false) return { undo: undefined, registerOnEvaluation: lazyEvaluator };
  if (mode === 'node') {
    if (typeof process === 'undefined') {
      throw new TypeError(`Cannot use "sourcemapInterceptor: 'node'" because global "process" variable is not available.`);
    }
    if (typeof process.setSourceMapsEnabled !== 'function') {
      throw new TypeError(
        `Cannot use "sourcemapInterceptor: 'node'" because "process.setSourceMapsEnabled" function is not available. Please use Node >= 16.6.0.`,
      );
    }
    const wasEnabled = process.sourceMapsEnabled ?? false;
    process.setSourceMapsEnabled(true);
    const unbridge = lazyEvaluator ? installNodeSourceMapBridge(runner.evaluatedModules) : undefined;
    return {
      undo: () => {
        unbridge?.();
        if (!wasEnabled) process.setSourceMapsEnabled(false);
      },
      registerOnEvaluation: lazyEvaluator && !unbridge,
    };
  }
  return {
    undo: installStackTraceInterceptor(runner.evaluatedModules, typeof mode === 'object' && mode ? mode : undefined),
    registerOnEvaluation: false,
  };
}
