//! `resolve.alias` matching, with `@rollup/plugin-alias` semantics.

use crate::config::{Alias, AliasPattern};

/// Applies the first matching alias; `None` when no entry matches.
///
/// An exact `find` matches the whole specifier or a `find/…` prefix (the rest is kept);
/// a regex `find` is replaced as `String.prototype.replace` does.
pub fn apply_alias(aliases: &[Alias], specifier: &str) -> Option<String> {
  aliases.iter().find_map(|alias| match &alias.find {
    AliasPattern::Exact(find) => {
      if specifier == find {
        Some(alias.replacement.clone())
      } else {
        specifier
          .strip_prefix(find.as_str())
          .filter(|rest| rest.starts_with('/'))
          .map(|rest| format!("{}{rest}", alias.replacement))
      }
    }
    AliasPattern::Regex(re) => re
      .test(specifier)
      .then(|| re.replace(specifier, &alias.replacement)),
  })
}

/// Vite's `matchAlias` (import analysis): some entry matches `specifier`.
pub fn matches_alias(aliases: &[Alias], specifier: &str) -> bool {
  aliases.iter().any(|alias| match &alias.find {
    AliasPattern::Exact(find) => specifier
      .strip_prefix(find.as_str())
      .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')),
    AliasPattern::Regex(re) => re.test(specifier),
  })
}
