//! JS `RegExp`s from Vite's config (`resolve.alias` finds, `noExternal`, `builtins`) with JS
//! semantics: compiled with `regress` (an ECMAScript engine: look-around, backreferences, JS
//! escapes and classes), and `String.prototype.replace` for alias replacements.

use std::fmt;

/// A compiled JS regular expression (`source` and `flags` as `RegExp` reports them).
#[derive(Clone)]
pub struct JsRegex {
  source: String,
  flags: String,
  matcher: Matcher,
  /// `g`: `replace` replaces every match.
  global: bool,
  /// `y`: a match must start at index 0 (`lastIndex` of a fresh regex).
  sticky: bool,
}

#[derive(Clone)]
enum Matcher {
  /// `^literal` without flags that change what a literal matches (`node:` builtins): a prefix
  /// test instead of running the backtracking engine per specifier.
  Prefix(String),
  Regex(regress::Regex),
}

impl fmt::Debug for JsRegex {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "/{}/{}", self.source, self.flags)
  }
}

/// The literal after `^` when `source` is `^` followed by characters that match themselves.
fn anchored_literal(source: &str, flags: &str) -> Option<String> {
  if flags.contains(['i', 'm']) {
    return None;
  }
  let rest = source.strip_prefix('^')?;
  let mut literal = String::with_capacity(rest.len());
  let mut chars = rest.chars();
  while let Some(c) = chars.next() {
    match c {
      // `RegExp.source` escapes `/`; an escaped ASCII punctuation character is itself.
      '\\' => match chars.next() {
        Some(e) if e.is_ascii_punctuation() => literal.push(e),
        _ => return None,
      },
      '^' | '$' | '.' | '|' | '?' | '*' | '+' | '(' | ')' | '[' | ']' | '{' | '}' => return None,
      c => literal.push(c),
    }
  }
  Some(literal)
}

impl JsRegex {
  /// Compiles `new RegExp(source, flags)`. `d` (indices) changes nothing here.
  pub fn new(source: &str, flags: &str) -> Result<Self, String> {
    let engine_flags: String = flags
      .chars()
      .filter(|f| !matches!(f, 'g' | 'y' | 'd'))
      .collect();
    let matcher = match anchored_literal(source, flags) {
      Some(prefix) => Matcher::Prefix(prefix),
      None => Matcher::Regex(
        regress::Regex::with_flags(source, engine_flags.as_str())
          .map_err(|e| format!("/{source}/{flags}: {e}"))?,
      ),
    };
    Ok(Self {
      source: source.to_owned(),
      flags: flags.to_owned(),
      matcher,
      global: flags.contains('g'),
      sticky: flags.contains('y'),
    })
  }

  pub fn source(&self) -> &str {
    &self.source
  }

  pub fn flags(&self) -> &str {
    &self.flags
  }

  /// `RegExp.prototype.test` on a fresh regex (`lastIndex` 0; Vite resets it before testing).
  pub fn test(&self, text: &str) -> bool {
    match &self.matcher {
      Matcher::Prefix(prefix) => text.starts_with(prefix.as_str()),
      Matcher::Regex(re) => re
        .find(text)
        .is_some_and(|m| !self.sticky || m.start() == 0),
    }
  }

  /// `text.replace(regex, replacement)`: the first match (every match with `g`) replaced, with
  /// JS's `$` patterns in `replacement` (`$$`, `$&`, `` $` ``, `$'`, `$n`, `$nn`, `$<name>`).
  pub fn replace(&self, text: &str, replacement: &str) -> String {
    let re = match &self.matcher {
      Matcher::Prefix(prefix) => {
        return match text.strip_prefix(prefix.as_str()) {
          Some(rest) => {
            let matched = Match {
              range: 0..prefix.len(),
              captures: Vec::new(),
              named: None,
            };
            let mut out = expand(replacement, text, &matched);
            out.push_str(rest);
            out
          }
          None => text.to_owned(),
        };
      }
      Matcher::Regex(re) => re,
    };
    let mut out = String::with_capacity(text.len() + replacement.len());
    let mut copied = 0;
    for m in re.find_iter(text) {
      // Sticky: matches must follow each other from index 0.
      if self.sticky && m.start() != copied {
        break;
      }
      out.push_str(&text[copied..m.start()]);
      let named = (m.named_groups().next().is_some()).then_some(&m);
      let matched = Match {
        range: m.range(),
        captures: m.captures.clone(),
        named,
      };
      out.push_str(&expand(replacement, text, &matched));
      copied = m.end();
      if !self.global {
        break;
      }
    }
    out.push_str(&text[copied..]);
    out
  }
}

/// What a replacement pattern can refer to.
struct Match<'m> {
  range: std::ops::Range<usize>,
  captures: Vec<Option<std::ops::Range<usize>>>,
  /// The engine's match when the regex has named groups (`$<name>` is literal otherwise).
  named: Option<&'m regress::Match>,
}

/// ECMAScript's `GetSubstitution`.
fn expand(replacement: &str, text: &str, m: &Match<'_>) -> String {
  let mut out = String::with_capacity(replacement.len());
  let group_count = m.captures.len();
  let capture = |n: usize| -> &str {
    m.captures
      .get(n - 1)
      .and_then(Clone::clone)
      .map_or("", |r| &text[r])
  };
  let bytes = replacement.as_bytes();
  let mut i = 0;
  let mut literal_from = 0;
  while i < bytes.len() {
    if bytes[i] != b'$' || i + 1 >= bytes.len() {
      i += 1;
      continue;
    }
    let next = bytes[i + 1];
    let (substitution, consumed): (Option<&str>, usize) = match next {
      b'$' => (Some("$"), 2),
      b'&' => (Some(&text[m.range.clone()]), 2),
      b'`' => (Some(&text[..m.range.start]), 2),
      b'\'' => (Some(&text[m.range.end..]), 2),
      b'0'..=b'9' => {
        let one = usize::from(next - b'0');
        let two = bytes
          .get(i + 2)
          .filter(|b| b.is_ascii_digit())
          .map(|b| one * 10 + usize::from(b - b'0'));
        match two {
          Some(n) if (1..=group_count).contains(&n) => (Some(capture(n)), 3),
          _ if (1..=group_count).contains(&one) => (Some(capture(one)), 2),
          _ => (None, 0),
        }
      }
      b'<' => match (m.named, replacement[i + 2..].find('>')) {
        (Some(named), Some(close)) => {
          let name = &replacement[i + 2..i + 2 + close];
          let value = named.named_group(name).map_or("", |r| &text[r]);
          (Some(value), close + 3)
        }
        _ => (None, 0),
      },
      _ => (None, 0),
    };
    match substitution {
      Some(value) => {
        out.push_str(&replacement[literal_from..i]);
        out.push_str(value);
        i += consumed;
        literal_from = i;
      }
      None => i += 1,
    }
  }
  out.push_str(&replacement[literal_from..]);
  out
}

#[cfg(test)]
mod tests {
  use super::JsRegex;

  fn re(source: &str, flags: &str) -> JsRegex {
    JsRegex::new(source, flags).unwrap()
  }

  #[test]
  fn look_around_and_js_escapes_compile() {
    // SolidStart's kind of alias: a negative look-ahead the `regex` crate rejects.
    let r = re(r"^~(?!\/solid-start)", "");
    assert!(r.test("~/components"));
    assert!(!r.test("~/solid-start"));
    assert!(re(r"(?<=@)scope", "").test("@scope/pkg"));
    assert!(re(r"^\/?@vite\/client", "").test("/@vite/client"));
  }

  #[test]
  fn anchored_literals_take_the_prefix_path() {
    let r = re("^node:", "");
    assert!(matches!(r.matcher, super::Matcher::Prefix(_)));
    assert!(r.test("node:fs") && !r.test("xnode:fs"));
    assert!(matches!(
      re("^node:", "i").matcher,
      super::Matcher::Regex(_)
    ));
    assert!(matches!(re("^a.b", "").matcher, super::Matcher::Regex(_)));
    assert_eq!(re(r"^@\/", "").replace("@/x", "/src/"), "/src/x");
  }

  #[test]
  fn replace_follows_string_prototype_replace() {
    assert_eq!(re("^@(.*)$", "").replace("@foo", "/src/$1"), "/src/foo");
    // `$10` is group 1 followed by `0` when there are fewer than ten groups.
    assert_eq!(re("(a)", "").replace("a", "$10"), "a0");
    assert_eq!(re("(a)", "").replace("a", "$2$0"), "$2$0");
    assert_eq!(re("b", "").replace("abc", "[$`|$&|$'|$$]"), "a[a|b|c|$]c");
    assert_eq!(
      re("(?<name>x)(y)?", "").replace("x", "<$<name>|$2|$<none>>"),
      "<x||>"
    );
    // Without named groups `$<` stays literal.
    assert_eq!(re("(x)", "").replace("x", "$<a>"), "$<a>");
    assert_eq!(re("o", "").replace("foo", "0"), "f0o");
    assert_eq!(re("o", "g").replace("foo", "0"), "f00");
    assert_eq!(re("o", "y").replace("foo", "0"), "foo");
  }
}
