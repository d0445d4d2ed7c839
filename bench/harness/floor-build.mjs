#!/usr/bin/env node
// Build the "native loader" floor for the SSR cold start: transpile every .ts
// file of a generated app to plain ESM .js one file at a time (no bundling, the
// module structure is kept), add .js to relative specifiers, and replace
// import.meta.env.* with the values Vite's dev SSR would see.
// Also reports how long the per-file transpile of the whole app took.
//
// Usage: node floor-build.mjs <appDir> <outDir> [--deps-dir <folder with node_modules>]
//        [--transformer esbuild|oxc|rolldown]
//
// oxc-transform is the default (the transformer family Vite 8 uses, so the
// floor loads code close to what Vite 8 evaluates); `esbuild` also works.
// The chosen tool must be installed under --deps-dir (default: cwd).
// `rolldown` (this repository's copy: `rolldown/utils` transformSync, which is oxc's
// transformer as shipped with Vite 8) needs nothing installed beyond Vite; bench/cold-ssr.mjs
// uses it.

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, findPackageDir, importPackage, round } from './lib.mjs';

const args = parseArgs(process.argv.slice(2));
const [appDirArg, outDirArg] = args._;
if (!appDirArg || !outDirArg) {
  console.error('usage: node floor-build.mjs <appDir> <outDir> [--deps-dir dir] [--transformer esbuild|oxc]');
  process.exit(2);
}
const appDir = path.resolve(appDirArg);
const outDir = path.resolve(outDirArg);
const depsDir = path.resolve(args['deps-dir'] ?? process.cwd());
const transformer = args.transformer ?? 'oxc';

// what Vite's dev server exposes as import.meta.env for SSR (mode=development)
function readDotEnv(file) {
  const env = {};
  if (!fs.existsSync(file)) return env;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (m && m[1].startsWith('VITE_')) env[m[1]] = m[2];
  }
  return env;
}
const env = { BASE_URL: '/', MODE: 'development', DEV: true, PROD: false, SSR: true, ...readDotEnv(path.join(appDir, '.env')) };
const define = { 'import.meta.env': JSON.stringify(env) };
for (const [k, v] of Object.entries(env)) define[`import.meta.env.${k}`] = JSON.stringify(v);

let transpile;
let toolVersion;
if (transformer === 'esbuild') {
  const { mod, version } = await importPackage(findPackageDir('esbuild', depsDir));
  toolVersion = `esbuild ${version}`;
  transpile = (code, file) => mod.transformSync(code, { loader: 'ts', format: 'esm', target: 'es2022', define, sourcefile: file }).code;
} else if (transformer === 'oxc') {
  const { mod, version } = await importPackage(findPackageDir('oxc-transform', depsDir));
  toolVersion = `oxc-transform ${version}`;
  transpile = (code, file) => {
    const r = mod.transformSync(file, code, { target: 'es2022', define });
    if (r.errors?.length) throw new Error(`${file}: ${r.errors[0].message}`);
    return r.code;
  };
} else if (transformer === 'rolldown') {
  const dir = findPackageDir('rolldown', depsDir);
  const { mod } = await importPackage(dir, './utils');
  toolVersion = `rolldown ${JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version} (oxc transform)`;
  transpile = (code, file) => {
    const r = mod.transformSync(file, code, { target: 'es2022', define });
    if (r.errors?.length) throw new Error(`${file}: ${r.errors[0].message}`);
    return r.code;
  };
} else throw new Error(`unknown --transformer ${transformer}`);

function listTs(dir, out = []) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) listTs(p, out);
    else if (ent.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const specRe = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*?)\2/g;
const addJs = (code) => code.replace(specRe, (m, pre, q, spec) => (/\.[cm]?js$/.test(spec) ? m : `${pre}${q}${spec}.js${q}`));

fs.rmSync(outDir, { recursive: true, force: true });
const files = listTs(path.join(appDir, 'src')).sort();
let transpileMs = 0;
let inBytes = 0;
let outBytes = 0;
for (const f of files) {
  const src = fs.readFileSync(f, 'utf8');
  const a = performance.now();
  const js = addJs(transpile(src, f));
  transpileMs += performance.now() - a;
  const rel = path.relative(appDir, f).replace(/\.ts$/, '.js');
  const dest = path.join(outDir, rel);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, js);
  inBytes += src.length;
  outBytes += js.length;
}
fs.writeFileSync(path.join(outDir, 'package.json'), JSON.stringify({ private: true, type: 'module' }) + '\n');
if (/import\.meta\.env/.test(fs.readFileSync(path.join(outDir, 'src/entry-server.js'), 'utf8'))) {
  throw new Error('import.meta.env left in output: define did not apply');
}
console.log(JSON.stringify({ bench: 'floor-build', tool: toolVersion, appDir, outDir, files: files.length, inMB: round(inBytes / 1048576, 2), outMB: round(outBytes / 1048576, 2), transpileMs: round(transpileMs) }));
