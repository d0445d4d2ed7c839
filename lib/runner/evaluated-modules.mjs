// The runner-side module graph: one node per resolved id, reachable by id, by
// file and by the (unresolved) URL used in import statements.

import { DecodedMap } from './sourcemap.mjs';
import { base64ToUtf8, stripQuery, toSlash, unwrapServerId, isWindows } from './paths.mjs';

// Built from two halves so that tools scanning this file for source map
// comments do not pick the literal up.
const INLINE_MAP_MARKER = `//# source${'MappingURL'}=data:application/json;base64,`;

/** Returns the base64 payload of the last inline source map comment, if any. */
function findInlineMap(code) {
  const start = code.lastIndexOf(INLINE_MAP_MARKER);
  if (start === -1) return undefined;
  const from = start + INLINE_MAP_MARKER.length;
  let to = code.indexOf('\n', from);
  if (to === -1) to = code.length;
  if (code.charCodeAt(to - 1) === 13 /* \r */) to--;
  return code.slice(from, to);
}

/**
 * Key of a fetch result's lazily read source map, set by an in-process server of ours when the
 * runner asked for `lazySourceMap`: `{ handle, lineOffset }`, where `handle.json()` returns the
 * map of the code as sent (not shifted) and `lineOffset` is the `startOffset` it was fetched with.
 */
export const MODULE_SOURCE_MAP = Symbol.for('vite-env-native.moduleSourceMap');

/**
 * Fetch option key (in-process only): the `MODULE_SOURCE_MAP` handle of the answer the runner
 * still holds for the url. A server of ours answers `{ [SAME_RESULT]: true, invalidate }` when
 * its answer would carry that same transform result (the runner then reuses what it holds).
 */
export const HELD_RESULT = Symbol.for('vite-env-native.heldResult');
export const SAME_RESULT = Symbol.for('vite-env-native.sameResult');

/** The raw source map of a fetch result: `{ json, lineOffset }` or `{ base64 }`; null when none. */
function rawSourceMapOf(meta) {
  if (!meta || !('code' in meta)) return null;
  const lazy = meta[MODULE_SOURCE_MAP];
  if (lazy) {
    const json = lazy.handle.json();
    return typeof json === 'string' ? { json, lineOffset: lazy.lineOffset } : null;
  }
  if (typeof meta.code !== 'string') return null;
  const base64 = findInlineMap(meta.code);
  return base64 ? { base64 } : null;
}

/**
 * A fetch result's source map as a base64 `data:` payload of the map JSON, shifted as the code
 * is evaluated (what an inline map comment would hold); null when it has none.
 */
export function sourceMapPayloadOf(meta) {
  const raw = rawSourceMapOf(meta);
  if (!raw) return null;
  if (raw.base64 !== undefined) return raw.base64;
  let json = raw.json;
  if (raw.lineOffset > 0) {
    const map = JSON.parse(json);
    map.mappings = ';'.repeat(raw.lineOffset) + (map.mappings ?? '');
    json = JSON.stringify(map);
  }
  return utf8ToBase64(json);
}

function utf8ToBase64(text) {
  if (typeof Buffer === 'function') return Buffer.from(text, 'utf8').toString('base64');
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

// `node:` is stripped from builtin ids, except for builtins that only exist
// with the prefix (there is no `sea` or `test` module without it).
const PREFIX_ONLY_BUILTINS = new Set(['node:sea', 'node:sqlite', 'node:test', 'node:test/reporters']);

/**
 * Normalizes an id so that `/@fs/abs`, `file:///abs`, `node:fs`/`fs` and
 * `C:\\x` all map to the same key.
 */
export function normalizeModuleId(file) {
  if (PREFIX_ONLY_BUILTINS.has(file)) return file;
  return toSlash(file)
    .replace(/^\/@fs\//, isWindows ? '' : '/')
    .replace(/^node:/, '')
    .replace(/^\/+/, '/')
    .replace(/^file:\/+/, isWindows ? '' : '/');
}

export class EvaluatedModuleNode {
  constructor(id, url) {
    /** Resolved id (usually a file path, possibly with a query). */
    this.id = id;
    /** Server URL the module was first imported with. */
    this.url = url;
    /** Ids of modules that imported this one. */
    this.importers = new Set();
    /** Ids of modules this one imported. */
    this.imports = new Set();
    /** True once evaluation settled (successfully or not). */
    this.evaluated = false;
    /** The fetch result (with `id` and `url` filled in). */
    this.meta = undefined;
    /** Promise of the evaluation (resolves to the namespace). */
    this.promise = undefined;
    /** The namespace object; set as soon as evaluation starts (cycles need it). */
    this.exports = undefined;
    this.file = stripQuery(id);
    /** Decoded inline source map, created on first use. */
    this.map = undefined;
  }
}

export class EvaluatedModules {
  constructor() {
    this.idToModuleMap = new Map();
    this.fileToModulesMap = new Map();
    this.urlToIdModuleMap = new Map();
  }

  /** Node for a resolved module id. */
  getModuleById(id) {
    return this.idToModuleMap.get(id);
  }

  /** All nodes of a file (different queries make different modules). */
  getModulesByFile(file) {
    return this.fileToModulesMap.get(file);
  }

  /** Node for the URL used in an import statement (unresolved). */
  getModuleByUrl(url) {
    return this.urlToIdModuleMap.get(unwrapServerId(url));
  }

  /** Returns the node for `id`, creating it if needed, and records `url` as an alias. */
  ensureModule(id, url) {
    id = normalizeModuleId(id);
    let node = this.idToModuleMap.get(id);
    if (node) {
      this.urlToIdModuleMap.set(url, node);
      return node;
    }
    node = new EvaluatedModuleNode(id, url);
    this.idToModuleMap.set(id, node);
    this.urlToIdModuleMap.set(url, node);
    let siblings = this.fileToModulesMap.get(node.file);
    if (!siblings) {
      siblings = new Set();
      this.fileToModulesMap.set(node.file, siblings);
    }
    siblings.add(node);
    return node;
  }

  /** Forgets everything evaluated for `node`; the next import re-fetches and re-runs it. */
  invalidateModule(node) {
    node.evaluated = false;
    node.meta = undefined;
    node.map = undefined;
    node.promise = undefined;
    node.exports = undefined;
    node.imports.clear();
  }

  /**
   * The source map of an evaluated module (its inline map, or the one an in-process server
   * keeps for it), decoded on first request.
   */
  getModuleSourceMapById(id) {
    const node = this.getModuleById(id);
    if (!node) return null;
    if (node.map) return node.map;
    const raw = rawSourceMapOf(node.meta);
    if (!raw) return null;
    node.map =
      raw.base64 !== undefined
        ? new DecodedMap(JSON.parse(base64ToUtf8(raw.base64)), node.file)
        : new DecodedMap(JSON.parse(raw.json), node.file, raw.lineOffset);
    return node.map;
  }

  clear() {
    this.idToModuleMap.clear();
    this.fileToModulesMap.clear();
    this.urlToIdModuleMap.clear();
  }
}
