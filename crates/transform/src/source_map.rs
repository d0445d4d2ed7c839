//! Source map of the whole step: codegen mappings → v3 JSON, composed with an input map.

use swc_core::common::source_map::SourceMapGenConfig;
use swc_core::common::sync::Lrc;
use swc_core::common::{BytePos, FileName, LineCol, SourceMap};

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

/// Builds the map JSON. An unreadable `input_map` is ignored (the map then points at the
/// code this step received).
pub fn build(
  cm: &Lrc<SourceMap>,
  mappings: &[(BytePos, LineCol)],
  url: &str,
  input_map: Option<&str>,
) -> Option<String> {
  let orig = input_map.and_then(|m| swc_sourcemap::SourceMap::from_slice(m.as_bytes()).ok());
  let source = source_name(url);
  let map = cm.build_source_map(mappings, orig, Config { source: &source });
  let mut out = Vec::new();
  map.to_writer(&mut out).ok()?;
  String::from_utf8(out).ok()
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
