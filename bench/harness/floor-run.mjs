#!/usr/bin/env node
// Cold-start floor: plain `node` imports the pre-transpiled app (see
// floor-build.mjs) through its native ESM loader and calls render().
// Prints one JSON line (with the process's peak RSS, maxRssMB).
//
// Usage: node --expose-gc floor-run.mjs <floorDir>

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { round, MB } from './lib.mjs';

const dir = path.resolve(process.argv[2] ?? '.');
const t0 = performance.now();
const entry = await import(pathToFileURL(path.join(dir, 'src/entry-server.js')).href);
const t1 = performance.now();
const out = await entry.render('/');
const t2 = performance.now();
if (out.modules !== entry.EXPECTED_MODULES) throw new Error(`visited ${out.modules}, expected ${entry.EXPECTED_MODULES}`);
const cpu = process.cpuUsage();
const m = process.memoryUsage();
const res = {
  bench: 'floor',
  node: process.version,
  n: entry.EXPECTED_MODULES,
  cold: { totalMs: round(t2 - t0), importEntryMs: round(t1 - t0), renderMs: round(t2 - t1), sinceProcessStartMs: round(performance.now()) },
  htmlBytes: out.html.length,
  cpuMs: round((cpu.user + cpu.system) / 1000),
  memAfterCold: { rssMB: round(m.rss / MB), heapUsedMB: round(m.heapUsed / MB) },
};
if (globalThis.gc) {
  globalThis.gc();
  const g = process.memoryUsage();
  res.memAfterColdGC = { rssMB: round(g.rss / MB), heapUsedMB: round(g.heapUsed / MB) };
}
res.maxRssMB = round(process.resourceUsage().maxRSS / 1024); // KiB -> MB, peak of the process
console.log(JSON.stringify(res));
