//! What the store keeps for one module, and its byte encoding (the value of a redb entry).
//!
//! The encoding is length-prefixed little-endian fields behind a format byte; a value that does
//! not decode (another format, truncated) is a miss, never an error.

/// How one import specifier of the module was resolved when the module was transformed. Every
/// specifier is recorded, unresolvable ones included: a file created later may resolve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
  /// A module of the environment, by id.
  Module(String),
  /// Rewritten to an external id a plugin gave.
  External(String),
  /// Left as written (builtins, externalized packages, unresolvable).
  Keep,
}

/// One import the module's analysis recorded in the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
  pub specifier: String,
  pub url: String,
  pub id: String,
  pub dynamic: bool,
}

/// The module's HMR accept data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hmr {
  pub is_self_accepting: bool,
  pub accepted_deps: Vec<String>,
  pub accepted_exports: Option<Vec<String>>,
  pub imported_bindings: Option<Vec<(String, Vec<String>)>>,
}

/// One module's cached transform: valid while its source hash, url and every recorded
/// resolution still hold (the caller checks; the store only keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleRecord {
  /// The url the module was transformed as (source map names, `import.meta` rewrites).
  pub url: String,
  /// [`crate::content_hash`] of everything the load step produced (code, map, module type).
  pub source_hash: u128,
  pub code: String,
  pub map: Option<String>,
  pub deps: Vec<String>,
  pub dynamic_deps: Vec<String>,
  pub imports: Vec<Import>,
  pub resolutions: Vec<(String, Resolution)>,
  pub hmr: Hmr,
}

const FORMAT: u8 = 1;

struct Writer(Vec<u8>);

impl Writer {
  fn u8(&mut self, v: u8) {
    self.0.push(v);
  }
  fn len(&mut self, n: usize) {
    // Values are bounded by redb's 3 GiB limit; a longer one is refused before encoding.
    self
      .0
      .extend_from_slice(&u64::try_from(n).unwrap_or(u64::MAX).to_le_bytes());
  }
  fn str(&mut self, s: &str) {
    self.len(s.len());
    self.0.extend_from_slice(s.as_bytes());
  }
  fn opt_str(&mut self, s: Option<&str>) {
    match s {
      Some(s) => {
        self.u8(1);
        self.str(s);
      }
      None => self.u8(0),
    }
  }
  fn strs(&mut self, list: &[String]) {
    self.len(list.len());
    for s in list {
      self.str(s);
    }
  }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
  fn take(&mut self, n: usize) -> Option<&'a [u8]> {
    if self.0.len() < n {
      return None;
    }
    let (head, rest) = self.0.split_at(n);
    self.0 = rest;
    Some(head)
  }
  fn u8(&mut self) -> Option<u8> {
    self.take(1).map(|b| b[0])
  }
  fn len(&mut self) -> Option<usize> {
    let bytes: [u8; 8] = self.take(8)?.try_into().ok()?;
    usize::try_from(u64::from_le_bytes(bytes)).ok()
  }
  fn u128(&mut self) -> Option<u128> {
    let bytes: [u8; 16] = self.take(16)?.try_into().ok()?;
    Some(u128::from_le_bytes(bytes))
  }
  fn str(&mut self) -> Option<String> {
    let n = self.len()?;
    String::from_utf8(self.take(n)?.to_vec()).ok()
  }
  fn bool(&mut self) -> Option<bool> {
    match self.u8()? {
      0 => Some(false),
      1 => Some(true),
      _ => None,
    }
  }
  /// A count of items, each at least one byte: a count larger than the rest is corrupt.
  fn count(&mut self) -> Option<usize> {
    let n = self.len()?;
    (n <= self.0.len()).then_some(n)
  }
  fn strs(&mut self) -> Option<Vec<String>> {
    let n = self.count()?;
    (0..n).map(|_| self.str()).collect()
  }
}

impl ModuleRecord {
  pub fn encode(&self) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(
      64 + self.code.len() + self.map.as_ref().map_or(0, String::len),
    ));
    w.u8(FORMAT);
    w.str(&self.url);
    w.0.extend_from_slice(&self.source_hash.to_le_bytes());
    w.str(&self.code);
    w.opt_str(self.map.as_deref());
    w.strs(&self.deps);
    w.strs(&self.dynamic_deps);
    w.len(self.imports.len());
    for i in &self.imports {
      w.str(&i.specifier);
      w.str(&i.url);
      w.str(&i.id);
      w.u8(u8::from(i.dynamic));
    }
    w.len(self.resolutions.len());
    for (specifier, resolution) in &self.resolutions {
      w.str(specifier);
      match resolution {
        Resolution::Module(id) => {
          w.u8(0);
          w.str(id);
        }
        Resolution::External(id) => {
          w.u8(1);
          w.str(id);
        }
        Resolution::Keep => w.u8(2),
      }
    }
    w.u8(u8::from(self.hmr.is_self_accepting));
    w.strs(&self.hmr.accepted_deps);
    match &self.hmr.accepted_exports {
      Some(list) => {
        w.u8(1);
        w.strs(list);
      }
      None => w.u8(0),
    }
    match &self.hmr.imported_bindings {
      Some(list) => {
        w.u8(1);
        w.len(list.len());
        for (specifier, names) in list {
          w.str(specifier);
          w.strs(names);
        }
      }
      None => w.u8(0),
    }
    w.0
  }

  /// `None` for bytes of another format or damaged ones.
  pub fn decode(bytes: &[u8]) -> Option<Self> {
    let mut r = Reader(bytes);
    if r.u8()? != FORMAT {
      return None;
    }
    let url = r.str()?;
    let source_hash = r.u128()?;
    let code = r.str()?;
    let map = if r.bool()? { Some(r.str()?) } else { None };
    let deps = r.strs()?;
    let dynamic_deps = r.strs()?;
    let n = r.count()?;
    let imports = (0..n)
      .map(|_| {
        Some(Import {
          specifier: r.str()?,
          url: r.str()?,
          id: r.str()?,
          dynamic: r.bool()?,
        })
      })
      .collect::<Option<Vec<_>>>()?;
    let n = r.count()?;
    let resolutions = (0..n)
      .map(|_| {
        let specifier = r.str()?;
        let resolution = match r.u8()? {
          0 => Resolution::Module(r.str()?),
          1 => Resolution::External(r.str()?),
          2 => Resolution::Keep,
          _ => return None,
        };
        Some((specifier, resolution))
      })
      .collect::<Option<Vec<_>>>()?;
    let is_self_accepting = r.bool()?;
    let accepted_deps = r.strs()?;
    let accepted_exports = if r.bool()? { Some(r.strs()?) } else { None };
    let imported_bindings = if r.bool()? {
      let n = r.count()?;
      Some(
        (0..n)
          .map(|_| Some((r.str()?, r.strs()?)))
          .collect::<Option<Vec<_>>>()?,
      )
    } else {
      None
    };
    if !r.0.is_empty() {
      return None;
    }
    Some(Self {
      url,
      source_hash,
      code,
      map,
      deps,
      dynamic_deps,
      imports,
      resolutions,
      hmr: Hmr {
        is_self_accepting,
        accepted_deps,
        accepted_exports,
        imported_bindings,
      },
    })
  }
}
