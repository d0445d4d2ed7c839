// Shared environment for every cargo/napi command: one target triple and one target directory,
// so `napi build` (which always passes --target) and `cargo test` reuse each other's artifacts.
const triples = {
  'linux-x64': 'x86_64-unknown-linux-gnu',
  'linux-arm64': 'aarch64-unknown-linux-gnu',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
}

export function cargoEnv() {
  const triple = triples[`${process.platform}-${process.arch}`]
  return {
    ...process.env,
    ...(triple && !process.env.CARGO_BUILD_TARGET ? { CARGO_BUILD_TARGET: triple } : {}),
    CARGO_INCREMENTAL: process.env.CARGO_INCREMENTAL ?? '0',
  }
}
