// Evaluates server-transformed modules inside an AsyncFunction.

export const ssrModuleExportsKey = '__vite_ssr_exports__';
export const ssrImportKey = '__vite_ssr_import__';
export const ssrDynamicImportKey = '__vite_ssr_dynamic_import__';
export const ssrExportAllKey = '__vite_ssr_exportAll__';
export const ssrExportNameKey = '__vite_ssr_exportName__';
export const ssrImportMetaKey = '__vite_ssr_import_meta__';

export const AsyncFunction = async function () {}.constructor;

let headerLines;
/**
 * How many lines V8 puts before the body of `new AsyncFunction(...)` (the
 * `async function anonymous(a,b\n) {` header). Measured instead of hard-coded
 * because it is an engine detail. The server shifts source maps by this
 * amount (+1 for our `"use strict"` line) so stack traces line up.
 */
function functionHeaderLineCount() {
  if (headerLines === undefined) {
    const marker = '/*body*/';
    const source = new AsyncFunction('a', 'b', marker).toString();
    headerLines = source.slice(0, source.indexOf(marker)).split('\n').length - 1;
  }
  return headerLines;
}

export class ESModulesEvaluator {
  constructor() {
    // +1: the `"use strict";` line prepended in runInlinedModule.
    this.startOffset = functionHeaderLineCount() + 1;
  }

  async runInlinedModule(context, code) {
    const run = new AsyncFunction(
      ssrModuleExportsKey,
      ssrImportMetaKey,
      ssrImportKey,
      ssrDynamicImportKey,
      ssrExportAllKey,
      ssrExportNameKey,
      // Modules are always strict; on its own line so startOffset stays exact.
      `"use strict";\n${code}`,
    );
    await run(
      context[ssrModuleExportsKey],
      context[ssrImportMetaKey],
      context[ssrImportKey],
      context[ssrDynamicImportKey],
      context[ssrExportAllKey],
      context[ssrExportNameKey],
    );
    // A namespace object gains no new exports after evaluation.
    Object.seal(context[ssrModuleExportsKey]);
  }

  runExternalModule(file) {
    return import(file);
  }
}
