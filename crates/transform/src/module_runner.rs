//! The module-runner transform (Vite's `ssrTransform`): imports become awaited
//! `__vite_ssr_import__` calls hoisted to the top, exports become `__vite_ssr_exportName__`
//! getters, references to imported bindings read from the import objects, `import.meta` and
//! `import()` go through the runner's context.
//!
//! Scope analysis comes from swc's `resolver`: an identifier refers to an import binding exactly
//! when its `(symbol, context)` pair equals the binding's, so shadowing needs no bookkeeping here.

// swc's AST stores sub-expressions boxed; returning boxes avoids re-boxing at every use.
#![allow(clippy::unnecessary_box_returns)]

use std::mem;

use std::collections::HashMap;
use swc_core::atoms::Atom;
use swc_core::common::{DUMMY_SP, Span, SyntaxContext};
use swc_core::ecma::ast::{
  ArrayLit, AssignPat, CallExpr, Callee, ClassDecl, Decl, DefaultDecl, Expr, ExprOrSpread, FnDecl,
  Id, Ident, IdentName, ImportDecl, ImportSpecifier, KeyValuePatProp, KeyValueProp, MetaPropKind,
  Module, ModuleDecl, ModuleExportName, ModuleItem, ObjectLit, ObjectPatProp, OptCall, Pat, Prop,
  PropName, PropOrSpread, SimpleAssignTarget, Stmt, Str, VarDeclarator,
};
use swc_core::ecma::utils::find_pat_ids;
use swc_core::ecma::visit::{VisitMut, VisitMutWith};

use crate::ImportKind;
use crate::ast_util::{
  call, const_decl, export_name_text, expr_stmt, getter, ident, member, push_unique,
  rewrite_dynamic_import, str_expr, unbound, unparen_mut,
};

const SSR_IMPORT: &str = "__vite_ssr_import__";
const SSR_DYNAMIC_IMPORT: &str = "__vite_ssr_dynamic_import__";
const SSR_EXPORT_ALL: &str = "__vite_ssr_exportAll__";
const SSR_EXPORT_NAME: &str = "__vite_ssr_exportName__";
const SSR_IMPORT_META: &str = "__vite_ssr_import_meta__";
const SSR_EXPORT_DEFAULT: &str = "__vite_ssr_export_default__";

/// Syntax contexts from the `resolver` run of this module.
#[derive(Clone, Copy)]
pub struct Contexts {
  /// Context of the module's own top-level bindings; generated top-level names use it too.
  pub top_level: SyntaxContext,
  /// Context of references to globals; the runner's context names use it.
  pub unresolved: SyntaxContext,
}

/// Specifiers collected by the transform, rewritten and deduplicated.
#[derive(Default)]
pub struct Deps {
  pub deps: Vec<String>,
  pub dynamic_deps: Vec<String>,
}

/// What an import binding reads: `__vite_ssr_import_N__` itself or one of its properties.
struct ImportRef {
  object: Atom,
  prop: Option<Atom>,
}

/// `rewrites_body: false` says the module's statements cannot reference an import, `import.meta`
/// or `import()` (their source never says `import`): only its import and export declarations
/// change.
pub fn transform(
  module: &mut Module,
  ctx: Contexts,
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
  rewrites_body: bool,
) -> Deps {
  let mut h = Hoister {
    ctx,
    rewrite,
    bindings: HashMap::default(),
    deps: Vec::new(),
    exports: Vec::new(),
    imports: Vec::new(),
    body: Vec::with_capacity(module.body.len()),
    uid: 0,
  };
  for item in mem::take(&mut module.body) {
    match item {
      ModuleItem::Stmt(s) => h.body.push(s),
      ModuleItem::ModuleDecl(decl) => h.module_decl(decl),
    }
  }
  let Hoister {
    rewrite,
    bindings,
    deps,
    exports,
    imports,
    mut body,
    ..
  } = h;

  let mut binding_ctxts: Vec<SyntaxContext> = Vec::new();
  for (_, ctxt) in bindings.keys() {
    if !binding_ctxts.contains(ctxt) {
      binding_ctxts.push(*ctxt);
    }
  }
  let mut r = Rewriter {
    ctx,
    rewrite,
    bindings,
    binding_ctxts,
    dynamic_deps: Vec::new(),
    stmt_index: 0,
    superclass_consts: Vec::new(),
    declaring: false,
  };
  if rewrites_body {
    for (i, stmt) in body.iter_mut().enumerate() {
      r.stmt_index = i;
      stmt.visit_mut_with(&mut r);
    }
  }
  if !r.superclass_consts.is_empty() {
    // Each `const Base = __vite_ssr_import_0__.Base;` goes right before the top-level statement
    // holding the first class declaration that extends `Base`, as in Vite.
    let mut consts = mem::take(&mut r.superclass_consts).into_iter().peekable();
    let mut with_consts = Vec::with_capacity(body.len() + consts.len());
    for (i, stmt) in body.into_iter().enumerate() {
      while let Some((_, local, value)) = consts.next_if(|(at, _, _)| *at == i) {
        with_consts.push(const_decl(local, value));
      }
      with_consts.push(stmt);
    }
    body = with_consts;
  }

  // Vite's order: export getters, then the hoisted imports, then the body.
  module.body = exports
    .into_iter()
    .chain(imports)
    .chain(body)
    .map(ModuleItem::Stmt)
    .collect();
  Deps {
    deps,
    dynamic_deps: r.dynamic_deps,
  }
}

fn rewrite_spec(
  rewrite: &mut dyn FnMut(&str, ImportKind) -> Option<String>,
  spec: &str,
  kind: ImportKind,
) -> String {
  rewrite(spec, kind).unwrap_or_else(|| spec.to_owned())
}

struct Hoister<'a> {
  ctx: Contexts,
  rewrite: &'a mut dyn FnMut(&str, ImportKind) -> Option<String>,
  bindings: HashMap<Id, ImportRef>,
  deps: Vec<String>,
  exports: Vec<Stmt>,
  imports: Vec<Stmt>,
  body: Vec<Stmt>,
  uid: usize,
}

impl Hoister<'_> {
  fn global(&self, name: &str) -> Box<Expr> {
    Box::new(Expr::Ident(ident(
      name.into(),
      self.ctx.unresolved,
      DUMMY_SP,
    )))
  }

  fn top_level(&self, name: Atom) -> Ident {
    ident(name, self.ctx.top_level, DUMMY_SP)
  }

  /// `const __vite_ssr_import_N__ = await __vite_ssr_import__("spec", {importedNames});`,
  /// one per declaration like Vite; returns the object's name.
  /// `span` is the import/export declaration's: the hoisted call maps back to it, so an error
  /// thrown by the runner for this import (missing export, failed load) points at the
  /// declaration, as with Vite's moved code.
  fn define_import(&mut self, src: &Str, imported_names: Vec<Atom>, span: Span) -> Atom {
    let spec = src.value.to_string_lossy();
    let spec = rewrite_spec(self.rewrite, &spec, ImportKind::Static);
    let object: Atom = format!("__vite_ssr_import_{}__", self.uid).into();
    self.uid += 1;
    let mut args = vec![str_expr(&spec)];
    if !imported_names.is_empty() {
      args.push(imported_names_meta(imported_names));
    }
    push_unique(&mut self.deps, spec);
    let callee = Box::new(Expr::Ident(ident(
      SSR_IMPORT.into(),
      self.ctx.unresolved,
      span,
    )));
    let mut import_call = call(callee, args);
    if let Expr::Call(c) = &mut *import_call {
      c.span = span;
    }
    let await_expr = Box::new(Expr::Await(swc_core::ecma::ast::AwaitExpr {
      span,
      arg: import_call,
    }));
    let mut stmt = const_decl(self.top_level(object.clone()), await_expr);
    // From its first column, as Vite's moved declaration maps.
    if let Stmt::Decl(Decl::Var(var)) = &mut stmt {
      var.span = span;
    }
    self.imports.push(stmt);
    object
  }

  /// `__vite_ssr_exportName__("name", () => { try { return value } catch {} });`
  fn define_export(&mut self, name: &str, value: Box<Expr>) {
    let stmt = expr_stmt(call(
      self.global(SSR_EXPORT_NAME),
      vec![str_expr(name), getter(value)],
    ));
    self.exports.push(stmt);
  }

  fn import_object(&self, object: &Atom) -> Box<Expr> {
    Box::new(Expr::Ident(self.top_level(object.clone())))
  }

  fn binding_value(&self, local: &Ident) -> Box<Expr> {
    match self.bindings.get(&local.to_id()) {
      Some(r) => r.expr(self.ctx.top_level, local.span),
      None => Box::new(Expr::Ident(local.clone())),
    }
  }

  fn module_decl(&mut self, decl: ModuleDecl) {
    match decl {
      ModuleDecl::Import(import) => self.import_decl(import),
      ModuleDecl::ExportNamed(named) => {
        if named.type_only {
          return;
        }
        if let Some(src) = &named.src {
          self.re_export(src, named.specifiers, named.span);
        } else {
          for spec in named.specifiers {
            let swc_core::ecma::ast::ExportSpecifier::Named(n) = spec else {
              continue;
            };
            if n.is_type_only {
              continue;
            }
            let ModuleExportName::Ident(local) = &n.orig else {
              continue;
            };
            let name = n
              .exported
              .as_ref()
              .map_or_else(|| local.sym.clone(), export_name_text);
            let value = self.binding_value(local);
            self.define_export(&name, value);
          }
        }
      }
      ModuleDecl::ExportAll(all) => {
        if all.type_only {
          return;
        }
        let object = self.define_import(&all.src, Vec::new(), all.span);
        let stmt = expr_stmt(call(
          self.global(SSR_EXPORT_ALL),
          vec![self.import_object(&object)],
        ));
        self.imports.push(stmt);
      }
      ModuleDecl::ExportDecl(export) => {
        let names: Vec<Ident> = match &export.decl {
          Decl::Class(c) => vec![c.ident.clone()],
          Decl::Fn(f) => vec![f.ident.clone()],
          Decl::Var(v) => find_pat_ids(&v.decls),
          Decl::Using(u) => find_pat_ids(&u.decls),
          _ => Vec::new(),
        };
        for local in names {
          let name = local.sym.clone();
          self.define_export(&name, Box::new(Expr::Ident(local)));
        }
        self.body.push(Stmt::Decl(export.decl));
      }
      ModuleDecl::ExportDefaultDecl(export) => match export.decl {
        // Named declarations stay declarations (hoisting, `.name`); anonymous ones become
        // `const __vite_ssr_export_default__ = …` as in Vite.
        DefaultDecl::Class(c) => match c.ident {
          Some(id) => {
            self.define_export("default", Box::new(Expr::Ident(id.clone())));
            self.body.push(Stmt::Decl(Decl::Class(ClassDecl {
              ident: id,
              declare: false,
              class: c.class,
            })));
          }
          None => self.default_expr(Box::new(Expr::Class(c))),
        },
        DefaultDecl::Fn(f) => match f.ident {
          Some(id) => {
            self.define_export("default", Box::new(Expr::Ident(id.clone())));
            self.body.push(Stmt::Decl(Decl::Fn(FnDecl {
              ident: id,
              declare: false,
              function: f.function,
            })));
          }
          None => self.default_expr(Box::new(Expr::Fn(f))),
        },
        DefaultDecl::TsInterfaceDecl(_) => {}
      },
      ModuleDecl::ExportDefaultExpr(export) => self.default_expr(export.expr),
      // TypeScript-only forms are handled (or rejected) by the TS strip before this runs.
      _ => {}
    }
  }

  fn import_decl(&mut self, import: ImportDecl) {
    if import.type_only {
      return;
    }
    let names = import
      .specifiers
      .iter()
      .filter_map(|s| match s {
        ImportSpecifier::Named(n) => Some(match &n.imported {
          Some(name) => export_name_text(name),
          None => n.local.sym.clone(),
        }),
        ImportSpecifier::Default(_) => Some("default".into()),
        ImportSpecifier::Namespace(_) => None,
      })
      .collect();
    let object = self.define_import(&import.src, names, import.span);
    for spec in import.specifiers {
      let (local, prop) = match spec {
        ImportSpecifier::Named(n) => {
          if n.is_type_only {
            continue;
          }
          let prop = match &n.imported {
            Some(name) => export_name_text(name),
            None => n.local.sym.clone(),
          };
          (n.local, Some(prop))
        }
        ImportSpecifier::Default(d) => (d.local, Some("default".into())),
        ImportSpecifier::Namespace(ns) => (ns.local, None),
      };
      let object = object.clone();
      self
        .bindings
        .insert(local.to_id(), ImportRef { object, prop });
    }
  }

  fn default_expr(&mut self, expr: Box<Expr>) {
    let local = self.top_level(SSR_EXPORT_DEFAULT.into());
    self.define_export("default", Box::new(Expr::Ident(local.clone())));
    self.body.push(const_decl(local, expr));
  }

  fn re_export(
    &mut self,
    src: &Str,
    specifiers: Vec<swc_core::ecma::ast::ExportSpecifier>,
    span: Span,
  ) {
    use swc_core::ecma::ast::ExportSpecifier as S;
    let names = specifiers
      .iter()
      .filter_map(|s| match s {
        S::Named(n) if !n.is_type_only => Some(export_name_text(&n.orig)),
        S::Default(_) => Some("default".into()),
        _ => None,
      })
      .collect();
    let object = self.define_import(src, names, span);
    for spec in specifiers {
      match spec {
        S::Named(n) => {
          if n.is_type_only {
            continue;
          }
          let orig = export_name_text(&n.orig);
          let name = n
            .exported
            .as_ref()
            .map_or_else(|| orig.clone(), export_name_text);
          let value = member(self.import_object(&object), &orig, DUMMY_SP);
          self.define_export(&name, value);
        }
        S::Namespace(ns) => {
          let name = export_name_text(&ns.name);
          let value = self.import_object(&object);
          self.define_export(&name, value);
        }
        S::Default(d) => {
          let value = member(self.import_object(&object), &"default".into(), DUMMY_SP);
          self.define_export(&d.exported.sym, value);
        }
      }
    }
  }
}

/// `{importedNames: ["a", "default"]}`
fn imported_names_meta(names: Vec<Atom>) -> Box<Expr> {
  let elems = names
    .into_iter()
    .map(|n| {
      Some(ExprOrSpread {
        spread: None,
        expr: str_expr(&n),
      })
    })
    .collect();
  Box::new(Expr::Object(ObjectLit {
    span: DUMMY_SP,
    props: vec![PropOrSpread::Prop(Box::new(Prop::KeyValue(KeyValueProp {
      key: PropName::Ident(IdentName::new("importedNames".into(), DUMMY_SP)),
      value: Box::new(Expr::Array(ArrayLit {
        span: DUMMY_SP,
        elems,
      })),
    })))],
  }))
}

impl ImportRef {
  /// The expression replacing a reference; `span` is the reference's, for the source map.
  fn expr(&self, top_level: SyntaxContext, span: Span) -> Box<Expr> {
    let object = Box::new(Expr::Ident(ident(self.object.clone(), top_level, span)));
    match &self.prop {
      Some(prop) => member(object, prop, span),
      None => object,
    }
  }
}

/// Rewrites references to imports, `import.meta` and `import()` in the module body.
struct Rewriter<'a> {
  ctx: Contexts,
  rewrite: &'a mut dyn FnMut(&str, ImportKind) -> Option<String>,
  bindings: HashMap<Id, ImportRef>,
  /// Contexts of the import bindings (usually just the top-level one).
  binding_ctxts: Vec<SyntaxContext>,
  dynamic_deps: Vec<String>,
  /// Index of the top-level statement being rewritten.
  stmt_index: usize,
  /// `(statement index, local, import value)` of imported superclasses of class declarations,
  /// in source order, one per name.
  superclass_consts: Vec<(usize, Ident, Box<Expr>)>,
  /// Inside a `var`/`let`/`const` declarator's names (not its default values or computed keys).
  declaring: bool,
}

impl Rewriter<'_> {
  fn lookup(&self, i: &Ident) -> Option<Box<Expr>> {
    self.lookup_mapped_to(i, i.span)
  }

  /// The import value replacing `i`, its tokens mapped to `span`.
  fn lookup_mapped_to(&self, i: &Ident, span: Span) -> Option<Box<Expr>> {
    // Most identifiers are locals of inner scopes: skip the hash lookup for them.
    if !self.binding_ctxts.contains(&i.ctxt) {
      return None;
    }
    self
      .bindings
      .get(&(i.sym.clone(), i.ctxt))
      .map(|r| r.expr(self.ctx.top_level, span))
  }

  /// `a` → `(0, __vite_ssr_import_0__.a)` where `a` is called, so `this` stays undefined.
  fn unbound_callee(&self, callee: &mut Expr) -> bool {
    // `(f)()` calls `f` unbound too; Vite keeps the parentheses around `(0, …)`.
    let callee = unparen_mut(callee);
    // Everything up to the call's `(` maps to the callee's start, as in Vite (vitejs/vite#19625):
    // V8 reports a call at its `(`, and Node reports the callee's start for the original code.
    if let Expr::Ident(i) = callee
      && let Some(value) = self.lookup_mapped_to(i, Span::new(i.span.lo, i.span.lo))
    {
      // A namespace object is called as is (calling it throws either way).
      *callee = if matches!(*value, Expr::Member(_)) {
        *unbound(value)
      } else {
        *value
      };
      return true;
    }
    false
  }

  fn dynamic_import(&mut self, call: &mut CallExpr) {
    call.callee = Callee::Expr(Box::new(Expr::Ident(ident(
      SSR_DYNAMIC_IMPORT.into(),
      self.ctx.unresolved,
      DUMMY_SP,
    ))));
    rewrite_dynamic_import(call, self.rewrite, &mut self.dynamic_deps);
  }
}

impl VisitMut for Rewriter<'_> {
  // `class A extends Base {}` (a declaration, not an expression) with an imported `Base`: Vite
  // declares `const Base = __vite_ssr_import_0__.Base;` before the enclosing top-level
  // statement and leaves the superclass as written, so the class extends that snapshot.
  fn visit_mut_class_decl(&mut self, n: &mut ClassDecl) {
    if let Some(sup) = n.class.super_class.as_deref()
      && let Expr::Ident(local) = sup
      && let Some(value) = self.lookup(local)
    {
      if !self
        .superclass_consts
        .iter()
        .any(|(_, l, _)| l.sym == local.sym)
      {
        let mut local = local.clone();
        local.span = DUMMY_SP;
        self.superclass_consts.push((self.stmt_index, local, value));
      }
      let sup = n.class.super_class.take();
      n.visit_mut_children_with(self);
      n.class.super_class = sup;
      return;
    }
    n.visit_mut_children_with(self);
  }

  // `import { a } …; const a = 1` is a redeclaration (V8 refuses it in a real module); Vite's
  // module-runner transform keeps the declared name as written, so the module runs with a local
  // `a` and its other references read the import. The declared names stay, as in Vite, instead
  // of becoming `const __vite_ssr_import_0__.a = 1`, which V8 refused naming a name the user
  // never wrote.
  fn visit_mut_var_declarator(&mut self, n: &mut VarDeclarator) {
    let outer = std::mem::replace(&mut self.declaring, true);
    n.name.visit_mut_with(self);
    self.declaring = outer;
    n.init.visit_mut_with(self);
  }

  fn visit_mut_expr(&mut self, e: &mut Expr) {
    // Default values and computed keys inside a declarator's pattern are expressions again.
    let outer = std::mem::replace(&mut self.declaring, false);
    match e {
      Expr::Ident(i) => {
        if let Some(value) = self.lookup(i) {
          *e = *value;
        }
      }
      Expr::MetaProp(m) if m.kind == MetaPropKind::ImportMeta => {
        *e = Expr::Ident(ident(SSR_IMPORT_META.into(), self.ctx.unresolved, m.span));
      }
      _ => e.visit_mut_children_with(self),
    }
    self.declaring = outer;
  }

  fn visit_mut_call_expr(&mut self, n: &mut CallExpr) {
    match &mut n.callee {
      Callee::Import(_) => self.dynamic_import(n),
      Callee::Expr(callee) => {
        if !self.unbound_callee(callee) {
          callee.visit_mut_with(self);
        }
      }
      Callee::Super(_) => {}
    }
    n.args.visit_mut_with(self);
  }

  fn visit_mut_opt_call(&mut self, n: &mut OptCall) {
    if !self.unbound_callee(&mut n.callee) {
      n.callee.visit_mut_with(self);
    }
    n.args.visit_mut_with(self);
  }

  // A tag is not a call expression for Vite: `tag\`x\`` reads `__vite_ssr_import_0__.tag` and
  // calls it with the import object as `this`, so the tag is rewritten like any reference.

  fn visit_mut_prop(&mut self, p: &mut Prop) {
    // `{ a }` → `{ a: __vite_ssr_import_0__.a }`
    if let Prop::Shorthand(i) = p
      && let Some(value) = self.lookup(i)
    {
      *p = Prop::KeyValue(KeyValueProp {
        key: PropName::Ident(IdentName::new(i.sym.clone(), i.span)),
        value,
      });
      return;
    }
    p.visit_mut_children_with(self);
  }

  // A binding identifier with an import's id outside a declarator can only be an assignment to
  // the import: it becomes a member target, which throws on the runner's getter-only exports
  // object like a real import binding.
  fn visit_mut_pat(&mut self, p: &mut Pat) {
    if !self.declaring
      && let Pat::Ident(b) = p
      && let Some(value) = self.lookup(&b.id)
    {
      *p = Pat::Expr(value);
      return;
    }
    p.visit_mut_children_with(self);
  }

  fn visit_mut_object_pat_prop(&mut self, p: &mut ObjectPatProp) {
    // `const { a = 1 } = obj` declares `a`: only its default value is rewritten.
    if self.declaring
      && let ObjectPatProp::Assign(a) = p
    {
      a.value.visit_mut_with(self);
      return;
    }
    // `({ a } = obj)` with an imported `a`: Vite leaves the shorthand as written, so the
    // assignment targets an undeclared name (a ReferenceError in module code). Kept as is.
    if let ObjectPatProp::Assign(a) = p
      && a.value.is_none()
      && self.lookup(&a.key.id).is_some()
    {
      return;
    }
    if let ObjectPatProp::Assign(a) = p
      && let Some(value) = self.lookup(&a.key.id)
    {
      let key = PropName::Ident(IdentName::new(a.key.id.sym.clone(), a.key.id.span));
      let target = Pat::Expr(value);
      let value = match a.value.take() {
        Some(mut default) => {
          default.visit_mut_with(self);
          Box::new(Pat::Assign(AssignPat {
            span: a.span,
            left: Box::new(target),
            right: default,
          }))
        }
        None => Box::new(target),
      };
      *p = ObjectPatProp::KeyValue(KeyValuePatProp { key, value });
      return;
    }
    p.visit_mut_children_with(self);
  }

  fn visit_mut_simple_assign_target(&mut self, t: &mut SimpleAssignTarget) {
    if let SimpleAssignTarget::Ident(b) = t
      && let Some(value) = self.lookup(&b.id)
    {
      match *value {
        Expr::Member(m) => *t = SimpleAssignTarget::Member(m),
        // `ns = …` assigns to the `const` import object, which throws like an import would.
        Expr::Ident(object) => b.id = object,
        _ => {}
      }
      return;
    }
    t.visit_mut_children_with(self);
  }
}
