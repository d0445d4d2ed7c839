//! `ven_cache`: one environment's persistent module cache, kept across dev-server restarts.
//!
//! Owns: the store file (a [redb](https://www.redb.org) database: copy-on-write B-trees with
//! checksummed, atomic commits, so a process killed mid-write leaves the last committed state),
//! opening it (a damaged or foreign file is replaced: a cold start, never a crash; a file another
//! process holds means no cache for this one), the store key (a hash of every input the caller
//! says can change any module's output: a store made under another key is emptied on open), the
//! record encoding, a background writer that batches commits off the request path, the counters
//! tests read, and a get/put seam for bytes keyed by module, code hash and runtime (a V8 code
//! cache a JS runner may supply).
//! Must not know about: how modules are loaded, transformed or resolved, when a record is still
//! valid (the caller revalidates each record on use against what it knows each module depended
//! on), napi or JS.

mod record;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use redb::{Database, ReadableDatabase as _, TableDefinition};

pub use record::{Hmr, Import, ModuleRecord, Resolution};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const MODULES: TableDefinition<&str, &[u8]> = TableDefinition::new("modules");
const CODE_CACHE: TableDefinition<&str, &[u8]> = TableDefinition::new("code_cache");
/// The meta entry holding the key the store's records were made under.
const KEY_ENTRY: &str = "key";
/// Bumped whenever the meaning of a record changes (the record encoding has its own byte).
const STORE_GENERATION: &str = "vite-env-native-cache/1";
/// redb's page cache. Each record is read once per start and written once per change, so the
/// cache mostly serves the B-trees' inner pages: kept small, as it is resident memory of the dev
/// server (64 MB cost ~100 MB of RSS at 5,000 modules).
const PAGE_CACHE_BYTES: usize = 8 << 20;
/// Writes applied per commit at most (each commit is an fsync).
const BATCH: usize = 512;

/// xxh3-128 of `parts`, each length-prefixed (so `["ab","c"]` and `["a","bc"]` differ).
pub fn content_hash(parts: &[&[u8]]) -> u128 {
  let mut hasher = xxhash_rust::xxh3::Xxh3::new();
  for part in parts {
    hasher.update(&(part.len() as u64).to_le_bytes());
    hasher.update(part);
  }
  hasher.digest128()
}

/// Builds the store key from named parts (config, plugins, versions…).
#[derive(Debug, Default, Clone)]
pub struct StoreKey {
  parts: Vec<(String, Vec<u8>)>,
}

impl StoreKey {
  pub fn new() -> Self {
    Self::default()
  }

  #[must_use]
  pub fn part(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
    self.parts.push((name.to_owned(), value.as_ref().to_vec()));
    self
  }

  fn digest(&self) -> [u8; 16] {
    let mut parts: Vec<&[u8]> = vec![STORE_GENERATION.as_bytes()];
    for (name, value) in &self.parts {
      parts.push(name.as_bytes());
      parts.push(value);
    }
    content_hash(&parts).to_le_bytes()
  }
}

/// Why a store could not be used (the environment runs without a persistent cache).
#[derive(Debug)]
pub enum OpenError {
  /// Another process (or environment) has the file open.
  Busy,
  Io(String),
}

impl std::fmt::Display for OpenError {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    match self {
      Self::Busy => f.write_str("the cache store is open in another process"),
      Self::Io(message) => f.write_str(message),
    }
  }
}

/// How the store was found on open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
  /// Records of the same key were kept.
  Kept,
  /// New, or emptied: made under another key, or `clear` asked.
  Empty,
  /// The file was not a usable store and was replaced.
  Replaced,
}

/// Counters for tests and diagnostics.
#[derive(Debug, Default)]
struct Counters {
  hits: AtomicU64,
  misses: AtomicU64,
  rejected: AtomicU64,
  writes: AtomicU64,
  write_errors: AtomicU64,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
  /// Records used instead of a transform.
  pub hits: u64,
  /// Lookups with no record.
  pub misses: u64,
  /// Records found but no longer valid (source, url or a resolution changed).
  pub rejected: u64,
  /// Records committed.
  pub writes: u64,
  pub write_errors: u64,
  pub opened: Opened,
}

enum Op {
  Put(String, Vec<u8>),
  PutCode(String, Vec<u8>),
  Remove(String),
  Flush(Sender<()>),
}

/// The persistent cache of one environment.
pub struct ModuleCache {
  db: Arc<Database>,
  path: PathBuf,
  runtime: String,
  opened: Opened,
  counters: Arc<Counters>,
  writer: Mutex<Option<(Sender<Op>, std::thread::JoinHandle<()>)>>,
}

fn io(e: impl std::fmt::Display) -> OpenError {
  OpenError::Io(e.to_string())
}

/// Opens (or creates) the file as a redb store. A panic inside redb on a damaged file counts as
/// a damaged file.
fn open_db(path: &Path) -> Result<Database, Option<OpenError>> {
  let opened = std::panic::catch_unwind(|| {
    Database::builder()
      .set_cache_size(PAGE_CACHE_BYTES)
      // Verifies every page's checksum: a file changed behind redb's back is an error here
      // instead of a panic later.
      .set_check_integrity_on_open(true)
      .create(path)
  });
  match opened {
    Ok(Ok(db)) => Ok(db),
    Ok(Err(redb::DatabaseError::DatabaseAlreadyOpen)) => Err(Some(OpenError::Busy)),
    // Damaged, foreign, or of a redb format we cannot read: replace it.
    Ok(Err(_)) | Err(_) => Err(None),
  }
}

impl ModuleCache {
  /// Opens the store at `path` (creating its folder), emptied unless it was made under `key`
  /// (and `clear` is false). `runtime` names the JS engine for code-cache entries.
  pub fn open(path: &Path, key: &StoreKey, runtime: &str, clear: bool) -> Result<Self, OpenError> {
    if let Some(dir) = path.parent() {
      std::fs::create_dir_all(dir).map_err(io)?;
    }
    let (db, mut opened) = match open_db(path) {
      Ok(db) => (db, Opened::Kept),
      Err(Some(e)) => return Err(e),
      Err(None) => {
        std::fs::remove_file(path).map_err(io)?;
        match open_db(path) {
          Ok(db) => (db, Opened::Replaced),
          Err(e) => return Err(e.unwrap_or_else(|| io("the new cache store cannot be opened"))),
        }
      }
    };
    let digest = key.digest();
    let same_key = {
      let txn = db.begin_read().map_err(io)?;
      match txn.open_table(META) {
        Ok(table) => table
          .get(KEY_ENTRY)
          .map_err(io)?
          .is_some_and(|v| v.value() == digest),
        Err(redb::TableError::TableDoesNotExist(_)) => false,
        Err(e) => return Err(io(e)),
      }
    };
    if clear || !same_key {
      let txn = db.begin_write().map_err(io)?;
      txn.delete_table(MODULES).map_err(io)?;
      txn.delete_table(CODE_CACHE).map_err(io)?;
      txn
        .open_table(META)
        .map_err(io)?
        .insert(KEY_ENTRY, &digest[..])
        .map_err(io)?;
      txn.commit().map_err(io)?;
      if opened == Opened::Kept {
        opened = Opened::Empty;
      }
    }
    let db = Arc::new(db);
    let counters = Arc::new(Counters::default());
    let (sender, receiver) = channel();
    let writer = {
      let (db, counters) = (Arc::clone(&db), Arc::clone(&counters));
      std::thread::Builder::new()
        .name("ven-cache-writer".into())
        .spawn(move || write_loop(&db, &counters, &receiver))
        .map_err(io)?
    };
    Ok(Self {
      db,
      path: path.to_owned(),
      runtime: runtime.to_owned(),
      opened,
      counters,
      writer: Mutex::new(Some((sender, writer))),
    })
  }

  pub fn path(&self) -> &Path {
    &self.path
  }

  /// The record of module `id`, if one decodes (validity is the caller's to check; report it
  /// with [`Self::note_hit`] / [`Self::note_rejected`]).
  pub fn get(&self, id: &str) -> Option<ModuleRecord> {
    let record = self
      .read(MODULES, id)
      .and_then(|bytes| ModuleRecord::decode(&bytes));
    if record.is_none() {
      self.counters.misses.fetch_add(1, Ordering::Relaxed);
    }
    record
  }

  pub fn note_hit(&self) {
    self.counters.hits.fetch_add(1, Ordering::Relaxed);
  }

  pub fn note_rejected(&self) {
    self.counters.rejected.fetch_add(1, Ordering::Relaxed);
  }

  fn read(&self, table: TableDefinition<&str, &[u8]>, key: &str) -> Option<Vec<u8>> {
    let txn = self.db.begin_read().ok()?;
    let table = txn.open_table(table).ok()?;
    let value = table.get(key).ok()??;
    Some(value.value().to_vec())
  }

  fn send(&self, op: Op) {
    let writer = self
      .writer
      .lock()
      .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((sender, _)) = writer.as_ref() {
      // A writer that stopped (after `close`) drops the write: the cache is best effort.
      let _ = sender.send(op);
    }
  }

  /// Queues the record of module `id` (committed in the background).
  pub fn put(&self, id: &str, record: &ModuleRecord) {
    self.send(Op::Put(id.to_owned(), record.encode()));
  }

  /// Queues the removal of module `id`'s record.
  pub fn remove(&self, id: &str) {
    self.send(Op::Remove(id.to_owned()));
  }

  fn code_key(&self, id: &str, code_hash: &str) -> String {
    format!("{id}\0{code_hash}\0{}", self.runtime)
  }

  /// Bytes stored by [`Self::put_code_cache`] for this module, code hash and runtime.
  pub fn get_code_cache(&self, id: &str, code_hash: &str) -> Option<Vec<u8>> {
    self.read(CODE_CACHE, &self.code_key(id, code_hash))
  }

  pub fn put_code_cache(&self, id: &str, code_hash: &str, bytes: Vec<u8>) {
    self.send(Op::PutCode(self.code_key(id, code_hash), bytes));
  }

  /// Waits until every write queued before the call is committed.
  pub fn flush(&self) {
    let (done, wait) = channel();
    self.send(Op::Flush(done));
    let _ = wait.recv();
  }

  /// Commits what is queued and stops the writer; later writes are dropped.
  pub fn close(&self) {
    let writer = self
      .writer
      .lock()
      .unwrap_or_else(std::sync::PoisonError::into_inner)
      .take();
    if let Some((sender, thread)) = writer {
      drop(sender);
      let _ = thread.join();
    }
  }

  pub fn stats(&self) -> Stats {
    let c = &self.counters;
    Stats {
      hits: c.hits.load(Ordering::Relaxed),
      misses: c.misses.load(Ordering::Relaxed),
      rejected: c.rejected.load(Ordering::Relaxed),
      writes: c.writes.load(Ordering::Relaxed),
      write_errors: c.write_errors.load(Ordering::Relaxed),
      opened: self.opened,
    }
  }
}

impl Drop for ModuleCache {
  fn drop(&mut self) {
    self.close();
  }
}

/// The writer thread: takes what is queued (up to [`BATCH`]) and commits it as one transaction,
/// until every sender is gone.
fn write_loop(db: &Database, counters: &Counters, receiver: &Receiver<Op>) {
  while let Ok(first) = receiver.recv() {
    let mut ops = vec![first];
    while ops.len() < BATCH {
      match receiver.try_recv() {
        Ok(op) => ops.push(op),
        Err(_) => break,
      }
    }
    let mut flushes = Vec::new();
    let mut puts = 0u64;
    let written = (|| -> Result<(), redb::Error> {
      let txn = db.begin_write()?;
      {
        let mut modules = txn.open_table(MODULES)?;
        let mut code = txn.open_table(CODE_CACHE)?;
        for op in ops {
          match op {
            Op::Put(id, bytes) => {
              modules.insert(id.as_str(), bytes.as_slice())?;
              puts += 1;
            }
            Op::PutCode(key, bytes) => {
              code.insert(key.as_str(), bytes.as_slice())?;
            }
            Op::Remove(id) => {
              modules.remove(id.as_str())?;
            }
            Op::Flush(done) => flushes.push(done),
          }
        }
      }
      txn.commit()?;
      Ok(())
    })();
    match written {
      Ok(()) => counters.writes.fetch_add(puts, Ordering::Relaxed),
      Err(_) => counters.write_errors.fetch_add(1, Ordering::Relaxed),
    };
    for done in flushes {
      let _ = done.send(());
    }
  }
}

#[cfg(test)]
mod tests;
