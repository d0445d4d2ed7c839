//! A limit on bracket nesting, checked on the source text before swc sees it.
//!
//! [`crate::stack`] already makes any nesting safe for files up to about a megabyte; this limit
//! answers the pathological ones early, with a located error, instead of spending seconds and
//! hundreds of megabytes of stack on a tree that Node could not run anyway (V8 refuses about
//! 3,000 nested parentheses with "Maximum call stack size exceeded"). It also bounds bigger
//! files, where the stack is capped. The scan is lexical: strings, comments, template literals
//! and regular expressions are skipped; `(`, `[`, `{`, template substitutions and arrow bodies
//! counted. Arrows count because their bodies nest without brackets, and in TypeScript swc's
//! renaming costs O(n²) in the depth of nested arrow scopes (100,000 exhausted 24 GB). The
//! scan must never reject a file nested within the limit, so where the grammar is ambiguous to
//! a scanner (a `/` that could be division or a regex) it takes the reading that skips less
//! text, and strings never run past their line.

use crate::TransformError;
use crate::error::error_at;

/// Deepest nesting of `(`, `[`, `{`, `${` and arrow bodies accepted.
pub const MAX_DEPTH: usize = 4096;

/// `Err` located at the first bracket or arrow that opens level [`MAX_DEPTH`]` + 1`.
pub fn check(source: &str, id: &str) -> Result<(), TransformError> {
  match deepest_beyond_limit(source.as_bytes(), MAX_DEPTH) {
    None => Ok(()),
    Some(offset) => Err(error_at(
      source,
      id,
      offset,
      format!(
        "Nesting too deep: more than {MAX_DEPTH} levels of brackets, braces, parentheses, template substitutions or arrow functions"
      ),
    )),
  }
}

/// What an open bracket is; a `}` closing a template substitution resumes the template.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
  Bracket,
  Substitution,
}

/// The open brackets, and the arrows (`=>`) whose bodies may still be open at each level: an
/// arrow's body is an expression that ends at the level's next `,` or `;`, at its closing
/// bracket, or before a declaration that starts a line. `a => b => c` nests like brackets do.
struct Levels {
  limit: usize,
  open: Vec<(Open, usize)>,
  top_arrows: usize,
  arrows: usize,
}

impl Levels {
  fn depth(&self) -> usize {
    self.open.len() + self.arrows
  }

  /// Opens a bracket; `false` when that passes the limit.
  fn push(&mut self, kind: Open) -> bool {
    self.open.push((kind, 0));
    self.depth() <= self.limit
  }

  fn pop(&mut self) -> Option<Open> {
    let (kind, arrows) = self.open.pop()?;
    self.arrows -= arrows;
    Some(kind)
  }

  /// Opens an arrow body; `false` when that passes the limit.
  fn arrow(&mut self) -> bool {
    self.arrows += 1;
    match self.open.last_mut() {
      Some((_, arrows)) => *arrows += 1,
      None => self.top_arrows += 1,
    }
    self.depth() <= self.limit
  }

  fn end_expression(&mut self) {
    let arrows = match self.open.last_mut() {
      Some((_, arrows)) => arrows,
      None => &mut self.top_arrows,
    };
    self.arrows -= *arrows;
    *arrows = 0;
  }
}

/// Offset of the first bracket or arrow beyond `limit` levels, if any.
fn deepest_beyond_limit(src: &[u8], limit: usize) -> Option<usize> {
  scan(src, limit).err()
}

/// `Err` with the offset of the first bracket or arrow beyond `limit` levels.
fn scan(src: &[u8], limit: usize) -> Result<(), usize> {
  let mut levels = Levels {
    limit,
    open: Vec::new(),
    top_arrows: 0,
    arrows: 0,
  };
  // Whether a `/` here would start a regular expression (no value precedes it).
  let mut regex_allowed = true;
  // Only white space since the last line break.
  let mut line_start = true;
  let mut i = 0;
  while i < src.len() {
    let byte = src[i];
    let at_line_start = line_start;
    if !matches!(byte, b' ' | b'\t' | b'\r' | b'\n') {
      line_start = false;
    }
    match byte {
      b'(' | b'[' | b'{' => {
        if !levels.push(Open::Bracket) {
          return Err(i);
        }
        regex_allowed = true;
        i += 1;
      }
      b')' | b']' => {
        levels.pop();
        regex_allowed = false;
        i += 1;
      }
      b'}' => {
        i += 1;
        if levels.pop() == Some(Open::Substitution) {
          (i, regex_allowed) = template_text(&mut levels, src, i)?;
        } else {
          // A block's end is usually followed by a statement, an object's by an operator; a
          // regex read as division only shortens what is skipped.
          regex_allowed = false;
        }
      }
      b'`' => (i, regex_allowed) = template_text(&mut levels, src, i + 1)?,
      b'=' if src.get(i + 1) == Some(&b'>') => {
        if !levels.arrow() {
          return Err(i);
        }
        regex_allowed = true;
        i += 2;
      }
      b',' | b';' => {
        levels.end_expression();
        regex_allowed = true;
        i += 1;
      }
      b'\'' | b'"' => {
        i = skip_string(src, i + 1, byte);
        regex_allowed = false;
      }
      b'/' if src.get(i + 1) == Some(&b'/') => i = skip_line(src, i + 2),
      b'/' if src.get(i + 1) == Some(&b'*') => {
        i = memchr::memmem::find(&src[i + 2..], b"*/").map_or(src.len(), |at| i + 2 + at + 2);
      }
      b'/' if regex_allowed => {
        i = skip_regex(src, i + 1);
        regex_allowed = false;
      }
      _ if is_word_byte(byte) => {
        let start = i;
        while i < src.len() && is_word_byte(src[i]) {
          i += 1;
        }
        let word = &src[start..i];
        if at_line_start && starts_declaration(word) {
          levels.end_expression();
        }
        regex_allowed = is_keyword_before_expression(word);
      }
      b'\n' => {
        line_start = true;
        i += 1;
      }
      b' ' | b'\t' | b'\r' => i += 1,
      _ => {
        // Operators and other punctuation: an operand follows.
        regex_allowed = true;
        i += 1;
      }
    }
  }
  Ok(())
}

fn is_word_byte(byte: u8) -> bool {
  byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

/// Words that, first on a line, start a new statement rather than continue an arrow's body.
fn starts_declaration(word: &[u8]) -> bool {
  matches!(
    word,
    b"const" | b"let" | b"var" | b"function" | b"class" | b"export" | b"import"
  )
}

/// Template text from `i` up to its end or its next substitution, which opens a level; where
/// scanning resumes and whether a regex may follow, or `Err` with the offset past the limit.
fn template_text(levels: &mut Levels, src: &[u8], i: usize) -> Result<(usize, bool), usize> {
  let (next, substitution) = skip_template(src, i);
  if substitution && !levels.push(Open::Substitution) {
    return Err(next - 2);
  }
  Ok((next, substitution))
}

/// Words after which `/` starts a regular expression.
fn is_keyword_before_expression(word: &[u8]) -> bool {
  matches!(
    word,
    b"return"
      | b"typeof"
      | b"instanceof"
      | b"in"
      | b"of"
      | b"new"
      | b"delete"
      | b"void"
      | b"throw"
      | b"case"
      | b"do"
      | b"else"
      | b"yield"
      | b"await"
  )
}

/// Skips a template literal's text from `i`; returns where scanning resumes and whether a
/// substitution (`${`) opened there.
fn skip_template(src: &[u8], mut i: usize) -> (usize, bool) {
  while i < src.len() {
    match src[i] {
      b'\\' => i += 2,
      b'`' => return (i + 1, false),
      b'$' if src.get(i + 1) == Some(&b'{') => return (i + 2, true),
      _ => i += 1,
    }
  }
  (src.len(), false)
}

/// Skips a quoted string from `i` (after the quote); an unterminated one ends at its line.
fn skip_string(src: &[u8], mut i: usize, quote: u8) -> usize {
  while i < src.len() {
    match src[i] {
      b'\\' => i += 2,
      b'\n' => return i,
      c if c == quote => return i + 1,
      _ => i += 1,
    }
  }
  src.len()
}

/// Skips a regular expression's body and flags from `i` (after the `/`); it ends at its line.
fn skip_regex(src: &[u8], mut i: usize) -> usize {
  let mut in_class = false;
  while i < src.len() {
    match src[i] {
      b'\\' => i += 2,
      b'\n' => return i,
      b'[' => {
        in_class = true;
        i += 1;
      }
      b']' => {
        in_class = false;
        i += 1;
      }
      b'/' if !in_class => {
        i += 1;
        while i < src.len() && src[i].is_ascii_alphabetic() {
          i += 1;
        }
        return i;
      }
      _ => i += 1,
    }
  }
  src.len()
}

fn skip_line(src: &[u8], i: usize) -> usize {
  memchr::memchr(b'\n', &src[i.min(src.len())..]).map_or(src.len(), |at| i + at)
}

#[cfg(test)]
mod tests {
  use super::deepest_beyond_limit;

  fn depth_error(src: &str, limit: usize) -> Option<usize> {
    deepest_beyond_limit(src.as_bytes(), limit)
  }

  #[test]
  fn counts_each_kind_of_bracket() {
    assert_eq!(depth_error("((([1])))", 4), None);
    assert_eq!(depth_error("((([1])))", 3), Some(3));
    assert_eq!(depth_error("a = {b: {c: [1]}}", 2), Some(12));
    assert_eq!(depth_error("`${`${`${1}`}`}`", 2), Some(7));
    assert_eq!(depth_error("`${a}${b}${c}`", 1), None);
  }

  #[test]
  fn skips_brackets_in_strings_comments_templates_and_regexes() {
    let src = r#"
      const s = "((((", t = '[[[[', u = `{{{{ ${ "((((" } ((((`
      // ((((
      /* [[[[
         (((( */
      const r = /[(((]\/((((/g.test(x) ? 1 : 2 / (a) / 3
    "#;
    assert_eq!(depth_error(src, 2), None);
  }

  #[test]
  fn an_unterminated_string_ends_at_its_line() {
    // JSX text such as `Don't` is not a string: it must not hide the brackets that follow.
    let src = "<p>Don't</p>\n((((1))))";
    assert_eq!(depth_error(src, 3), Some(16));
  }

  #[test]
  fn arrow_bodies_nest_until_their_expression_ends() {
    assert_eq!(depth_error("a => b => c => d", 2), Some(12));
    assert_eq!(depth_error("f(a => 1, b => 2, c => 3)", 2), None);
    assert_eq!(
      depth_error("const f = () => 1\nconst g = () => 2\nconst h = () => 3", 1),
      None
    );
    assert_eq!(depth_error("x = a => 1; y = b => c => 2", 2), None);
    assert_eq!(depth_error("y = b => c => d => 2", 2), Some(16));
    assert_eq!(depth_error("[a => 1]", 1), Some(3));
  }

  #[test]
  fn division_after_values_and_regex_after_keywords() {
    assert_eq!(depth_error("a / (b) / ((c))", 2), None);
    assert_eq!(depth_error("return /((((/", 1), None);
    assert_eq!(depth_error("x = a / 2; y = ((((1))))", 3), Some(18));
  }
}
