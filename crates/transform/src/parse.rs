//! Parsing one module with swc, errors mapped to [`TransformError`].

use swc_core::atoms::Atom;
use swc_core::common::{SourceFile, Span, Spanned, comments::SingleThreadedComments};
use swc_core::ecma::ast::{
  Decl, DefaultDecl, EsVersion, ExportSpecifier, Module, ModuleDecl, ModuleExportName, ModuleItem,
};
use swc_core::ecma::parser::{EsSyntax, Syntax, TsSyntax, parse_file_as_module};
use swc_core::ecma::utils::find_pat_ids;

use crate::error::error_at;
use crate::{Lang, TransformError, redeclare};

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
      None => {
        // Vite's `vite:oxc` step (TS, TSX, JSX) refuses a name declared twice in one scope,
        // before it would see a duplicated export.
        if matches!(lang, Lang::Ts | Lang::Tsx | Lang::Jsx)
          && let Some((name, span)) = redeclare::find(&module, lang != Lang::Jsx)
        {
          let offset = span.lo.0.saturating_sub(fm.start_pos.0) as usize;
          return Err(error_at(
            &fm.src,
            id,
            offset,
            format!("Identifier `{name}` has already been declared"),
          ));
        }
        return match duplicate_export(&module) {
          None => Ok(module),
          Some((name, span)) => {
            let offset = span.lo.0.saturating_sub(fm.start_pos.0) as usize;
            Err(error_at(
              &fm.src,
              id,
              offset,
              format!("Duplicated export '{name}'"),
            ))
          }
        };
      }
      Some(err) => err,
    },
    Err(err) => err,
  };
  let offset = first_error.span().lo.0.saturating_sub(fm.start_pos.0) as usize;
  let message = first_error.kind().msg().into_owned();
  Err(error_at(&fm.src, id, offset, message))
}

/// The first value export name declared twice (an early error that swc's parser does not
/// report but Vite's does: `Duplicated export 'a'`), with the span of the second declaration.
/// TypeScript type-only exports, overload signatures and `declare`d or merged namespaces are
/// not value exports.
fn duplicate_export(module: &Module) -> Option<(Atom, Span)> {
  let mut names: Vec<(Atom, Span)> = Vec::new();
  let mut check = |name: Atom, span: Span| names.push((name, span));
  let text = |n: &ModuleExportName| match n {
    ModuleExportName::Ident(i) => i.sym.clone(),
    ModuleExportName::Str(s) => s.value.to_atom_lossy().into_owned(),
  };
  for item in &module.body {
    let ModuleItem::ModuleDecl(decl) = item else {
      continue;
    };
    match decl {
      ModuleDecl::ExportDecl(e) => match &e.decl {
        Decl::Class(c) if !c.declare => check(c.ident.sym.clone(), c.ident.span),
        Decl::Fn(f) if !f.declare && f.function.body.is_some() => {
          check(f.ident.sym.clone(), f.ident.span);
        }
        Decl::Var(v) if !v.declare => {
          for id in find_pat_ids::<_, swc_core::ecma::ast::Ident>(&v.decls) {
            check(id.sym.clone(), id.span);
          }
        }
        _ => {}
      },
      ModuleDecl::ExportNamed(n) if !n.type_only => {
        for spec in &n.specifiers {
          match spec {
            ExportSpecifier::Named(s) if !s.is_type_only => {
              let name = s.exported.as_ref().unwrap_or(&s.orig);
              check(text(name), name.span());
            }
            ExportSpecifier::Namespace(s) => check(text(&s.name), s.name.span()),
            ExportSpecifier::Default(d) => check(d.exported.sym.clone(), d.exported.span),
            ExportSpecifier::Named(_) => {}
          }
        }
      }
      ModuleDecl::ExportDefaultDecl(d) if !matches!(d.decl, DefaultDecl::TsInterfaceDecl(_)) => {
        check("default".into(), d.span);
      }
      ModuleDecl::ExportDefaultExpr(d) => check("default".into(), d.span),
      _ => {}
    }
  }
  let mut seen = std::collections::HashSet::with_capacity(names.len());
  names
    .into_iter()
    .find(|(name, _)| !seen.insert(name.clone()))
}

#[cfg(test)]
mod tests {
  use swc_core::common::sync::Lrc;
  use swc_core::common::{FileName, SourceMap};

  use super::*;

  fn parse(code: &str, lang: Lang) -> Result<(), String> {
    let cm: Lrc<SourceMap> = Lrc::default();
    let fm = cm.new_source_file(Lrc::new(FileName::Anon), code.to_owned());
    let comments = SingleThreadedComments::default();
    parse_module(&fm, lang, &comments, "/m")
      .map(|_| ())
      .map_err(|e| format!("{} {}:{}", e.message, e.line, e.column))
  }

  #[test]
  fn redeclarations_are_refused_where_vite_transforms_and_before_duplicate_exports() {
    let code = "export const a = 1\nexport const a = 2\n";
    for lang in [Lang::Ts, Lang::Tsx, Lang::Jsx] {
      assert_eq!(
        parse(code, lang),
        Err("Identifier `a` has already been declared 2:13".to_owned())
      );
    }
    // Plain JavaScript is left to V8 as in Vite; only the duplicated export is an early error.
    assert_eq!(
      parse(code, Lang::Js),
      Err("Duplicated export 'a' 2:13".to_owned())
    );
    assert_eq!(parse("let a\nlet a\n", Lang::Js), Ok(()));
  }
}
