//! Node builtin module ids (`resolve.builtins` of a server environment).

use crate::{config::Pattern, js_regex::JsRegex};

/// `require('module').builtinModules` without the `node:`-only entries (Node 22/24).
pub const NODE_BUILTIN_NAMES: &[&str] = &[
  "_http_agent",
  "_http_client",
  "_http_common",
  "_http_incoming",
  "_http_outgoing",
  "_http_server",
  "_stream_duplex",
  "_stream_passthrough",
  "_stream_readable",
  "_stream_transform",
  "_stream_wrap",
  "_stream_writable",
  "_tls_common",
  "_tls_wrap",
  "assert",
  "assert/strict",
  "async_hooks",
  "buffer",
  "child_process",
  "cluster",
  "console",
  "constants",
  "crypto",
  "dgram",
  "diagnostics_channel",
  "dns",
  "dns/promises",
  "domain",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "inspector",
  "inspector/promises",
  "module",
  "net",
  "os",
  "path",
  "path/posix",
  "path/win32",
  "perf_hooks",
  "process",
  "punycode",
  "querystring",
  "readline",
  "readline/promises",
  "repl",
  "stream",
  "stream/consumers",
  "stream/promises",
  "stream/web",
  "string_decoder",
  "sys",
  "timers",
  "timers/promises",
  "tls",
  "trace_events",
  "tty",
  "url",
  "util",
  "util/types",
  "v8",
  "vm",
  "wasi",
  "worker_threads",
  "zlib",
];

/// Vite's default `builtins` for a server environment (`nodeLikeBuiltins`):
/// every Node builtin name, plus `^node:` and `^bun:` prefixed ids.
pub fn node_builtins() -> Vec<Pattern> {
  let mut list: Vec<Pattern> = NODE_BUILTIN_NAMES
    .iter()
    .map(|n| Pattern::from(*n))
    .collect();
  for prefix in ["^node:", "^bun:"] {
    list.push(Pattern::Regex(
      JsRegex::new(prefix, "").expect("constant regex"),
    ));
  }
  list
}

/// Vite's `isBuiltin(builtins, id)`.
pub fn is_builtin(builtins: &[Pattern], id: &str) -> bool {
  builtins.iter().any(|p| p.matches(id))
}
