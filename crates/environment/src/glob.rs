//! `import.meta.glob` natively (Vite's `vite:import-glob`): which files a call matches, the keys
//! and specifiers Vite gives them, and, for HMR, which modules a created or deleted file concerns.

use std::path::Path;

use ven_transform::{GlobCall, GlobFile};

use crate::Environment;

/// The patterns of one expanded call, kept so that a file created or deleted later can be matched
/// against them (Vite re-runs the importer then).
#[derive(Debug, Clone)]
pub(crate) struct GlobMatcher {
  affirmed: Vec<String>,
  negated: Vec<String>,
  exhaustive: bool,
  case_sensitive: bool,
}

impl GlobMatcher {
  fn matches(&self, file: &str) -> bool {
    if !self.exhaustive && file.split('/').any(|segment| segment == "node_modules") {
      return false;
    }
    // Case-insensitive matching compares lowercased copies; the common case copies nothing.
    let folded;
    let file = if self.case_sensitive {
      file
    } else {
      folded = file.to_lowercase();
      folded.as_str()
    };
    let hit = |pattern: &String| {
      let matched = if self.case_sensitive {
        fast_glob::glob_match(pattern, file)
      } else {
        fast_glob::glob_match(pattern.to_lowercase(), file)
      };
      matched && (self.exhaustive || !hidden(pattern, file))
    };
    !self.affirmed.is_empty() && self.affirmed.iter().any(hit) && !self.negated.iter().any(hit)
  }
}

/// A dot-segment the pattern does not name itself (globs skip dotfiles unless `exhaustive`).
fn hidden(pattern: &str, file: &str) -> bool {
  file
    .split('/')
    .filter(|segment| segment.starts_with('.') && segment.len() > 1)
    .any(|segment| !pattern.split('/').any(|p| p == segment))
}

const MAGIC: &[char] = &['*', '?', '[', ']', '{', '}', '(', ')', '!', '+', '@'];

/// The directory a glob's static prefix names (picomatch's `scan().base`, then Vite's rule that a
/// last segment with a dot is a file name).
fn static_base(glob: &str) -> String {
  let segments: Vec<&str> = glob.split('/').collect();
  let dynamic = segments.iter().position(|s| s.contains(MAGIC));
  let mut base = match dynamic {
    Some(i) => segments[..i].join("/"),
    None => glob.to_owned(),
  };
  if base
    .rsplit('/')
    .next()
    .is_some_and(|last| last.contains('.'))
  {
    base = parent(&base).to_owned();
  }
  base
}

fn parent(path: &str) -> &str {
  match path.rfind('/') {
    Some(0) => "/",
    Some(i) => &path[..i],
    None => "",
  }
}

/// Vite's `getCommonBase`.
fn common_base(globs: &[String]) -> Option<String> {
  let bases: Vec<String> = globs
    .iter()
    .filter(|g| !g.starts_with('!'))
    .map(|g| static_base(g))
    .collect();
  let first = bases.first()?;
  let mut common = String::new();
  let segments: Vec<&str> = first.split('/').collect();
  for i in 0..segments.len() {
    let candidate = segments[..=i].join("/");
    if bases
      .iter()
      .all(|b| *b == candidate || b.starts_with(&format!("{candidate}/")))
    {
      common = candidate;
    } else {
      break;
    }
  }
  Some(if common.is_empty() {
    "/".to_owned()
  } else {
    common
  })
}

/// `posix.join`/`posix.resolve` of a directory and a relative path, normalised.
fn join(dir: &str, relative: &str) -> String {
  let mut parts: Vec<&str> = Vec::new();
  for segment in dir.split('/').chain(relative.split('/')) {
    match segment {
      "" | "." => {}
      ".." => {
        parts.pop();
      }
      s => parts.push(s),
    }
  }
  format!("/{}", parts.join("/"))
}

/// `posix.relative(from, to)` for absolute paths.
fn relative(from: &str, to: &str) -> String {
  let from: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
  let to: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
  let shared = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
  let mut parts: Vec<&str> = vec![".."; from.len() - shared];
  parts.extend(&to[shared..]);
  parts.join("/")
}

fn dot_relative(path: String) -> String {
  if path.starts_with("./") || path.starts_with("../") {
    path
  } else {
    format!("./{path}")
  }
}

fn is_virtual(id: &str) -> bool {
  id.starts_with("virtual:") || id.starts_with('\0') || !id.contains('/')
}

impl Environment {
  /// The files of one call in `importer`, in Vite's order, with Vite's keys and specifiers; the
  /// call's patterns are added to `matchers`.
  pub(crate) fn expand_glob(
    &self,
    importer: &str,
    call: &GlobCall,
    matchers: &mut Vec<GlobMatcher>,
  ) -> Result<Vec<GlobFile>, String> {
    let root = self.resolver.root().trim_end_matches('/').to_owned();
    let importer = ven_graph::clean_url(importer);
    let dir = (!is_virtual(importer)).then(|| parent(importer).to_owned());
    let options = &call.options;
    let globs = call
      .globs
      .iter()
      .map(|glob| self.absolute_glob(glob, &root, dir.as_deref(), options.base.as_deref()))
      .collect::<Result<Vec<String>, String>>()?;
    let is_relative = call.globs.iter().all(|g| g.starts_with(['.', '!']));
    if dir.is_none() && options.base.is_none() && is_relative {
      return Err("In virtual modules, all globs must start with '/'".to_owned());
    }
    let matcher = GlobMatcher {
      affirmed: globs
        .iter()
        .filter(|g| !g.starts_with('!'))
        .cloned()
        .collect(),
      negated: globs
        .iter()
        .filter_map(|g| g.strip_prefix('!').map(str::to_owned))
        .collect(),
      exhaustive: options.exhaustive,
      case_sensitive: options.case_sensitive,
    };
    let cwd = common_base(&globs).unwrap_or_else(|| root.clone());
    let mut files = Vec::new();
    // Dot-directories are entered only when a pattern names one (`./.hidden/*`).
    let dot_dirs = options.exhaustive || matcher.affirmed.iter().any(|p| p.contains("/."));
    walk(Path::new(&cwd), options.exhaustive, dot_dirs, &mut |file| {
      if file != importer && matcher.matches(file) {
        files.push(file.to_owned());
      }
    });
    files.sort();
    matchers.push(matcher);
    let restore_extension = self.config.import_glob_restore_extension;
    Ok(
      files
        .into_iter()
        .map(|file| {
          let (key, import_path) = keys(
            &file,
            &root,
            dir.as_deref(),
            options.base.as_deref(),
            is_relative,
          );
          let mut query = options.query.clone().unwrap_or_default();
          // Vite: `basename(file).split('.').slice(-1)[0]` (a name without a dot is its own
          // "extension").
          let extension = file
            .rsplit('/')
            .next()
            .and_then(|name| name.rsplit('.').next());
          if restore_extension
            && !query.is_empty()
            && query != "?raw"
            && let Some(ext) = extension.filter(|e| !e.is_empty())
          {
            query = format!("{query}&lang.{ext}");
          }
          GlobFile {
            key,
            import_path: format!("{import_path}{query}"),
          }
        })
        .collect(),
    )
  }

  /// Vite's `toAbsoluteGlob` (aliases through the native `resolve.alias`).
  fn absolute_glob(
    &self,
    glob: &str,
    root: &str,
    dir: Option<&str>,
    base: Option<&str>,
  ) -> Result<String, String> {
    let (pre, glob) = match glob.strip_prefix('!') {
      Some(rest) => ("!", rest),
      None => ("", glob),
    };
    let dir = match base {
      Some(base) if base.starts_with('/') => join(root, base),
      Some(base) => join(dir.unwrap_or(root), base),
      None => dir.unwrap_or(root).to_owned(),
    };
    if let Some(rest) = glob.strip_prefix('/') {
      return Ok(format!("{pre}{}", join(root, rest)));
    }
    if let Some(rest) = glob.strip_prefix("./") {
      return Ok(format!("{pre}{}", join(&dir, rest)));
    }
    if glob.starts_with("../") {
      return Ok(format!("{pre}{}", join(&dir, glob)));
    }
    if glob.starts_with("**") {
      return Ok(format!("{pre}{glob}"));
    }
    let resolved = ven_resolver::apply_alias(&self.config.resolve.alias, glob)
      .unwrap_or_else(|| glob.to_owned());
    if resolved.starts_with('/') {
      return Ok(format!("{pre}{resolved}"));
    }
    Err(format!(
      "Invalid glob: \"{glob}\" (resolved: \"{resolved}\"). It must start with '/' or './'"
    ))
  }

  /// Modules whose `import.meta.glob` calls match `file` (created or deleted): Vite updates them.
  pub fn glob_importers(&self, file: &str) -> Vec<ven_graph::NodeKey> {
    let file = file.replace('\\', "/");
    let ids: Vec<String> = self
      .globs
      .iter()
      .filter(|entry| entry.value().iter().any(|m| m.matches(&file)))
      .map(|entry| entry.key().clone())
      .collect();
    ids
      .iter()
      .filter_map(|id| self.graph.key_by_id(id))
      .collect()
  }
}

/// Vite's `resolvePaths`: the object key and the specifier of a matched file.
fn keys(
  file: &str,
  root: &str,
  dir: Option<&str>,
  base: Option<&str>,
  is_relative: bool,
) -> (String, String) {
  let Some(dir) = dir else {
    let import_path = format!("/{}", relative(root, file));
    let key = match base {
      Some(base) => dot_relative(relative(&join(root, base), file)),
      None => import_path.clone(),
    };
    return (key, import_path);
  };
  let import_path = dot_relative(relative(dir, file));
  let key = if let Some(base) = base {
    let from = if base.starts_with('/') { root } else { dir };
    dot_relative(relative(&join(from, base), file))
  } else if is_relative {
    import_path.clone()
  } else {
    let path = relative(root, file);
    if path.starts_with("./") || path.starts_with("../") {
      path
    } else {
      format!("/{path}")
    }
  };
  (key, import_path)
}

/// Every file under `dir`; `node_modules` is skipped unless `exhaustive`, dot-directories unless
/// `dot_dirs`.
fn walk(dir: &Path, exhaustive: bool, dot_dirs: bool, found: &mut dyn FnMut(&str)) {
  let Ok(entries) = std::fs::read_dir(dir) else {
    return;
  };
  for entry in entries.flatten() {
    let name = entry.file_name();
    let name = name.to_string_lossy();
    let path = entry.path();
    let Ok(kind) = std::fs::metadata(&path).map(|m| m.file_type()) else {
      continue;
    };
    if kind.is_dir() {
      if (!exhaustive && name == "node_modules") || (!dot_dirs && name.starts_with('.')) {
        continue;
      }
      walk(&path, exhaustive, dot_dirs, found);
    } else if kind.is_file() {
      found(&path.to_string_lossy().replace('\\', "/"));
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn paths_and_bases() {
    assert_eq!(join("/a/b", "../c/./d"), "/a/c/d");
    assert_eq!(relative("/a/b", "/a/c/d.ts"), "../c/d.ts");
    assert_eq!(relative("/a", "/a/b.ts"), "b.ts");
    assert_eq!(static_base("/r/src/**/*.ts"), "/r/src");
    assert_eq!(static_base("/r/src/a.ts"), "/r/src");
    assert_eq!(
      common_base(&[
        "/r/src/a/*.ts".into(),
        "/r/src/b/*.ts".into(),
        "!/r/x/*".into()
      ]),
      Some("/r/src".to_owned())
    );
    assert_eq!(
      keys("/r/src/mods/a.ts", "/r", Some("/r/src"), None, true),
      ("./mods/a.ts".to_owned(), "./mods/a.ts".to_owned())
    );
    assert_eq!(
      keys("/r/src/mods/a.ts", "/r", Some("/r/src"), None, false),
      ("/src/mods/a.ts".to_owned(), "./mods/a.ts".to_owned())
    );
    assert_eq!(
      keys(
        "/r/src/mods/a.ts",
        "/r",
        Some("/r/src"),
        Some("./mods"),
        true
      ),
      ("./a.ts".to_owned(), "./mods/a.ts".to_owned())
    );
  }

  #[test]
  fn matcher_rules() {
    let m = GlobMatcher {
      affirmed: vec!["/r/src/**/*.ts".into()],
      negated: vec!["/r/src/skip/*".into()],
      exhaustive: false,
      case_sensitive: true,
    };
    assert!(m.matches("/r/src/a/b.ts"));
    assert!(!m.matches("/r/src/skip/b.ts"));
    assert!(!m.matches("/r/src/.hidden/b.ts"));
    assert!(!m.matches("/r/src/node_modules/x/b.ts"));
    assert!(!m.matches("/r/src/a/b.js"));
  }
}
