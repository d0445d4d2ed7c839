//! Keeps long operator chains away from swc's constant folding in the TypeScript strip.
//!
//! The strip evaluates every `const` initializer made of literals and operators (an enum member
//! may refer to it) and clones the rest of a binary chain at each level, so a chain of n
//! operators costs O(n²) time and memory: 10,000 `+` took 20 s and 9 GB. An initializer with
//! more operators than any enum value would use is hidden behind a marker sequence
//! `(<invalid>, init)`, which the strip does not fold, and unwrapped after the strip. The
//! marker never reaches the printer.

use swc_core::common::DUMMY_SP;
use swc_core::ecma::ast::{BinExpr, Expr, Invalid, Module, SeqExpr, VarDecl, VarDeclKind};
use swc_core::ecma::visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// More binary operators than this in one initializer is not an enum's constant.
const MAX_FOLDED_OPERATORS: usize = 256;

/// Hides long initializers; `true` when any was hidden (then call [`unwrap`] after the strip).
pub fn hide_long_chains(module: &mut Module) -> bool {
  let mut hider = Hider { hidden: false };
  module.visit_mut_with(&mut hider);
  hider.hidden
}

/// Removes the markers [`hide_long_chains`] added.
pub fn unwrap(module: &mut Module) {
  module.visit_mut_with(&mut Unwrapper);
}

struct Hider {
  hidden: bool,
}

impl VisitMut for Hider {
  fn visit_mut_var_decl(&mut self, decl: &mut VarDecl) {
    decl.visit_mut_children_with(self);
    if decl.kind != VarDeclKind::Const {
      return;
    }
    for declarator in &mut decl.decls {
      let Some(init) = declarator.init.take() else {
        continue;
      };
      declarator.init = Some(if has_more_operators_than(&init, MAX_FOLDED_OPERATORS) {
        self.hidden = true;
        Box::new(Expr::Seq(SeqExpr {
          span: DUMMY_SP,
          exprs: vec![Box::new(Expr::Invalid(Invalid { span: DUMMY_SP })), init],
        }))
      } else {
        init
      });
    }
  }
}

struct Unwrapper;

impl VisitMut for Unwrapper {
  fn visit_mut_expr(&mut self, expr: &mut Expr) {
    if let Expr::Seq(seq) = expr
      && seq.exprs.len() == 2
      && matches!(*seq.exprs[0], Expr::Invalid(_))
      && let Some(inner) = seq.exprs.pop()
    {
      *expr = *inner;
    }
    expr.visit_mut_children_with(self);
  }
}

/// Counts binary operators, stopping once past `limit` (so the count costs at most `limit`).
fn has_more_operators_than(expr: &Expr, limit: usize) -> bool {
  struct Counter {
    count: usize,
    limit: usize,
  }
  impl Visit for Counter {
    fn visit_bin_expr(&mut self, bin: &BinExpr) {
      self.count += 1;
      if self.count <= self.limit {
        bin.visit_children_with(self);
      }
    }
  }
  let mut counter = Counter { count: 0, limit };
  expr.visit_with(&mut counter);
  counter.count > limit
}
