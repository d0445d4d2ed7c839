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
//!
//! Mapping a segment per call cost ~15 % of the transform's throughput (the syscalls and the
//! page faults of a fresh stack), so on Linux and macOS each thread keeps one segment of [`CACHED`] bytes
//! for the calls that fit: its pages stay mapped between calls. After the transform of a file
//! longer than [`TRIM_AFTER`] bytes, whatever the call touched beyond the first
//! [`KEPT_RESIDENT`] bytes is given back; a shorter file cannot touch more than
//! `TRIM_AFTER × PER_BYTE` (64 MB, and a few hundred kilobytes for real code).

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

/// The size of each thread's kept segment: enough for files of about 60 KB.
const CACHED: usize = 256 << 20;

/// Stack pages of the kept segment left resident after a call (a transform of a common file
/// touches a few hundred kilobytes).
const KEPT_RESIDENT: usize = 4 << 20;

/// Source length from which a call gives back the deep pages it may have touched.
const TRIM_AFTER: usize = 16 << 10;

/// Runs `work` on a stack large enough for `len` bytes of source and turns a panic inside it
/// (a bug, or a stack segment the system refused to map) into `Err` with its message.
pub fn run_for<R>(len: usize, work: impl FnOnce() -> R) -> Result<R, String> {
  let needed = needed_for(len);
  let result = if stacker::remaining_stack().is_some_and(|left| left >= needed) {
    catch_unwind(AssertUnwindSafe(work))
  } else if needed <= CACHED
    && let Some(segment) = kept_segment::take()
  {
    segment.run(len > TRIM_AFTER, || catch_unwind(AssertUnwindSafe(work)))
  } else {
    catch_unwind(AssertUnwindSafe(|| {
      stacker::maybe_grow(needed, needed, work)
    }))
  };
  result.map_err(|payload| {
    payload
      .downcast_ref::<&str>()
      .map(|s| (*s).to_owned())
      .or_else(|| payload.downcast_ref::<String>().cloned())
      .unwrap_or_else(|| "unknown panic".to_owned())
  })
}

/// One stack segment per thread, kept between calls (Linux and macOS; elsewhere `run` declines).
#[cfg(any(target_os = "linux", target_os = "macos"))]
#[allow(unsafe_code)]
mod kept_segment {
  use std::cell::Cell;
  use std::ptr::NonNull;

  use super::{CACHED, KEPT_RESIDENT};

  /// A mapping of `CACHED` usable bytes above one inaccessible guard page.
  struct Segment {
    map: NonNull<u8>,
    page: usize,
  }

  impl Segment {
    fn new() -> Option<Segment> {
      // SAFETY: sysconf has no preconditions.
      let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
      // SAFETY: a fresh private anonymous mapping; no existing memory is affected.
      let map = unsafe {
        libc::mmap(
          std::ptr::null_mut(),
          CACHED + page,
          libc::PROT_READ | libc::PROT_WRITE,
          libc::MAP_PRIVATE | libc::MAP_ANON | libc::MAP_NORESERVE,
          -1,
          0,
        )
      };
      if map == libc::MAP_FAILED {
        return None;
      }
      let segment = Segment {
        map: NonNull::new(map.cast::<u8>())?,
        page,
      };
      // The lowest page traps an overflow instead of writing below the segment.
      // SAFETY: the first page of the mapping made above.
      if unsafe { libc::mprotect(map, page, libc::PROT_NONE) } != 0 {
        return None;
      }
      Some(segment)
    }

    /// The usable range's lowest address (stacks grow down towards it).
    fn base(&self) -> *mut u8 {
      // SAFETY: `page` bytes into the mapping of `CACHED + page` bytes.
      unsafe { self.map.as_ptr().add(self.page) }
    }

    /// Gives back the pages a deep call touched below the top `KEPT_RESIDENT` bytes.
    fn trim(&self) {
      // SAFETY: the range lies inside the usable part of the mapping, which no one uses now.
      unsafe {
        libc::madvise(
          self.base().cast(),
          CACHED - KEPT_RESIDENT,
          libc::MADV_DONTNEED,
        );
      }
    }
  }

  impl Drop for Segment {
    fn drop(&mut self) {
      // SAFETY: the whole mapping made in `new`, no longer used.
      unsafe {
        libc::munmap(self.map.as_ptr().cast(), CACHED + self.page);
      }
    }
  }

  thread_local! {
    /// Taken out while in use, so a nested call finds none and maps its own.
    static KEPT: Cell<Option<Segment>> = const { Cell::new(None) };
  }

  /// This thread's segment, taken out until [`Kept::run`] returns it; `None` when it is in use
  /// (a nested call) or cannot be mapped.
  pub fn take() -> Option<Kept> {
    KEPT.with(Cell::take).or_else(Segment::new).map(Kept)
  }

  pub struct Kept(Segment);

  impl Kept {
    /// Runs `work` on the segment, gives back deep pages when `trim`, and keeps the segment for
    /// the thread's next call. `work` must not unwind (callers catch panics inside it).
    pub fn run<R>(self, trim: bool, work: impl FnOnce() -> R) -> R {
      let segment = self.0;
      // SAFETY: the base is page-aligned, the size a multiple of the page size, and `work`
      // returns normally (panics are caught inside it by the caller).
      let result = unsafe { psm::on_stack(segment.base(), CACHED, work) };
      if trim {
        segment.trim();
      }
      KEPT.with(|kept| kept.set(Some(segment)));
      result
    }
  }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
mod kept_segment {
  /// No kept segment on this system: [`take`] never gives one.
  pub enum Kept {}

  impl Kept {
    pub fn run<R>(self, _trim: bool, _work: impl FnOnce() -> R) -> R {
      match self {}
    }
  }

  pub fn take() -> Option<Kept> {
    None
  }
}

#[cfg(test)]
mod tests {
  use super::{needed_for, run_for};

  /// Recurses through `depth` frames of about 1 KB each.
  fn recurse(depth: usize) -> usize {
    let frame = std::hint::black_box([1u8; 1024]);
    if depth == 0 {
      frame[0] as usize
    } else {
      recurse(depth - 1) + frame[1] as usize
    }
  }

  #[test]
  fn a_call_gets_the_stack_its_length_allows_on_a_small_thread_again_and_again() {
    std::thread::Builder::new()
      .stack_size(128 << 10)
      .spawn(|| {
        // 8 MB of frames: far beyond the thread's 128 KB, within what 64 KB of source allows.
        assert!(needed_for(64 << 10) > 16 << 20);
        for _ in 0..3 {
          assert_eq!(run_for(64 << 10, || recurse(8 << 10)), Ok(8 << 10 | 1));
        }
        // A file too long for the kept segment gets a segment of its own.
        assert_eq!(run_for(1 << 20, || recurse(8 << 10)), Ok(8 << 10 | 1));
      })
      .expect("thread starts")
      .join()
      .expect("no overflow, no panic");
  }

  #[test]
  fn a_panic_becomes_an_error_and_the_next_call_still_runs() {
    let panicked: Result<(), String> = run_for(64 << 10, || panic!("broken pass"));
    assert_eq!(panicked, Err("broken pass".to_owned()));
    assert_eq!(run_for(64 << 10, || 7), Ok(7));
  }
}
