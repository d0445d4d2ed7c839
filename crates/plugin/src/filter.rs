//! Hook filters with Vite's semantics (`createIdFilter`, `createCodeFilter`,
//! `createModuleTypeFilter`), evaluated natively. Patterns are ECMAScript regexes compiled with
//! `regress`, so `(?<!…)`, backreferences and the rest behave exactly as in JS; glob strings are
//! turned into regexes on the JS side with the same matcher Vite uses.

use std::fmt;

/// A regex source that could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError(pub String);

impl fmt::Display for FilterError {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&self.0)
  }
}

impl std::error::Error for FilterError {}

/// Compiles a JS `RegExp` (`source`, `flags`). `g`, `y` and `d` do not change what one `test`
/// from index 0 matches (Vite resets `lastIndex`), so they are dropped.
pub fn compile_regex(source: &str, flags: &str) -> Result<regress::Regex, FilterError> {
  let flags: String = flags
    .chars()
    .filter(|f| !matches!(f, 'g' | 'y' | 'd'))
    .collect();
  regress::Regex::with_flags(source, flags.as_str())
    .map_err(|e| FilterError(format!("/{source}/{flags}: {e}")))
}

/// `include`/`exclude` lists with Vite's `createFilter` rule: excluded ⇒ no; included ⇒ yes;
/// otherwise yes only when there is no include list.
fn include_exclude<T>(include: &[T], exclude: &[T], matches: impl Fn(&T) -> bool) -> bool {
  if exclude.iter().any(&matches) {
    return false;
  }
  if include.iter().any(&matches) {
    return true;
  }
  include.is_empty()
}

/// Id filter: regexes tested against the id.
#[derive(Debug, Default)]
pub struct PatternFilter {
  pub include: Vec<regress::Regex>,
  pub exclude: Vec<regress::Regex>,
}

impl PatternFilter {
  pub fn matches(&self, id: &str) -> bool {
    include_exclude(&self.include, &self.exclude, |re| re.find(id).is_some())
  }
}

/// Code filter entry: a string is a substring test, a regex is tested against the code.
#[derive(Debug)]
pub enum CodeMatcher {
  Substring(String),
  Regex(regress::Regex),
}

impl CodeMatcher {
  fn matches(&self, code: &str) -> bool {
    match self {
      Self::Substring(s) => code.contains(s.as_str()),
      Self::Regex(re) => re.find(code).is_some(),
    }
  }
}

/// A hook's `filter`.
#[derive(Debug, Default)]
pub struct HookFilter {
  pub id: Option<PatternFilter>,
  pub code: Option<(Vec<CodeMatcher>, Vec<CodeMatcher>)>,
  /// `moduleType` include list.
  pub module_type: Option<Vec<String>>,
}

impl HookFilter {
  /// Vite's `createFilterForTransform` order: module type, then id, then code. `code: None`
  /// (resolveId/load) skips the code test.
  pub fn matches(&self, id: &str, code: Option<&str>, module_type: &str) -> bool {
    if !self.matches_without_code(id, module_type) {
      return false;
    }
    match (&self.code, code) {
      (Some((include, exclude)), Some(code)) => {
        include_exclude(include, exclude, |m| m.matches(code))
      }
      _ => true,
    }
  }

  /// Module type and id only: `false` means no code can make the hook match.
  pub fn matches_without_code(&self, id: &str, module_type: &str) -> bool {
    if let Some(types) = &self.module_type
      && !types.iter().any(|t| t == module_type)
    {
      return false;
    }
    self.id.as_ref().is_none_or(|f| f.matches(id))
  }
}
