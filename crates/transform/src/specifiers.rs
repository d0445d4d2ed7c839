//! Vite's import analysis on its own: module specifiers rewritten in place, the code left an ES
//! module. What transform hooks with `order: 'post'` (which Vite runs after `vite:import-analysis`)
//! see; the module-runner transform follows them.

use swc_core::ecma::ast::{CallExpr, Callee, Module, ModuleDecl, ModuleItem, Str};
use swc_core::ecma::visit::{VisitMut, VisitMutWith};

use crate::ImportKind;
use crate::ast_util::{push_unique, rewrite_dynamic_import, str_lit};
use crate::module_runner::Deps;

/// Rewrites the specifiers of imports, re-exports and string-literal dynamic `import()` calls;
/// returns them (rewritten) in source order like the module-runner transform does.
pub fn rewrite(
  module: &mut Module,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
) -> Deps {
  let mut deps = Deps::default();
  for item in &mut module.body {
    let ModuleItem::ModuleDecl(decl) = item else {
      continue;
    };
    let src = match decl {
      ModuleDecl::Import(import) => Some(&mut import.src),
      ModuleDecl::ExportNamed(named) => named.src.as_mut(),
      ModuleDecl::ExportAll(all) => Some(&mut all.src),
      _ => None,
    };
    if let Some(src) = src {
      let spec = replace(src, rewrite, ImportKind::Static);
      push_unique(&mut deps.deps, spec);
    }
  }
  let mut dynamic = DynamicImports {
    rewrite,
    found: Vec::new(),
  };
  module.visit_mut_with(&mut dynamic);
  deps.dynamic_deps = dynamic.found;
  deps
}

/// Replaces a specifier literal with its rewritten form; returns the specifier now in the code.
fn replace(
  src: &mut Box<Str>,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
  kind: ImportKind,
) -> String {
  let spec = src.value.to_string_lossy().into_owned();
  match rewrite(&spec, kind) {
    Some(new) => {
      let span = src.span;
      **src = str_lit(&new);
      src.span = span;
      new
    }
    None => spec,
  }
}

struct DynamicImports<'a> {
  rewrite: &'a mut dyn FnMut(&str, ImportKind) -> Option<String>,
  found: Vec<String>,
}

impl VisitMut for DynamicImports<'_> {
  fn visit_mut_call_expr(&mut self, call: &mut CallExpr) {
    call.visit_mut_children_with(self);
    if !matches!(call.callee, Callee::Import(_)) {
      return;
    }
    rewrite_dynamic_import(call, self.rewrite, &mut self.found);
  }
}
