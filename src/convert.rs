//! JS option objects and results, and their conversions to/from engine types.

use napi::{Error, Result};
use napi_derive::napi;
use ven_environment::{DenyGlob, EnvError, EnvironmentConfig, FsConfig, GraphEvent};
use ven_resolver::{Alias, AliasPattern, External, JsRegex, NoExternal, Pattern, ResolveConfig};
use ven_transform::JsxOptions;

/// A JS `RegExp` (`source`, `flags`), a plain string, or both: a glob string and the regex
/// picomatch compiles for it.
#[napi(object)]
pub struct JsPattern {
  pub string: Option<String>,
  pub regex_source: Option<String>,
  pub regex_flags: Option<String>,
}

#[napi(object)]
pub struct JsAlias {
  pub find: JsPattern,
  pub replacement: String,
}

#[napi(object)]
pub struct JsDefine {
  pub key: String,
  pub value: String,
}

#[napi(object)]
pub struct JsJsxOptions {
  pub automatic: bool,
  pub import_source: String,
  pub pragma: String,
  pub pragma_frag: String,
  pub development: bool,
}

/// One `server.fs.deny` glob with the regex picomatch compiles for it (Vite's options).
#[napi(object)]
pub struct JsDenyGlob {
  pub glob: String,
  pub regex_source: String,
  pub regex_flags: String,
}

/// Vite's resolved `server.fs`, and whether the environment's transport skips it
/// (`DevEnvironment._skipFsCheck`).
#[napi(object)]
pub struct JsFsOptions {
  pub strict: bool,
  pub allow: Vec<String>,
  pub deny: Vec<JsDenyGlob>,
  pub case_insensitive: bool,
  pub skip_check: bool,
}

/// What the JS layer reads from Vite's resolved environment config.
#[napi(object)]
pub struct NativeEnvironmentOptions {
  pub name: String,
  pub root: String,
  pub is_production: bool,
  pub conditions: Vec<String>,
  pub external_conditions: Vec<String>,
  pub main_fields: Vec<String>,
  pub extensions: Vec<String>,
  pub alias: Vec<JsAlias>,
  pub dedupe: Vec<String>,
  pub preserve_symlinks: bool,
  pub tsconfig_paths: Option<bool>,
  /// `true` = `resolve.external: true`.
  pub external_all: bool,
  pub external: Vec<String>,
  /// `true` = `resolve.noExternal: true`.
  pub no_external_all: bool,
  pub no_external: Vec<JsPattern>,
  pub builtins: Vec<JsPattern>,
  pub define: Vec<JsDefine>,
  pub jsx: JsJsxOptions,
  pub json_stringify: bool,
  pub source_map: bool,
  pub pre_transform: bool,
  pub hmr_partial_accept: Option<bool>,
  pub import_glob_restore_extension: Option<bool>,
  pub fs: JsFsOptions,
}

fn regex(source: &str, flags: &str) -> Result<JsRegex> {
  JsRegex::new(source, flags)
    .map_err(|e| Error::from_reason(format!("[vite-env-native] invalid RegExp {e}")))
}

/// A string, a regex, or (both given) a picomatch glob with the regex picomatch compiled for it.
fn pattern(p: JsPattern) -> Result<Pattern> {
  let flags = p.regex_flags.as_deref().unwrap_or("");
  match (p.string, p.regex_source) {
    (Some(glob), Some(source)) => Ok(Pattern::Glob {
      glob,
      regex: regex(&source, flags)?,
    }),
    (Some(s), None) => Ok(Pattern::Exact(s)),
    (None, Some(source)) => Ok(Pattern::Regex(regex(&source, flags)?)),
    (None, None) => Err(Error::from_reason("[vite-env-native] empty pattern")),
  }
}

impl TryFrom<JsFsOptions> for FsConfig {
  type Error = Error;

  fn try_from(o: JsFsOptions) -> Result<Self> {
    // A glob the native matcher cannot evaluate would silently allow what Vite denies.
    let deny = o
      .deny
      .into_iter()
      .map(|d| {
        let regex = ven_plugin::compile_regex(&d.regex_source, &d.regex_flags).map_err(|e| {
          Error::from_reason(format!(
            "[vite-env-native] unsupported server.fs.deny pattern {:?}: {e}",
            d.glob
          ))
        })?;
        Ok(DenyGlob {
          glob: d.glob,
          regex,
        })
      })
      .collect::<Result<_>>()?;
    Ok(Self {
      strict: o.strict,
      allow: o.allow,
      deny,
      case_insensitive: o.case_insensitive,
      transport_skips_check: o.skip_check,
    })
  }
}

impl TryFrom<NativeEnvironmentOptions> for EnvironmentConfig {
  type Error = Error;

  fn try_from(o: NativeEnvironmentOptions) -> Result<Self> {
    let alias = o
      .alias
      .into_iter()
      .map(|a| {
        let find = match pattern(a.find)? {
          Pattern::Exact(s) => AliasPattern::Exact(s),
          Pattern::Regex(r) | Pattern::Glob { regex: r, .. } => AliasPattern::Regex(r),
        };
        Ok(Alias {
          find,
          replacement: a.replacement,
        })
      })
      .collect::<Result<Vec<_>>>()?;
    let external = if o.external_all {
      External::All
    } else if o.external.is_empty() {
      External::None
    } else {
      External::List(o.external)
    };
    let no_external = if o.no_external_all {
      NoExternal::All
    } else if o.no_external.is_empty() {
      NoExternal::None
    } else {
      NoExternal::List(
        o.no_external
          .into_iter()
          .map(pattern)
          .collect::<Result<_>>()?,
      )
    };
    let resolve = ResolveConfig {
      root: o.root.into(),
      conditions: o.conditions,
      external_conditions: o.external_conditions,
      main_fields: o.main_fields,
      extensions: o.extensions,
      alias,
      dedupe: o.dedupe,
      preserve_symlinks: o.preserve_symlinks,
      tsconfig_paths: o.tsconfig_paths.unwrap_or(false),
      external,
      no_external,
      builtins: o.builtins.into_iter().map(pattern).collect::<Result<_>>()?,
      is_production: o.is_production,
    };
    Ok(Self {
      name: o.name,
      resolve,
      define: o.define.into_iter().map(|d| (d.key, d.value)).collect(),
      jsx: JsxOptions {
        automatic: o.jsx.automatic,
        import_source: o.jsx.import_source,
        pragma: o.jsx.pragma,
        pragma_frag: o.jsx.pragma_frag,
        development: o.jsx.development,
      },
      json_stringify: o.json_stringify,
      source_map: o.source_map,
      pre_transform: o.pre_transform,
      hmr_partial_accept: o.hmr_partial_accept.unwrap_or(false),
      import_glob_restore_extension: o.import_glob_restore_extension.unwrap_or(false),
      fs: o.fs.try_into()?,
    })
  }
}

#[napi(object)]
pub struct JsLocation {
  /// Absent when the plugin's `loc` named no file (Vite leaves it out then).
  pub file: Option<String>,
  pub line: u32,
  pub column: u32,
}

/// Fields of a Vite-shaped error; the JS layer turns it into an `Error` instance.
#[napi(object)]
pub struct JsEnvError {
  pub code: Option<String>,
  pub message: String,
  pub id: Option<String>,
  pub plugin: Option<String>,
  pub loc: Option<JsLocation>,
  pub frame: Option<String>,
  pub stack: Option<String>,
  /// Vite's `pos` (of a module-runner parse failure).
  pub pos: Option<u32>,
  /// Vite's `pluginCode`.
  pub plugin_code: Option<String>,
  /// The diagnostics of a `vite:oxc`-shaped error (Vite's `errors`).
  pub errors: Option<Vec<JsDiagnostic>>,
}

/// One entry of the `errors` of Vite's `vite:oxc` error (`kind` is the JS layer's copy of `code`).
#[napi(object)]
pub struct JsDiagnostic {
  pub code: String,
  pub message: String,
  pub id: String,
  pub loc: JsLocation,
  pub pos: u32,
}

/// Vite's errors with these codes carry no `id` (ours keep it natively, to build messages).
const CODES_WITHOUT_ID: [&str; 2] = ["ERR_LOAD_URL", "ERR_LOAD_PUBLIC_URL"];

impl From<&EnvError> for JsEnvError {
  fn from(e: &EnvError) -> Self {
    let id_hidden = e
      .code
      .as_deref()
      .is_some_and(|code| CODES_WITHOUT_ID.contains(&code));
    Self {
      code: e.code.clone(),
      message: e.message.clone(),
      id: if id_hidden { None } else { e.id.clone() },
      plugin: e.plugin.clone(),
      loc: e.loc.as_ref().map(|l| JsLocation {
        file: (!l.file.is_empty()).then(|| l.file.clone()),
        line: l.line,
        column: l.column,
      }),
      frame: e.frame.clone(),
      stack: e.stack.clone(),
      pos: e.pos,
      plugin_code: e.plugin_code.clone(),
      errors: (!e.errors.is_empty()).then(|| {
        e.errors
          .iter()
          .map(|d| JsDiagnostic {
            code: d.code.clone(),
            message: d.message.clone(),
            id: d.id.clone(),
            loc: JsLocation {
              file: Some(d.loc.file.clone()),
              line: d.loc.line,
              column: d.loc.column,
            },
            pos: d.pos,
          })
          .collect()
      }),
    }
  }
}

/// A structural graph change for the JS mirror (`kind`: created | imports).
#[napi(object)]
pub struct JsGraphEvent {
  pub kind: String,
  pub key: u32,
  pub url: Option<String>,
  pub id: Option<String>,
  pub file: Option<String>,
  pub imported: Option<Vec<u32>>,
  pub is_self_accepting: Option<bool>,
  pub accepted_deps: Option<Vec<u32>>,
  pub accepted_exports: Option<Vec<String>>,
  /// Vite's `importedBindings`, only with `experimental.hmrPartialAccept`.
  pub imported_bindings: Option<Vec<JsImportedBindings>>,
}

/// The exports a module takes from one of its imports.
#[napi(object)]
pub struct JsImportedBindings {
  pub key: u32,
  pub names: Vec<String>,
}

impl From<GraphEvent> for JsGraphEvent {
  fn from(event: GraphEvent) -> Self {
    let empty = |kind: &str, key: u32| Self {
      kind: kind.to_owned(),
      key,
      url: None,
      id: None,
      file: None,
      imported: None,
      is_self_accepting: None,
      accepted_deps: None,
      accepted_exports: None,
      imported_bindings: None,
    };
    match event {
      GraphEvent::Created {
        key,
        url,
        id,
        file,
        analysed,
      } => Self {
        url: Some(url),
        id: Some(id),
        file: Some(file),
        // Vite's `isSelfAccepting`: `false` once set, absent (undefined) before the analysis.
        is_self_accepting: analysed.then_some(false),
        ..empty("created", key.0)
      },
      GraphEvent::Imports {
        key,
        imported,
        is_self_accepting,
        accepted_deps,
        accepted_exports,
        imported_bindings,
      } => Self {
        imported: Some(imported.into_iter().map(|k| k.0).collect()),
        is_self_accepting: Some(is_self_accepting),
        accepted_deps: Some(accepted_deps.into_iter().map(|k| k.0).collect()),
        accepted_exports,
        imported_bindings: imported_bindings.map(|all| {
          all
            .into_iter()
            .map(|(key, names)| JsImportedBindings { key: key.0, names })
            .collect()
        }),
        ..empty("imports", key.0)
      },
    }
  }
}
