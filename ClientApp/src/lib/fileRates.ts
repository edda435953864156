// Rates per file from successive fetches of a process's file list (the pushes carry rates per process
// only): what each file's totals grew by between the oldest and newest fetch of the last seconds. Pure.
import type { FileSummary } from '@/api/types'
import type { Rate } from './rates'

export interface FileSnapshot {
  /** Epoch ms when it was fetched. */
  t: number
  files: ReadonlyMap<string, readonly [number, number]>
}

export function fileSnapshot(files: readonly FileSummary[], t: number): FileSnapshot {
  const m = new Map<string, readonly [number, number]>()
  for (const f of files) m.set(f.path, [f.reads, f.writes])
  return { t, files: m }
}

/** Keeps the fetches of the last `windowMs` before the newest one (and at least the one just before it). */
export function keepRecent(snaps: readonly FileSnapshot[], windowMs: number): FileSnapshot[] {
  const newest = snaps[snaps.length - 1]
  if (!newest) return []
  const kept = snaps.filter((s) => s.t >= newest.t - windowMs)
  if (kept.length < 2 && snaps.length >= 2) return snaps.slice(-2)
  return kept
}

/**
 * Bytes per second per path between the first and last snapshot. A file that is new since the first one
 * counts from zero; one that shrank (deleted and seen again) counts as 0. `idle` (the process moved nothing
 * in the last seconds) makes every rate 0, since no fetch happens while a process does nothing.
 */
export function fileRates(snaps: readonly FileSnapshot[], idle: boolean): Map<string, Rate> {
  const out = new Map<string, Rate>()
  const a = snaps[0]
  const b = snaps[snaps.length - 1]
  if (idle || !a || !b || b.t <= a.t) return out
  const seconds = (b.t - a.t) / 1000
  for (const [path, [r, w]] of b.files) {
    const [r0, w0] = a.files.get(path) ?? [0, 0]
    const read = Math.max(0, r - r0) / seconds
    const write = Math.max(0, w - w0) / seconds
    if (read > 0 || write > 0) out.set(path, { read, write })
  }
  return out
}
