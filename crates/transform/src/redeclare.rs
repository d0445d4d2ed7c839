//! Names declared twice in one scope, reported where Vite's `vite:oxc` step reports them (oxc's
//! semantic check, "Identifier `a` has already been declared"). swc strips types without this
//! check, so without it V8 refused such a module only at evaluation, without a position, and
//! a type declared twice was accepted.
//!
//! oxc decides with TypeScript's declaration-merging model: each declaration adds a kind to its
//! name in its scope and fails when the name already holds a kind the new one excludes. The
//! tables below are what Vite answers for every ordered pair of declaration forms in one scope
//! (`__test__/redeclare.test.mjs` checks them against Vite); forms whose answer we could not
//! prove (type parameters against anything but a type alias, namespaces of unknown
//! instantiation) add nothing and check nothing, so the check never refuses what Vite accepts.

use rustc_hash::FxHashMap;
use swc_core::atoms::Atom;
use swc_core::common::Span;
use swc_core::ecma::ast::{
  ArrowExpr, ArrowFunctionBody, BlockStmt, CatchClause, ClassDecl, Constructor, Decl, DefaultDecl,
  ExportDefaultDecl, FnDecl, FnExpr, ForInStmt, ForOfStmt, ForStmt, Function, Ident, ImportDecl,
  ImportSpecifier, Module, ModuleDecl, ModuleItem, ParamOrTsParamProp, Pat, StaticBlock, Stmt,
  SwitchStmt, TsEnumDecl, TsEnumMemberId, TsImportEqualsDecl, TsInterfaceDecl, TsModuleDecl,
  TsModuleName, TsNamespaceBody, TsParamPropParam, TsType, TsTypeAliasDecl, TsTypeParamDecl,
  UsingDecl, VarDecl, VarDeclKind,
};
use swc_core::ecma::utils::find_pat_ids;
use swc_core::ecma::visit::{Visit, VisitWith};

/// One declaration form's kind (a bit); a name's kinds in a scope are a union of these.
type Kinds = u16;
const LEXICAL: Kinds = 1; // let, const, using, destructured catch parameter
const VAR: Kinds = 1 << 1; // var, parameter
const FUNCTION: Kinds = 1 << 2;
const CLASS: Kinds = 1 << 3;
const INTERFACE: Kinds = 1 << 4;
const TYPE_ALIAS: Kinds = 1 << 5;
const ENUM: Kinds = 1 << 6;
const CONST_ENUM: Kinds = 1 << 7;
/// A namespace holding values (TypeScript's "instantiated" namespace).
const VALUE_NAMESPACE: Kinds = 1 << 8;
const IMPORT: Kinds = 1 << 9; // every import form, `import x = …` included
const CATCH_PARAM: Kinds = 1 << 10; // `catch (e)`
const TYPE_PARAM: Kinds = 1 << 11;

/// The kinds a new declaration of `kind` may not join, in TypeScript modules.
fn ts_excludes(kind: Kinds) -> Kinds {
  match kind {
    LEXICAL => LEXICAL | VAR | FUNCTION | CLASS | ENUM | CONST_ENUM | VALUE_NAMESPACE | CATCH_PARAM,
    VAR => LEXICAL | CLASS | ENUM | CONST_ENUM | VALUE_NAMESPACE,
    FUNCTION => LEXICAL | VAR | ENUM | CONST_ENUM | CATCH_PARAM,
    CLASS => LEXICAL | VAR | CLASS | TYPE_ALIAS | ENUM | CONST_ENUM | CATCH_PARAM,
    INTERFACE => TYPE_ALIAS | ENUM | CONST_ENUM,
    TYPE_ALIAS => CLASS | INTERFACE | TYPE_ALIAS | ENUM | CONST_ENUM | TYPE_PARAM,
    ENUM => LEXICAL | VAR | FUNCTION | CLASS | INTERFACE | TYPE_ALIAS | CONST_ENUM | CATCH_PARAM,
    CONST_ENUM => {
      LEXICAL | VAR | FUNCTION | CLASS | INTERFACE | TYPE_ALIAS | ENUM | VALUE_NAMESPACE
    }
    VALUE_NAMESPACE => LEXICAL | VAR | CONST_ENUM | CATCH_PARAM,
    IMPORT => IMPORT,
    _ => 0,
  }
}

/// The same for JSX modules (oxc's JavaScript rules: a function is var-like).
fn js_excludes(kind: Kinds) -> Kinds {
  match kind {
    LEXICAL => LEXICAL | VAR | FUNCTION | CLASS | CATCH_PARAM,
    VAR => LEXICAL | CLASS,
    FUNCTION => LEXICAL,
    CLASS => LEXICAL | VAR | CLASS,
    IMPORT => IMPORT,
    _ => 0,
  }
}

/// The first redeclaration: the name and the span of its second declaration.
pub fn find(module: &Module, typescript: bool) -> Option<(Atom, Span)> {
  let mut checker = Checker {
    excludes: if typescript { ts_excludes } else { js_excludes },
    scopes: vec![Scope::new(true)],
    found: None,
  };
  module.visit_with(&mut checker);
  checker.found
}

struct Scope {
  /// Function, module, namespace or static block: where `var` stops.
  holds_vars: bool,
  names: FxHashMap<Atom, Kinds>,
}

impl Scope {
  fn new(holds_vars: bool) -> Self {
    Scope {
      holds_vars,
      names: FxHashMap::default(),
    }
  }
}

struct Checker {
  excludes: fn(Kinds) -> Kinds,
  scopes: Vec<Scope>,
  found: Option<(Atom, Span)>,
}

impl Checker {
  fn declare(&mut self, id: &Ident, kind: Kinds) {
    if self.found.is_some() {
      return;
    }
    let excludes = (self.excludes)(kind);
    // A `var` belongs to every scope up to its function's: it clashes with a `let` in any.
    let depth = if kind == VAR {
      self
        .scopes
        .iter()
        .rev()
        .position(|s| s.holds_vars)
        .map_or(self.scopes.len(), |p| p + 1)
    } else {
      1
    };
    let len = self.scopes.len();
    for scope in &mut self.scopes[len - depth..] {
      let kinds = scope.names.entry(id.sym.clone()).or_insert(0);
      if *kinds & excludes != 0 {
        self.found = Some((id.sym.clone(), id.span));
        return;
      }
      *kinds |= kind;
    }
  }

  fn declare_pat(&mut self, pat: &Pat, kind: Kinds) {
    for id in find_pat_ids::<_, Ident>(pat) {
      self.declare(&id, kind);
    }
  }

  fn in_scope(&mut self, holds_vars: bool, f: impl FnOnce(&mut Self)) {
    if self.found.is_some() {
      return;
    }
    self.scopes.push(Scope::new(holds_vars));
    f(self);
    self.scopes.pop();
  }

  fn type_params(&mut self, params: Option<&TsTypeParamDecl>) {
    for param in params.iter().flat_map(|p| &p.params) {
      self.declare(&param.name, TYPE_PARAM);
    }
  }

  /// Parameters and body statements share the function's scope.
  fn function_body(&mut self, stmts: &[Stmt]) {
    for stmt in stmts {
      stmt.visit_with(self);
    }
  }
}

/// Whether a namespace holds values: `Some(false)` for types only, `None` when unsure.
fn namespace_holds_values(body: &TsNamespaceBody) -> Option<bool> {
  let block = match body {
    TsNamespaceBody::TsNamespaceDecl(inner) => return namespace_holds_values(&inner.body),
    TsNamespaceBody::TsModuleBlock(block) => block,
  };
  let mut unsure = false;
  for item in &block.body {
    let decl = match item {
      ModuleItem::Stmt(Stmt::Decl(decl)) => decl,
      ModuleItem::ModuleDecl(ModuleDecl::ExportDecl(export)) => &export.decl,
      ModuleItem::ModuleDecl(ModuleDecl::TsImportEquals(_)) => continue,
      ModuleItem::ModuleDecl(ModuleDecl::ExportNamed(named))
        if named.specifiers.is_empty() && named.src.is_none() =>
      {
        continue;
      }
      ModuleItem::Stmt(_) => return Some(true),
      ModuleItem::ModuleDecl(_) => {
        unsure = true;
        continue;
      }
    };
    match decl {
      Decl::TsInterface(_) | Decl::TsTypeAlias(_) => {}
      Decl::TsModule(inner) => match inner.body.as_ref().map(namespace_holds_values) {
        Some(Some(true)) => return Some(true),
        None | Some(Some(false)) => {}
        Some(None) => unsure = true,
      },
      Decl::Class(_) | Decl::Fn(_) | Decl::Var(_) | Decl::Using(_) | Decl::TsEnum(_) => {
        return Some(true);
      }
    }
  }
  if unsure { None } else { Some(false) }
}

impl Visit for Checker {
  // Types declare nothing a value can clash with (a type alias's own name is taken below).
  fn visit_ts_type(&mut self, _: &TsType) {}

  fn visit_stmt(&mut self, stmt: &Stmt) {
    if self.found.is_none() {
      stmt.visit_children_with(self);
    }
  }

  fn visit_var_decl(&mut self, decl: &VarDecl) {
    let kind = if decl.kind == VarDeclKind::Var {
      VAR
    } else {
      LEXICAL
    };
    for declarator in &decl.decls {
      self.declare_pat(&declarator.name, kind);
      declarator.name.visit_with(self);
      declarator.init.visit_with(self);
    }
  }

  fn visit_using_decl(&mut self, decl: &UsingDecl) {
    for declarator in &decl.decls {
      self.declare_pat(&declarator.name, LEXICAL);
      declarator.name.visit_with(self);
      declarator.init.visit_with(self);
    }
  }

  fn visit_fn_decl(&mut self, decl: &FnDecl) {
    self.declare(&decl.ident, FUNCTION);
    decl.function.visit_with(self);
  }

  fn visit_class_decl(&mut self, decl: &ClassDecl) {
    self.declare(&decl.ident, CLASS);
    decl.class.visit_with(self);
  }

  fn visit_export_default_decl(&mut self, decl: &ExportDefaultDecl) {
    match &decl.decl {
      DefaultDecl::Class(class) => {
        if let Some(ident) = &class.ident {
          self.declare(ident, CLASS);
        }
        class.class.visit_with(self);
      }
      DefaultDecl::Fn(f) => {
        if let Some(ident) = &f.ident {
          self.declare(ident, FUNCTION);
        }
        f.function.visit_with(self);
      }
      DefaultDecl::TsInterfaceDecl(i) => self.declare(&i.id, INTERFACE),
    }
  }

  fn visit_ts_interface_decl(&mut self, decl: &TsInterfaceDecl) {
    self.declare(&decl.id, INTERFACE);
  }

  fn visit_ts_type_alias_decl(&mut self, decl: &TsTypeAliasDecl) {
    self.declare(&decl.id, TYPE_ALIAS);
  }

  fn visit_ts_enum_decl(&mut self, decl: &TsEnumDecl) {
    self.declare(&decl.id, if decl.is_const { CONST_ENUM } else { ENUM });
    // One enum body may not name a member twice (merged enums may).
    let mut members = rustc_hash::FxHashSet::default();
    for member in &decl.members {
      let (name, span) = match &member.id {
        TsEnumMemberId::Ident(i) => (i.sym.clone(), i.span),
        TsEnumMemberId::Str(s) => (s.value.to_atom_lossy().into_owned(), s.span),
      };
      if !members.insert(name.clone()) && self.found.is_none() {
        self.found = Some((name, span));
      }
      member.init.visit_with(self);
    }
  }

  fn visit_ts_module_decl(&mut self, decl: &TsModuleDecl) {
    if let (TsModuleName::Ident(id), false) = (&decl.id, decl.global) {
      // A namespace of types only merges with anything; an unsure one is left unchecked.
      if decl.body.as_ref().and_then(namespace_holds_values) == Some(true) {
        self.declare(id, VALUE_NAMESPACE);
      }
    }
    self.in_scope(true, |this| decl.body.visit_with(this));
  }

  fn visit_ts_namespace_body(&mut self, body: &TsNamespaceBody) {
    match body {
      TsNamespaceBody::TsModuleBlock(block) => block.visit_children_with(self),
      // `namespace A.B {}`: `B` is declared inside `A`.
      TsNamespaceBody::TsNamespaceDecl(inner) => {
        if namespace_holds_values(&inner.body) == Some(true) {
          self.declare(&inner.id, VALUE_NAMESPACE);
        }
        self.in_scope(true, |this| inner.body.visit_with(this));
      }
    }
  }

  fn visit_import_decl(&mut self, decl: &ImportDecl) {
    for specifier in &decl.specifiers {
      let local = match specifier {
        ImportSpecifier::Named(s) => &s.local,
        ImportSpecifier::Default(s) => &s.local,
        ImportSpecifier::Namespace(s) => &s.local,
      };
      self.declare(local, IMPORT);
    }
  }

  fn visit_ts_import_equals_decl(&mut self, decl: &TsImportEqualsDecl) {
    self.declare(&decl.id, IMPORT);
  }

  fn visit_function(&mut self, f: &Function) {
    self.in_scope(true, |this| {
      f.decorators.visit_with(this);
      this.type_params(f.type_params.as_deref());
      for param in &f.params {
        param.decorators.visit_with(this);
        this.declare_pat(&param.pat, VAR);
        param.pat.visit_with(this);
      }
      if let Some(body) = &f.body {
        this.function_body(&body.stmts);
      }
    });
  }

  // A function expression's own name lives in a scope of its own: nothing clashes with it.
  fn visit_fn_expr(&mut self, f: &FnExpr) {
    f.function.visit_with(self);
  }

  fn visit_arrow_expr(&mut self, arrow: &ArrowExpr) {
    self.in_scope(true, |this| {
      this.type_params(arrow.type_params.as_deref());
      for pat in &arrow.params {
        this.declare_pat(pat, VAR);
        pat.visit_with(this);
      }
      match &*arrow.body {
        ArrowFunctionBody::FunctionBody(body) => this.function_body(&body.stmts),
        ArrowFunctionBody::Expr(expr) => expr.visit_with(this),
      }
    });
  }

  fn visit_constructor(&mut self, c: &Constructor) {
    c.key.visit_with(self);
    self.in_scope(true, |this| {
      for param in &c.params {
        match param {
          ParamOrTsParamProp::Param(p) => {
            p.decorators.visit_with(this);
            this.declare_pat(&p.pat, VAR);
            p.pat.visit_with(this);
          }
          ParamOrTsParamProp::TsParamProp(prop) => {
            prop.decorators.visit_with(this);
            match &prop.param {
              TsParamPropParam::Ident(id) => this.declare(&id.id, VAR),
              TsParamPropParam::Assign(assign) => {
                this.declare_pat(&assign.left, VAR);
                assign.left.visit_with(this);
                assign.right.visit_with(this);
              }
            }
          }
        }
      }
      if let Some(body) = &c.body {
        this.function_body(&body.stmts);
      }
    });
  }

  fn visit_static_block(&mut self, block: &StaticBlock) {
    self.in_scope(true, |this| this.function_body(&block.body.stmts));
  }

  fn visit_block_stmt(&mut self, block: &BlockStmt) {
    self.in_scope(false, |this| block.visit_children_with(this));
  }

  fn visit_catch_clause(&mut self, clause: &CatchClause) {
    self.in_scope(false, |this| {
      match &clause.param {
        Some(Pat::Ident(id)) => this.declare(&id.id, CATCH_PARAM),
        Some(pat) => {
          this.declare_pat(pat, LEXICAL);
          pat.visit_with(this);
        }
        None => {}
      }
      // The body's declarations share the parameter's scope.
      this.function_body(&clause.body.stmts);
    });
  }

  fn visit_for_stmt(&mut self, s: &ForStmt) {
    self.in_scope(false, |this| s.visit_children_with(this));
  }

  fn visit_for_in_stmt(&mut self, s: &ForInStmt) {
    self.in_scope(false, |this| s.visit_children_with(this));
  }

  fn visit_for_of_stmt(&mut self, s: &ForOfStmt) {
    self.in_scope(false, |this| s.visit_children_with(this));
  }

  fn visit_switch_stmt(&mut self, s: &SwitchStmt) {
    s.discriminant.visit_with(self);
    self.in_scope(false, |this| s.cases.visit_with(this));
  }
}

#[cfg(test)]
mod tests {
  use swc_core::common::sync::Lrc;
  use swc_core::common::{FileName, SourceMap};
  use swc_core::ecma::ast::EsVersion;
  use swc_core::ecma::parser::parse_file_as_module;

  use super::*;
  use crate::Lang;

  /// The redeclared name and its 1-based line and 0-based column, `None` when accepted.
  fn check(code: &str, lang: Lang) -> Option<(String, usize, usize)> {
    let cm: Lrc<SourceMap> = Lrc::default();
    let fm = cm.new_source_file(Lrc::new(FileName::Anon), code.to_owned());
    let module = parse_file_as_module(
      &fm,
      crate::parse::syntax_for(lang),
      EsVersion::latest(),
      None,
      &mut Vec::new(),
    )
    .expect("parses");
    let (name, span) = find(&module, lang != Lang::Jsx)?;
    let loc = cm.lookup_char_pos(span.lo);
    Some((name.to_string(), loc.line, loc.col.0))
  }

  #[test]
  fn refuses_what_oxc_refuses_at_the_second_declaration() {
    let cases = [
      ("let a: number = 1\nlet a = 2", "a", 2, 4),
      ("type T = 1\ntype T = 2", "T", 2, 5),
      ("class X {}\nclass X {}", "X", 2, 6),
      ("var a = 1\nfunction a() {}", "a", 2, 9),
      ("function f() {}\nenum f {}", "f", 2, 5),
      ("const enum E { A }\nenum E { B = 1 }", "E", 2, 5),
      ("namespace N { export let a = 1 }\nlet N = 1", "N", 2, 4),
      ("try {} catch (e) { let e = 1 }", "e", 1, 23),
      ("try {} catch ([e]) { var e = 1 }", "e", 1, 25),
      ("function g(a) { let a = 1 }", "a", 1, 20),
      ("let a = 1\n{ { var a = 2 } }", "a", 2, 8),
      ("for (let i of []) { var i }", "i", 1, 24),
      (
        "import { a } from 'm'\nimport { b as a } from 'm'",
        "a",
        2,
        14,
      ),
      ("function f<T>(x: T) { type T = 1 }", "T", 1, 27),
      ("enum E { A, 'A' }", "A", 1, 12),
      (
        "class C { constructor(private a: number) { let a } }",
        "a",
        1,
        47,
      ),
    ];
    for (code, name, line, column) in cases {
      assert_eq!(
        check(code, Lang::Ts),
        Some((name.to_owned(), line, column)),
        "{code}"
      );
    }
  }

  #[test]
  fn accepts_what_oxc_merges_or_leaves_to_v8() {
    let cases = [
      "function f(): void\nfunction f(x?: number) {}",
      "function f() {}\nfunction f() {}",
      "interface I {}\ninterface I {}",
      "class C {}\ninterface C {}\nnamespace C { export const a = 1 }",
      "enum E { A }\nenum E { B = 1 }\nnamespace E {}",
      "function N() {}\nnamespace N { export const a = 1 }",
      "let N = 1\nnamespace N { type T = 1 }",
      "var a = 1\nvar a = 2\nfunction g(a) { var a }",
      "try {} catch (e) { var e = 1 }",
      "import { a } from 'm'\nconst a = 1\ntype a = 2",
      "type T = 1\nconst T = 1",
      "for (var i = 0; ; ) { let i; break }",
      "{ function f() {} }\nlet f = 1",
      "let x = 1\nnamespace N { let x = 2 }",
      "declare global { var a: number }\nvar a = 1",
      "class A { static { var a }; static { let a } }",
      "const f = function a() { let a }",
      "type A<T, T> = 1",
    ];
    for code in cases {
      assert_eq!(check(code, Lang::Ts), None, "{code}");
    }
  }

  #[test]
  fn jsx_follows_javascript_rules() {
    assert_eq!(check("var f\nfunction f() {}", Lang::Jsx), None);
    assert_eq!(check("class C {}\nfunction C() {}", Lang::Jsx), None);
    assert_eq!(
      check("function f() {}\nlet f", Lang::Jsx),
      Some(("f".to_owned(), 2, 4))
    );
  }
}
