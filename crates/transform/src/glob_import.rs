//! `import.meta.glob(...)` calls (Vite's `vite:import-glob`): arguments read from the AST with
//! Vite's validation, the call replaced by an object of lazy `import()`s or of eagerly imported
//! namespaces. Which files match is the caller's answer (it owns the file system and resolution).

use std::fmt::Write as _;

use swc_core::atoms::Atom;
use swc_core::common::{BytePos, DUMMY_SP, Spanned, SyntaxContext};
use swc_core::ecma::ast::{
  ArrayLit, ArrowExpr, ArrowFunctionBody, BindingIdent, CallExpr, Callee, ComputedPropName, Expr,
  ExprOrSpread, Ident, Import, ImportDecl, ImportNamedSpecifier, ImportPhase, ImportSpecifier,
  ImportStarAsSpecifier, KeyValueProp, Lit, MemberExpr, MemberProp, MetaPropKind, Module,
  ModuleDecl, ModuleExportName, ModuleItem, Number, ObjectLit, Pat, Prop, PropName, PropOrSpread,
};
use swc_core::ecma::visit::{VisitMut, VisitMutWith};

use crate::ast_util::{call, ident, member, str_expr, str_lit};
use crate::module_runner::Contexts;

/// The options object of one call, validated and normalised as Vite does (`as` folded into
/// `query`/`import`, `query` objects stringified, a leading `?`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GlobOptions {
  pub eager: bool,
  /// `import`: the export to take (`default`, a name); `None` or `*` = the namespace.
  pub import: Option<String>,
  /// `?query` appended to every import.
  pub query: Option<String>,
  pub exhaustive: bool,
  pub base: Option<String>,
  pub case_sensitive: bool,
}

/// One `import.meta.glob` call for the caller to expand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobCall {
  /// The patterns as written (`!` negations included).
  pub globs: Vec<String>,
  pub options: GlobOptions,
}

/// One matched file: its key in the returned object and the specifier that imports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobFile {
  pub key: String,
  pub import_path: String,
}

/// The caller's expansion: matched files in order, or an error message.
pub type ExpandGlob<'a> = &'a mut dyn FnMut(&GlobCall) -> Result<Vec<GlobFile>, String>;

/// Replaces every `import.meta.glob` call; returns how many there were, or the first error with
/// its position.
pub fn expand(
  module: &mut Module,
  ctx: Contexts,
  expand: ExpandGlob<'_>,
) -> Result<usize, (String, BytePos)> {
  let mut expander = Expander {
    ctx,
    expand,
    calls: 0,
    imports: Vec::new(),
    error: None,
  };
  module.visit_mut_with(&mut expander);
  if let Some(error) = expander.error {
    return Err(error);
  }
  let imports = std::mem::take(&mut expander.imports);
  if !imports.is_empty() {
    module.body.splice(0..0, imports);
  }
  Ok(expander.calls)
}

/// How the call's result is used: `Object.keys(…)` and `Object.values(…)` need less.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
  Object,
  KeysOnly,
  ValuesOnly,
}

struct Expander<'a> {
  ctx: Contexts,
  expand: ExpandGlob<'a>,
  calls: usize,
  imports: Vec<ModuleItem>,
  error: Option<(String, BytePos)>,
}

impl VisitMut for Expander<'_> {
  fn visit_mut_expr(&mut self, expr: &mut Expr) {
    if self.error.is_some() {
      return;
    }
    if let Expr::Call(outer) = expr
      && let Some(shape) = object_method_shape(outer)
      && let Some(first) = outer.args.first_mut()
      && let Expr::Call(inner) = &*first.expr
      && is_glob_call(inner)
    {
      match self.replace(inner, shape) {
        Ok(replacement) => *first.expr = replacement,
        Err(error) => self.error = Some(error),
      }
      return;
    }
    if let Expr::Call(glob) = expr
      && is_glob_call(glob)
    {
      match self.replace(glob, Shape::Object) {
        Ok(replacement) => *expr = replacement,
        Err(error) => self.error = Some(error),
      }
      return;
    }
    expr.visit_mut_children_with(self);
  }
}

impl Expander<'_> {
  fn replace(&mut self, glob: &CallExpr, shape: Shape) -> Result<Expr, (String, BytePos)> {
    let at = glob.span.lo;
    let syntax = |message: &str| (format!("Invalid glob import syntax: {message}"), at);
    if glob.args.is_empty() || glob.args.len() > 2 {
      return Err(syntax(&format!(
        "Expected 1-2 arguments, but got {}",
        glob.args.len()
      )));
    }
    let globs = glob_patterns(&glob.args[0].expr).map_err(|m| syntax(&m))?;
    let options = match glob.args.get(1) {
      Some(arg) => {
        let Expr::Object(object) = &*arg.expr else {
          return Err(syntax(&format!(
            "Expected the second argument to be an object literal, but got \"{}\"",
            expr_type(&arg.expr)
          )));
        };
        options(object).map_err(|m| (m, arg.expr.span().lo))?
      }
      None => GlobOptions {
        case_sensitive: true,
        ..GlobOptions::default()
      },
    };
    let index = self.calls;
    self.calls += 1;
    let request = GlobCall { globs, options };
    let files = (self.expand)(&request).map_err(|m| (m, at))?;
    let options = request.options;
    let import_key = options.import.as_deref().filter(|k| *k != "*");
    let mut props = Vec::with_capacity(files.len());
    let mut values = Vec::with_capacity(files.len());
    for (i, file) in files.iter().enumerate() {
      if shape == Shape::KeysOnly {
        props.push(key_value(&file.key, Box::new(number(0.0))));
        continue;
      }
      let value = if options.eager {
        let local = ident(
          Atom::from(format!("__vite_glob_{index}_{i}")),
          self.ctx.top_level,
          DUMMY_SP,
        );
        self
          .imports
          .push(eager_import(&file.import_path, import_key, local.clone()));
        Box::new(Expr::Ident(local))
      } else {
        Box::new(lazy_import(&file.import_path, import_key))
      };
      match shape {
        Shape::ValuesOnly => values.push(value),
        _ => props.push(key_value(&file.key, value)),
      }
    }
    Ok(match shape {
      Shape::KeysOnly => object(props),
      Shape::ValuesOnly => Expr::Array(ArrayLit {
        span: DUMMY_SP,
        elems: values
          .into_iter()
          .map(|expr| Some(ExprOrSpread { spread: None, expr }))
          .collect(),
      }),
      // `Object.assign({…})`: a fresh object per evaluation, as Vite writes it.
      Shape::Object => {
        let object_global = Box::new(Expr::Ident(ident(
          "Object".into(),
          self.ctx.unresolved,
          DUMMY_SP,
        )));
        *call(
          member(object_global, &Atom::from("assign"), DUMMY_SP),
          vec![Box::new(object(props))],
        )
      }
    })
  }
}

fn is_glob_call(call: &CallExpr) -> bool {
  let Callee::Expr(callee) = &call.callee else {
    return false;
  };
  let Expr::Member(MemberExpr { obj, prop, .. }) = &**callee else {
    return false;
  };
  matches!(&**obj, Expr::MetaProp(meta) if meta.kind == MetaPropKind::ImportMeta)
    && matches!(prop, MemberProp::Ident(name) if &*name.sym == "glob")
}

/// `Object.keys(x)` / `Object.values(x)`.
fn object_method_shape(call: &CallExpr) -> Option<Shape> {
  let Callee::Expr(callee) = &call.callee else {
    return None;
  };
  let Expr::Member(MemberExpr { obj, prop, .. }) = &**callee else {
    return None;
  };
  if !matches!(&**obj, Expr::Ident(object) if &*object.sym == "Object") {
    return None;
  }
  match prop {
    MemberProp::Ident(name) if &*name.sym == "keys" => Some(Shape::KeysOnly),
    MemberProp::Ident(name) if &*name.sym == "values" => Some(Shape::ValuesOnly),
    _ => None,
  }
}

fn glob_patterns(arg: &Expr) -> Result<Vec<String>, String> {
  let literal = |element: &Expr| -> Result<String, String> {
    match element {
      Expr::Lit(Lit::Str(s)) => Ok(s.value.to_string_lossy().into_owned()),
      Expr::Lit(other) => Err(format!(
        "Expected glob to be a string, but got \"{}\"",
        lit_type(other)
      )),
      Expr::Tpl(t) if t.exprs.is_empty() => Ok(
        t.quasis
          .first()
          .map(|q| q.raw.to_string())
          .unwrap_or_default(),
      ),
      Expr::Tpl(_) => {
        Err("Expected glob to be a string, but got dynamic template literal".to_owned())
      }
      _ => Err("Could only use literals".to_owned()),
    }
  };
  match arg {
    Expr::Array(array) => array
      .elems
      .iter()
      .flatten()
      .map(|e| literal(&e.expr))
      .collect(),
    other => literal(other).map(|g| vec![g]),
  }
}

/// A static value of the options object: what Vite's `evalValue` can see.
enum Value {
  Str(String),
  Bool(bool),
  Num(f64),
  Object(Vec<(String, Value)>),
  Other(&'static str),
}

impl Value {
  fn type_name(&self) -> &'static str {
    match self {
      Self::Str(_) => "string",
      Self::Bool(_) => "boolean",
      Self::Num(_) => "number",
      Self::Object(_) => "object",
      Self::Other(name) => name,
    }
  }
}

/// Vite's message for options it cannot evaluate statically.
const NOT_STATIC: &str = "Vite is unable to parse the glob options as the value is not static";

fn static_value(expr: &Expr) -> Result<Value, String> {
  Ok(match expr {
    Expr::Lit(Lit::Str(s)) => Value::Str(s.value.to_string_lossy().into_owned()),
    Expr::Lit(Lit::Bool(b)) => Value::Bool(b.value),
    Expr::Lit(Lit::Num(n)) => Value::Num(n.value),
    Expr::Lit(Lit::Null(_)) | Expr::Array(_) => Value::Other("object"),
    Expr::Tpl(t) if t.exprs.is_empty() => Value::Str(
      t.quasis
        .first()
        .and_then(|q| q.cooked.as_ref())
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default(),
    ),
    Expr::Object(object) => Value::Object(object_entries(object)?),
    Expr::Paren(p) => static_value(&p.expr)?,
    Expr::Unary(u) if matches!(&*u.arg, Expr::Lit(Lit::Num(_))) => match &*u.arg {
      Expr::Lit(Lit::Num(n)) if u.op == swc_core::ecma::ast::UnaryOp::Minus => Value::Num(-n.value),
      _ => return Err(NOT_STATIC.to_owned()),
    },
    Expr::Ident(i) if &*i.sym == "undefined" => Value::Other("undefined"),
    _ => return Err(NOT_STATIC.to_owned()),
  })
}

fn object_entries(object: &ObjectLit) -> Result<Vec<(String, Value)>, String> {
  let mut entries = Vec::new();
  for prop in &object.props {
    let PropOrSpread::Prop(prop) = prop else {
      return Err(NOT_STATIC.to_owned());
    };
    let Prop::KeyValue(kv) = &**prop else {
      return Err(NOT_STATIC.to_owned());
    };
    let key = match &kv.key {
      PropName::Ident(i) => i.sym.to_string(),
      PropName::Str(s) => s.value.to_string_lossy().into_owned(),
      PropName::Num(n) => n.value.to_string(),
      _ => return Err(NOT_STATIC.to_owned()),
    };
    entries.push((key, static_value(&kv.value)?));
  }
  Ok(entries)
}

/// Vite's `parseGlobOptions`.
fn options(object: &ObjectLit) -> Result<GlobOptions, String> {
  let mut options = GlobOptions {
    case_sensitive: true,
    ..GlobOptions::default()
  };
  let mut as_option: Option<String> = None;
  for (key, value) in object_entries(object)? {
    let allowed: &[&str] = match key.as_str() {
      "as" | "import" | "base" => &["string"],
      "eager" | "exhaustive" | "caseSensitive" => &["boolean"],
      "query" => &["object", "string"],
      _ => return Err(format!("Unknown glob option \"{key}\"")),
    };
    if matches!(value, Value::Other("undefined")) {
      continue;
    }
    if !allowed.contains(&value.type_name()) {
      return Err(format!(
        "Expected glob option \"{key}\" to be of type {}, but got {}",
        allowed.join(" or "),
        value.type_name()
      ));
    }
    match (key.as_str(), value) {
      ("as", Value::Str(s)) => as_option = Some(s),
      ("import", Value::Str(s)) => options.import = Some(s),
      ("base", Value::Str(s)) => options.base = Some(s),
      ("eager", Value::Bool(b)) => options.eager = b,
      ("exhaustive", Value::Bool(b)) => options.exhaustive = b,
      ("caseSensitive", Value::Bool(b)) => options.case_sensitive = b,
      ("query", Value::Str(s)) => options.query = Some(s),
      ("query", Value::Object(entries)) => options.query = Some(stringify_query(&entries)?),
      _ => {}
    }
  }
  if let Some(base) = &options.base {
    if base.starts_with('!') {
      return Err("Option \"base\" cannot start with \"!\"".to_owned());
    }
    if !base.starts_with('/') && !base.starts_with("./") && !base.starts_with("../") {
      return Err(format!(
        "Option \"base\" must start with '/', './' or '../', but got \"{base}\""
      ));
    }
  }
  if let Some(as_value) = &as_option {
    if as_value == "raw" || as_value == "url" {
      if let Some(import) = options.import.as_deref()
        && import != "default"
        && import != "*"
      {
        return Err(format!(
          "Option \"import\" can only be \"default\" or \"*\" when \"as\" is \"{as_value}\", but got \"{import}\""
        ));
      }
      options.import.get_or_insert_with(|| "default".to_owned());
    }
    if options.query.is_some() {
      return Err("Options \"as\" and \"query\" cannot be used together".to_owned());
    }
    options.query = Some(as_value.clone());
  }
  options.query = options.query.filter(|q| !q.is_empty()).map(|q| {
    if q.starts_with('?') {
      q
    } else {
      format!("?{q}")
    }
  });
  Ok(options)
}

/// Vite's `stringifyQuery` for the plain values glob options allow.
fn stringify_query(entries: &[(String, Value)]) -> Result<String, String> {
  let mut items = Vec::new();
  for (key, value) in entries {
    let text = match value {
      Value::Str(s) => s.clone(),
      Value::Bool(b) => b.to_string(),
      Value::Num(n) => format_number(*n),
      Value::Other("undefined") => continue,
      other => {
        return Err(format!(
          "Expected glob option \"query.{key}\" to be of type string, number, or boolean, but got {}",
          other.type_name()
        ));
      }
    };
    let key = encode_query(key).replace('=', "%3D");
    items.push(if text.is_empty() {
      key
    } else {
      format!("{key}={}", encode_query(&text))
    });
  }
  Ok(items.join("&"))
}

fn format_number(n: f64) -> String {
  if n.fract() == 0.0 && n.abs() < 1e15 {
    format!("{n:.0}")
  } else {
    n.to_string()
  }
}

/// `encodeURI` plus the replacements of Vite's `encodeQueryValue`.
fn encode_query(text: &str) -> String {
  let mut out = String::with_capacity(text.len());
  for c in text.chars() {
    match c {
      'A'..='Z'
      | 'a'..='z'
      | '0'..='9'
      | '-'
      | '_'
      | '.'
      | '!'
      | '~'
      | '*'
      | '\''
      | '('
      | ')'
      | ';'
      | ','
      | '?'
      | ':'
      | '@'
      | '='
      | '$'
      | '`'
      | '^' => out.push(c),
      ' ' => out.push('+'),
      '+' => out.push_str("%2B"),
      '#' => out.push_str("%23"),
      '&' => out.push_str("%26"),
      '/' => out.push_str("%2F"),
      other => {
        let mut buf = [0u8; 4];
        for byte in other.encode_utf8(&mut buf).bytes() {
          let _ = write!(out, "%{byte:02X}");
        }
      }
    }
  }
  out
}

fn expr_type(expr: &Expr) -> &'static str {
  match expr {
    Expr::Array(_) => "ArrayExpression",
    Expr::Lit(_) => "Literal",
    Expr::Ident(_) => "Identifier",
    Expr::Tpl(_) => "TemplateLiteral",
    Expr::Call(_) => "CallExpression",
    Expr::Arrow(_) => "ArrowFunctionExpression",
    Expr::Fn(_) => "FunctionExpression",
    _ => "Expression",
  }
}

fn lit_type(lit: &Lit) -> &'static str {
  match lit {
    Lit::Bool(_) => "boolean",
    Lit::Num(_) => "number",
    Lit::BigInt(_) => "bigint",
    Lit::Null(_) | Lit::Regex(_) => "object",
    _ => "string",
  }
}

fn number(value: f64) -> Expr {
  Expr::Lit(Lit::Num(Number {
    span: DUMMY_SP,
    value,
    raw: None,
  }))
}

fn key_value(key: &str, value: Box<Expr>) -> PropOrSpread {
  PropOrSpread::Prop(Box::new(Prop::KeyValue(KeyValueProp {
    key: PropName::Str(str_lit(key)),
    value,
  })))
}

fn object(props: Vec<PropOrSpread>) -> Expr {
  Expr::Object(ObjectLit {
    span: DUMMY_SP,
    props,
  })
}

/// `() => import("path")`, or `() => import("path").then(m => m["name"])`.
fn lazy_import(path: &str, import_key: Option<&str>) -> Expr {
  let mut body = Box::new(Expr::Call(CallExpr {
    span: DUMMY_SP,
    ctxt: SyntaxContext::empty(),
    callee: Callee::Import(Import {
      span: DUMMY_SP,
      phase: ImportPhase::Evaluation,
    }),
    args: vec![ExprOrSpread {
      spread: None,
      expr: str_expr(path),
    }],
    type_args: None,
  }));
  if let Some(name) = import_key {
    let module = Ident::new_no_ctxt("m".into(), DUMMY_SP);
    let pick = Box::new(Expr::Member(MemberExpr {
      span: DUMMY_SP,
      obj: Box::new(Expr::Ident(module.clone())),
      prop: MemberProp::Computed(ComputedPropName {
        span: DUMMY_SP,
        expr: str_expr(name),
      }),
    }));
    body = call(
      member(body, &Atom::from("then"), DUMMY_SP),
      vec![Box::new(arrow(
        vec![Pat::Ident(BindingIdent::from(module))],
        pick,
      ))],
    );
  }
  arrow(Vec::new(), body)
}

fn arrow(params: Vec<Pat>, body: Box<Expr>) -> Expr {
  Expr::Arrow(ArrowExpr {
    span: DUMMY_SP,
    ctxt: SyntaxContext::empty(),
    params,
    body: Box::new(ArrowFunctionBody::Expr(body)),
    is_async: false,
    is_generator: false,
    type_params: None,
    return_type: None,
  })
}

/// `import * as local from "path"` or `import { name as local } from "path"`.
fn eager_import(path: &str, import_key: Option<&str>, local: Ident) -> ModuleItem {
  let specifier = match import_key {
    Some(name) => ImportSpecifier::Named(ImportNamedSpecifier {
      span: DUMMY_SP,
      local,
      imported: Some(ModuleExportName::Str(str_lit(name))),
      is_type_only: false,
    }),
    None => ImportSpecifier::Namespace(ImportStarAsSpecifier {
      span: DUMMY_SP,
      local,
    }),
  };
  ModuleItem::ModuleDecl(ModuleDecl::Import(ImportDecl {
    span: DUMMY_SP,
    specifiers: vec![specifier],
    src: Box::new(str_lit(path)),
    type_only: false,
    with: None,
    phase: ImportPhase::Evaluation,
  }))
}
