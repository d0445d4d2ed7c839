//! One transform call: parse → resolver → TS strip → JSX → HMR scan → define → module runner →
//! hygiene/fixer → codegen (+ source map).

use std::borrow::Cow;

use swc_core::common::comments::{Comments, SingleThreadedComments};
use swc_core::common::sync::Lrc;
use swc_core::common::{FileName, GLOBALS, Globals, Mark, SourceFile, SourceMap, SyntaxContext};
use swc_core::ecma::ast::Program;
use swc_core::ecma::codegen::{Config as CodegenConfig, Emitter, Node};
use swc_core::ecma::transforms::base::{fixer::fixer, hygiene::hygiene, resolver};
use swc_core::ecma::transforms::react::{self, Runtime};
use swc_core::ecma::transforms::typescript::{self, TsxConfig};

use crate::comments::EmitComments;
use crate::error::error_at;
use crate::module_runner::Contexts;
use crate::writer::Writer;
use crate::{
  HmrInfo, ImportKind, JsxOptions, Lang, TransformError, TransformOptions, TransformOutput,
  bindings, const_fold_guard, define, glob_import, hmr_scan, json, jsx_pragmas, module_runner,
  namespaces, nesting, parse, source_map, specifiers, stack,
};

pub fn run(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<TransformOutput, TransformError> {
  guarded(code, options, || {
    run_in_globals(code, options, Steps::ModuleRunner(rewrite))
  })
}

/// Runs one call's `work` with the nesting limit checked, on a stack deep enough for `code`
/// ([`stack`]), in a fresh `GLOBALS` (marks and syntax contexts live there: a fresh set per
/// call keeps calls on any thread independent); a panic becomes an error naming the module.
fn guarded<R>(
  code: &str,
  options: &TransformOptions,
  work: impl FnOnce() -> Result<R, TransformError>,
) -> Result<R, TransformError> {
  // JSON read with `stringify` becomes a `JSON.parse` call: its nesting never reaches swc.
  if !(options.lang == Lang::Json && options.json_stringify) {
    nesting::check(code, &options.id)?;
  }
  stack::run_for(code.len(), || GLOBALS.set(&Globals::new(), work)).unwrap_or_else(|panic| {
    Err(TransformError {
      message: format!(
        "Internal error of vite-env-native while transforming {}: {panic}",
        options.id
      ),
      id: options.id.clone(),
      line: 1,
      column: 0,
      frame: String::new(),
      pos: 0,
      source_line: String::new(),
      char_column: 0,
    })
  })
}

/// The language step and `import.meta.glob` expansion; `None` when the module has no glob call.
pub fn globs(
  code: &str,
  options: &TransformOptions,
  expand: glob_import::ExpandGlob<'_>,
) -> Result<Option<TransformOutput>, TransformError> {
  guarded(code, options, || {
    let parts = transform_parts(code, options, Steps::Globs(expand))?;
    if parts.glob_calls == 0 {
      return Ok(None);
    }
    Ok(Some(output(code, options, parts)))
  })
}

/// Calls `rewrite` for every specifier import analysis would see; prints nothing.
pub fn scan(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<(), TransformError> {
  guarded(code, options, || {
    transform_parts(code, options, Steps::Scan(rewrite)).map(|_| ())
  })
}

/// The language step, define and import analysis (specifiers rewritten, ESM kept).
pub fn analyze(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<TransformOutput, TransformError> {
  guarded(code, options, || {
    run_in_globals(code, options, Steps::ImportAnalysis(rewrite))
  })
}

/// Only the language step (TS/JSX strip, JSON to module): plain ES module code, as Vite's
/// `vite:oxc` hands it to the plugins that follow it. No define, no module-runner transform.
pub fn strip(code: &str, options: &TransformOptions) -> Result<TransformOutput, TransformError> {
  guarded(code, options, || {
    run_in_globals(code, options, Steps::LanguageOnly)
  })
}

type Rewrite<'a> = &'a mut dyn FnMut(&str, ImportKind) -> Option<String>;

/// What follows the language step.
enum Steps<'a> {
  /// Nothing: what Vite's `vite:oxc` hands on.
  LanguageOnly,
  /// HMR scan, define, specifiers rewritten in place: what `vite:import-analysis` hands on.
  ImportAnalysis(Rewrite<'a>),
  /// The same, then the module-runner transform.
  ModuleRunner(Rewrite<'a>),
  /// Import analysis for its calls of `rewrite` only: no code is printed.
  Scan(Rewrite<'a>),
  /// `import.meta.glob` calls expanded (Vite's `vite:import-glob`), nothing else.
  Globs(glob_import::ExpandGlob<'a>),
}

/// Everything of one call but the map JSON.
struct Parts {
  /// `import.meta.glob` calls replaced ([`Steps::Globs`]).
  glob_calls: usize,
  cm: Lrc<SourceMap>,
  fm: Lrc<SourceFile>,
  code: String,
  mappings: Mappings,
  hmr: HmrInfo,
  deps: module_runner::Deps,
  /// Code and mappings of swc's own `JsWriter` for the same program.
  #[cfg(test)]
  reference: (String, Mappings),
}

fn run_in_globals(
  code: &str,
  options: &TransformOptions,
  steps: Steps<'_>,
) -> Result<TransformOutput, TransformError> {
  let parts = transform_parts(code, options, steps)?;
  Ok(output(code, options, parts))
}

fn output(code: &str, options: &TransformOptions, parts: Parts) -> TransformOutput {
  let map = if !options.source_map {
    None
  } else if options.lang == Lang::Json {
    Some(source_map::empty(&options.url, code))
  } else {
    source_map::build(
      &parts.cm,
      &parts.fm,
      &parts.mappings,
      &options.url,
      options.input_map.as_deref(),
      options.sources_content,
    )
  };
  TransformOutput {
    code: parts.code,
    map,
    deps: parts.deps.deps,
    dynamic_deps: parts.deps.dynamic_deps,
    hmr: parts.hmr,
  }
}

fn transform_parts(
  code: &str,
  options: &TransformOptions,
  steps: Steps<'_>,
) -> Result<Parts, TransformError> {
  let lang = options.lang;
  let source: Cow<str> = if lang == Lang::Json {
    Cow::Owned(json::to_module(code, &options.id, options.json_stringify)?)
  } else {
    Cow::Borrowed(code)
  };

  let cm: Lrc<SourceMap> = Lrc::default();
  // The file is named by the id (JSX dev `fileName`); the map's `sources` use the url instead.
  let fm = cm.new_source_file(
    Lrc::new(FileName::Custom(options.id.clone())),
    source.into_owned(),
  );
  let comments = SingleThreadedComments::default();
  let mut module = parse::parse_module(&fm, lang, &comments, &options.id)?;

  let unresolved_mark = Mark::new();
  let top_level_mark = Mark::new();
  let ctx = Contexts {
    top_level: SyntaxContext::empty().apply_mark(top_level_mark),
    unresolved: SyntaxContext::empty().apply_mark(unresolved_mark),
  };
  let is_ts = matches!(lang, Lang::Ts | Lang::Tsx);
  let is_jsx = matches!(lang, Lang::Jsx | Lang::Tsx);
  // Plain JS keeps its own (valid) names; TS and JSX output may hold generated names that
  // need renaming apart, and so does source that uses the runner's own names.
  let needs_hygiene = is_ts || is_jsx || code.contains("__vite_ssr_");
  // Plain JS without the word `import` has no import bindings, `import.meta` or `import()`:
  // the runner has nothing to rewrite in its body. Scope marks then serve only define keys
  // outside `import.meta` (a local binding shadows them) and the hygiene pass.
  let every_pass = tests::force_every_pass();
  let rewrites_body = lang != Lang::Js || code.contains("import") || every_pass;
  let needs_scopes = rewrites_body
    || needs_hygiene
    || options
      .define
      .iter()
      .any(|(key, _)| !key.trim_start().starts_with("import.meta"));

  module = language_step(
    module,
    options,
    &cm,
    &comments,
    needs_scopes.then_some((unresolved_mark, top_level_mark)),
  );

  let scan_only = matches!(steps, Steps::Scan(_));
  let mut glob_calls = 0;
  let Analysis { hmr, deps, defined } = match steps {
    Steps::Globs(expand) => {
      glob_calls = glob_import::expand(&mut module, ctx, expand).map_err(|(message, pos)| {
        let offset = pos.0.saturating_sub(fm.start_pos.0) as usize;
        error_at(code, &options.id, offset, message)
      })?;
      Analysis::default()
    }
    other => after_language_step(&mut module, code, options, &cm, ctx, rewrites_body, other),
  };
  if scan_only {
    return Ok(Parts {
      glob_calls,
      cm,
      fm,
      code: String::new(),
      mappings: Vec::new(),
      hmr,
      deps,
      #[cfg(test)]
      reference: (String::new(), Vec::new()),
    });
  }

  let mut program = Program::Module(module);
  if needs_hygiene {
    program.mutate(hygiene());
  }
  // The fixer adds the parentheses printed nodes need. Parsed JS keeps its own and the runner
  // transform writes its `(0, f)` with them: only the language step (TS, JSX, JSON), define
  // replacements and glob expansions make nodes that may lack them.
  if lang != Lang::Js || defined || glob_calls > 0 || every_pass {
    program.mutate(fixer(Some(&comments)));
  }

  let want_map = options.source_map && lang != Lang::Json;
  let indent = indent_of(lang, code);
  #[cfg(test)]
  let reference = emit_with_js_writer(&cm, &comments, &program, indent);
  // The comments the codegen prints (a fast "none here" answer).
  let to_print = EmitComments::new(&comments, &fm);
  let printed = emit(&cm, &to_print, &program, indent, want_map, fm.src.len());
  let (out, mappings) = printed.map_err(|e| {
    error_at(
      code,
      &options.id,
      0,
      format!("Failed to generate code: {e}"),
    )
  })?;

  Ok(Parts {
    glob_calls,
    cm,
    fm,
    code: out,
    mappings,
    hmr,
    deps,
    #[cfg(test)]
    reference,
  })
}

/// Scope marks (`(unresolved, top_level)`; `None` for none), then TS strip and JSX: Vite's
/// `vite:oxc` step. TS and JSX always take marks.
fn language_step(
  module: swc_core::ecma::ast::Module,
  options: &TransformOptions,
  cm: &Lrc<SourceMap>,
  comments: &SingleThreadedComments,
  marks: Option<(Mark, Mark)>,
) -> swc_core::ecma::ast::Module {
  let lang = options.lang;
  let is_ts = matches!(lang, Lang::Ts | Lang::Tsx);
  let is_jsx = matches!(lang, Lang::Jsx | Lang::Tsx);
  let mut program = Program::Module(module);
  let Some((unresolved_mark, top_level_mark)) = marks else {
    return program.expect_module();
  };
  program.mutate(resolver(unresolved_mark, top_level_mark, is_ts));
  let hidden_pragmas = is_jsx.then(|| jsx_pragmas::hide_invalid(comments));
  let mut hidden_chains = false;
  if is_ts {
    if let Program::Module(module) = &mut program {
      hidden_chains = const_fold_guard::hide_long_chains(module);
    }
    let config = typescript::Config {
      no_empty_export: true,
      ..typescript::Config::default()
    };
    if lang == Lang::Tsx && !options.jsx.automatic {
      // Keeps the classic pragma's import (`React`) although only JSX uses it.
      let tsx_config = TsxConfig {
        pragma: Some(options.jsx.pragma.clone().into()),
        pragma_frag: Some(options.jsx.pragma_frag.clone().into()),
      };
      program.mutate(typescript::tsx(
        cm.clone(),
        config,
        tsx_config,
        comments,
        unresolved_mark,
        top_level_mark,
      ));
    } else {
      program.mutate(typescript::typescript(
        config,
        unresolved_mark,
        top_level_mark,
      ));
    }
  }
  if is_jsx {
    if options.jsx.development {
      // Like oxc's development JSX: each element says where it was written (`__source`, the
      // module id, 1-based line and column) and its `this` (`__self`), for React's warnings.
      program.mutate(react::jsx_src(true, cm.clone()));
      program.mutate(react::jsx_self(true));
    }
    program.mutate(react::jsx(
      cm.clone(),
      Some(comments),
      jsx_options(&options.jsx),
      top_level_mark,
      unresolved_mark,
    ));
  }
  if let Some(hidden) = hidden_pragmas {
    jsx_pragmas::restore(comments, hidden);
  }
  let mut module = program.expect_module();
  if hidden_chains {
    const_fold_guard::unwrap(&mut module);
  }
  if is_ts {
    namespaces::declare_before_use(&mut module);
  }
  module
}

/// What the steps after the language step found.
#[derive(Default)]
struct Analysis {
  hmr: HmrInfo,
  deps: module_runner::Deps,
  /// A define replaced something.
  defined: bool,
}

fn after_language_step(
  module: &mut swc_core::ecma::ast::Module,
  code: &str,
  options: &TransformOptions,
  cm: &Lrc<SourceMap>,
  ctx: Contexts,
  rewrites_body: bool,
  steps: Steps<'_>,
) -> Analysis {
  match steps {
    Steps::LanguageOnly | Steps::Globs(_) => Analysis::default(),
    Steps::ImportAnalysis(rewrite) | Steps::Scan(rewrite) => {
      let (hmr, defined) = import_analysis(module, code, options, cm, ctx, rewrite);
      let deps = specifiers::rewrite(module, rewrite);
      Analysis { hmr, deps, defined }
    }
    Steps::ModuleRunner(rewrite) => {
      let (hmr, defined) = import_analysis(module, code, options, cm, ctx, rewrite);
      let deps = module_runner::transform(module, ctx, rewrite, rewrites_body);
      Analysis { hmr, deps, defined }
    }
  }
}

/// HMR scan, partial-accept data and define: what import analysis learns before specifiers are
/// rewritten (accepted dependency specifiers are rewritten here already). Also whether a define
/// replaced something.
fn import_analysis(
  module: &mut swc_core::ecma::ast::Module,
  code: &str,
  options: &TransformOptions,
  cm: &Lrc<SourceMap>,
  ctx: Contexts,
  rewrite: Rewrite<'_>,
) -> (HmrInfo, bool) {
  let mut hmr = if code.contains("hot") {
    hmr_scan::scan(module, rewrite)
  } else {
    HmrInfo::default()
  };
  // Vite: a module that accepts every one of its exports is self-accepting.
  if let Some(accepted) = hmr
    .accepted_exports
    .as_ref()
    .filter(|_| !hmr.is_self_accepting)
  {
    let exports = bindings::export_names(module);
    hmr.is_self_accepting =
      accepted.len() >= exports.len() && exports.iter().all(|e| accepted.contains(e));
  }
  if options.imported_bindings {
    hmr.imported_bindings = Some(bindings::imported_bindings(module));
  }
  let defined = !options.define.is_empty()
    && define::apply(
      module,
      &options.define,
      cm,
      ctx.unresolved,
      matches!(options.lang, Lang::Ts | Lang::Tsx),
    );
  (hmr, defined)
}

fn jsx_options(o: &JsxOptions) -> react::Options {
  react::Options {
    runtime: Some(if o.automatic {
      Runtime::Automatic
    } else {
      Runtime::Classic
    }),
    import_source: Some(o.import_source.as_str().into()),
    pragma: Some(o.pragma.clone().into()),
    pragma_frag: Some(o.pragma_frag.clone().into()),
    development: Some(o.development),
    ..react::Options::default()
  }
}

type Mappings = Vec<(swc_core::common::BytePos, swc_core::common::LineCol)>;

/// One level of indentation in printed code. Vite hands TS, TSX and JSX on as `vite:oxc` printed
/// them, and oxc's codegen indents with a tab; plain JS (a file's own, or what an earlier step
/// printed) Vite never reprints, so its text keeps the indentation it came with, and so does
/// ours. Code that reads its own text (`Function.prototype.toString()` serialized into an inline
/// script) then gets the same indentation from us.
fn indent_of(lang: Lang, code: &str) -> &'static str {
  match lang {
    Lang::Ts | Lang::Tsx | Lang::Jsx => "\t",
    Lang::Js => source_indent(code).unwrap_or(SPACES[4]),
    Lang::Json => SPACES[4],
  }
}

const SPACES: [&str; 9] = [
  "", " ", "  ", "   ", "    ", "     ", "      ", "       ", "        ",
];

/// The indentation unit of `code`: a tab when more indented lines start with a tab than with
/// spaces, else the smallest run of two or more spaces (a single space is usually a comment's
/// ` *` or a continuation). Lines inside block comments (` * …`) and blank lines do not count.
fn source_indent(code: &str) -> Option<&'static str> {
  let (mut tab_lines, mut space_lines, mut smallest) = (0usize, 0usize, usize::MAX);
  // The first few hundred indented lines say it; a long file need not be read to its end.
  for line in code.lines().take(2048) {
    let rest = line.trim_start_matches([' ', '\t']);
    if rest.is_empty() || rest.starts_with('*') || rest.len() == line.len() {
      continue;
    }
    if line.starts_with('\t') {
      tab_lines += 1;
    } else {
      let width = line.len() - line.trim_start_matches(' ').len();
      if width >= 2 {
        space_lines += 1;
        smallest = smallest.min(width);
      }
    }
  }
  if tab_lines > space_lines {
    Some("\t")
  } else if space_lines > 0 {
    Some(SPACES[smallest.min(SPACES.len() - 1)])
  } else {
    None
  }
}

fn emit(
  cm: &Lrc<SourceMap>,
  comments: &dyn Comments,
  program: &Program,
  indent_str: &'static str,
  want_map: bool,
  size_hint: usize,
) -> std::io::Result<(String, Mappings)> {
  let mut code = String::with_capacity(size_hint + size_hint / 4 + 256);
  let mut mappings = Vec::new();
  {
    let mut emitter = Emitter {
      cfg: CodegenConfig::default(),
      cm: cm.clone(),
      comments: Some(comments),
      wr: Writer::new(&mut code, indent_str, want_map.then_some(&mut mappings)),
    };
    program.emit_with(&mut emitter)?;
  }
  Ok((code, mappings))
}

/// swc's own `JsWriter`: the reference [`Writer`] must equal.
#[cfg(test)]
fn emit_with_js_writer(
  cm: &Lrc<SourceMap>,
  comments: &SingleThreadedComments,
  program: &Program,
  indent_str: &'static str,
) -> (String, Mappings) {
  // The emitter takes the comments it prints: the reference emission gets its own copy.
  let (leading, trailing) = comments.borrow_all();
  let deep = |map: &swc_core::common::comments::SingleThreadedCommentsMapInner| {
    std::rc::Rc::new(std::cell::RefCell::new(map.clone()))
  };
  let comments =
    &SingleThreadedComments::from_leading_and_trailing(deep(&leading), deep(&trailing));
  let mut buf = Vec::new();
  let mut mappings = Vec::new();
  {
    let mut writer = swc_core::ecma::codegen::text_writer::JsWriter::new(
      cm.clone(),
      "\n",
      &mut buf,
      Some(&mut mappings),
    );
    writer.set_indent_str(indent_str);
    let mut emitter = Emitter {
      cfg: CodegenConfig::default(),
      cm: cm.clone(),
      comments: Some(comments),
      wr: writer,
    };
    program.emit_with(&mut emitter).expect("emits");
  }
  (String::from_utf8(buf).expect("utf-8"), mappings)
}

#[cfg(not(test))]
mod tests {
  pub fn force_every_pass() -> bool {
    false
  }
}

#[cfg(test)]
mod tests {
  use std::cell::Cell;

  use super::*;

  thread_local! {
    static FORCE_EVERY_PASS: Cell<bool> = const { Cell::new(false) };
  }

  /// Runs every pass whatever the module (scope marks, the runner's body rewrite, the fixer), to
  /// compare with the output of the shortcuts.
  pub fn force_every_pass() -> bool {
    FORCE_EVERY_PASS.with(Cell::get)
  }

  /// `code` parsed, fixed and printed without comments: equal for two programs exactly when
  /// they parse to the same tree up to redundant parentheses.
  fn normalized(code: &str) -> String {
    GLOBALS.set(&Globals::new(), || {
      let cm: Lrc<SourceMap> = Lrc::default();
      let fm = cm.new_source_file(Lrc::new(FileName::Anon), code.to_owned());
      let comments = SingleThreadedComments::default();
      let module = parse::parse_module(&fm, Lang::Js, &comments, "out.js").expect("output parses");
      let mut program = Program::Module(module);
      program.mutate(fixer(None));
      let none = SingleThreadedComments::default();
      emit(&cm, &none, &program, "    ", false, code.len())
        .expect("emits")
        .0
    })
  }

  #[test]
  fn source_indent_is_the_unit_the_file_uses() {
    assert_eq!(
      source_indent("function f() {\n  a;\n  if (b) {\n    c;\n  }\n}\n"),
      Some("  ")
    );
    assert_eq!(
      source_indent("function f() {\n\ta;\n\t\tb;\n}\n"),
      Some("\t")
    );
    assert_eq!(
      source_indent("/**\n * doc\n */\nf({\n    a,\n});\n"),
      Some("    ")
    );
    assert_eq!(source_indent("/**\n * doc\n */\nf();\n"), None);
    assert_eq!(indent_of(Lang::Js, "f();\n"), "    ");
    assert_eq!(indent_of(Lang::Tsx, "f({\n  a,\n});\n"), "\t");
  }

  /// The output of the shortcuts means what the output of every pass means.
  fn assert_shortcuts_keep_meaning(code: &str, id: &str) {
    let options = TransformOptions {
      lang: Lang::Js,
      source_map: false,
      ..TransformOptions::new(id, format!("/{id}"))
    };
    let transform = |force: bool| {
      FORCE_EVERY_PASS.with(|f| f.set(force));
      let out = run(code, &options, &mut |_, _| None).map(|o| o.code);
      FORCE_EVERY_PASS.with(|f| f.set(false));
      out
    };
    let (Ok(shortcut), Ok(every_pass)) = (transform(false), transform(true)) else {
      return;
    };
    assert_eq!(
      normalized(&shortcut),
      normalized(&every_pass),
      "{id}: {code}"
    );
  }

  #[test]
  fn plain_js_shortcuts_keep_meaning() {
    let cases = [
      "import { f, o } from 'm'\nf(); (f)(); o.m(); new f(); new (f())(); f`t`; f?.(); (0, f)()\n",
      "import { f } from 'm'\nexport default (f, 1)\nexport const g = () => ({ f })\n",
      "import d, * as ns from 'm'\n(function () {})(); (() => d)(); !function () {}()\nns.x = (d, 2)\n",
      "import { a } from 'm'\nconst x = (a + 1) * 2, y = -(-a), z = (a ? 1 : 2) ? a : (a, a)\nexport { x, y, z }\n",
      "import { C } from 'm'\nexport default class extends (C) {}\nexport const k = class extends C { m() { return super.m?.() } }\n",
      "import { a } from 'm'\nlet r = (a) => a; r = async (b = a) => { for (const k in (a, {})) await k }\nexport { r }\n",
      "export default function () { return import.meta.url }\nconst v = import('./x.js').then((m) => (m.default))\n",
      "import { f } from 'm'\nexport default (async () => f)\nf((0, f)); ({ f } = { f })\n",
      "import { t } from 'm'\n`${t}`; t.x`y`; (t)`z`; new t.x``; delete t.y; void (t, 0)\n",
      // No `import` at all: no scope marks, no body rewrite.
      "export function f() { return g() }\nfunction g() { let f = 1; return f }\nexport default class A { m() { return new A() } }\n",
      "export * from './a.js'\nexport { b as c, default } from './b.js'\nexport * as ns from './n.js'\nconst x = 1; export { x as y }\n",
      "export const { a, b: [c] } = { a: 1, b: [2] }\nexport let d = 1; d++\nexport default (x) => ({ x })\n",
    ];
    for (i, code) in cases.iter().enumerate() {
      assert_shortcuts_keep_meaning(code, &format!("case{i}.js"));
    }
    // `VEN_MAP_CORPUS=<file with one path a line>`: every file of a corpus too.
    if let Ok(list) = std::env::var("VEN_MAP_CORPUS") {
      let list = std::fs::read_to_string(list).expect("readable list");
      for path in list.lines().filter(|l| !l.is_empty() && l.ends_with("js")) {
        let code = std::fs::read_to_string(path).expect("readable file");
        assert_shortcuts_keep_meaning(&code, path);
      }
    }
  }

  /// Our text writer against swc's `JsWriter`, our map writer against swc's builder +
  /// serialiser on the same codegen mappings.
  /// `false` when the code does not transform (nothing to compare).
  fn assert_same_map(code: &str, id: &str) -> bool {
    let options = TransformOptions {
      define: vec![
        ("import.meta.env.MODE".into(), "\"development\"".into()),
        ("__APP__".into(), "{\"a\":1}".into()),
      ],
      ..TransformOptions::new(id, format!("/{id}?v=1"))
    };
    GLOBALS.set(&Globals::new(), || {
      let Ok(parts) = transform_parts(code, &options, Steps::ModuleRunner(&mut |_, _| None)) else {
        return false;
      };
      assert!(parts.reference.0 == parts.code, "code of {id}");
      assert!(parts.reference.1 == parts.mappings, "mappings of {id}");
      let ours = source_map::build(
        &parts.cm,
        &parts.fm,
        &parts.mappings,
        &options.url,
        None,
        true,
      );
      let swc = source_map::build_with_swc(&parts.cm, &parts.mappings, &options.url);
      assert_eq!(ours.as_deref(), Some(swc.as_str()), "map of {id}");
      true
    })
  }

  #[test]
  fn map_writer_equals_swc() {
    let cases = [
      ("a.js", ""),
      ("a.js", "\n\n"),
      ("a.js", "import { a } from './a'\nexport const b = a + 1\n"),
      ("a.js", "import { a } from './a'\r\nconsole.log(a)\r\n\r\n"),
      ("a.js", "import { a } from './a'\rconsole.log(a)\r"),
      (
        "a.js",
        "const s = 'é😀x'; import { f } from 'f'\n\tf(s, \"ü\", `\u{1F600}`)\n",
      ),
      (
        "a.js",
        "/* ✓ */ import x from 'x'\nexport default function () { return x + __APP__ }\n",
      ),
      (
        "a.js",
        "export * from './b'\nexport { c as d } from './c'\nconsole.log(import.meta.env.MODE)",
      ),
      (
        "a.ts",
        "import type { T } from './t'\nimport { v } from './v'\nenum E { A = 'ä' }\nexport const x: T = v as T\n",
      ),
      (
        "a.tsx",
        "import { C } from './c'\nexport const el = <C a=\"ö\">{1}</C>\n",
      ),
      ("a.jsx", "export default () => <>\n  <div>😀</div>\n</>\n"),
      ("a.js", "\u{feff}import a from 'a'\nexport { a }\n"),
      (
        "a.js",
        "#!/usr/bin/env node\nimport a from 'a'\na()\n\u{2028}\n",
      ),
    ];
    for (id, code) in cases {
      assert!(assert_same_map(code, id), "{id}: {code}");
    }
    // `VEN_MAP_CORPUS=<file with one path a line>`: every file of a corpus too.
    if let Ok(list) = std::env::var("VEN_MAP_CORPUS") {
      let list = std::fs::read_to_string(list).expect("readable list");
      for path in list.lines().filter(|l| !l.is_empty()) {
        let code = std::fs::read_to_string(path).expect("readable file");
        let _ = assert_same_map(&code, path);
      }
    }
  }
}
