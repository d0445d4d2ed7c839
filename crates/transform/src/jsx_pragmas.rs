//! JSX pragma comments whose value is no expression (`/** @jsx while */`, `@jsxFrag a.`): swc's
//! JSX passes panic parsing them, where oxc (Vite) ignores such a pragma and keeps the default.
//! Their values are hidden from swc for the language step and put back for the output.

use swc_core::common::comments::{CommentKind, SingleThreadedComments};
use swc_core::common::{FileName, SourceMap, Span};
use swc_core::ecma::ast::{EsVersion, Ident};
use swc_core::ecma::atoms::Atom;
use swc_core::ecma::parser::{Syntax, parse_file_as_expr};

/// The original text of each comment [`hide_invalid`] changed.
pub struct Hidden(Vec<(Span, Atom)>);

/// Replaces every `@jsx`/`@jsxFrag` value swc would try to parse and could not with a word swc
/// skips, keeping the words around it (and so how swc pairs pragmas with values).
pub fn hide_invalid(comments: &SingleThreadedComments) -> Hidden {
  let mut changed = Vec::new();
  let (mut leading, mut trailing) = comments.borrow_all_mut();
  for comment in leading.values_mut().chain(trailing.values_mut()).flatten() {
    if comment.kind != CommentKind::Block || !comment.text.contains("@jsx") {
      continue;
    }
    if let Some(text) = without_invalid_values(&comment.text) {
      let original = std::mem::replace(&mut comment.text, text.into());
      changed.push((comment.span, original));
    }
  }
  Hidden(changed)
}

/// Puts back the texts [`hide_invalid`] changed.
pub fn restore(comments: &SingleThreadedComments, hidden: Hidden) {
  if hidden.0.is_empty() {
    return;
  }
  let (mut leading, mut trailing) = comments.borrow_all_mut();
  let mut originals = hidden.0;
  for comment in leading.values_mut().chain(trailing.values_mut()).flatten() {
    if let Some(i) = originals.iter().position(|(span, _)| *span == comment.span) {
      comment.text = originals.swap_remove(i).1;
    }
  }
}

/// The comment's text with unparsable pragma values replaced, read line by line and word pair
/// by word pair as swc's `JsxDirectives::from_comments` does; `None` when nothing changes.
fn without_invalid_values(text: &str) -> Option<String> {
  let mut changed = false;
  let lines: Vec<String> = text
    .lines()
    .map(|line| {
      let mut trimmed = line.trim();
      if let Some(rest) = trimmed.strip_prefix('*') {
        trimmed = rest.trim();
      }
      if !trimmed.starts_with("@jsx") {
        return line.to_owned();
      }
      let mut words: Vec<&str> = trimmed.split_whitespace().collect();
      for pair in words.chunks_mut(2) {
        if let ["@jsx" | "@jsxFrag", value] = pair
          && swc_would_parse(value)
          && !is_expression(value)
        {
          // Not a start of an identifier: swc skips the value.
          *value = "-";
          changed = true;
        }
      }
      words.join(" ")
    })
    .collect();
  changed.then(|| lines.join("\n"))
}

/// swc's `is_valid_for_pragma`: the values it hands to its expression parser.
fn swc_would_parse(value: &str) -> bool {
  value.starts_with(Ident::is_valid_start)
    && value
      .chars()
      .all(|c| Ident::is_valid_continue(c) || c == '.')
}

/// Whether swc's parser reads `value` as an expression, as its JSX pass will.
fn is_expression(value: &str) -> bool {
  let cm = SourceMap::default();
  let fm = cm.new_source_file(FileName::Anon.into(), value.to_owned());
  parse_file_as_expr(
    &fm,
    Syntax::default(),
    EsVersion::default(),
    None,
    &mut Vec::new(),
  )
  .is_ok()
}
