use super::*;

fn temp_store(name: &str) -> PathBuf {
  let dir = std::env::temp_dir().join(format!("ven-cache-test-{}-{name}", std::process::id()));
  let _ = std::fs::remove_dir_all(&dir);
  dir.join("ssr.redb")
}

fn record(n: usize) -> ModuleRecord {
  ModuleRecord {
    url: format!("/src/m{n}.ts"),
    source_hash: content_hash(&[format!("source {n}").as_bytes()]),
    code: format!("const x = {n};\n").repeat(n % 7 + 1),
    map: n
      .is_multiple_of(2)
      .then(|| format!("{{\"version\":3,\"mappings\":\"{n}\"}}")),
    deps: vec![format!("/src/m{}.ts", n + 1)],
    dynamic_deps: vec![],
    imports: vec![Import {
      specifier: format!("./m{}", n + 1),
      url: format!("/src/m{}.ts", n + 1),
      id: format!("/app/src/m{}.ts", n + 1),
      dynamic: n.is_multiple_of(3),
    }],
    resolutions: vec![
      (
        format!("./m{}", n + 1),
        Resolution::Module(format!("/app/src/m{}.ts", n + 1)),
      ),
      ("node:fs".into(), Resolution::Keep),
      ("ext".into(), Resolution::External("https://x".into())),
    ],
    hmr: Hmr {
      is_self_accepting: n % 2 == 1,
      accepted_deps: vec!["/src/a.ts".into()],
      accepted_exports: n.is_multiple_of(2).then(|| vec!["a".into()]),
      imported_bindings: Some(vec![("./a".into(), vec!["default".into(), "*".into()])]),
    },
  }
}

fn key(define: &str) -> StoreKey {
  StoreKey::new().part("config", define).part("plugins", "[]")
}

#[test]
fn records_round_trip_and_damaged_bytes_do_not_decode() {
  for n in 0..6 {
    let r = record(n);
    let bytes = r.encode();
    assert_eq!(ModuleRecord::decode(&bytes), Some(r));
    // Every truncation, and trailing bytes, are refused.
    for cut in 0..bytes.len() {
      assert_eq!(ModuleRecord::decode(&bytes[..cut]), None);
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(ModuleRecord::decode(&longer), None);
  }
}

#[test]
fn key_parts_are_separated() {
  assert_ne!(content_hash(&[b"ab", b"c"]), content_hash(&[b"a", b"bc"]));
  assert_ne!(key("a").digest(), key("b").digest());
  assert_eq!(key("a").digest(), key("a").digest());
}

#[test]
fn records_survive_reopen_under_the_same_key_only() {
  let path = temp_store("reopen");
  let cache = ModuleCache::open(&path, &key("1"), "v8-1", false).unwrap();
  assert_eq!(cache.stats().opened, Opened::Empty);
  cache.put("/app/src/m1.ts", &record(1));
  cache.put_code_cache("/app/src/m1.ts", "h1", vec![1, 2, 3]);
  cache.close();
  drop(cache);

  let cache = ModuleCache::open(&path, &key("1"), "v8-1", false).unwrap();
  assert_eq!(cache.stats().opened, Opened::Kept);
  assert_eq!(cache.get("/app/src/m1.ts"), Some(record(1)));
  assert_eq!(
    cache.get_code_cache("/app/src/m1.ts", "h1"),
    Some(vec![1, 2, 3])
  );
  // The code cache is per runtime and code hash.
  assert_eq!(cache.get_code_cache("/app/src/m1.ts", "h2"), None);
  drop(cache);
  let other_runtime = ModuleCache::open(&path, &key("1"), "v8-2", false).unwrap();
  assert_eq!(other_runtime.get_code_cache("/app/src/m1.ts", "h1"), None);
  drop(other_runtime);

  // Another key (a `define` changed): emptied.
  let cache = ModuleCache::open(&path, &key("2"), "v8-1", false).unwrap();
  assert_eq!(cache.stats().opened, Opened::Empty);
  assert_eq!(cache.get("/app/src/m1.ts"), None);
  assert_eq!(cache.stats().misses, 1);
  cache.put("/app/src/m1.ts", &record(1));
  drop(cache);

  // `clear` (vite --force): emptied under the same key.
  let cache = ModuleCache::open(&path, &key("2"), "v8-1", true).unwrap();
  assert_eq!(cache.stats().opened, Opened::Empty);
  assert_eq!(cache.get("/app/src/m1.ts"), None);
}

#[test]
fn a_second_open_of_the_same_file_is_busy() {
  let path = temp_store("busy");
  let first = ModuleCache::open(&path, &key("1"), "v8", false).unwrap();
  assert!(matches!(
    ModuleCache::open(&path, &key("1"), "v8", false),
    Err(OpenError::Busy)
  ));
  drop(first);
  assert!(ModuleCache::open(&path, &key("1"), "v8", false).is_ok());
}

#[test]
fn a_damaged_store_is_replaced_not_fatal() {
  let path = temp_store("damaged");
  let cache = ModuleCache::open(&path, &key("1"), "v8", false).unwrap();
  for n in 0..50 {
    cache.put(&format!("/m{n}"), &record(n));
  }
  drop(cache);
  let good = std::fs::read(&path).unwrap();

  // Garbage bytes in place of the file.
  std::fs::write(
    &path,
    b"this is not a redb file at all, just garbage\n".repeat(100),
  )
  .unwrap();
  let cache = ModuleCache::open(&path, &key("1"), "v8", false).unwrap();
  assert_eq!(cache.stats().opened, Opened::Replaced);
  assert_eq!(cache.get("/m1"), None);
  drop(cache);

  // A valid header with damaged pages: garbage written over the middle of the file.
  let mut damaged = good.clone();
  let middle = damaged.len() / 2;
  for b in &mut damaged[middle..middle + 4096.min(good.len() - middle)] {
    *b = 0xA5;
  }
  std::fs::write(&path, &damaged).unwrap();
  let cache = ModuleCache::open(&path, &key("1"), "v8", false).unwrap();
  // Either repaired to the last good commit or replaced; every record read is intact.
  for n in 0..50 {
    if let Some(r) = cache.get(&format!("/m{n}")) {
      assert_eq!(r, record(n));
    }
  }
  drop(cache);

  // A truncated file.
  std::fs::write(&path, &good[..good.len() / 3]).unwrap();
  let cache = ModuleCache::open(&path, &key("1"), "v8", false).unwrap();
  for n in 0..50 {
    if let Some(r) = cache.get(&format!("/m{n}")) {
      assert_eq!(r, record(n));
    }
  }
}

const CHILD_STORE: &str = "VEN_CACHE_TEST_CHILD_STORE";

/// Not a test on its own: the writer the crash test spawns (and kills) in a child process.
#[test]
fn child_writer_until_killed() {
  let Ok(path) = std::env::var(CHILD_STORE) else {
    return;
  };
  let cache = ModuleCache::open(Path::new(&path), &key("1"), "v8", false).unwrap();
  let mut n = 0usize;
  loop {
    cache.put(&format!("/m{}", n % 400), &record(n % 400));
    n += 1;
    if n.is_multiple_of(400) {
      cache.flush();
      // Tells the parent that commits happened.
      std::fs::write(format!("{path}.progress"), n.to_string()).unwrap();
    }
  }
}

#[test]
fn a_writer_killed_mid_write_leaves_a_usable_store() {
  let path = temp_store("killed");
  std::fs::create_dir_all(path.parent().unwrap()).unwrap();
  let progress = PathBuf::from(format!("{}.progress", path.display()));
  for round in 0..3 {
    let _ = std::fs::remove_file(&progress);
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
      .args(["--exact", "tests::child_writer_until_killed", "--nocapture"])
      .env(CHILD_STORE, &path)
      .stdout(std::process::Stdio::null())
      .spawn()
      .unwrap();
    // Wait until it committed a few batches, then kill it (SIGKILL on Unix) mid-stream.
    let started = std::time::Instant::now();
    while std::fs::read_to_string(&progress)
      .ok()
      .and_then(|s| s.parse::<usize>().ok())
      .is_none_or(|n| n < 1200 * (round + 1))
    {
      assert!(
        started.elapsed().as_secs() < 60,
        "the child writer made no progress"
      );
      std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(3 * round as u64));
    child.kill().unwrap();
    child.wait().unwrap();

    let cache = ModuleCache::open(&path, &key("1"), "v8", false).unwrap();
    assert_eq!(cache.stats().opened, Opened::Kept, "round {round}");
    let mut found = 0;
    for n in 0..400 {
      if let Some(r) = cache.get(&format!("/m{n}")) {
        assert_eq!(r, record(n));
        found += 1;
      }
    }
    assert!(found > 0, "committed records were lost");
    drop(cache);
  }
}
