//! Finds `import.meta.hot.accept(...)` / `acceptExports(...)` calls (Vite's `lexAcceptedHmrDeps`).

use swc_core::ecma::ast::{
  ArrayLit, CallExpr, Callee, Expr, ExprOrSpread, Lit, MemberExpr, MemberProp, MetaPropKind,
  Module, OptCall, OptChainBase,
};
use swc_core::ecma::visit::{Visit, VisitWith};

use crate::{HmrInfo, ImportKind};

/// Scans `module` (before `import.meta` is rewritten). Accepted deps go through `rewrite`.
pub fn scan(
  module: &Module,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> HmrInfo {
  let mut scanner = Scanner {
    info: HmrInfo::default(),
    rewrite,
  };
  module.visit_with(&mut scanner);
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
  fn on_call(&mut self, callee: &Expr, args: &[ExprOrSpread]) {
    let Some(method) = hot_method(callee) else {
      return;
    };
    let first = args
      .first()
      .filter(|a| a.spread.is_none())
      .map(|a| &*a.expr);
    match method {
      Method::Accept => match first.map(unparen) {
        Some(Expr::Lit(Lit::Str(s))) => {
          let spec = s.value.to_string_lossy();
          self.add_dep(&spec);
        }
        Some(Expr::Array(arr)) => {
          for spec in string_elements(arr) {
            self.add_dep(&spec);
          }
        }
        // `accept()`, `accept(cb)`: the module accepts its own updates.
        _ => self.info.is_self_accepting = true,
      },
      Method::AcceptExports => {
        let names = match first.map(unparen) {
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

  fn add_dep(&mut self, spec: &str) {
    let dep = (self.rewrite)(spec, ImportKind::Static).unwrap_or_else(|| spec.to_owned());
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

fn unparen(e: &Expr) -> &Expr {
  match e {
    Expr::Paren(p) => unparen(&p.expr),
    _ => e,
  }
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

impl Visit for Scanner<'_> {
  fn visit_call_expr(&mut self, n: &CallExpr) {
    if let Callee::Expr(callee) = &n.callee {
      self.on_call(callee, &n.args);
    }
    n.visit_children_with(self);
  }

  fn visit_opt_call(&mut self, n: &OptCall) {
    self.on_call(&n.callee, &n.args);
    n.visit_children_with(self);
  }
}
