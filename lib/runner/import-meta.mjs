// `import.meta` objects for evaluated modules.

import { dirnamePosix, isWindows, posixPathToFileHref, toWindowsPath } from './paths.mjs';

// `import.meta.env.X` is replaced statically by the server transform, so any
// access that reaches the runtime object is a dynamic one the server could not
// see; fail loudly instead of returning undefined.
const unsupportedEnv = new Proxy(
  {},
  {
    get(_, key) {
      throw new Error(
        `[module runner] Dynamic access of "import.meta.env" is not supported. Please, use "import.meta.env.${String(key)}" instead.`,
      );
    },
  },
);

// A module's `filename`, `dirname` and `url`, computed once per path: a full reload creates every
// module's `import.meta` again. Bounded: paths of deleted files are dropped with the rest.
const pathsOfModules = new Map();
const MAX_KEPT_PATHS = 50_000;

function importMetaPaths(modulePath) {
  let paths = pathsOfModules.get(modulePath);
  if (paths === undefined) {
    const dirname = dirnamePosix(modulePath);
    paths = {
      filename: isWindows ? toWindowsPath(modulePath) : modulePath,
      dirname: isWindows ? toWindowsPath(dirname) : dirname,
      url: posixPathToFileHref(modulePath),
    };
    if (pathsOfModules.size >= MAX_KEPT_PATHS) pathsOfModules.clear();
    pathsOfModules.set(modulePath, paths);
  }
  return paths;
}

function unsupportedResolve() {
  throw new Error('[module runner] "import.meta.resolve" is not supported.');
}

/** Runtime-agnostic `import.meta`: url/filename/dirname plus failing stubs. */
export function createDefaultImportMeta(modulePath) {
  const { filename, dirname, url } = importMetaPaths(modulePath);
  return {
    filename,
    dirname,
    url,
    env: unsupportedEnv,
    resolve(_specifier, _parent) {
      unsupportedResolve();
    },
    glob() {
      throw new Error(
        '[module runner] "import.meta.glob" is statically replaced during file transformation. Make sure to reference it by the full name.',
      );
    },
  };
}

// ---------------------------------------------------------------------------
// import.meta.resolve for Node
//
// Node's own `import.meta.resolve` can only resolve relative to the module it
// is written in, and the runner evaluates code with `new AsyncFunction`, so
// there is no real module to ask. Vite solves this by registering a loader
// hook (`module.register`), which on Node 20 spawns a loader thread for the
// whole process. We instead implement the ESM resolution algorithm directly
// (relative URLs, builtins, `#imports`, bare packages with `exports` using the
// `node`/`import` conditions, and `main`/`index.js` fallbacks), reading
// package.json files synchronously. Like Node, results are URLs; bare
// specifiers that cannot be found throw `ERR_MODULE_NOT_FOUND`.
// ---------------------------------------------------------------------------

let nodeApis;
function getNodeApis() {
  if (nodeApis === undefined) {
    try {
      const get = process.getBuiltinModule;
      nodeApis =
        typeof get === 'function'
          ? { fs: get('node:fs'), url: get('node:url'), module: get('node:module') }
          : null;
    } catch {
      nodeApis = null;
    }
  }
  return nodeApis;
}

const ESM_CONDITIONS = new Set(['node', 'import', 'module-sync', 'default']);

function notFound(message) {
  const err = new Error(message);
  err.code = 'ERR_MODULE_NOT_FOUND';
  return err;
}

function readJson(fs, file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** PACKAGE_TARGET_RESOLVE: strings, arrays (first match) and condition objects. */
function resolveTarget(target, subpathRest, pkgUrl) {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return null;
    return new URL(target.replace(/\*/g, subpathRest ?? ''), pkgUrl).href;
  }
  if (Array.isArray(target)) {
    for (const item of target) {
      const resolved = resolveTarget(item, subpathRest, pkgUrl);
      if (resolved) return resolved;
    }
    return null;
  }
  if (target && typeof target === 'object') {
    for (const key of Object.keys(target)) {
      if (ESM_CONDITIONS.has(key)) {
        const resolved = resolveTarget(target[key], subpathRest, pkgUrl);
        if (resolved !== undefined) return resolved;
      }
    }
    return undefined;
  }
  return null;
}

/** Looks `subpath` (`.`, `./x`, `#x`) up in an `exports`/`imports` map. */
function resolveInMap(map, subpath, pkgUrl) {
  if (typeof map === 'string' || Array.isArray(map)) {
    return subpath === '.' ? resolveTarget(map, undefined, pkgUrl) : null;
  }
  if (!map || typeof map !== 'object') return null;
  const keys = Object.keys(map);
  // `{ "import": ..., "default": ... }` directly is sugar for `{ ".": {...} }`.
  if (keys.length > 0 && !keys[0].startsWith('.') && !keys[0].startsWith('#')) {
    return subpath === '.' ? resolveTarget(map, undefined, pkgUrl) : null;
  }
  if (Object.hasOwn(map, subpath) && !subpath.includes('*')) {
    return resolveTarget(map[subpath], undefined, pkgUrl);
  }
  // Pattern keys: the longest matching prefix wins.
  let best;
  let bestRest;
  for (const key of keys) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.length >= key.length && subpath.endsWith(suffix)) {
      if (!best || prefix.length > best.indexOf('*')) {
        best = key;
        bestRest = subpath.slice(prefix.length, subpath.length - suffix.length);
      }
    }
  }
  return best ? resolveTarget(map[best], bestRest, pkgUrl) : null;
}

function legacyMain(fs, url, pkgUrl, pkg) {
  const candidates = [];
  if (typeof pkg.main === 'string') {
    candidates.push(pkg.main, `${pkg.main}.js`, `${pkg.main}.json`, `${pkg.main}.node`, `${pkg.main}/index.js`, `${pkg.main}/index.json`, `${pkg.main}/index.node`);
  }
  candidates.push('index.js', 'index.json', 'index.node');
  for (const candidate of candidates) {
    const href = new URL(candidate, pkgUrl).href;
    try {
      if (fs.statSync(url.fileURLToPath(href)).isFile()) return href;
    } catch {}
  }
  throw notFound(`Cannot find package '${url.fileURLToPath(pkgUrl)}' imported from the module`);
}

function nodeResolve(specifier, parentHref) {
  const apis = getNodeApis();
  if (!apis) throw new Error('[module runner] "import.meta.resolve" needs Node.js APIs.');
  const { fs, url, module } = apis;

  if (specifier.startsWith('node:')) return specifier;
  if (module.isBuiltin(specifier)) return `node:${specifier}`;
  // Relative and absolute specifiers are plain URL resolution (ESM does no
  // extension probing), exactly like Node's import.meta.resolve.
  if (/^\.{0,2}\//.test(specifier) || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) {
    return new URL(specifier, parentHref).href;
  }
  const parent = new URL(parentHref);
  if (parent.protocol !== 'file:') throw notFound(`Cannot resolve '${specifier}' from ${parentHref}`);

  if (specifier.startsWith('#')) {
    for (let dir = new URL('./', parent); ; dir = new URL('../', dir)) {
      const pkg = readJson(fs, url.fileURLToPath(new URL('package.json', dir)));
      if (pkg) {
        const resolved = pkg.imports ? resolveInMap(pkg.imports, specifier, dir) : null;
        if (resolved) return resolved;
        break;
      }
      if (dir.pathname === '/' || new URL('../', dir).href === dir.href) break;
    }
    throw notFound(`Package import specifier "${specifier}" is not defined imported from ${url.fileURLToPath(parent)}`);
  }

  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const subpath = `.${specifier.slice(name.length)}`;

  // Self-reference and node_modules lookup, walking up from the importer.
  for (let dir = new URL('./', parent); ; dir = new URL('../', dir)) {
    const own = readJson(fs, url.fileURLToPath(new URL('package.json', dir)));
    if (own && own.name === name && own.exports !== undefined) {
      const resolved = resolveInMap(own.exports, subpath, dir);
      if (resolved) return resolved;
    }
    const pkgUrl = new URL(`node_modules/${name}/`, dir);
    const pkgPath = url.fileURLToPath(pkgUrl);
    if (fs.existsSync(pkgPath)) {
      const pkg = readJson(fs, `${pkgPath}/package.json`) ?? {};
      if (pkg.exports !== undefined && pkg.exports !== null) {
        const resolved = resolveInMap(pkg.exports, subpath, pkgUrl);
        if (resolved) return resolved;
        const err = new Error(`Package subpath '${subpath}' is not defined by "exports" in ${pkgPath}/package.json imported from ${url.fileURLToPath(parent)}`);
        err.code = 'ERR_PACKAGE_PATH_NOT_EXPORTED';
        throw err;
      }
      if (subpath === '.') return legacyMain(fs, url, pkgUrl, pkg);
      return new URL(subpath, pkgUrl).href;
    }
    if (new URL('../', dir).href === dir.href) break;
  }
  throw notFound(`Cannot find package '${name}' imported from ${url.fileURLToPath(parent)}`);
}

/**
 * `import.meta` for Node: the default one plus `main: false` and a working
 * `resolve(specifier, parent = import.meta.url)` (see the note above).
 */
export function createNodeImportMeta(modulePath) {
  // The default `import.meta` (same keys, in the same order) with `resolve` working and `main`.
  const { filename, dirname, url: href } = importMetaPaths(modulePath);
  return {
    filename,
    dirname,
    url: href,
    env: unsupportedEnv,
    resolve(specifier, parent) {
      if (!getNodeApis()) unsupportedResolve();
      return nodeResolve(String(specifier), parent === undefined ? href : String(parent));
    },
    glob() {
      throw new Error(
        '[module runner] "import.meta.glob" is statically replaced during file transformation. Make sure to reference it by the full name.',
      );
    },
    main: false,
  };
}
