//! Small constructors for the AST nodes the transforms emit.

// swc's AST stores sub-expressions boxed; returning boxes avoids re-boxing at every use.
#![allow(clippy::unnecessary_box_returns, clippy::vec_box)]

use swc_core::atoms::Atom;
use swc_core::common::{DUMMY_SP, Span, SyntaxContext};
use swc_core::ecma::ast::{
  ArrowExpr, ArrowFunctionBody, BindingIdent, BlockStmt, CallExpr, Callee, ComputedPropName, Decl,
  Expr, ExprOrSpread, ExprStmt, FunctionBody, Ident, IdentName, Lit, MemberExpr, MemberProp,
  ModuleExportName, Number, ParenExpr, Pat, ReturnStmt, SeqExpr, Stmt, Str, TryStmt, VarDecl,
  VarDeclKind, VarDeclarator,
};
use swc_core::ecma::utils::is_valid_prop_ident;

pub fn ident(sym: Atom, ctxt: SyntaxContext, span: Span) -> Ident {
  Ident::new(sym, span, ctxt)
}

pub fn str_lit(value: &str) -> Str {
  Str {
    span: DUMMY_SP,
    value: value.into(),
    raw: None,
  }
}

pub fn str_expr(value: &str) -> Box<Expr> {
  Box::new(Expr::Lit(Lit::Str(str_lit(value))))
}

/// Text of an export/import name (`a` or `"a-b"`); lone surrogates are replaced.
pub fn export_name_text(name: &ModuleExportName) -> Atom {
  match name {
    ModuleExportName::Ident(i) => i.sym.clone(),
    ModuleExportName::Str(s) => s.value.to_atom_lossy().into_owned(),
  }
}

/// `obj.name`, or `obj["name"]` when `name` is not an identifier.
pub fn member(obj: Box<Expr>, name: &Atom, span: Span) -> Box<Expr> {
  let prop = if is_valid_prop_ident(name) {
    MemberProp::Ident(IdentName::new(name.clone(), span))
  } else {
    MemberProp::Computed(ComputedPropName {
      span: DUMMY_SP,
      expr: str_expr(name),
    })
  };
  Box::new(Expr::Member(MemberExpr { span, obj, prop }))
}

pub fn call(callee: Box<Expr>, args: Vec<Box<Expr>>) -> Box<Expr> {
  Box::new(Expr::Call(CallExpr {
    span: DUMMY_SP,
    ctxt: SyntaxContext::empty(),
    callee: Callee::Expr(callee),
    args: args
      .into_iter()
      .map(|expr| ExprOrSpread { spread: None, expr })
      .collect(),
    type_args: None,
  }))
}

pub fn expr_stmt(expr: Box<Expr>) -> Stmt {
  Stmt::Expr(ExprStmt {
    span: DUMMY_SP,
    expr,
  })
}

/// `const <name> = <init>;`
pub fn const_decl(name: Ident, init: Box<Expr>) -> Stmt {
  Stmt::Decl(Decl::Var(Box::new(VarDecl {
    span: DUMMY_SP,
    ctxt: SyntaxContext::empty(),
    kind: VarDeclKind::Const,
    declare: false,
    decls: vec![VarDeclarator {
      span: DUMMY_SP,
      name: Pat::Ident(BindingIdent::from(name)),
      init: Some(init),
      definite: false,
    }],
  })))
}

/// `(0, <expr>)`: calling through it leaves `this` undefined, like calling an ESM import.
pub fn unbound(expr: Box<Expr>) -> Box<Expr> {
  Box::new(Expr::Paren(ParenExpr {
    span: DUMMY_SP,
    expr: Box::new(Expr::Seq(SeqExpr {
      span: DUMMY_SP,
      exprs: vec![
        Box::new(Expr::Lit(Lit::Num(Number {
          span: DUMMY_SP,
          value: 0.0,
          raw: None,
        }))),
        expr,
      ],
    })),
  }))
}

/// `() => { try { return <value> } catch {} }`: a live, TDZ-safe export getter.
pub fn getter(value: Box<Expr>) -> Box<Expr> {
  let body = FunctionBody {
    span: DUMMY_SP,
    stmts: vec![Stmt::Try(Box::new(TryStmt {
      span: DUMMY_SP,
      block: BlockStmt {
        span: DUMMY_SP,
        ctxt: SyntaxContext::empty(),
        stmts: vec![Stmt::Return(ReturnStmt {
          span: DUMMY_SP,
          arg: Some(value),
        })],
      },
      handler: Some(swc_core::ecma::ast::CatchClause {
        span: DUMMY_SP,
        param: None,
        body: BlockStmt::default(),
      }),
      finalizer: None,
    }))],
  };
  Box::new(Expr::Arrow(ArrowExpr {
    span: DUMMY_SP,
    ctxt: SyntaxContext::empty(),
    params: Vec::new(),
    body: Box::new(ArrowFunctionBody::FunctionBody(body)),
    is_async: false,
    is_generator: false,
    type_params: None,
    return_type: None,
  }))
}

pub(crate) fn push_unique(list: &mut Vec<String>, value: String) {
  if !list.contains(&value) {
    list.push(value);
  }
}

/// Rewrites the specifier of a dynamic `import()` through `rewrite` and records it in `found`
/// (string literals only: Vite lists them in `dynamicDeps`; a template without expressions is
/// rewritten but not recorded).
pub(crate) fn rewrite_dynamic_import(
  call: &mut CallExpr,
  rewrite: &mut dyn FnMut(&str, crate::ImportKind) -> Option<String>,
  found: &mut Vec<String>,
) {
  let Some(first) = call.args.first_mut().filter(|a| a.spread.is_none()) else {
    return;
  };
  let (spec, record) = match &*first.expr {
    Expr::Lit(Lit::Str(s)) => (s.value.to_string_lossy().into_owned(), true),
    Expr::Tpl(t) if t.exprs.is_empty() && t.quasis.len() == 1 => {
      match t.quasis[0].cooked.as_ref() {
        Some(cooked) => (cooked.to_string_lossy().into_owned(), false),
        None => return,
      }
    }
    _ => return,
  };
  let new = rewrite(&spec, crate::ImportKind::Dynamic);
  if let Some(new) = &new {
    let mut lit = str_lit(new);
    lit.span = swc_core::common::Spanned::span(&*first.expr);
    *first.expr = Expr::Lit(Lit::Str(lit));
  }
  if record {
    push_unique(found, new.unwrap_or(spec));
  }
}

/// The expression inside any parentheses.
pub fn unparen(e: &Expr) -> &Expr {
  match e {
    Expr::Paren(p) => unparen(&p.expr),
    _ => e,
  }
}

pub fn unparen_mut(e: &mut Expr) -> &mut Expr {
  match e {
    Expr::Paren(p) => unparen_mut(&mut p.expr),
    _ => e,
  }
}
