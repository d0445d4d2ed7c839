//! Vite's `monotonicDateNow`: wall-clock milliseconds that never repeat or go back, so that
//! "transformed after the last invalidation" comparisons are strict.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static LAST: AtomicU64 = AtomicU64::new(0);

pub fn monotonic_now() -> f64 {
  let now = SystemTime::now()
    .duration_since(UNIX_EPOCH)
    .map_or(0, |d| d.as_millis() as u64);
  let mut last = LAST.load(Ordering::Relaxed);
  loop {
    let next = if now > last { now } else { last + 1 };
    match LAST.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
      // Milliseconds since 1970 stay far below 2^53, so the conversion is exact.
      #[allow(clippy::cast_precision_loss)]
      Ok(_) => return next as f64,
      Err(actual) => last = actual,
    }
  }
}

#[cfg(test)]
mod tests {
  #[test]
  fn strictly_increasing() {
    let a = super::monotonic_now();
    let b = super::monotonic_now();
    assert!(b > a);
  }
}
