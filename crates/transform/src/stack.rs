//! Stacks large enough for any input, and panics kept inside the call.
//!
//! swc's parser, its visitors, its code generator and the drop of its tree all recurse once (or
//! more) per level of nesting in the source, and none has a depth limit: 20,000 nested
//! parentheses overflowed a 2 MB thread stack and killed the process. Every level of nesting
//! needs at least one byte of source, so a stack of `BASE + PER_BYTE × len` bytes is enough for
//! any file of `len` bytes, whatever its shape. Each call runs on such a stack: the thread's own
//! when it has that much left, otherwise a segment mapped for the call (stacker). Pages are
//! only touched as deep as the recursion really goes, so a flat file pays for the mapping, not
//! for its size. `PER_BYTE` is the deepest stack per source byte measured over the recursive
//! constructs in `tests` (parentheses need the most: about 3.4 KB per `(` in a release build),
//! with a margin; those tests run every construct on exactly the stack this module gives.

use std::panic::{AssertUnwindSafe, catch_unwind};

/// Room for everything that does not grow with nesting (setup, hashing, the map writer).
const BASE: usize = 1 << 20;

/// Stack per source byte; unoptimised builds use far bigger frames.
const PER_BYTE: usize = if cfg!(debug_assertions) {
  48 << 10
} else {
  4 << 10
};

/// The largest stack mapped for one call. Beyond it (files of about a megabyte that are nested
/// all the way through) [`crate::nesting`]'s limit is what keeps the recursion bounded.
const MAX: usize = if usize::BITS >= 64 {
  4 << 30
} else {
  256 << 20
};

/// The stack a transform of `len` source bytes may need.
pub fn needed_for(len: usize) -> usize {
  len.saturating_mul(PER_BYTE).saturating_add(BASE).min(MAX)
}

/// Runs `work` on a stack large enough for `len` bytes of source and turns a panic inside it
/// (a bug, or a stack segment the system refused to map) into `Err` with its message.
pub fn run_for<R>(len: usize, work: impl FnOnce() -> R) -> Result<R, String> {
  let needed = needed_for(len);
  catch_unwind(AssertUnwindSafe(|| {
    stacker::maybe_grow(needed, needed, work)
  }))
  .map_err(|payload| {
    payload
      .downcast_ref::<&str>()
      .map(|s| (*s).to_owned())
      .or_else(|| payload.downcast_ref::<String>().cloned())
      .unwrap_or_else(|| "unknown panic".to_owned())
  })
}
