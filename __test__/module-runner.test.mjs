// Differential tests: every scenario runs through Vite's own ModuleRunner and
// through vite-env-native's, both talking to a real Vite 8 dev server, and the
// observations must be equal. Each case also asserts the expected values
// directly, so a bug shared by both sides (or a broken fixture) still fails.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer, createServerModuleRunnerTransport } from 'vite';
import * as viteLib from 'vite/module-runner';
import * as ourLib from '../lib/module-runner.mjs';
import { DecodedMap, lookupOriginal, decodeMappings } from '../lib/runner/sourcemap.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtureDir = path.join(here, 'fixtures', 'runner');
const IMPLS = [
  ['vite', viteLib],
  ['ours', ourLib],
];

function serverOptions(root, { hmr = false } = {}) {
  return {
    root,
    configFile: false,
    logLevel: 'silent',
    server: { middlewareMode: true, ws: false, watch: null, hmr },
    appType: 'custom',
    optimizeDeps: { noDiscovery: true, include: [] },
  };
}

function makeTransport(server, kind) {
  const channel = server.environments.ssr.hot;
  if (kind === 'invoke') return { invoke: (payload) => channel.handleInvoke(payload) };
  return createServerModuleRunnerTransport({ channel });
}

/** Runs `fn(runner, lib)` with a fresh runner of `lib`, always closing it. */
async function withRunner(lib, server, opts, fn) {
  const runner = new lib.ModuleRunner({
    transport: makeTransport(server, opts.transport ?? 'channel'),
    hmr: false,
    sourcemapInterceptor: false,
    ...opts.runner,
  });
  try {
    return await fn(runner, lib);
  } finally {
    await runner.close();
  }
}

/** Same scenario through Vite's runner and ours (sequentially); returns ours. */
async function differential(server, fn, opts = {}) {
  const results = {};
  for (const [name, lib] of IMPLS) results[name] = await withRunner(lib, server, opts, fn);
  assert.deepStrictEqual(results.ours, results.vite);
  return results.ours;
}

function describeError(err) {
  return { isError: err instanceof Error, name: err?.name, message: err?.message, code: err?.code };
}

async function captureError(promise) {
  try {
    await promise;
  } catch (err) {
    return describeError(err);
  }
  assert.fail('expected a rejection');
}

/** Plain snapshot of a namespace: own keys in order, functions replaced. */
function snapshot(ns) {
  const out = {};
  for (const key of Object.keys(ns)) out[key] = typeof ns[key] === 'function' ? `[fn ${ns[key].name}]` : ns[key];
  return out;
}

function copyFixture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ven-runner-'));
  fs.cpSync(fixtureDir, dir, { recursive: true });
  return fs.realpathSync(dir);
}

function invalidateFile(server, file) {
  const graph = server.environments.ssr.moduleGraph;
  for (const mod of graph.getModulesByFile(file) ?? []) graph.invalidateModule(mod);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

let server;
before(async () => {
  server = await createServer(serverOptions(fixtureDir));
});
after(async () => {
  await server.close();
});

describe('public API', () => {
  test('runtime export names and constants match vite/module-runner', () => {
    assert.deepStrictEqual(Object.keys(ourLib).sort(), Object.keys(viteLib).sort());
    for (const key of Object.keys(viteLib)) {
      if (key.startsWith('ssr')) assert.equal(ourLib[key], viteLib[key], key);
      else assert.equal(typeof ourLib[key], typeof viteLib[key], key);
    }
    assert.equal(new ourLib.ESModulesEvaluator().startOffset, new viteLib.ESModulesEvaluator().startOffset);
    assert.equal(new ourLib.ESModulesEvaluator().startOffset, 3);
  });

  test('normalizeModuleId gives identical results', () => {
    const inputs = [
      '/@fs/home/u/a.ts',
      'file:///home/u/a.ts',
      'file://home/u/a.ts',
      'node:fs',
      'fs',
      'node:test',
      'node:sqlite',
      '//double/slash.ts',
      '///triple.ts',
      'C:\\Users\\x\\a.ts',
      '/src/a.ts?v=123',
      'virtual:thing',
      '\0virtual:thing',
    ];
    for (const input of inputs) assert.equal(ourLib.normalizeModuleId(input), viteLib.normalizeModuleId(input), input);
    assert.equal(ourLib.normalizeModuleId('/@fs/home/u/a.ts'), '/home/u/a.ts');
  });

  test('createDefaultImportMeta matches, including its failing stubs', () => {
    const file = '/tmp/some dir/a?b#c.ts';
    const ours = ourLib.createDefaultImportMeta(file);
    const vite = viteLib.createDefaultImportMeta(file);
    assert.deepStrictEqual(
      { url: ours.url, filename: ours.filename, dirname: ours.dirname, keys: Object.keys(ours) },
      { url: vite.url, filename: vite.filename, dirname: vite.dirname, keys: Object.keys(vite) },
    );
    assert.equal(ours.url, 'file:///tmp/some%20dir/a%3Fb%23c.ts');
    for (const call of [(m) => m.resolve('x'), (m) => m.glob('*'), (m) => m.env.FOO]) {
      assert.deepStrictEqual(describeError(catchSync(() => call(ours))), describeError(catchSync(() => call(vite))));
    }
  });

  test('createNodeImportMeta().resolve resolves like Node/Vite', () => {
    const file = path.join(fixtureDir, 'meta.ts');
    const ours = ourLib.createNodeImportMeta(file);
    const vite = viteLib.createNodeImportMeta(file);
    assert.equal(ours.main, false);
    assert.deepStrictEqual(Object.keys(ours), Object.keys(vite));
    const specifiers = ['./sub/dyn-one.ts', '../x.js', 'esm-pkg', 'esm-pkg/extra', 'cjs-pkg', 'node:fs', 'fs', '/abs/file.js'];
    for (const spec of specifiers) assert.equal(ours.resolve(spec), vite.resolve(spec), spec);
    assert.equal(ours.resolve('cjs-pkg'), pathToFileURL(path.join(fixtureDir, 'node_modules/cjs-pkg/lib/main.js')).href);
    const parent = pathToFileURL(path.join(fixtureDir, 'sub', 'x.js')).href;
    assert.equal(ours.resolve('./y.js', parent), vite.resolve('./y.js', parent));
    assert.equal(describeError(catchSync(() => ours.resolve('not-installed-pkg'))).code, 'ERR_MODULE_NOT_FOUND');
    assert.equal(describeError(catchSync(() => vite.resolve('not-installed-pkg'))).code, 'ERR_MODULE_NOT_FOUND');
  });
});

function catchSync(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a throw');
}

describe('evaluation (differential)', () => {
  for (const transport of ['channel', 'invoke']) {
    test(`exports, values and key order (${transport} transport)`, async () => {
      const result = await differential(
        server,
        async (runner) => {
          const ns = await runner.import('/basic.ts');
          return {
            keys: Object.keys(ns),
            values: snapshot(ns),
            greet: ns.def('x'),
            tag: Object.prototype.toString.call(ns),
            proto: Object.getPrototypeOf(ns),
            sealed: Object.isSealed(ns),
          };
        },
        { transport },
      );
      assert.deepStrictEqual(result.keys, ['a', 'bee', 'def', 'sum', 'default', 'star1', 'star2']);
      assert.equal(result.values.sum, 3);
      assert.equal(result.greet, 'hi x');
      assert.equal(result.tag, '[object Module]');
      assert.equal(result.proto, null);
      assert.equal(result.sealed, true);
    });

    test(`externals: node builtins, ESM and CJS packages (${transport} transport)`, async () => {
      const result = await differential(
        server,
        async (runner) => {
          const ns = await runner.import('/ext.ts');
          const fsNode = runner.evaluatedModules.getModuleById('fs');
          return { ...snapshot(ns), fsMetaType: fsNode?.meta?.type };
        },
        { transport },
      );
      assert.deepStrictEqual(result, {
        fsOk: true,
        pathSep: path.sep,
        esmInfo: ['esm-named', 'esm', true, 1],
        cjsInfo: ['cjs-named', 3, 'object', 'cjs-named'],
        fsMetaType: 'builtin',
      });
    });
  }

  test('side effects run once, in depth-first import order', async () => {
    const result = await differential(server, async (runner) => {
      const first = await runner.import('/order-entry.ts');
      const again = await runner.import('/order-entry.ts');
      return { log: [...first.log], same: first === again };
    });
    assert.deepStrictEqual(result, { log: ['c', 'a', 'b', 'entry'], same: true });
  });

  test('live bindings and `this` of imported calls', async () => {
    const result = await differential(server, async (runner) => {
      const entry = await runner.import('/live-entry.ts');
      const live = await runner.import('/live.ts');
      const beforeInc = entry.viaNs();
      entry.inc();
      return {
        before: entry.before,
        after: entry.after,
        beforeInc,
        afterInc: entry.viaNs(),
        direct: live.count,
        thisInCall: entry.thisInCall,
        thisInNsCallIsNs: entry.thisInNsCall === live,
        topThis: live.topThis,
      };
    });
    assert.deepStrictEqual(result, {
      before: 0,
      after: 1,
      beforeInc: 1,
      afterInc: 2,
      direct: 2,
      thisInCall: undefined,
      thisInNsCallIsNs: true,
      topThis: 'undefined',
    });
  });

  test('circular imports see partial namespaces', async () => {
    const result = await differential(server, async (runner) => snapshot(await runner.import('/cycle-entry.ts')));
    assert.deepStrictEqual(result, {
      fromA: 'A',
      seenByB: 'A',
      log: ['b-body:fromA,getFromB,seenByB', 'a-body'],
      b: 'B',
    });
  });

  test('concurrent imports of a cycle do not deadlock', async () => {
    const result = await differential(server, async (runner) => {
      const [x, y] = await withTimeout(
        Promise.all([runner.import('/concurrent-x.ts'), runner.import('/concurrent-y.ts')]),
        5000,
        'concurrent cycle',
      );
      return { x: x.x, y: y.y, xSeesY: x.seenY(), ySeesX: y.seenX() };
    });
    assert.deepStrictEqual(result, { x: 'x', y: 'y', xSeesY: 'y', ySeesX: 'x' });
  });

  test('top-level await', async () => {
    const result = await differential(server, async (runner) => [...(await runner.import('/tla-entry.ts')).log]);
    assert.deepStrictEqual(result, ['tla-start', 'tla-end', 'entry:true']);
  });

  test('missing named export of an ESM external', async () => {
    const err = await differential(server, (runner) => captureError(runner.import('/ext-missing-esm.ts')));
    assert.deepStrictEqual(err, {
      isError: true,
      name: 'SyntaxError',
      message: "[vite] The requested module 'esm-pkg' does not provide an export named 'notThere'",
      code: undefined,
    });
  });

  test('missing named exports of a CommonJS external', async () => {
    const err = await differential(server, (runner) => captureError(runner.import('/ext-missing-cjs.ts')));
    assert.equal(err.name, 'SyntaxError');
    assert.ok(err.message.startsWith("[vite] Named export 'nope2' not found. The requested module 'cjs-pkg' is a CommonJS module"));
    assert.ok(err.message.includes("import pkg from 'cjs-pkg';\nconst {nope1, nope2} = pkg;\n"));
  });

  test('dynamic import of an external is not checked for named exports', async () => {
    const result = await differential(server, async (runner) => (await runner.import('/ext-dynamic-missing.ts')).load());
    assert.deepStrictEqual(result, ['esm-named', undefined]);
  });

  test('dynamic import: template paths, nested relative paths, missing files', async () => {
    const result = await differential(server, async (runner) => {
      const dyn = await runner.import('/dyn.ts');
      return {
        one: await dyn.load('one'),
        two: await dyn.load('two'),
        nested: await dyn.loadRelative(),
        missing: await captureError(dyn.loadMissing()),
      };
    });
    assert.equal(result.one, 'one');
    assert.equal(result.two, 'two');
    assert.equal(result.nested, '1two');
    assert.equal(result.missing.isError, true);
    assert.match(result.missing.message, /does-not-exist/);
  });

  test('JSON imports', async () => {
    const result = await differential(server, async (runner) => (await runner.import('/json-entry.ts')).result);
    assert.deepStrictEqual(result, { name: 'fixture', same: true, list: [1, 2, 3], nested: true });
  });

  test('import.meta url/filename/dirname (default and Node flavours)', async () => {
    const result = await differential(server, async (runner) => ({
      meta: snapshot(await runner.import('/meta.ts')),
      sub: snapshot(await runner.import('/sub/meta-sub.ts')),
    }));
    assert.equal(result.meta.url, pathToFileURL(path.join(fixtureDir, 'meta.ts')).href);
    assert.equal(result.meta.filename, path.join(fixtureDir, 'meta.ts'));
    assert.equal(result.meta.dirname, fixtureDir);
    assert.equal(result.sub.dirname, path.join(fixtureDir, 'sub'));
    assert.equal(result.meta.hasHot, false);
    // Each side with its own createNodeImportMeta.
    const results = {};
    for (const [name, lib] of IMPLS) {
      results[name] = await withRunner(lib, server, { runner: { createImportMeta: lib.createNodeImportMeta } }, async (runner) =>
        snapshot(await runner.import('/meta.ts')),
      );
    }
    assert.deepStrictEqual(results.ours, results.vite);
    assert.deepStrictEqual(results.ours.metaKeys, ['dirname', 'env', 'filename', 'glob', 'main', 'resolve', 'url']);
  });

  test('errors thrown while evaluating keep name and message', async () => {
    const result = await differential(server, (runner) => captureError(runner.import('/throws-top.ts')));
    assert.deepStrictEqual(result, { isError: true, name: 'TypeError', message: 'top-level failure', code: undefined });
  });

  test('a failing module rejects identically for every importer in one import graph', async () => {
    const result = await differential(server, async (runner) => (await runner.import('/same-error.ts')).twice());
    assert.deepStrictEqual(result, { same: true, message: 'bad evaluation', name: 'RangeError' });
  });

  test('server errors are revived as Error objects with their properties', async () => {
    for (const transport of ['channel', 'invoke']) {
      const result = await differential(
        server,
        async (runner) => {
          try {
            await runner.import('/does-not-exist.ts');
          } catch (err) {
            return { ...describeError(err), hasRunnerError: err.runnerError instanceof Error };
          }
          return null;
        },
        { transport },
      );
      assert.equal(result.isError, true);
      assert.equal(result.hasRunnerError, true);
      assert.match(result.message, /does-not-exist\.ts/);
    }
  });

  test('runner graph: ids, urls, importers, imports and files', async () => {
    const result = await differential(server, async (runner) => {
      await runner.import('/order-entry.ts');
      const graph = runner.evaluatedModules;
      const rel = (id) => path.relative(fixtureDir, id);
      const entry = graph.getModuleByUrl('/order-entry.ts');
      const c = graph.getModuleById(path.join(fixtureDir, 'order-c.ts'));
      return {
        entry: { id: rel(entry.id), url: entry.url, evaluated: entry.evaluated, imports: [...entry.imports].map(rel).sort() },
        cImporters: [...c.importers].map(rel).sort(),
        byFile: [...graph.getModulesByFile(path.join(fixtureDir, 'order-c.ts'))].map((n) => n.url),
        size: graph.idToModuleMap.size,
        hasMap: !!graph.getModuleSourceMapById(entry.id),
        sources: graph.getModuleSourceMapById(entry.id).resolvedSources.map(rel),
      };
    });
    assert.deepStrictEqual(result.entry, {
      id: 'order-entry.ts',
      url: '/order-entry.ts',
      evaluated: true,
      imports: ['log.ts', 'order-a.ts', 'order-b.ts'],
    });
    assert.deepStrictEqual(result.cImporters, ['order-a.ts', 'order-b.ts']);
    assert.deepStrictEqual(result.byFile, ['/order-c.ts']);
    assert.equal(result.size, 5);
    assert.deepStrictEqual(result.sources, ['order-entry.ts']);
  });

  test('clearCache re-evaluates; close() makes import fail', async () => {
    const result = await differential(server, async (runner) => {
      const a = await runner.import('/counter.ts');
      runner.clearCache();
      const b = await runner.import('/counter.ts');
      await runner.close();
      return { increased: b.n === a.n + 1, closed: runner.isClosed(), error: await captureError(runner.import('/counter.ts')) };
    });
    assert.deepStrictEqual(result, {
      increased: true,
      closed: true,
      error: { isError: true, name: 'Error', message: 'Vite module runner has been closed.', code: undefined },
    });
  });
});

describe('source maps', () => {
  async function stackOf(runner) {
    const mod = await runner.import('/throws.ts');
    let stack;
    try {
      mod.boom('x');
    } catch (err) {
      stack = err.stack;
    }
    const top = await runner.import('/throws-top.ts').catch((err) => err.stack);
    const first = (s) => /\((.*):(\d+):(\d+)\)|at (\/.*):(\d+):(\d+)/.exec(s.split('\n').find((l) => l.includes('throws')));
    const pick = (m) => (m[1] ? [path.basename(m[1]), +m[2], +m[3]] : [path.basename(m[4]), +m[5], +m[6]]);
    return { header: stack.split('\n')[0], boom: pick(first(stack)), top: pick(first(top)) };
  }

  for (const mode of ['prepareStackTrace', 'node']) {
    test(`stack traces point at the original .ts source (${mode})`, async () => {
      const originalPrepare = Error.prepareStackTrace;
      const result = await differential(server, stackOf, { runner: { sourcemapInterceptor: mode } });
      assert.deepStrictEqual(result, { header: 'Error: failed: x', boom: ['throws.ts', 16, 9], top: ['throws-top.ts', 4, 9] });
      assert.equal(Error.prepareStackTrace, originalPrepare, 'interceptor is removed on close');
    });
  }

  test('default interceptor is the prepareStackTrace hook, like Vite; restored on close', async () => {
    assert.equal(process.sourceMapsEnabled, false);
    const before = Error.prepareStackTrace;
    const runner = new ourLib.ModuleRunner({ transport: makeTransport(server, 'invoke'), hmr: false });
    assert.equal(process.sourceMapsEnabled, false);
    assert.notEqual(Error.prepareStackTrace, before);
    const stack = await stackOf(runner);
    await runner.close();
    assert.equal(Error.prepareStackTrace, before);
    assert.deepStrictEqual(stack.boom, ['throws.ts', 16, 9]);
  });

  test('VLQ decoder and position lookup', () => {
    // Segments: line 1 → [0,0,0,0], [4,0,0,4,0]; line 2 empty; line 3 → [2,0,1,0]
    const mappings = 'AAAA,IAAIA;;EACJ';
    assert.deepStrictEqual(decodeMappings(mappings), [[[0, 0, 0, 0], [4, 0, 0, 4, 0]], [], [[2, 0, 1, 0]]]);
    const map = new DecodedMap({ version: 3, mappings, sources: ['src/a.ts'], names: ['foo'] }, '/root/a.ts');
    assert.deepStrictEqual(lookupOriginal(map, 1, 6), { source: '/root/src/a.ts', line: 1, column: 4, name: 'foo' });
    assert.deepStrictEqual(lookupOriginal(map, 1, 1), { source: '/root/src/a.ts', line: 1, column: 0, name: null });
    assert.equal(lookupOriginal(map, 2, 0), null);
    assert.equal(lookupOriginal(map, 3, 1), null);
    assert.equal(lookupOriginal(map, 3, 2).line, 2);
    // Large and negative deltas.
    assert.deepStrictEqual(decodeMappings('gBAAgB,DAAD'), [[[15, 0, 0, 15], [16, 0, 0, 16]]]);
  });
});

describe('transport protocol', () => {
  test('send/connect transport times out with Vite\'s message', async () => {
    // The invoke timer is unref'd (a pending call must not keep a process
    // alive), so hold the event loop open for the duration of the test.
    const keepAlive = setInterval(() => {}, 1000);
    const result = await differential(
      server,
      async (runner) => {
        const err = await captureError(runner.import('/basic.ts'));
        return { ...err, message: err.message.replace(/"send:[\w-]{21}"/, '"send:<id>"') };
      },
      {
        runner: {
          transport: { timeout: 30, connect() {}, send() {} },
        },
      },
    ).finally(() => clearInterval(keepAlive));
    assert.equal(result.isError, true);
    assert.match(result.message, /^transport invoke timed out after 30ms \(data: \{"type":"custom","event":"vite:invoke","data":\{"name":"getBuiltins","id":"send:<id>","data":\[\]\}\}\)$/);
  });

  test('invoke payload shape and `cache: true` without local module', async () => {
    const seen = {};
    const result = await differential(
      server,
      (runner) => captureError(runner.import('/basic.ts')),
      {
        runner: {
          transport: {
            async invoke(payload) {
              (seen[payload.data.name] ??= []).push(payload);
              if (payload.data.name === 'getBuiltins') return { result: [] };
              return { result: { cache: true } };
            },
          },
        },
      },
    );
    assert.equal(result.message, 'Module "/basic.ts" was mistakenly invalidated during fetch phase.');
    assert.equal(seen.getBuiltins.length, 2);
    assert.deepStrictEqual(seen.fetchModule[0], seen.fetchModule[1]);
    assert.deepStrictEqual(seen.fetchModule[1], {
      type: 'custom',
      event: 'vite:invoke',
      data: { id: 'send', name: 'fetchModule', data: ['/basic.ts', undefined, { cached: false, startOffset: 3 }] },
    });
  });

  test('hmr option vs transports that cannot receive', async () => {
    const transport = { invoke: (payload) => server.environments.ssr.hot.handleInvoke(payload) };
    const messages = [];
    for (const [, lib] of IMPLS) {
      messages.push(catchSync(() => new lib.ModuleRunner({ transport, hmr: true, sourcemapInterceptor: false })).message);
    }
    assert.equal(messages[0], messages[1]);
    // Default hmr (on) with an invoke-only transport: both runners refuse, with the same message.
    const defaults = IMPLS.map(([, lib]) => catchSync(() => new lib.ModuleRunner({ transport, sourcemapInterceptor: false })).message);
    assert.equal(defaults[0], defaults[1]);
    assert.match(defaults[1], /HMR is not supported by this runner transport/);
    // With hmr off it runs.
    const runner = new ourLib.ModuleRunner({ transport, hmr: false, sourcemapInterceptor: false });
    assert.equal(runner.hmrClient, undefined);
    assert.equal((await runner.import('/dep-a.ts')).a, 1);
    await runner.close();
  });

  test('createWebSocketModuleRunnerTransport connects, parses and pings', async () => {
    const results = {};
    for (const [name, lib] of IMPLS) {
      const sent = [];
      const received = [];
      const listeners = {};
      const socket = {
        OPEN: 1,
        readyState: 0,
        addEventListener(type, fn) {
          (listeners[type] ??= []).push(fn);
        },
        send: (data) => sent.push(JSON.parse(data)),
        close() {
          this.closed = true;
        },
      };
      const transport = lib.createWebSocketModuleRunnerTransport({ createConnection: () => socket, pingInterval: 5 });
      const connecting = transport.connect({ onMessage: (m) => received.push(m.event ?? m.type), onDisconnection() {} });
      socket.readyState = 1;
      for (const fn of listeners.open) fn();
      await connecting;
      for (const fn of listeners.message) fn({ data: JSON.stringify({ type: 'custom', event: 'hello' }) });
      transport.send({ type: 'custom', event: 'out' });
      await new Promise((r) => setTimeout(r, 20));
      transport.disconnect();
      results[name] = { received, firstSent: sent[0], pinged: sent.some((m) => m.type === 'ping'), closed: socket.closed };
    }
    assert.deepStrictEqual(results.ours, results.vite);
    assert.deepStrictEqual(results.ours.received, ['vite:ws:connect', 'hello']);
    assert.equal(results.ours.pinged, true);
  });
});

describe('scaling', () => {
  test('cycle checks for in-flight modules are O(1) per request, not a walk of the import graph', async () => {
    // Synthetic server. `/x.js` statically imports G leaves one after another
    // and then waits on a gate. Once x is at the gate, `/hub.js` starts F concurrent
    // importers of `/x.js`; every one of them finds x in flight (but not in its
    // own callstack), which triggers the circular-request check. Vite 8.3's
    // check walks x's (growing) import list each time: F × G work. Ours only
    // follows live "waits-for" edges: x waits on one leaf at a time.
    const F = 1500;
    const G = 1500;
    const sources = {
      '/entry.js': `const p = __vite_ssr_dynamic_import__("/x.js");\nawait __vite_ssr_dynamic_import__("/hub.js");\nawait p;\n__vite_ssr_exportName__("ok", () => true);`,
      '/x.js':
        Array.from({ length: G }, (_, i) => `await __vite_ssr_import__("/g${i}.js");`).join('\n') +
        `\nglobalThis.__scaleXReady();\nawait globalThis.__scaleGate;\n__vite_ssr_exportName__("x", () => "x");`,
      '/hub.js': `await globalThis.__scaleXReadyPromise;\nconst all = await Promise.all(Array.from({ length: ${F} }, (_, i) => __vite_ssr_dynamic_import__("/c" + i + ".js")));\n__vite_ssr_exportName__("count", () => all.length);`,
    };
    const source = (url) => {
      if (sources[url]) return sources[url];
      if (url.startsWith('/g')) return `__vite_ssr_exportName__("g", () => 1);`;
      // Importer: count itself, then import x. The last one opens the gate on
      // a timer, i.e. after all (microtask-only) fetches and requests of x are made.
      return `if (++globalThis.__scaleStarted === ${F}) setTimeout(globalThis.__scaleOpen, 0);\nconst x = await __vite_ssr_import__("/x.js", { importedNames: ["x"] });\n__vite_ssr_exportName__("seen", () => x.x);`;
    };
    const transport = {
      async invoke(payload) {
        const { name, data } = payload.data;
        if (name === 'getBuiltins') return { result: [] };
        const url = data[0];
        return { result: { code: source(url), file: `/virtual${url}`, id: `/virtual${url}`, url, invalidate: false } };
      },
    };
    const lookups = {};
    for (const [name, lib] of IMPLS) {
      let count = 0;
      class CountingModules extends lib.EvaluatedModules {
        getModuleById(id) {
          count++;
          return super.getModuleById(id);
        }
      }
      globalThis.__scaleStarted = 0;
      globalThis.__scaleGate = new Promise((resolve) => (globalThis.__scaleOpen = resolve));
      globalThis.__scaleXReadyPromise = new Promise((resolve) => (globalThis.__scaleXReady = resolve));
      const runner = new lib.ModuleRunner({ transport, hmr: false, sourcemapInterceptor: false, evaluatedModules: new CountingModules() });
      try {
        const ns = await withTimeout(runner.import('/entry.js'), 20000, `${name} large graph`);
        assert.equal(ns.ok, true);
        const hub = await runner.import('/hub.js');
        assert.equal(hub.count, F);
        assert.equal((await runner.import('/c0.js')).seen, 'x');
        lookups[name] = count;
      } finally {
        await runner.close();
      }
    }
    // Linear: a few lookups per module at most.
    assert.ok(lookups.ours < 4 * (F + G), `ours did ${lookups.ours} lookups`);
    // The scenario really exercises the expensive path (guards the test itself).
    assert.ok(lookups.vite > 100 * (F + G), `vite did ${lookups.vite} lookups vs ours ${lookups.ours}`);
  });
});

describe('failure recovery (temp copy of the fixture)', () => {
  let dir;
  let editServer;
  before(async () => {
    dir = copyFixture();
    editServer = await createServer(serverOptions(dir));
  });
  after(async () => {
    await editServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an evaluation error is not cached forever once its cause is fixed', async () => {
    const flagFile = path.join(dir, 'recover-flag.json');
    const results = {};
    for (const [name, lib] of IMPLS) {
      fs.writeFileSync(flagFile, '{ "ok": false }');
      const runner = new lib.ModuleRunner({ transport: makeTransport(editServer, 'channel'), hmr: false, sourcemapInterceptor: false });
      try {
        globalThis.__recoverEntryRuns = 0;
        const first = await captureError(runner.import('/recover-entry.ts'));
        // Not fixed yet: importing again fails the same way.
        const second = await captureError(runner.import('/recover-entry.ts'));
        fs.writeFileSync(flagFile, '{ "ok": true, "value": "fixed" }');
        let fixed;
        try {
          const ns = await runner.import('/recover-entry.ts');
          fixed = { result: ns.result, cachedAfterwards: (await runner.import('/recover-entry.ts')) === ns };
        } catch (err) {
          fixed = describeError(err);
        }
        results[name] = { first: first.message, second: second.message, fixed, entryRuns: globalThis.__recoverEntryRuns };
      } finally {
        await runner.close();
      }
    }
    assert.deepStrictEqual(results.ours, {
      first: 'dep is broken',
      second: 'dep is broken',
      fixed: { result: 'entry:fixed', cachedAfterwards: true },
      entryRuns: 1,
    });
    // Vite 8.3's runner keeps returning the cached rejection (vitejs/vite#23131).
    assert.equal(results.vite.fixed.message, 'dep is broken');
  });

  test('a transform (syntax) error recovers too', async () => {
    const file = path.join(dir, 'dep-a.ts');
    const original = fs.readFileSync(file, 'utf8');
    const runner = new ourLib.ModuleRunner({ transport: makeTransport(editServer, 'invoke'), hmr: false, sourcemapInterceptor: false });
    try {
      fs.writeFileSync(file, 'export const a = ;\n');
      invalidateFile(editServer, file);
      const err = await captureError(runner.import('/basic.ts'));
      assert.equal(err.isError, true);
      fs.writeFileSync(file, original);
      invalidateFile(editServer, file);
      assert.equal((await runner.import('/basic.ts')).sum, 3);
    } finally {
      await runner.close();
    }
  });
});

describe('HMR (temp copy, server.hmr: true)', () => {
  let dir;
  let hmrServer;
  before(async () => {
    dir = copyFixture();
    hmrServer = await createServer(serverOptions(dir, { hmr: true }));
  });
  after(async () => {
    await hmrServer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function hmrRunner(lib) {
    return new lib.ModuleRunner({
      transport: makeTransport(hmrServer, 'channel'),
      hmr: { logger: false },
      sourcemapInterceptor: false,
    });
  }

  async function change(file, content) {
    fs.writeFileSync(file, content);
    hmrServer.watcher.emit('change', file);
  }

  test('self-accepting module update with dispose data, then full reload', async () => {
    const selfFile = path.join(dir, 'hmr-self.ts');
    const plainFile = path.join(dir, 'hmr-plain.ts');
    const selfSource = fs.readFileSync(selfFile, 'utf8');
    const plainSource = fs.readFileSync(plainFile, 'utf8');
    const results = {};
    for (const [name, lib] of IMPLS) {
      fs.writeFileSync(selfFile, selfSource);
      fs.writeFileSync(plainFile, plainSource);
      invalidateFile(hmrServer, selfFile);
      invalidateFile(hmrServer, plainFile);
      globalThis.__hmrEntryRuns = 0;
      const runner = hmrRunner(lib);
      try {
        assert.ok(runner.hmrClient, `${name} has an hmr client`);
        const entry = await runner.import('/hmr-entry.ts');
        const initial = entry.snapshot();

        const accepted = new Promise((resolve) => (globalThis.__hmrAccepted = resolve));
        await change(selfFile, selfSource.replace('version = 1', 'version = 2'));
        const update = await withTimeout(accepted, 5000, 'hot update');
        const selfNs = await runner.import('/hmr-self.ts');

        const entryRunsBefore = globalThis.__hmrEntryRuns;
        await change(plainFile, "export const plain = 'plain-2';\n");
        await withTimeout(
          (async () => {
            while (globalThis.__hmrEntryRuns === entryRunsBefore) await new Promise((r) => setTimeout(r, 5));
          })(),
          5000,
          'full reload',
        );
        const reloaded = await runner.import('/hmr-entry.ts');
        results[name] = {
          initial,
          update,
          selfVersion: selfNs.version,
          entryRuns: globalThis.__hmrEntryRuns,
          afterReload: reloaded.snapshot(),
        };
      } finally {
        delete globalThis.__hmrAccepted;
        await runner.close();
      }
    }
    assert.deepStrictEqual(results.ours, results.vite);
    assert.deepStrictEqual(results.ours.initial, { version: 1, evalCount: 1, plain: 'plain-1' });
    assert.deepStrictEqual(results.ours.update, { version: 2, evalCount: 2, disposedVersion: 1 });
    assert.equal(results.ours.selfVersion, 2);
    assert.equal(results.ours.entryRuns, 2);
    assert.equal(results.ours.afterReload.plain, 'plain-2');
  });

  test('custom events both ways through import.meta.hot', async () => {
    const results = {};
    for (const [name, lib] of IMPLS) {
      const runner = hmrRunner(lib);
      try {
        const ns = await runner.import('/hmr-events.ts');
        const ping = new Promise((resolve) => (globalThis.__hmrPing = resolve));
        hmrServer.environments.ssr.hot.send('test:ping', { n: 1 });
        const got = await withTimeout(ping, 5000, 'ping');
        const pong = new Promise((resolve) => {
          const handler = (data) => {
            hmrServer.environments.ssr.hot.off('test:pong', handler);
            resolve(data);
          };
          hmrServer.environments.ssr.hot.on('test:pong', handler);
        });
        ns.sendPong({ m: 2 });
        results[name] = { got, pong: await withTimeout(pong, 5000, 'pong') };
      } finally {
        delete globalThis.__hmrPing;
        await runner.close();
      }
    }
    assert.deepStrictEqual(results.ours, results.vite);
    assert.deepStrictEqual(results.ours, { got: { n: 1 }, pong: { m: 2 } });
  });
});
