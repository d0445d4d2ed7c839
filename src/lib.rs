//! napi binding of vite-env-native: conversions between JS values and the engine's types, and
//! handles to engine objects. No logic lives here; see the crates under `crates/`.

#![deny(clippy::all)]

mod convert;
mod environment;

pub use environment::NativeEnvironment;
