//! Turns a byte offset in the source into a Vite-shaped error (line, column, code frame).

use crate::TransformError;

/// Lines shown before and after the failing one, as Vite's `generateCodeFrame`.
const RANGE: usize = 2;
/// Longer lines are cut around the marker, like Vite does.
const MAX_DISPLAY_LEN: usize = 120;

/// Builds an error located at byte `offset` of `source`.
pub fn error_at(source: &str, id: &str, offset: usize, message: String) -> TransformError {
  let offset = floor_char_boundary(source, offset.min(source.len()));
  let before = &source[..offset];
  let line_index = before.matches('\n').count();
  let line_start = before.rfind('\n').map_or(0, |i| i + 1);
  // JS columns count UTF-16 units; Vite's `numberToPos` works on JS strings.
  let column = utf16_len(&source[line_start..offset]);
  let line_end = source[offset..]
    .find('\n')
    .map_or(source.len(), |i| offset + i);
  let line_text = &source[line_start..line_end];
  TransformError {
    message,
    id: id.to_owned(),
    line: (line_index + 1) as u32,
    column: column as u32,
    frame: code_frame(source, line_index, column),
    pos: utf16_len(before) as u32,
    source_line: line_text.strip_suffix('\r').unwrap_or(line_text).to_owned(),
    char_column: source[line_start..offset].chars().count() as u32,
  }
}

/// Builds an error from a 1-based line and a 0-based column counted in bytes, as `serde_json`
/// reports them; the error's column counts UTF-16 units like every other.
pub fn error_at_line_and_byte_column(
  source: &str,
  id: &str,
  line: usize,
  byte_column: usize,
  message: String,
) -> TransformError {
  let line_start = match line.checked_sub(2) {
    None => 0,
    Some(newlines_before) => source
      .match_indices('\n')
      .nth(newlines_before)
      .map_or(source.len(), |(i, _)| i + 1),
  };
  error_at(source, id, line_start.saturating_add(byte_column), message)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
  while i > 0 && !s.is_char_boundary(i) {
    i -= 1;
  }
  i
}

fn utf16_len(s: &str) -> usize {
  s.chars().map(char::len_utf16).sum()
}

/// Vite-style frame: numbered lines around `line_index` and a `^` under `column`.
pub fn code_frame(source: &str, line_index: usize, column: usize) -> String {
  let lines: Vec<&str> = source
    .split('\n')
    .map(|l| l.strip_suffix('\r').unwrap_or(l))
    .collect();
  let last_line = (line_index + RANGE + 1).min(lines.len().max(1));
  let width = (last_line.to_string().len() + 1).max(3);
  let first = line_index.saturating_sub(RANGE);
  let mut out = String::new();
  for (j, text) in lines.iter().enumerate().take(last_line).skip(first) {
    let number = (j + 1).to_string();
    let (shown, pad) = if j == line_index {
      clip(text, column)
    } else {
      (clip(text, 0).0, 0)
    };
    if !out.is_empty() {
      out.push('\n');
    }
    out.push_str(&number);
    out.push_str(&" ".repeat(width - number.len()));
    out.push_str("|  ");
    out.push_str(&shown);
    if j == line_index {
      out.push('\n');
      out.push_str(&" ".repeat(width));
      out.push_str("|  ");
      out.push_str(&" ".repeat(pad));
      out.push('^');
    }
  }
  out
}

/// Cuts an over-long line to a window around `column`; returns the text and the marker pad.
/// Lengths, the window and the pad count UTF-16 units, as Vite's `generateCodeFrame` does on JS
/// strings (and as `column` does).
fn clip(line: &str, column: usize) -> (String, usize) {
  let units: Vec<u16> = line.encode_utf16().collect();
  if units.len() <= MAX_DISPLAY_LEN {
    return (line.to_owned(), column);
  }
  // A column at or past the end of the line still shows the line's tail.
  let start = column.min(units.len()).saturating_sub(MAX_DISPLAY_LEN / 2);
  let prefix = if start > 0 { "..." } else { "" };
  let room = MAX_DISPLAY_LEN - prefix.len() - 3;
  let end = (start + room).min(units.len());
  let suffix = if end < units.len() { "..." } else { "" };
  let body = String::from_utf16_lossy(&units[start..end]);
  let pad = column - start + prefix.len();
  (format!("{prefix}{body}{suffix}"), pad)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn frame_marks_column_with_context_lines() {
    let src = "a\nb\nconst x = ;\nd\ne\nf";
    let err = error_at(src, "/x.js", 14, "Unexpected token".into());
    assert_eq!((err.line, err.column), (3, 10));
    assert_eq!(
      err.frame,
      "1  |  a\n2  |  b\n3  |  const x = ;\n   |            ^\n4  |  d\n5  |  e"
    );
  }

  #[test]
  fn column_counts_utf16_units() {
    let src = "const s = '😀'; )";
    let err = error_at(src, "/x.js", src.find(')').unwrap(), "x".into());
    assert_eq!(err.column, 16);
    assert_eq!(err.char_column, 15);
    assert_eq!(err.pos, 16);
  }

  #[test]
  fn oxc_report_shows_a_one_based_column_and_marks_the_line() {
    let src = "a\r\nconst x = (1 +;\r\nb";
    let err = error_at(
      src,
      "/r/x.ts",
      src.find(';').unwrap(),
      "Unexpected token".into(),
    );
    assert_eq!((err.line, err.column, err.pos), (2, 14, 17));
    assert_eq!(
      err.oxc_report("x.ts"),
      "[PARSE_ERROR] Unexpected token\n   ╭─[ x.ts:2:15 ]\n   │\n 2 │ const x = (1 +;\n   \
       │               ┬  \n   │               ╰── \n───╯\n"
    );
  }
}
