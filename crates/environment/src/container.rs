//! Vite's `pluginContainer.transform(code, id, options)` for a native environment: what a direct
//! call on the environment's plugin container runs (frameworks call it to compile a module
//! outside `transformRequest`). Every `transform` hook of Vite's container, in order: the JS
//! hook groups and, at their places, the native equivalents of the core plugins (`vite:oxc`,
//! `vite:json`, `vite:import-glob`, `vite:define` and `vite:import-analysis`). The result is an
//! ES module with specifiers rewritten to urls, not the module-runner code that
//! `transformRequest` makes of it afterwards.

use std::sync::Arc;

use ven_plugin::HookGroup;
use ven_transform::Lang;

use crate::pipeline::{Pass, map_naming_file};
use crate::plugins::{Loaded, Plugins, lang_for, module_type_from_id};
use crate::{EnvError, Environment};

/// What Vite's container `transform` returns.
#[derive(Debug, Clone)]
pub struct ContainerTransformOutput {
  pub code: String,
  /// The chain's map (from `input_map` or the code given to the output); `None` when no step
  /// made one.
  pub map: Option<String>,
  pub module_type: String,
}

/// Vite's `ERR_OUTDATED_OPTIMIZED_DEP`: its import analysis throws it for a module the graph
/// does not know (the request is considered stale).
fn outdated_request(id: &str) -> EnvError {
  EnvError {
    id: Some(id.to_owned()),
    ..EnvError::new(
      "ERR_OUTDATED_OPTIMIZED_DEP",
      format!(
        "There is a new version of the pre-bundle for \"{id}\", a page reload is going to ask for it."
      ),
    )
  }
}

/// Vite's `canSkipImportAnalysis`: `.json` and `.map` ids and direct CSS requests (its regexes
/// compare extensions case-sensitively, and so does this).
fn skips_import_analysis(id: &str) -> bool {
  let path = id.split_once('?').map_or(id, |(path, _)| path);
  let ext = path.rsplit_once('.').map_or("", |(_, ext)| ext);
  let direct = id.contains("?direct") || id.contains("&direct");
  let css = matches!(
    ext,
    "css" | "less" | "sass" | "scss" | "styl" | "stylus" | "pcss" | "postcss" | "sss"
  );
  matches!(ext, "json" | "map") || (direct && css)
}

/// The language `vite:oxc` or `vite:json` gives the code: `vite:oxc` goes by the id (its
/// default filter, TS and JSX files, never a `\0` id), `vite:json` by the module type.
fn container_lang(module_type: &str, id: &str) -> Option<Lang> {
  if module_type == "json" {
    return Some(Lang::Json);
  }
  match lang_for(module_type_from_id(id), id) {
    Some(lang @ (Lang::Ts | Lang::Tsx | Lang::Jsx)) => Some(lang),
    _ => None,
  }
}

/// Runs a native step; when it starts the map chain (no map before it), its map names the
/// module's file as Vite's plugins do (composed maps keep the sources of the map before).
async fn starting_chain<F>(
  id: &str,
  loaded: Loaded,
  step: impl FnOnce(Loaded) -> F,
) -> Result<Loaded, EnvError>
where
  F: std::future::Future<Output = Result<Loaded, EnvError>>,
{
  let starts = loaded.map.is_none();
  let out = step(loaded).await?;
  Ok(if starts {
    Loaded {
      map: map_naming_file(out.map, id),
      ..out
    }
  } else {
    out
  })
}

impl Environment {
  /// Vite's `pluginContainer.transform(code, id, { moduleType, inMap })`: JS `transform` hooks
  /// before `vite:oxc` → TS/JSX/JSON → hooks up to `vite:import-glob` → `import.meta.glob` →
  /// hooks after it → define and import analysis (specifiers to urls, the graph's module info
  /// updated, as Vite's plugin does) → `order: 'post'` hooks. `module_type` is the caller's
  /// (Vite's default is `js`); `watch_files` are those the module's `load` hooks added (Vite
  /// keeps them on the node), imports for the analysis with those the hooks add now.
  pub async fn container_transform(
    self: &Arc<Self>,
    id: &str,
    code: String,
    module_type: String,
    input_map: Option<String>,
    watch_files: Vec<String>,
  ) -> Result<ContainerTransformOutput, EnvError> {
    let plugins = self.plugins();
    let plugins = plugins.as_deref();
    let url = self
      .graph
      .key_by_id(id)
      .and_then(|key| self.graph.with_node(key, |n| n.url.clone()))
      .unwrap_or_else(|| self.module_url(id));
    let loaded = Loaded {
      code,
      map: input_map,
      module_type,
      watch_files,
    };
    let loaded = self
      .transform_group(HookGroup::Pre, id, loaded, plugins)
      .await?;
    let loaded = match container_lang(&loaded.module_type, id) {
      // `vite:json` leaves no map (an empty one, which the chain skips).
      Some(Lang::Json) => Loaded {
        map: loaded.map.clone(),
        ..self.strip_step(id, &url, Lang::Json, loaded).await?
      },
      Some(lang) => self.strip_step(id, &url, lang, loaded).await?,
      None => loaded,
    };
    let loaded = self
      .transform_group(HookGroup::Post, id, loaded, plugins)
      .await?;
    let loaded = starting_chain(id, loaded, |loaded| self.glob_step(id, &url, loaded)).await?;
    let loaded = self
      .transform_group(HookGroup::AfterGlob, id, loaded, plugins)
      .await?;
    let loaded = if skips_import_analysis(id) {
      loaded
    } else {
      starting_chain(id, loaded, |loaded| {
        self.import_analysis_step(id, url, loaded, plugins)
      })
      .await?
    };
    let loaded = self
      .transform_group(HookGroup::Final, id, loaded, plugins)
      .await?;
    Ok(ContainerTransformOutput {
      code: loaded.code,
      map: loaded.map,
      module_type: loaded.module_type,
    })
  }

  /// `vite:define` and `vite:import-analysis` on a direct call: the module must be in the graph,
  /// its imports are recorded there (and pre-transformed when the environment does that).
  async fn import_analysis_step(
    self: &Arc<Self>,
    id: &str,
    url: String,
    mut loaded: Loaded,
    plugins: Option<&Plugins>,
  ) -> Result<Loaded, EnvError> {
    let key = self
      .graph
      .key_by_id(id)
      .ok_or_else(|| outdated_request(id))?;
    let lang = lang_for(&loaded.module_type, id).unwrap_or(Lang::Js);
    let watch_files = std::mem::take(&mut loaded.watch_files);
    let (output, imports, _) = self
      .specifier_step(Pass::ImportAnalysis, id, url, lang, loaded, plugins)
      .await?;
    let watched = self.resolve_watch_files(id, watch_files, plugins).await?;
    crate::guard("updating the module graph for", id, || {
      crate::inject_panic("graph", id);
      self.record_imports(key, &imports, &watched, &output.hmr);
    })?;
    self.pre_transform_imports(&imports);
    Ok(Loaded {
      code: output.code,
      map: output.map,
      module_type: "js".to_owned(),
      watch_files: Vec::new(),
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn import_analysis_is_skipped_as_vite_skips_it() {
    assert!(skips_import_analysis("/r/data.json"));
    assert!(skips_import_analysis("/r/data.json?import"));
    assert!(skips_import_analysis("/r/a.js.map"));
    assert!(skips_import_analysis("/r/a.css?direct"));
    assert!(!skips_import_analysis("/r/a.css"));
    assert!(!skips_import_analysis("/r/a.ts"));
    assert!(!skips_import_analysis("\0virtual:json-like"));
  }

  #[test]
  fn the_language_follows_the_id_and_json_the_module_type() {
    assert_eq!(container_lang("js", "/r/a.ts"), Some(Lang::Ts));
    assert_eq!(container_lang("js", "/r/a.tsx?x=1"), Some(Lang::Tsx));
    assert_eq!(container_lang("js", "/r/a.js"), None);
    assert_eq!(container_lang("js", "\0virtual.ts"), None);
    assert_eq!(container_lang("js", "/r/data.json"), None);
    assert_eq!(container_lang("json", "/r/data.json"), Some(Lang::Json));
  }
}
