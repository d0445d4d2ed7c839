//! napi binding of vite-env-native: conversions between JS values and the engine's types, and
//! handles to engine objects. No logic lives here; see the crates under `crates/`.

// napi-derive needs owned arguments (`String`), and the option objects mirror Vite's config,
// which has many booleans.
#![allow(clippy::needless_pass_by_value, clippy::struct_excessive_bools)]

mod bridge;
mod convert;
mod environment;

pub use environment::NativeEnvironment;
