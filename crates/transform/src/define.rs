//! `define` replacement: dotted global expressions (`import.meta.env.MODE`, `__APP__`) become
//! the configured expression, like Vite's define plugin for server environments.

use rustc_hash::FxHashSet;
use swc_core::common::sync::Lrc;
use swc_core::common::{DUMMY_SP, FileName, SourceMap, SyntaxContext};
use swc_core::ecma::ast::{
  AssignExpr, AssignOp, AssignTarget, EsVersion, Expr, ExprStmt, Id, Ident, IdentName,
  KeyValueProp, MemberExpr, MemberProp, MetaPropExpr, MetaPropKind, Module, ModuleItem, Prop,
  PropName, SimpleAssignTarget, Stmt, UpdateExpr,
};
use swc_core::ecma::parser::{EsSyntax, Syntax, parse_file_as_expr};
use swc_core::ecma::utils::{collect_decls, drop_span};
use swc_core::ecma::visit::{Visit, VisitMut, VisitMutWith, VisitWith};

/// Applies `defines` to `module`. `unresolved` is the context of references to globals: a
/// local binding that shadows a key keeps its own context and is left alone. After the
/// TypeScript strip, a name may keep the context of an ambient declaration that is gone
/// (`declare const __APP_VERSION__: string`, the usual way to type a define): with
/// `stripped_ambient`, a name no remaining declaration binds is a global too.
///
/// When `defines` has an `import.meta.env` entry, `import.meta.env` follows Vite's dev server
/// instead of being substituted: a module that reads `import.meta.env` gets
/// `import.meta.env = <value>;` as its first statement (Vite's import analysis prepends it), and
/// `import.meta.env.*` reads stay property reads of that per-module object (so writes to it,
/// aliases of `import.meta` and `import.meta.env.X` after a write behave as under Vite).
///
/// Returns whether anything was replaced or prepended: those nodes may need parentheses.
pub fn apply(
  module: &mut Module,
  defines: &[(String, String)],
  cm: &Lrc<SourceMap>,
  unresolved: SyntaxContext,
  stripped_ambient: bool,
) -> bool {
  let env = defines
    .iter()
    .position(|(k, _)| k.trim() == "import.meta.env");
  let keys: Vec<Vec<&str>> = defines
    .iter()
    .map(|(k, _)| {
      let segs = split_key(k);
      // An empty key never matches.
      if env.is_some() && segs.len() >= 2 && segs[0] == "import.meta" && segs[1] == "env" {
        Vec::new()
      } else {
        segs
      }
    })
    .collect();
  let mut replaced = false;
  if let Some(env) = env
    && uses_import_meta_env(module)
    && let Some(value) = parse_value(cm, &defines[env].1)
  {
    replaced = true;
    let target = MemberExpr {
      span: DUMMY_SP,
      obj: Box::new(Expr::MetaProp(MetaPropExpr {
        span: DUMMY_SP,
        kind: MetaPropKind::ImportMeta,
      })),
      prop: MemberProp::Ident(IdentName::new("env".into(), DUMMY_SP)),
    };
    let assign = Expr::Assign(AssignExpr {
      span: DUMMY_SP,
      op: AssignOp::Assign,
      left: AssignTarget::Simple(SimpleAssignTarget::Member(target)),
      right: value,
    });
    module.body.insert(
      0,
      ModuleItem::Stmt(Stmt::Expr(ExprStmt {
        span: DUMMY_SP,
        expr: Box::new(assign),
      })),
    );
  }
  let max_depth = keys.iter().map(Vec::len).max().unwrap_or(0);
  // Only a key that starts with a name can meet a stripped declaration: with `import.meta.*`
  // keys alone the module's bindings are not collected.
  let names_a_global = keys
    .iter()
    .any(|key| key.first().is_some_and(|first| *first != "import.meta"));
  let mut v = Definer {
    defines,
    keys,
    max_depth,
    parsed: vec![Parsed::NotYet; defines.len()],
    cm,
    unresolved,
    declared: (stripped_ambient && names_a_global).then(|| collect_decls(&*module)),
  };
  module.visit_mut_with(&mut v);
  // A replacement is parsed on its first use.
  replaced || v.parsed.iter().any(|p| matches!(p, Parsed::Expr(_)))
}

/// Whether the module reads `import.meta.env` (what Vite's lexer looks for: `import.meta.env`).
fn uses_import_meta_env(module: &Module) -> bool {
  struct Finder(bool);
  impl Visit for Finder {
    fn visit_member_expr(&mut self, m: &MemberExpr) {
      if let Expr::MetaProp(p) = &*m.obj
        && p.kind == MetaPropKind::ImportMeta
        && let MemberProp::Ident(name) = &m.prop
        && &*name.sym == "env"
      {
        self.0 = true;
        return;
      }
      m.visit_children_with(self);
    }
  }
  let mut finder = Finder(false);
  module.visit_with(&mut finder);
  finder.0
}

/// `import.meta.env.MODE` → `["import.meta", "env", "MODE"]` (the meta property is one root).
fn split_key(key: &str) -> Vec<&str> {
  let key = key.trim();
  if let Some(rest) = key.strip_prefix("import.meta") {
    let mut segs = vec!["import.meta"];
    segs.extend(rest.split('.').filter(|s| !s.is_empty()));
    segs
  } else {
    key.split('.').collect()
  }
}

struct Definer<'a> {
  defines: &'a [(String, String)],
  keys: Vec<Vec<&'a str>>,
  max_depth: usize,
  /// Replacements parsed on first use: most keys never match.
  parsed: Vec<Parsed>,
  cm: &'a Lrc<SourceMap>,
  unresolved: SyntaxContext,
  /// Every binding of the module, when ambient declarations were stripped from it.
  declared: Option<FxHashSet<Id>>,
}

impl Definer<'_> {
  /// A reference to a global: unresolved, or bound only by a stripped ambient declaration.
  fn is_global(&self, ident: &Ident) -> bool {
    ident.ctxt == self.unresolved
      || self
        .declared
        .as_ref()
        .is_some_and(|declared| !declared.contains(&ident.to_id()))
  }

  /// Index of the define whose key is exactly the dotted text of `e`.
  fn match_expr(&self, e: &Expr) -> Option<usize> {
    let mut segs: [&str; 16] = [""; 16];
    let mut len = 0;
    let mut cur = e;
    loop {
      if len >= self.max_depth || len >= segs.len() {
        return None;
      }
      match cur {
        Expr::Member(m) => {
          let MemberProp::Ident(name) = &m.prop else {
            return None;
          };
          segs[len] = &name.sym;
          len += 1;
          cur = &m.obj;
        }
        Expr::Ident(i) if self.is_global(i) => {
          segs[len] = &i.sym;
          len += 1;
          break;
        }
        Expr::MetaProp(p) if p.kind == MetaPropKind::ImportMeta => {
          segs[len] = "import.meta";
          len += 1;
          break;
        }
        _ => return None,
      }
    }
    let segs = &segs[..len];
    self.keys.iter().position(|key| {
      key.len() == segs.len() && key.iter().zip(segs.iter().rev()).all(|(a, b)| a == b)
    })
  }

  fn replacement(&mut self, idx: usize) -> Option<Box<Expr>> {
    if matches!(self.parsed[idx], Parsed::NotYet) {
      self.parsed[idx] = match parse_value(self.cm, &self.defines[idx].1) {
        Some(expr) => Parsed::Expr(expr),
        None => Parsed::Invalid,
      };
    }
    match &self.parsed[idx] {
      Parsed::Expr(expr) => Some(expr.clone()),
      Parsed::NotYet | Parsed::Invalid => None,
    }
  }
}

#[derive(Clone)]
enum Parsed {
  NotYet,
  Expr(Box<Expr>),
  /// Not an expression: the define is ignored.
  Invalid,
}

fn parse_value(cm: &SourceMap, value: &str) -> Option<Box<Expr>> {
  let fm = cm.new_source_file(FileName::Anon.into(), value.to_owned());
  let mut errors = Vec::new();
  let expr = parse_file_as_expr(
    &fm,
    Syntax::Es(EsSyntax::default()),
    EsVersion::latest(),
    None,
    &mut errors,
  )
  .ok()?;
  // No spans: the replacement has no place in the original source.
  errors.is_empty().then(|| drop_span(expr))
}

impl VisitMut for Definer<'_> {
  fn visit_mut_expr(&mut self, e: &mut Expr) {
    // Outer chains first, so the longest matching key wins.
    if matches!(e, Expr::Member(_) | Expr::Ident(_) | Expr::MetaProp(_))
      && let Some(idx) = self.match_expr(e)
      && let Some(new) = self.replacement(idx)
    {
      *e = *new;
      return;
    }
    e.visit_mut_children_with(self);
  }

  fn visit_mut_update_expr(&mut self, n: &mut UpdateExpr) {
    // `KEY++` is an assignment target: only its sub-expressions may be replaced.
    if let Expr::Member(m) = &mut *n.arg {
      m.visit_mut_children_with(self);
    } else if !matches!(&*n.arg, Expr::Ident(_)) {
      n.arg.visit_mut_with(self);
    }
  }

  fn visit_mut_prop(&mut self, p: &mut Prop) {
    if let Prop::Shorthand(i) = p
      && self.is_global(i)
    {
      let probe = Expr::Ident(i.clone());
      if let Some(idx) = self.match_expr(&probe)
        && let Some(value) = self.replacement(idx)
      {
        *p = Prop::KeyValue(KeyValueProp {
          key: PropName::Ident(IdentName::new(i.sym.clone(), i.span)),
          value,
        });
        return;
      }
    }
    p.visit_mut_children_with(self);
  }
}
