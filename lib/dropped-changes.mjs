// Reports the writes the file watcher drops. chokidar emits at most one `change` per path in
// 50 ms, and an editor's save is often a truncation then a write: the first event invalidates
// the module, the module is read again (empty or half-written) before the write lands, and the
// write's own event is dropped. Vite then serves the broken read until the next edit. After each
// `change`, the environment checks whether a module of the file was last read from content the
// file no longer has (a failed read too: runners keep a failed import) with no change reported
// since, and if so emits the `change` the watcher dropped, so Vite's usual handling (plugins'
// `watchChange`, every environment's graph, HMR) runs for it.

/** When to look again after a `change`, in ms: past chokidar's window, then later for a slow re-read. */
const RECHECK_AFTER = [150, 1000, 3000]

/** Per watcher, the last time we reported each file (several environments share a watcher). */
const reportedAt = new WeakMap()

/** Starts the checks for `native` on `watcher`; returns the function that stops them. */
export function reportDroppedChanges(watcher, native) {
  const timers = new Set()
  let reports = reportedAt.get(watcher)
  if (!reports) reportedAt.set(watcher, (reports = new Map()))
  const recheck = (file) => {
    const last = reports.get(file)
    // Another environment reported it an instant ago; Vite's handling of that report is async.
    if (last !== undefined && Date.now() - last < 500) return
    if (!native.servesOutdatedSource(file)) return
    reports.set(file, Date.now())
    watcher.emit('change', file)
  }
  const onChange = (file) => {
    const normalized = file.replaceAll('\\', '/')
    for (const delay of RECHECK_AFTER) {
      const timer = setTimeout(() => {
        timers.delete(timer)
        recheck(normalized)
      }, delay)
      // Pending checks must not keep a process alive.
      timer.unref?.()
      timers.add(timer)
    }
  }
  watcher.on('change', onChange)
  return () => {
    watcher.off('change', onChange)
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
  }
}
