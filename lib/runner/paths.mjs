// Path and URL helpers for the module runner.
//
// The runner deals with three flavours of module identifiers: server URLs
// (`/src/a.ts`), resolved ids (usually absolute file paths, possibly with a
// query) and file URLs. Everything is handled in POSIX form (forward slashes)
// so that ids coming from the server compare equal regardless of platform.
// These helpers deliberately avoid `node:path`: the server always speaks in
// forward slashes, and `node:path` would switch to backslashes on Windows.

export const isWindows = typeof process !== 'undefined' && process.platform === 'win32';

const BACKSLASHES = /\\/g;
const QUERY_OR_HASH = /[?#].*$/;
const DRIVE_PREFIX = /^[A-Za-z]:\//;
const DRIVE_ONLY = /^[A-Za-z]:$/;

/** Converts Windows separators to forward slashes. */
export function toSlash(p) {
  return p.replace(BACKSLASHES, '/');
}

/** Strips `?query` and `#hash` from an id or URL. */
export function stripQuery(url) {
  return url.replace(QUERY_OR_HASH, '');
}

/**
 * The server wraps ids that are not valid URLs as `/@id/<id>` and encodes the
 * null byte of virtual modules as `__x00__`; undo both so that lookups by the
 * URL an import statement used find the same node.
 */
export function unwrapServerId(id) {
  if (!id.startsWith('/@id/')) return id;
  return id.slice('/@id/'.length).replace('__x00__', '\0');
}

function normalizeSeparators(p) {
  if (!p) return p;
  // Upper-case drive letters so `c:/x` and `C:/x` are the same path.
  return toSlash(p).replace(DRIVE_PREFIX, (drive) => drive.toUpperCase());
}

export function isAbsolutePath(p) {
  return /^[/\\](?![/\\])|^[/\\]{2}(?!\.)|^[A-Za-z]:[/\\]/.test(p);
}

function currentDir() {
  if (typeof process !== 'undefined' && typeof process.cwd === 'function') {
    return toSlash(process.cwd());
  }
  return '/';
}

/**
 * Collapses `.` / `..` segments. `..` above the root of an absolute path is
 * dropped (like the OS does), but kept for relative paths.
 */
function collapseSegments(path, absolute) {
  const out = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(segment);
  }
  return out.join('/');
}

/**
 * POSIX-style `path.resolve`: right-to-left until an absolute segment is
 * found, falling back to the current working directory.
 */
export function resolvePosix(...parts) {
  let joined = '';
  let absolute = false;
  for (let i = parts.length - 1; i >= -1 && !absolute; i--) {
    const part = i >= 0 ? normalizeSeparators(parts[i]) : currentDir();
    if (!part) continue;
    joined = `${part}/${joined}`;
    absolute = isAbsolutePath(part);
  }
  // Keep a Windows drive (`C:`) as the root instead of treating it as a segment.
  let root = '';
  if (absolute) {
    const drive = /^([A-Za-z]:)\//.exec(joined);
    if (drive) {
      root = `${drive[1]}/`;
      joined = joined.slice(drive[0].length);
    } else {
      root = '/';
    }
  }
  const body = collapseSegments(joined, absolute);
  if (absolute) return root + body;
  return body.length > 0 ? body : '.';
}

/** POSIX-style `path.dirname` that understands drive letters. */
export function dirnamePosix(p) {
  const segments = normalizeSeparators(p).replace(/\/$/, '').split('/').slice(0, -1);
  if (segments.length === 1 && DRIVE_ONLY.test(segments[0])) segments[0] += '/';
  return segments.join('/') || (isAbsolutePath(p) ? '/' : '.');
}

/**
 * `url.pathToFileURL` for POSIX-form paths, usable outside of Node.
 * Characters that have a meaning in URLs are percent-encoded first so that a
 * file named `a?b.ts` does not turn into a query.
 */
export function posixPathToFileHref(posixPath) {
  let resolved = resolvePosix(posixPath);
  const last = posixPath.charCodeAt(posixPath.length - 1);
  // `resolve` drops the trailing slash of directories; URLs keep it.
  if ((last === 47 /* / */ || (isWindows && last === 92)) /* \ */ && !resolved.endsWith('/')) {
    resolved += '/';
  }
  if (resolved.includes('%')) resolved = resolved.replace(/%/g, '%25');
  if (!isWindows && resolved.includes('\\')) resolved = resolved.replace(/\\/g, '%5C');
  if (resolved.includes('\n')) resolved = resolved.replace(/\n/g, '%0A');
  if (resolved.includes('\r')) resolved = resolved.replace(/\r/g, '%0D');
  if (resolved.includes('\t')) resolved = resolved.replace(/\t/g, '%09');
  if (resolved.includes('?')) resolved = resolved.replace(/\?/g, '%3F');
  if (resolved.includes('#')) resolved = resolved.replace(/#/g, '%23');
  return new URL(`file://${resolved}`).href;
}

export function toWindowsPath(p) {
  return p.replace(/\//g, '\\');
}

/**
 * The server appends `//# sourceURL=<id>` with characters percent-encoded;
 * only whitespace runs are decoded back (that is what the server encodes
 * beyond what a URL parser would), other escapes are left alone.
 */
export function decodeSourceURL(url) {
  return url.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    let decoded;
    try {
      decoded = decodeURIComponent(run);
    } catch {
      return run;
    }
    return /^\s+$/.test(decoded) ? decoded : run;
  });
}

const utf8 = new TextDecoder();

/** base64 → UTF-8 string, using Buffer when present (fast) and atob otherwise. */
export function base64ToUtf8(base64) {
  if (typeof Buffer === 'function' && typeof Buffer.from === 'function') {
    return Buffer.from(base64, 'base64').toString('utf-8');
  }
  return utf8.decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
}
