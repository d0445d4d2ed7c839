//! Source map of the whole step: codegen mappings → v3 JSON, composed with an input map.
//!
//! Without an input map the JSON is written directly from the codegen's `(BytePos, LineCol)`
//! pairs: one line table lookup and one VLQ segment per mapping, the string built by hand. The
//! output is byte-identical to swc's `build_source_map` + `swc_sourcemap` serialisation (see the
//! tests), which is kept for composing with an input map.

use swc_core::common::source_map::SourceMapGenConfig;
use swc_core::common::sync::Lrc;
use swc_core::common::{BytePos, FileName, LineCol, SourceFile, SourceMap};

/// `sources` entry of the map: the url's basename without query, like Vite.
pub fn source_name(url: &str) -> String {
  let path = url.split(['?', '#']).next().unwrap_or(url);
  path.rsplit('/').next().unwrap_or(path).to_owned()
}

struct Config<'a> {
  source: &'a str,
}

impl SourceMapGenConfig for Config<'_> {
  fn file_name_to_source(&self, _f: &FileName) -> String {
    self.source.to_owned()
  }

  fn inline_sources_content(&self, _f: &FileName) -> bool {
    true
  }

  fn skip(&self, f: &FileName) -> bool {
    // Only the module itself; define replacements are parsed as `Anon` files.
    matches!(f, FileName::Internal(..) | FileName::Anon)
  }
}

/// Builds the map JSON of `fm` (the module; the only file of `cm` whose positions are mapped,
/// define replacements being parsed as later `Anon` files). An unreadable `input_map` is
/// ignored (the map then points at the code this step received). Without an input map,
/// `sources_content: false` leaves `sourcesContent` out.
pub fn build(
  cm: &Lrc<SourceMap>,
  fm: &SourceFile,
  mappings: &[(BytePos, LineCol)],
  url: &str,
  input_map: Option<&str>,
  sources_content: bool,
) -> Option<String> {
  let source = source_name(url);
  if let Some(orig) =
    input_map.and_then(|m| swc_sourcemap::SourceMap::from_slice(m.as_bytes()).ok())
  {
    let map = cm.build_source_map(mappings, Some(orig), Config { source: &source });
    let mut out = Vec::new();
    map.to_writer(&mut out).ok()?;
    return String::from_utf8(out).ok();
  }
  Some(write_map(fm, mappings, &source, sources_content))
}

/// swc's builder, serialised by `swc_sourcemap`: the reference [`write_map`] must equal.
#[cfg(test)]
pub fn build_with_swc(cm: &Lrc<SourceMap>, mappings: &[(BytePos, LineCol)], url: &str) -> String {
  let source = source_name(url);
  let map = cm.build_source_map(mappings, None, Config { source: &source });
  let mut out = Vec::new();
  map.to_writer(&mut out).expect("serialises");
  String::from_utf8(out).expect("utf-8")
}

/// Line starts and multibyte characters of a source, as swc's `SourceFile` analysis computes
/// them (`\n`, `\r\n` and a lone `\r` end a line; a line start at the very end is dropped),
/// without its hashing and width tables.
struct LineTable {
  /// Byte offsets (relative to the file) of line starts.
  lines: Vec<u32>,
  /// Byte offset of each multibyte character and the running UTF-8 → UTF-16 excess up to and
  /// including it; empty for ASCII sources.
  multibyte: Vec<(u32, u32)>,
}

impl LineTable {
  fn new(src: &str) -> LineTable {
    let bytes = src.as_bytes();
    let mut lines = Vec::with_capacity(bytes.len() / 32 + 1);
    lines.push(0u32);
    // Where the line after the last break starts: a `\n` before it is the end of a `\r\n`.
    let mut next = 0usize;
    let mut line_break = |at: usize, lines: &mut Vec<u32>| {
      if at < next {
        return;
      }
      next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
        at + 2
      } else {
        at + 1
      };
      lines.push(next as u32);
    };
    // Eight bytes at a time: the exact zero-byte test on `word ^ '\n'` and `word ^ '\r'`.
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
      let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
      let mut hits =
        zero_bytes(word ^ (ONES * u64::from(b'\n'))) | zero_bytes(word ^ (ONES * u64::from(b'\r')));
      while hits != 0 {
        line_break(base + (hits.trailing_zeros() / 8) as usize, &mut lines);
        hits &= hits - 1;
      }
      base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
      if b == b'\n' || b == b'\r' {
        line_break(base + i, &mut lines);
      }
    }
    if lines.last() == Some(&(bytes.len() as u32)) {
      lines.pop();
    }
    let mut multibyte = Vec::new();
    let mut excess = 0u32;
    let mut i = 0;
    while i < bytes.len() {
      // ASCII eight bytes at a time.
      if let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        if word & HIGH == 0 {
          i += 8;
          continue;
        }
      }
      let b = bytes[i];
      if b < 0x80 {
        i += 1;
        continue;
      }
      // A lead byte (the source is valid UTF-8); UTF-16 units: 4-byte characters are a
      // surrogate pair.
      let (len, extra) = match b {
        0xf0.. => (4, 2),
        0xe0.. => (3, 2),
        _ => (2, 1),
      };
      excess += extra;
      multibyte.push((i as u32, excess));
      i += len;
    }
    LineTable { lines, multibyte }
  }

  /// UTF-8 → UTF-16 excess of the characters before byte offset `at`. `hint` is the number of
  /// multibyte characters before the previous lookup's offset: mappings mostly move forward
  /// by a few characters, so a short walk from there usually replaces the binary search.
  fn excess_before(&self, at: u32, hint: &mut usize) -> u32 {
    let multibyte = &self.multibyte;
    let mut n = (*hint).min(multibyte.len());
    if n > 0 && multibyte[n - 1].0 >= at {
      n = multibyte[..n].partition_point(|&(pos, _)| pos < at);
    } else {
      let walk_end = (n + 8).min(multibyte.len());
      while n < walk_end && multibyte[n].0 < at {
        n += 1;
      }
      if n == walk_end {
        n += multibyte[n..].partition_point(|&(pos, _)| pos < at);
      }
    }
    *hint = n;
    if n == 0 { 0 } else { multibyte[n - 1].1 }
  }

  /// 0-based line and UTF-16 column of byte offset `at`; `None` for an empty source (swc
  /// maps nothing there either). Mappings mostly follow the source: the cursor's line is
  /// checked before a binary search, and a line's own excess is computed once.
  fn line_col(&self, at: u32, cursor: &mut Cursor) -> Option<(u32, u32)> {
    let lines = &self.lines;
    let h = cursor.line;
    let line =
      if h < lines.len() && lines[h] <= at && lines.get(h + 1).is_none_or(|&next| at < next) {
        h
      } else if h + 2 < lines.len() && lines[h + 1] <= at && at < lines[h + 2] {
        h + 1
      } else {
        lines.partition_point(|&start| start <= at).checked_sub(1)?
      };
    let start = self.lines[line];
    let mut col = at - start;
    if !self.multibyte.is_empty() {
      let line_excess = match cursor.line_excess {
        Some((of, excess)) if of == line => excess,
        _ => {
          let mut from_start = cursor.multibyte;
          let excess = self.excess_before(start, &mut from_start);
          cursor.line_excess = Some((line, excess));
          excess
        }
      };
      col -= self.excess_before(at, &mut cursor.multibyte) - line_excess;
    }
    cursor.line = line;
    Some((line as u32, col))
  }
}

/// Where the previous [`LineTable::line_col`] lookup was.
#[derive(Default)]
struct Cursor {
  line: usize,
  /// Multibyte characters before the previous offset.
  multibyte: usize,
  /// A line and the excess before its start, once computed.
  line_excess: Option<(usize, u32)>,
}

/// A mapping segment: generated line/column → original line/column (always source 0).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Token {
  dst_line: u32,
  dst_col: u32,
  src_line: u32,
  src_col: u32,
}

fn write_map(
  fm: &SourceFile,
  mappings: &[(BytePos, LineCol)],
  source: &str,
  sources_content: bool,
) -> String {
  let start = fm.start_pos.0;
  let end = fm.end_pos.0;
  let table = LineTable::new(&fm.src);
  let mut tokens: Vec<Token> = Vec::with_capacity(mappings.len());
  let mut has_source = false;
  let mut cursor = Cursor::default();
  for &(pos, lc) in mappings {
    if pos.is_reserved_for_comments() || (lc.line == 0 && lc.col == 0 && pos.is_dummy()) {
      continue;
    }
    let (src_line, src_col) = if pos == BytePos(u32::MAX) {
      (0, 0)
    } else if (start..=end).contains(&pos.0) {
      has_source = true;
      match table.line_col(pos.0 - start, &mut cursor) {
        Some(line_col) => line_col,
        None => continue,
      }
    } else {
      // Dummy positions and define replacements (later `Anon` files).
      continue;
    };
    tokens.push(Token {
      dst_line: lc.line,
      dst_col: lc.col,
      src_line,
      src_col,
    });
  }
  // The codegen records mappings in output order already; sort (stably) only if not.
  if !tokens
    .windows(2)
    .all(|w| (w[0].dst_line, w[0].dst_col) <= (w[1].dst_line, w[1].dst_col))
  {
    tokens.sort_by_key(|t| (t.dst_line, t.dst_col));
  }

  let mut out = String::with_capacity(fm.src.len() + fm.src.len() / 16 + tokens.len() * 6 + 128);
  out.push_str(r#"{"version":3,"sources":["#);
  if has_source {
    write_json_str(&mut out, source);
  }
  out.push(']');
  if has_source && sources_content {
    out.push_str(r#","sourcesContent":["#);
    write_json_str(&mut out, &fm.src);
    out.push(']');
  }
  out.push_str(r#","names":[],"mappings":""#);
  write_mappings(&mut out, &tokens);
  out.push_str("\"}");
  out
}

/// `swc_sourcemap`'s `serialize_mappings` for tokens that all have source 0 and no name.
fn write_mappings(out: &mut String, tokens: &[Token]) {
  // Bytes, not `char`s: every character is ASCII.
  let mut bytes = Vec::with_capacity(tokens.len() * 8);
  encode_mappings(&mut bytes, tokens);
  out.push_str(std::str::from_utf8(&bytes).unwrap_or_default());
}

fn encode_mappings(out: &mut Vec<u8>, tokens: &[Token]) {
  let (mut dst_line, mut dst_col, mut src_line, mut src_col) = (0u32, 0u32, 0u32, 0u32);
  let mut first = true;
  let mut prev: Option<Token> = None;
  for &t in tokens {
    if t.dst_line != dst_line {
      dst_col = 0;
      out.resize(out.len() + (t.dst_line - dst_line) as usize, b';');
      dst_line = t.dst_line;
    } else if !first {
      if prev == Some(t) {
        continue;
      }
      out.push(b',');
    }
    first = false;
    prev = Some(t);
    vlq(out, i64::from(t.dst_col) - i64::from(dst_col));
    dst_col = t.dst_col;
    // Source index: always 0, so its delta is 0 ("A").
    out.push(b'A');
    vlq(out, i64::from(t.src_line) - i64::from(src_line));
    src_line = t.src_line;
    vlq(out, i64::from(t.src_col) - i64::from(src_col));
    src_col = t.src_col;
  }
}

fn vlq(out: &mut Vec<u8>, value: i64) {
  // Deltas of u32 values: |value| < 2^32, so the shifted magnitude fits in a u64.
  const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let mut v = (value.unsigned_abs() << 1) | u64::from(value < 0);
  loop {
    let mut digit = (v & 0b1_1111) as usize;
    v >>= 5;
    if v > 0 {
      digit |= 0b10_0000;
    }
    out.push(B64[digit]);
    if v == 0 {
      break;
    }
  }
}

/// A JSON string literal, escaped as `serde_json` does (`"`, `\`, control characters).
fn write_json_str(out: &mut String, s: &str) {
  out.push('"');
  let bytes = s.as_bytes();
  let mut from = 0;
  let mut i = 0;
  while i < bytes.len() {
    // Eight bytes at a time to the next byte that needs escaping.
    if let Some(chunk) = bytes.get(i..i + 8) {
      let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
      let hits = escape_bytes(word);
      if hits == 0 {
        i += 8;
        continue;
      }
      i += (hits.trailing_zeros() / 8) as usize;
    }
    let b = bytes[i];
    let escape: &str = match b {
      b'"' => "\\\"",
      b'\\' => "\\\\",
      b'\n' => "\\n",
      b'\r' => "\\r",
      b'\t' => "\\t",
      0x08 => "\\b",
      0x0c => "\\f",
      0..=0x1f => "",
      _ => {
        i += 1;
        continue;
      }
    };
    out.push_str(&s[from..i]);
    if escape.is_empty() {
      const HEX: &[u8; 16] = b"0123456789abcdef";
      out.push_str("\\u00");
      out.push(char::from(HEX[usize::from(b >> 4)]));
      out.push(char::from(HEX[usize::from(b & 0xf)]));
    } else {
      out.push_str(escape);
    }
    i += 1;
    from = i;
  }
  out.push_str(&s[from..]);
  out.push('"');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `word` that is zero, and of no other byte.
fn zero_bytes(word: u64) -> u64 {
  const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
  !(((word & LOW7) + LOW7) | word | LOW7)
}

/// The high bit of every byte of `word` that is a control character, `"` or `\\`.
fn escape_bytes(word: u64) -> u64 {
  zero_bytes(word & (ONES * 0xe0))
    | zero_bytes(word ^ (ONES * u64::from(b'"')))
    | zero_bytes(word ^ (ONES * u64::from(b'\\')))
}

/// Map for modules whose output has no useful relation to the source (JSON), as Vite.
pub fn empty(url: &str, code: &str) -> String {
  serde_json::json!({
    "version": 3,
    "sources": [source_name(url)],
    "sourcesContent": [code],
    "names": [],
    "mappings": "",
  })
  .to_string()
}

#[cfg(test)]
mod tests {
  use swc_core::common::sync::Lrc;
  use swc_core::common::{FileName, SourceMap};

  #[test]
  fn line_table_equals_swc_analysis() {
    let mut texts: Vec<String> = vec![String::new(), "\n".into(), "\r\n".into(), "\r".into()];
    // Breaks of every kind at every offset around the 8-byte chunks.
    for at in 0..20 {
      for brk in ["\n", "\r\n", "\r", "\n\r", "\r\r\n\n"] {
        texts.push(format!("{}{brk}ab\u{e9}c{brk}", "x".repeat(at)));
        texts.push(format!("{}{brk}", "\u{1F600}".repeat(at)));
        texts.push(format!(
          "{}\u{e9}\u{2028}{brk}\u{10FFFF}\u{7f}",
          "y".repeat(at)
        ));
      }
    }
    let cm: Lrc<SourceMap> = Lrc::default();
    for text in texts {
      let fm = cm.new_source_file(Lrc::new(FileName::Anon), text.clone());
      let ours = super::LineTable::new(&fm.src);
      let swc: Vec<u32> = fm
        .analyze()
        .lines
        .iter()
        .map(|p| p.0 - fm.start_pos.0)
        .collect();
      assert_eq!(ours.lines, swc, "{text:?}");
      let mut excess = 0;
      let swc: Vec<(u32, u32)> = fm
        .analyze()
        .multibyte_chars
        .iter()
        .map(|c| {
          excess += u32::from(c.byte_to_char_diff());
          (c.pos.0 - fm.start_pos.0, excess)
        })
        .collect();
      assert_eq!(ours.multibyte, swc, "{text:?}");
    }
  }

  #[test]
  fn json_strings_escape_like_serde_json() {
    let mut all: String = (0u8..0x80).map(char::from).collect();
    all.push_str("é😀\u{2028}\"\\ tail of more than eight bytes \"\\\u{1}");
    for s in [
      "",
      "a",
      "plain ascii text only",
      all.as_str(),
      &all[3..],
      "\"\"\"\"\"\"\"\"\"\"",
    ] {
      let mut ours = String::new();
      super::write_json_str(&mut ours, s);
      assert_eq!(ours, serde_json::to_string(s).unwrap());
    }
  }
}
