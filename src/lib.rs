//! napi binding of vite-env-native: conversions between JS values and the engine's types, and
//! handles to engine objects. No logic lives here; see the crates under `crates/`.

// napi-derive needs owned arguments (`String`), and the option objects mirror Vite's config,
// which has many booleans.
#![allow(clippy::needless_pass_by_value, clippy::struct_excessive_bools)]
// napi-derive registers free functions only outside `cfg(test)`, so test builds see them unused.
#![cfg_attr(test, allow(dead_code))]

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod bridge;
mod convert;
mod environment;
mod text;

pub use environment::NativeEnvironment;
