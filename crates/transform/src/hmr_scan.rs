//! Finds `import.meta.hot.accept(...)` / `acceptExports(...)` calls (Vite's `lexAcceptedHmrDeps`)
//! and, like Vite's import analysis, rewrites accepted dependency specifiers in place to the urls
//! the runner knows the modules by (its HMR client matches `acceptedPath` against them).

use swc_core::ecma::ast::{
  ArrayLit, CallExpr, Callee, Expr, ExprOrSpread, Lit, MemberExpr, MemberProp, MetaPropKind,
  Module, OptCall, OptChainBase, Str,
};
use swc_core::ecma::visit::{VisitMut, VisitMutWith};

use crate::ast_util::{unparen, unparen_mut};
use crate::{HmrInfo, ImportKind};

/// Scans `module` (before `import.meta` is rewritten). Accepted deps go through `rewrite`.
pub fn scan(
  module: &mut Module,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> HmrInfo {
  let mut scanner = Scanner {
    info: HmrInfo::default(),
    rewrite,
  };
  module.visit_mut_with(&mut scanner);
  scanner.info
}

struct Scanner<'a> {
  info: HmrInfo,
  rewrite: &'a mut dyn FnMut(&str, ImportKind) -> Option<String>,
}

#[derive(Clone, Copy)]
enum Method {
  Accept,
  AcceptExports,
}

impl Scanner<'_> {
  fn on_call(&mut self, callee: &Expr, args: &mut [ExprOrSpread]) {
    let Some(method) = hot_method(callee) else {
      return;
    };
    let first = args
      .first_mut()
      .filter(|a| a.spread.is_none())
      .map(|a| &mut *a.expr);
    match method {
      Method::Accept => match first.map(unparen_mut) {
        Some(Expr::Lit(Lit::Str(s))) => self.add_dep(s),
        Some(Expr::Array(arr)) => {
          for elem in arr.elems.iter_mut().flatten() {
            if elem.spread.is_none()
              && let Expr::Lit(Lit::Str(s)) = &mut *elem.expr
            {
              self.add_dep(s);
            }
          }
        }
        // `accept()`, `accept(cb)`: the module accepts its own updates.
        _ => self.info.is_self_accepting = true,
      },
      Method::AcceptExports => {
        let names = match first.map(|e| &*e).map(unparen) {
          Some(Expr::Lit(Lit::Str(s))) => vec![s.value.to_string_lossy().into_owned()],
          Some(Expr::Array(arr)) => string_elements(arr),
          _ => Vec::new(),
        };
        let list = self.info.accepted_exports.get_or_insert_with(Vec::new);
        for name in names {
          if !list.contains(&name) {
            list.push(name);
          }
        }
      }
    }
  }

  /// Records an accepted dependency and writes its rewritten url into the code.
  fn add_dep(&mut self, literal: &mut Str) {
    let spec = literal.value.to_string_lossy().into_owned();
    let dep = match (self.rewrite)(&spec, ImportKind::Static) {
      Some(url) => {
        *literal = crate::ast_util::str_lit(&url);
        url
      }
      None => spec,
    };
    if !self.info.accepted_deps.contains(&dep) {
      self.info.accepted_deps.push(dep);
    }
  }
}

fn string_elements(arr: &ArrayLit) -> Vec<String> {
  arr
    .elems
    .iter()
    .flatten()
    .filter_map(|e| match &*e.expr {
      Expr::Lit(Lit::Str(s)) if e.spread.is_none() => Some(s.value.to_string_lossy().into_owned()),
      _ => None,
    })
    .collect()
}

/// `import.meta.hot.accept` / `import.meta.hot?.acceptExports` → the method.
fn hot_method(callee: &Expr) -> Option<Method> {
  let m = as_member(unparen(callee))?;
  let method = match &m.prop {
    MemberProp::Ident(name) if name.sym == "accept" => Method::Accept,
    MemberProp::Ident(name) if name.sym == "acceptExports" => Method::AcceptExports,
    _ => return None,
  };
  let hot = as_member(unparen(&m.obj))?;
  let is_hot = matches!(&hot.prop, MemberProp::Ident(name) if name.sym == "hot");
  let on_meta =
    matches!(unparen(&hot.obj), Expr::MetaProp(p) if p.kind == MetaPropKind::ImportMeta);
  (is_hot && on_meta).then_some(method)
}

fn as_member(e: &Expr) -> Option<&MemberExpr> {
  match e {
    Expr::Member(m) => Some(m),
    Expr::OptChain(chain) => match &*chain.base {
      OptChainBase::Member(m) => Some(m),
      OptChainBase::Call(_) => None,
    },
    _ => None,
  }
}

impl VisitMut for Scanner<'_> {
  fn visit_mut_call_expr(&mut self, n: &mut CallExpr) {
    if let Callee::Expr(callee) = &n.callee {
      self.on_call(callee, &mut n.args);
    }
    n.visit_mut_children_with(self);
  }

  fn visit_mut_opt_call(&mut self, n: &mut OptCall) {
    self.on_call(&n.callee, &mut n.args);
    n.visit_mut_children_with(self);
  }
}
