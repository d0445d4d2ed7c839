//! The resolver on untrusted specifiers and urls (what modules import and runners request):
//! alias matching, builtins, `data:`/network/`file://` urls, queries and hashes, `/@fs/` and
//! `/@id/` urls, percent-decoding, bare/relative/absolute detection, externalization. No panic,
//! and the invariants Vite's helpers keep. Resolution runs against the resolver tests' fixture
//! project, so bare specifiers meet real packages.
//!
//! Input: one byte choosing the importer, then the specifier (lossy UTF-8).
#![no_main]

use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use libfuzzer_sys::fuzz_target;
use ven_resolver::{
  Alias, AliasPattern, EnvResolver, JsRegex, ResolveConfig, apply_alias, has_dot_segment,
  matches_alias, normalize_absolute, remove_import_query, remove_timestamp_query, unwrap_id,
  wrap_id,
};

fn project_root() -> String {
  concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../crates/resolver/tests/fixtures/project"
  )
  .to_owned()
}

fn regex(source: &str, flags: &str) -> JsRegex {
  JsRegex::new(source, flags).expect("fuzz target's own regex compiles")
}

static RESOLVER: LazyLock<EnvResolver> = LazyLock::new(|| {
  let root = std::fs::canonicalize(project_root()).expect("fixture project exists");
  EnvResolver::new(ResolveConfig {
    root,
    // Exact and regex finds, with `$` patterns in the replacements.
    alias: vec![
      Alias {
        find: AliasPattern::Exact("@".to_owned()),
        replacement: "/src".to_owned(),
      },
      Alias {
        find: AliasPattern::Regex(regex(r"^~(?<rest>.*)$", "")),
        replacement: "./src/$<rest>".to_owned(),
      },
      Alias {
        find: AliasPattern::Regex(regex(r"(\w+)-(\w+)", "g")),
        replacement: "$2/$1$&$`$'$$".to_owned(),
      },
    ],
    ..ResolveConfig::default()
  })
});

/// Executions since the externalization cache was last cleared (it keeps one entry per
/// specifier, as Vite's `processedIds` does, and would grow without bound here).
static RUNS: AtomicUsize = AtomicUsize::new(0);

fuzz_target!(|data: &[u8]| {
  let Some((&choice, rest)) = data.split_first() else {
    return;
  };
  let specifier = String::from_utf8_lossy(rest);
  let resolver = &*RESOLVER;
  if RUNS.fetch_add(1, Ordering::Relaxed) % 4096 == 0 {
    resolver.clear_cache();
  }
  let root = resolver.root().to_owned();
  let importer = match choice % 6 {
    0 => None,
    1 => Some(format!("{root}/src/main.ts")),
    2 => Some(format!("{root}/node_modules/has-nested/index.js")),
    3 => Some(format!("{root}/index.html")),
    4 => Some("/elsewhere/missing.ts".to_owned()),
    _ => Some(format!("{root}/src/a.ts?import&t=1")),
  };
  let importer = importer.as_deref();

  let _ = resolver.resolve(&specifier, importer);
  let _ = resolver.resolve_to_file(&specifier, importer);
  let _ = resolver.externalized_before_resolve(&specifier, importer);
  let _ = resolver.resolve_external(&specifier, importer);
  let _ = resolver.is_builtin(&specifier);
  let _ = resolver.url_to_id(&specifier);
  let _ = has_dot_segment(&specifier);
  let _ = matches_alias(&resolver.config().alias, &specifier);
  let _ = apply_alias(&resolver.config().alias, &specifier);

  // Vite's `normalizeResolvedIdToUrl` always gives a url from the server's root.
  let url = resolver.id_to_url(&specifier);
  assert!(url.starts_with('/'), "id_to_url({specifier:?}) = {url:?}");
  let _ = resolver.url_to_id(&url);

  // `/@id/` wrapping undoes itself when the placeholder for `\0` cannot be read elsewhere (as
  // in Vite, `__x00` before a `\0` would make the first placeholder start earlier).
  let wrapped = wrap_id(&specifier);
  if !specifier.starts_with("/@id/")
    && specifier.matches('\0').count() <= 1
    && occurrences(&wrapped, "__x00__") == specifier.matches('\0').count()
  {
    assert_eq!(unwrap_id(&wrapped), specifier);
  }

  let _ = remove_timestamp_query(&specifier);
  let _ = remove_import_query(&specifier);
  // Node's `path.posix.normalize` is idempotent and leaves no `.`/`..` segment.
  if specifier.starts_with('/') {
    let normalized = normalize_absolute(&specifier);
    assert_eq!(normalize_absolute(&normalized), normalized);
    assert!(
      !has_dot_segment(&normalized),
      "{normalized:?} keeps a dot segment"
    );
  }
});

/// How often `needle` starts in `haystack`, overlapping occurrences included.
fn occurrences(haystack: &str, needle: &str) -> usize {
  haystack
    .as_bytes()
    .windows(needle.len())
    .filter(|window| *window == needle.as_bytes())
    .count()
}
