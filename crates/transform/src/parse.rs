//! Parsing one module with swc, errors mapped to [`TransformError`].

use swc_core::common::{SourceFile, Spanned, comments::SingleThreadedComments};
use swc_core::ecma::ast::{EsVersion, Module};
use swc_core::ecma::parser::{EsSyntax, Syntax, TsSyntax, parse_file_as_module};

use crate::error::error_at;
use crate::{Lang, TransformError};

pub fn syntax_for(lang: Lang) -> Syntax {
  match lang {
    Lang::Ts | Lang::Tsx => Syntax::Typescript(TsSyntax {
      tsx: lang == Lang::Tsx,
      ..TsSyntax::default()
    }),
    Lang::Js | Lang::Jsx | Lang::Json => Syntax::Es(EsSyntax {
      jsx: lang == Lang::Jsx,
      import_attributes: true,
      explicit_resource_management: true,
      ..EsSyntax::default()
    }),
  }
}

/// Parses `fm` as an ES module. Errors the parser recovered from are still errors: the code
/// would not run in the module runner either.
pub fn parse_module(
  fm: &SourceFile,
  lang: Lang,
  comments: &SingleThreadedComments,
  id: &str,
) -> Result<Module, TransformError> {
  let mut recovered = Vec::new();
  let result = parse_file_as_module(
    fm,
    syntax_for(lang),
    EsVersion::latest(),
    Some(comments),
    &mut recovered,
  );
  let first_error = match result {
    Ok(module) => match recovered.into_iter().next() {
      None => return Ok(module),
      Some(err) => err,
    },
    Err(err) => err,
  };
  let offset = first_error.span().lo.0.saturating_sub(fm.start_pos.0) as usize;
  let message = first_error.kind().msg().into_owned();
  Err(error_at(&fm.src, id, offset, message))
}
