//! One transform call: parse → resolver → TS strip → JSX → HMR scan → define → module runner →
//! hygiene/fixer → codegen (+ source map).

use std::borrow::Cow;

use swc_core::common::comments::SingleThreadedComments;
use swc_core::common::sync::Lrc;
use swc_core::common::{FileName, GLOBALS, Globals, Mark, SourceMap, SyntaxContext};
use swc_core::ecma::ast::Program;
use swc_core::ecma::codegen::text_writer::JsWriter;
use swc_core::ecma::codegen::{Config as CodegenConfig, Emitter, Node};
use swc_core::ecma::transforms::base::{fixer::fixer, hygiene::hygiene, resolver};
use swc_core::ecma::transforms::react::{self, Runtime};
use swc_core::ecma::transforms::typescript::{self, TsxConfig};

use crate::error::error_at;
use crate::module_runner::Contexts;
use crate::{
  HmrInfo, ImportKind, JsxOptions, Lang, TransformError, TransformOptions, TransformOutput, define,
  hmr_scan, json, module_runner, parse, source_map,
};

pub fn run(
  code: &str,
  options: &TransformOptions,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Result<TransformOutput, TransformError> {
  // Marks and syntax contexts live in the scoped `GLOBALS`; a fresh set per call keeps calls
  // on any thread independent.
  GLOBALS.set(&Globals::new(), || {
    run_in_globals(code, options, Some(rewrite))
  })
}

/// Only the language step (TS/JSX strip, JSON to module): plain ES module code, as Vite's
/// `vite:oxc` hands it to the plugins that follow it. No define, no module-runner transform.
pub fn strip(code: &str, options: &TransformOptions) -> Result<TransformOutput, TransformError> {
  GLOBALS.set(&Globals::new(), || run_in_globals(code, options, None))
}

type Rewrite<'a> = &'a mut dyn FnMut(&str, ImportKind) -> Option<String>;

/// `rewrite` is `None` for the strip-only mode.
fn run_in_globals(
  code: &str,
  options: &TransformOptions,
  rewrite: Option<Rewrite<'_>>,
) -> Result<TransformOutput, TransformError> {
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

  let mut program = Program::Module(module);
  program.mutate(resolver(unresolved_mark, top_level_mark, is_ts));
  if is_ts {
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
        &comments,
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
    program.mutate(react::jsx(
      cm.clone(),
      Some(&comments),
      jsx_options(&options.jsx),
      top_level_mark,
      unresolved_mark,
    ));
  }
  module = program.expect_module();

  let (hmr, deps) = match rewrite {
    Some(rewrite) => module_runner_steps(&mut module, code, options, &cm, ctx, rewrite),
    None => (HmrInfo::default(), module_runner::Deps::default()),
  };

  let mut program = Program::Module(module);
  // Plain JS keeps its own (valid) names; TS and JSX output may hold generated names that
  // need renaming apart, and so does source that uses the runner's own names.
  if is_ts || is_jsx || code.contains("__vite_ssr_") {
    program.mutate(hygiene());
  }
  program.mutate(fixer(Some(&comments)));

  let want_map = options.source_map && lang != Lang::Json;
  let (out, mappings) = emit(&cm, &comments, &program, want_map, fm.src.len()).map_err(|e| {
    error_at(
      code,
      &options.id,
      0,
      format!("Failed to generate code: {e}"),
    )
  })?;

  let map = if !options.source_map {
    None
  } else if lang == Lang::Json {
    Some(source_map::empty(&options.url, code))
  } else {
    source_map::build(&cm, &mappings, &options.url, options.input_map.as_deref())
  };

  Ok(TransformOutput {
    code: out,
    map,
    deps: deps.deps,
    dynamic_deps: deps.dynamic_deps,
    hmr,
  })
}

/// HMR scan, define and the module-runner transform: what follows the language step.
fn module_runner_steps(
  module: &mut swc_core::ecma::ast::Module,
  code: &str,
  options: &TransformOptions,
  cm: &Lrc<SourceMap>,
  ctx: Contexts,
  rewrite: Rewrite<'_>,
) -> (HmrInfo, module_runner::Deps) {
  let hmr = if code.contains("hot") {
    hmr_scan::scan(module, rewrite)
  } else {
    HmrInfo::default()
  };
  if !options.define.is_empty() {
    define::apply(module, &options.define, cm, ctx.unresolved);
  }
  (hmr, module_runner::transform(module, ctx, rewrite))
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

fn emit(
  cm: &Lrc<SourceMap>,
  comments: &SingleThreadedComments,
  program: &Program,
  want_map: bool,
  size_hint: usize,
) -> std::io::Result<(String, Mappings)> {
  let mut buf = Vec::with_capacity(size_hint + size_hint / 4 + 256);
  let mut mappings = Vec::new();
  {
    let writer = JsWriter::new(
      cm.clone(),
      "\n",
      &mut buf,
      want_map.then_some(&mut mappings),
    );
    let mut emitter = Emitter {
      cfg: CodegenConfig::default(),
      cm: cm.clone(),
      comments: Some(comments),
      wr: writer,
    };
    program.emit_with(&mut emitter)?;
  }
  let code = String::from_utf8(buf).map_err(std::io::Error::other)?;
  Ok((code, mappings))
}
