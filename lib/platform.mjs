// napi-rs's platform names (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, …): the suffix of
// each platform package and of its `.node` file. Shared by the loader and `scripts/pack.mjs`.

/** This machine's platform name. */
export function hostPlatform() {
  const libc = process.platform === 'linux' ? (process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl') : undefined
  return [process.platform, process.arch, process.platform === 'win32' ? 'msvc' : libc].filter(Boolean).join('-')
}

/** The platform name of a Rust target triple (`x86_64-unknown-linux-gnu` → `linux-x64-gnu`). */
export function platformOfTriple(triple) {
  const [arch, , os, abi] = triple.split('-')
  const cpu = { x86_64: 'x64', aarch64: 'arm64' }[arch] ?? arch
  const system = { windows: 'win32' }[os] ?? os
  return [system, cpu, abi].filter(Boolean).join('-')
}
