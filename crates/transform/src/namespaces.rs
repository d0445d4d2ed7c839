//! Where a TypeScript namespace's variable is declared.
//!
//! swc's TypeScript strip turns `export namespace N { … }` into `(function(N) { … })(N || (N = {}))`
//! in place and declares `export var N;` at the end of the module; oxc (Vite) declares it right
//! before the function. The declaration's position decides the order of the module's exports (the
//! runner's namespace keys), so it is moved to oxc's place. `var` hoists: behaviour is the same.

use swc_core::ecma::ast::{
  BinaryOp, Decl, Expr, Module, ModuleDecl, ModuleItem, Pat, Stmt, VarDecl,
};

/// Moves each trailing `var N;` / `export var N;` (no initialiser) of a namespace to just before
/// the namespace's first `(function(N) { … })(N || …)` statement.
pub fn declare_before_use(module: &mut Module) {
  let mut index = module.body.len();
  while index > 0 {
    index -= 1;
    let Some(name) = bare_var_name(&module.body[index]) else {
      continue;
    };
    let Some(target) = module.body[..index]
      .iter()
      .position(|item| is_namespace_call_of(item, &name))
    else {
      continue;
    };
    let declaration = module.body.remove(index);
    module.body.insert(target, declaration);
  }
}

/// `var N;` or `export var N;` declaring exactly one name without an initialiser.
fn bare_var_name(item: &ModuleItem) -> Option<String> {
  let var: &VarDecl = match item {
    ModuleItem::Stmt(Stmt::Decl(Decl::Var(var))) => var,
    ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => match &export.decl {
      Decl::Var(var) => var,
      _ => return None,
    },
    _ => return None,
  };
  match var.decls.as_slice() {
    [declarator] if declarator.init.is_none() => match &declarator.name {
      Pat::Ident(ident) => Some(ident.id.sym.to_string()),
      _ => None,
    },
    _ => None,
  }
}

/// `(function(N) { … })(N || (N = {}))` as a statement.
fn is_namespace_call_of(item: &ModuleItem, name: &str) -> bool {
  let ModuleItem::Stmt(Stmt::Expr(statement)) = item else {
    return false;
  };
  let Expr::Call(call) = &*statement.expr else {
    return false;
  };
  let Some(first) = call.args.first() else {
    return false;
  };
  matches!(&*first.expr, Expr::Bin(bin)
    if bin.op == BinaryOp::LogicalOr
      && matches!(&*bin.left, Expr::Ident(ident) if &*ident.sym == name))
}
