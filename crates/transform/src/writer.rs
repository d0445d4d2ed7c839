//! The codegen's text writer: swc's `JsWriter` (same output, same mappings) writing into a
//! `String`, with the mapping deduplication done without a hash set.
//!
//! `JsWriter` records a mapping `(pos, line, col)` only once, through a hash set of every
//! mapping made so far. The generated position only moves forward, so a mapping can only repeat
//! while the generated position has not moved: remembering the positions recorded at the
//! current generated position is the same set, without hashing or growing a table.

use swc_core::common::{BytePos, LineCol, Span};
use swc_core::ecma::codegen::text_writer::WriteJs;

type Result = std::io::Result<()>;

/// Deepest indentation printed (see `write_indent_string`).
const MAX_INDENT: usize = 64;

pub struct Writer<'a> {
  out: &'a mut String,
  /// One level of indentation.
  indent_str: &'static str,
  indent: usize,
  line_start: bool,
  line_count: usize,
  line_pos: usize,
  srcmap: Option<&'a mut Vec<(BytePos, LineCol)>>,
  /// Source positions mapped at the generated position `done_at`.
  done: Vec<BytePos>,
  done_at: (usize, usize),
  /// Used to avoid including whitespaces created by indention.
  pending_srcmap: Option<BytePos>,
}

impl<'a> Writer<'a> {
  pub fn new(
    out: &'a mut String,
    indent_str: &'static str,
    srcmap: Option<&'a mut Vec<(BytePos, LineCol)>>,
  ) -> Self {
    Writer {
      out,
      indent_str,
      indent: 0,
      line_start: true,
      line_count: 0,
      line_pos: 0,
      srcmap,
      done: Vec::new(),
      done_at: (usize::MAX, usize::MAX),
      pending_srcmap: None,
    }
  }

  /// Indentation stops growing at [`MAX_INDENT`] levels: deeper, every line would repeat the
  /// nesting depth in spaces, and 10,000 nested JSX elements printed 400 MB of code.
  #[inline]
  fn write_indent_string(&mut self) {
    let levels = self.indent.min(MAX_INDENT);
    for _ in 0..levels {
      self.out.push_str(self.indent_str);
    }
    if self.srcmap.is_some() {
      self.line_pos += self.indent_str.len() * levels;
    }
  }

  #[inline]
  fn write(&mut self, span: Option<Span>, data: &str) {
    if !data.is_empty() {
      if self.line_start {
        self.write_indent_string();
        self.line_start = false;
        if let Some(pending) = self.pending_srcmap.take() {
          self.srcmap(pending);
        }
      }
      if let Some(span) = span {
        self.srcmap(span.lo());
      }
      self.out.push_str(data);
      self.update_pos(data);
      if let Some(span) = span {
        self.srcmap(span.hi());
      }
    }
  }

  #[inline]
  fn update_pos(&mut self, s: &str) {
    if self.srcmap.is_none() || s.is_empty() {
      return;
    }
    let bytes = s.as_bytes();
    if bytes.len() == 1 {
      if matches!(bytes[0], b'\n' | b'\r') {
        self.line_count += 1;
        self.line_pos = 0;
      } else {
        self.line_pos += 1;
      }
      return;
    }
    if memchr::memrchr2(b'\n', b'\r', bytes).is_none() {
      self.line_pos += if s.is_ascii() {
        bytes.len()
      } else {
        s.encode_utf16().count()
      };
    } else {
      let (lines, start) = line_starts(bytes);
      self.line_count += lines;
      let rest = &s[start..];
      self.line_pos = if rest.is_ascii() {
        rest.len()
      } else {
        rest.encode_utf16().count()
      };
    }
  }

  #[inline]
  fn srcmap(&mut self, byte_pos: BytePos) {
    if byte_pos.is_dummy() && byte_pos != BytePos(u32::MAX) {
      return;
    }
    if let Some(srcmap) = self.srcmap.as_deref_mut() {
      let at = (self.line_count, self.line_pos);
      if at == self.done_at {
        if self.done.contains(&byte_pos) {
          return;
        }
      } else {
        self.done_at = at;
        self.done.clear();
      }
      self.done.push(byte_pos);
      srcmap.push((
        byte_pos,
        LineCol {
          line: at.0 as u32,
          col: at.1 as u32,
        },
      ));
    }
  }
}

/// Line breaks in `bytes` (`\r\n`, `\r`, `\n`) and the byte offset where the last line starts.
fn line_starts(bytes: &[u8]) -> (usize, usize) {
  let mut count = 0;
  let mut line_start = 0;
  let mut pos = 0;
  while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[pos..]) {
    pos += found;
    count += 1;
    pos += if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
      2
    } else {
      1
    };
    line_start = pos;
  }
  (count, line_start)
}

impl WriteJs for Writer<'_> {
  #[inline]
  fn increase_indent(&mut self) -> Result {
    self.indent += 1;
    Ok(())
  }

  #[inline]
  fn decrease_indent(&mut self) -> Result {
    self.indent -= 1;
    Ok(())
  }

  #[inline]
  fn write_semi(&mut self, span: Option<Span>) -> Result {
    self.write(span, ";");
    Ok(())
  }

  #[inline]
  fn write_space(&mut self) -> Result {
    self.write(None, " ");
    Ok(())
  }

  #[inline]
  fn write_keyword(&mut self, span: Option<Span>, s: &'static str) -> Result {
    self.write(span, s);
    Ok(())
  }

  #[inline]
  fn write_operator(&mut self, span: Option<Span>, s: &str) -> Result {
    self.write(span, s);
    Ok(())
  }

  #[inline]
  fn write_param(&mut self, s: &str) -> Result {
    self.write(None, s);
    Ok(())
  }

  #[inline]
  fn write_property(&mut self, s: &str) -> Result {
    self.write(None, s);
    Ok(())
  }

  #[inline]
  fn write_line(&mut self) -> Result {
    let pending = self.pending_srcmap.take();
    if !self.line_start {
      self.out.push('\n');
      if self.srcmap.is_some() {
        self.line_count += 1;
        self.line_pos = 0;
      }
      self.line_start = true;
      if let Some(pending) = pending {
        self.srcmap(pending);
      }
    }
    Ok(())
  }

  #[inline]
  fn write_lit(&mut self, span: Span, s: &str) -> Result {
    if !s.is_empty() {
      self.srcmap(span.lo());
      self.write(None, s);
      self.srcmap(span.hi());
    }
    Ok(())
  }

  #[inline]
  fn write_comment(&mut self, s: &str) -> Result {
    self.write_str(s)
  }

  #[inline]
  fn write_str_lit(&mut self, span: Span, s: &str) -> Result {
    self.write_lit(span, s)
  }

  #[inline]
  fn write_str(&mut self, s: &str) -> Result {
    self.write(None, s);
    Ok(())
  }

  #[inline]
  fn write_symbol(&mut self, span: Span, s: &str) -> Result {
    self.write(Some(span), s);
    Ok(())
  }

  #[inline]
  fn write_punct(&mut self, span: Option<Span>, s: &'static str, _commit: bool) -> Result {
    self.write(span, s);
    Ok(())
  }

  #[inline]
  fn care_about_srcmap(&self) -> bool {
    self.srcmap.is_some()
  }

  #[inline]
  fn add_srcmap(&mut self, pos: BytePos) -> Result {
    if self.srcmap.is_some() {
      if self.line_start {
        self.pending_srcmap = Some(pos);
      } else {
        self.srcmap(pos);
      }
    }
    Ok(())
  }

  #[inline]
  fn commit_pending_semi(&mut self) -> Result {
    Ok(())
  }
}
