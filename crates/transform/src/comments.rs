//! The comments the codegen prints, with a fast "no comment here" answer.
//!
//! swc's emitter asks for the leading and trailing comments of nearly every node it prints, and
//! `SingleThreadedComments` answers each question with a hash-map removal. Almost every answer
//! is "none": a bit per byte position of the module says where comments may be, so those
//! questions cost one bit test. Positions outside the module (generated nodes, pure
//! annotations) and positions whose bit is set go to the map as before.

use std::cell::Cell;

use swc_core::common::comments::{Comment, Comments, SingleThreadedComments};
use swc_core::common::{BytePos, SourceFile};

pub struct EmitComments<'a> {
  inner: &'a SingleThreadedComments,
  start: u32,
  leading: PositionSet,
  trailing: PositionSet,
}

impl<'a> EmitComments<'a> {
  pub fn new(inner: &'a SingleThreadedComments, fm: &SourceFile) -> Self {
    let start = fm.start_pos.0;
    let len = fm.end_pos.0.saturating_sub(start) as usize + 1;
    let comments = EmitComments {
      inner,
      start,
      leading: PositionSet::new(len),
      trailing: PositionSet::new(len),
    };
    let (leading, trailing) = inner.borrow_all();
    for &pos in leading.keys() {
      comments.leading.insert(start, pos);
    }
    for &pos in trailing.keys() {
      comments.trailing.insert(start, pos);
    }
    comments
  }

  fn maybe_leading(&self, pos: BytePos) -> bool {
    self.leading.may_contain(self.start, pos)
  }

  fn maybe_trailing(&self, pos: BytePos) -> bool {
    self.trailing.may_contain(self.start, pos)
  }
}

/// Byte positions of one file that may have comments; any position outside the file may.
/// Cells: `Comments` adds through `&self`.
struct PositionSet {
  len: usize,
  words: Vec<Cell<u64>>,
}

impl PositionSet {
  fn new(len: usize) -> Self {
    PositionSet {
      len,
      words: vec![Cell::new(0); len.div_ceil(64)],
    }
  }

  fn slot(&self, start: u32, pos: BytePos) -> Option<(&Cell<u64>, u64)> {
    let at = pos.0.checked_sub(start)? as usize;
    if at >= self.len {
      return None;
    }
    Some((&self.words[at / 64], 1u64 << (at % 64)))
  }

  fn insert(&self, start: u32, pos: BytePos) {
    if let Some((word, bit)) = self.slot(start, pos) {
      word.set(word.get() | bit);
    }
  }

  fn may_contain(&self, start: u32, pos: BytePos) -> bool {
    self
      .slot(start, pos)
      .is_none_or(|(word, bit)| word.get() & bit != 0)
  }
}

// The emitter reads and takes comments; additions (`with_leading` puts comments back,
// `has_flag` adds trailing ones) mark their position before going to the map.
impl Comments for EmitComments<'_> {
  fn add_leading(&self, pos: BytePos, cmt: Comment) {
    self.leading.insert(self.start, pos);
    self.inner.add_leading(pos, cmt);
  }

  fn add_leading_comments(&self, pos: BytePos, comments: Vec<Comment>) {
    self.leading.insert(self.start, pos);
    self.inner.add_leading_comments(pos, comments);
  }

  fn has_leading(&self, pos: BytePos) -> bool {
    self.maybe_leading(pos) && self.inner.has_leading(pos)
  }

  fn move_leading(&self, from: BytePos, to: BytePos) {
    if self.maybe_leading(from) {
      self.leading.insert(self.start, to);
      self.inner.move_leading(from, to);
    }
  }

  fn take_leading(&self, pos: BytePos) -> Option<Vec<Comment>> {
    if self.maybe_leading(pos) {
      self.inner.take_leading(pos)
    } else {
      None
    }
  }

  fn get_leading(&self, pos: BytePos) -> Option<Vec<Comment>> {
    if self.maybe_leading(pos) {
      self.inner.get_leading(pos)
    } else {
      None
    }
  }

  fn add_trailing(&self, pos: BytePos, cmt: Comment) {
    self.trailing.insert(self.start, pos);
    self.inner.add_trailing(pos, cmt);
  }

  fn add_trailing_comments(&self, pos: BytePos, comments: Vec<Comment>) {
    self.trailing.insert(self.start, pos);
    self.inner.add_trailing_comments(pos, comments);
  }

  fn has_trailing(&self, pos: BytePos) -> bool {
    self.maybe_trailing(pos) && self.inner.has_trailing(pos)
  }

  fn move_trailing(&self, from: BytePos, to: BytePos) {
    if self.maybe_trailing(from) {
      self.trailing.insert(self.start, to);
      self.inner.move_trailing(from, to);
    }
  }

  fn take_trailing(&self, pos: BytePos) -> Option<Vec<Comment>> {
    if self.maybe_trailing(pos) {
      self.inner.take_trailing(pos)
    } else {
      None
    }
  }

  fn get_trailing(&self, pos: BytePos) -> Option<Vec<Comment>> {
    if self.maybe_trailing(pos) {
      self.inner.get_trailing(pos)
    } else {
      None
    }
  }

  fn add_pure_comment(&self, pos: BytePos) {
    self.leading.insert(self.start, pos);
    self.inner.add_pure_comment(pos);
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn positions_outside_the_file_always_may_have_comments() {
    // A file of 70 positions starting at 10: its last word has padding bits past the end.
    let set = PositionSet::new(70);
    set.insert(10, BytePos(12));
    assert!(set.may_contain(10, BytePos(12)));
    assert!(!set.may_contain(10, BytePos(13)));
    assert!(!set.may_contain(10, BytePos(79)));
    assert!(set.may_contain(10, BytePos(80)));
    assert!(set.may_contain(10, BytePos(100)));
    assert!(set.may_contain(10, BytePos(9)));
  }
}
