//! Panics inside the engine become errors naming the step and the module (issue 10, "Faults"):
//! a bug in one module's resolve, transform or graph update fails that request, not the process,
//! and the environment keeps serving.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use crate::EnvError;

/// Error code of a caught panic.
pub const INTERNAL_ERROR_CODE: &str = "ERR_VITE_ENV_NATIVE_INTERNAL";

/// Environment variable that makes chosen steps panic, for tests only:
/// `step:needle[,step:needle…]` panics in `step` (`resolve`, `transform`, `graph`, `invalidate`) for
/// every subject (module id, specifier, file) containing `needle`. Unset, nothing is injected.
pub const INJECT_PANIC_VAR: &str = "VITE_ENV_NATIVE_TEST_INJECT_PANIC";

/// The text of a panic payload (`panic!` with a literal or a formatted message).
pub fn panic_text(payload: &(dyn Any + Send)) -> String {
  if let Some(text) = payload.downcast_ref::<&str>() {
    return (*text).to_owned();
  }
  if let Some(text) = payload.downcast_ref::<String>() {
    return text.clone();
  }
  "unknown panic".to_owned()
}

/// The error a caught panic becomes: `step` says what the engine was doing, `subject` with what.
pub fn internal_error(step: &str, subject: &str, payload: &(dyn Any + Send)) -> EnvError {
  EnvError {
    id: Some(subject.to_owned()),
    ..EnvError::new(
      INTERNAL_ERROR_CODE,
      format!(
        "vite-env-native internal error while {step} {subject}: {}",
        panic_text(payload)
      ),
    )
  }
}

/// Runs `work`, turning a panic into [`internal_error`]. Shared state that `work` touches must
/// stay valid when it unwinds half-way (dashmap shards unlock on unwind; mutexes are read
/// through poisoning).
pub fn guard<T>(step: &str, subject: &str, work: impl FnOnce() -> T) -> Result<T, EnvError> {
  catch_unwind(AssertUnwindSafe(work)).map_err(|payload| internal_error(step, subject, &*payload))
}

fn injected() -> &'static [(String, String)] {
  static INJECTED: OnceLock<Vec<(String, String)>> = OnceLock::new();
  INJECTED.get_or_init(|| {
    std::env::var(INJECT_PANIC_VAR)
      .map(|spec| {
        spec
          .split(',')
          .filter_map(|entry| entry.split_once(':'))
          .filter(|(_, needle)| !needle.is_empty())
          .map(|(step, needle)| (step.to_owned(), needle.to_owned()))
          .collect()
      })
      .unwrap_or_default()
  })
}

/// Panics when the test-only [`INJECT_PANIC_VAR`] asks for `step` on `subject`.
pub fn inject_panic(step: &str, subject: &str) {
  let injected = injected();
  if injected.is_empty() {
    return;
  }
  if injected
    .iter()
    .any(|(s, needle)| s == step && subject.contains(needle.as_str()))
  {
    panic!("injected panic ({step})");
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn a_panic_becomes_an_error_naming_step_and_subject() {
    let error = guard("resolving", "./dep.ts", || -> u32 {
      panic!("bad state {}", 7)
    })
    .expect_err("the panic is caught");
    assert_eq!(error.code.as_deref(), Some(INTERNAL_ERROR_CODE));
    assert_eq!(error.id.as_deref(), Some("./dep.ts"));
    assert_eq!(
      error.message,
      "vite-env-native internal error while resolving ./dep.ts: bad state 7"
    );
    assert_eq!(guard("resolving", "./dep.ts", || 3).ok(), Some(3));
  }
}
