// Changes the file watcher dropped. chokidar (Vite's watcher) reports at most one `change` per
// file in any 50 ms: a second write inside that window is never reported. Vite's slower
// pipeline rarely reads a file that soon after an edit; ours often has, so a quick second edit
// (a formatter's pass after a save, an editor writing twice) left the first edit's module
// served until the next change. After each `change`, the file is looked at again once the
// window has passed, and a write no event reported is reported then.
import { statSync } from 'node:fs'

/** chokidar's `change` throttle (its `_throttle('change', path, 50)`), plus a margin. */
const SETTLE_MS = 80

function fingerprint(file) {
  try {
    const stat = statSync(file)
    return `${stat.mtimeMs}:${stat.size}`
  } catch {
    return undefined
  }
}

/** Re-emits `change` on `watcher` for writes it did not report. */
export function reportDroppedChanges(watcher) {
  const pending = new Map()
  watcher.on('change', (file) => {
    clearTimeout(pending.get(file)?.timer)
    const seen = fingerprint(file)
    const timer = setTimeout(() => {
      pending.delete(file)
      const now = fingerprint(file)
      if (now !== undefined && now !== seen) watcher.emit('change', file)
    }, SETTLE_MS)
    timer.unref?.()
    pending.set(file, { timer })
  })
  watcher.on('close', () => {
    for (const { timer } of pending.values()) clearTimeout(timer)
    pending.clear()
  })
}
