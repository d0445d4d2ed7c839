//! `resolve.alias` matching, with `@rollup/plugin-alias` semantics.

use crate::config::{Alias, AliasPattern};

/// Applies the first matching alias; `None` when no entry matches.
///
/// An exact `find` matches the whole specifier or a `find/…` prefix (the rest is kept);
/// a regex `find` replaces its first match, with `$1`-style references in the replacement.
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
    AliasPattern::Regex(re) => {
      if re.is_match(specifier) {
        Some(
          re.replace(specifier, alias.replacement.as_str())
            .into_owned(),
        )
      } else {
        None
      }
    }
  })
}
