//! What a module imports from and exports to other modules, by name: the data of Vite's partial
//! HMR accept (`import.meta.hot.acceptExports`, `experimental.hmrPartialAccept`).

use swc_core::ecma::ast::{
  Decl, ExportSpecifier, ImportSpecifier, Module, ModuleDecl, ModuleExportName, ModuleItem, Pat,
};

/// Vite's `importedBindings` per static specifier, in source order: `default`, the imported
/// (not local) names, `*` for a namespace. A side-effect import or a re-export (`export … from`)
/// takes no binding: it gets an empty list, as Vite's regex over the statement finds none.
/// Dynamic imports (`*`) are the caller's to add: it knows which specifiers were dynamic.
pub fn imported_bindings(module: &Module) -> Vec<(String, Vec<String>)> {
  let mut out: Vec<(String, Vec<String>)> = Vec::new();
  let mut add = |specifier: String, names: Vec<String>| {
    if let Some((_, list)) = out.iter_mut().find(|(s, _)| *s == specifier) {
      for name in names {
        if !list.contains(&name) {
          list.push(name);
        }
      }
    } else {
      out.push((specifier, names));
    }
  };
  for item in &module.body {
    let ModuleItem::ModuleDecl(decl) = item else {
      continue;
    };
    match decl {
      ModuleDecl::Import(import) if !import.type_only => {
        let names = import
          .specifiers
          .iter()
          .map(|s| match s {
            ImportSpecifier::Default(_) => "default".to_owned(),
            ImportSpecifier::Namespace(_) => "*".to_owned(),
            ImportSpecifier::Named(named) => match &named.imported {
              Some(imported) => export_name(imported),
              None => named.local.sym.to_string(),
            },
          })
          .collect();
        add(import.src.value.to_string_lossy().into_owned(), names);
      }
      ModuleDecl::ExportNamed(named) => {
        if let Some(src) = &named.src {
          add(src.value.to_string_lossy().into_owned(), Vec::new());
        }
      }
      ModuleDecl::ExportAll(all) => add(all.src.value.to_string_lossy().into_owned(), Vec::new()),
      _ => {}
    }
  }
  out
}

/// The names the module exports itself (es-module-lexer's `exports`): `export *` adds none.
pub fn export_names(module: &Module) -> Vec<String> {
  let mut names = Vec::new();
  for item in &module.body {
    let ModuleItem::ModuleDecl(decl) = item else {
      continue;
    };
    match decl {
      ModuleDecl::ExportDecl(export) => match &export.decl {
        Decl::Class(c) => names.push(c.ident.sym.to_string()),
        Decl::Fn(f) => names.push(f.ident.sym.to_string()),
        Decl::Var(var) => {
          for declarator in &var.decls {
            pattern_names(&declarator.name, &mut names);
          }
        }
        _ => {}
      },
      ModuleDecl::ExportNamed(export_named) => {
        for spec in &export_named.specifiers {
          match spec {
            ExportSpecifier::Named(export_spec) => {
              names.push(export_name(
                export_spec.exported.as_ref().unwrap_or(&export_spec.orig),
              ));
            }
            ExportSpecifier::Namespace(ns) => names.push(export_name(&ns.name)),
            ExportSpecifier::Default(d) => names.push(d.exported.sym.to_string()),
          }
        }
      }
      ModuleDecl::ExportDefaultDecl(_) | ModuleDecl::ExportDefaultExpr(_) => {
        names.push("default".to_owned());
      }
      _ => {}
    }
  }
  names
}

fn export_name(name: &ModuleExportName) -> String {
  match name {
    ModuleExportName::Ident(i) => i.sym.to_string(),
    ModuleExportName::Str(s) => s.value.to_string_lossy().into_owned(),
  }
}

fn pattern_names(pat: &Pat, names: &mut Vec<String>) {
  match pat {
    Pat::Ident(i) => names.push(i.id.sym.to_string()),
    Pat::Array(a) => a
      .elems
      .iter()
      .flatten()
      .for_each(|p| pattern_names(p, names)),
    Pat::Object(o) => {
      for prop in &o.props {
        match prop {
          swc_core::ecma::ast::ObjectPatProp::KeyValue(kv) => pattern_names(&kv.value, names),
          swc_core::ecma::ast::ObjectPatProp::Assign(a) => names.push(a.key.sym.to_string()),
          swc_core::ecma::ast::ObjectPatProp::Rest(r) => pattern_names(&r.arg, names),
        }
      }
    }
    Pat::Assign(a) => pattern_names(&a.left, names),
    Pat::Rest(r) => pattern_names(&r.arg, names),
    _ => {}
  }
}
