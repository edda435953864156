// Current rates per process from the pushes: bytes read and written per second over the last few
// seconds, and a short per-second history for sparklines. Pure functions.
import type { Changes } from '@/api/types'

/** What one push moved, per process. */
export interface PushDeltas {
  /** Epoch ms of the push (server clock). */
  t: number
  /** name → [bytes read, bytes written] in the push's interval. */
  deltas: ReadonlyMap<string, readonly [number, number]>
}

export interface Rate {
  read: number
  write: number
}

/** Seconds the read/s and write/s columns average over. */
export const RATE_WINDOW_S = 5
/** Seconds of per-second history a sparkline shows. */
export const SPARK_SECONDS = 30

export function pushDeltas(changes: Changes): PushDeltas {
  const deltas = new Map<string, readonly [number, number]>()
  for (const p of changes.processes) if (p.readDelta > 0 || p.writeDelta > 0) deltas.set(p.name, [p.readDelta, p.writeDelta])
  return { t: Date.parse(changes.time), deltas }
}

/** Appends a push (if it moved anything) and drops those older than the sparkline's span before `now`. */
export function appendPush(pushes: readonly PushDeltas[], push: PushDeltas, now = push.t): PushDeltas[] {
  const keep = pushes.filter((p) => p.t > now - SPARK_SECONDS * 1000)
  if (Number.isFinite(push.t) && push.deltas.size > 0) keep.push(push)
  return keep
}

/** Drops pushes a name no longer has (deleted, reset). */
export function forget(pushes: readonly PushDeltas[], name: string): PushDeltas[] {
  return pushes.map((p) => {
    if (!p.deltas.has(name)) return p
    const deltas = new Map(p.deltas)
    deltas.delete(name)
    return { t: p.t, deltas }
  })
}

/**
 * Bytes per second per process over the `windowS` seconds ending at `now`: what the pushes inside that
 * window moved, divided by its length. A process that moved nothing is absent (rate 0). Idle time counts:
 * the daemon pushes nothing while nothing happens, so the rates fall as the window moves past the last push.
 */
export function ratesAt(pushes: readonly PushDeltas[], now: number, windowS = RATE_WINDOW_S): Map<string, Rate> {
  const out = new Map<string, Rate>()
  const start = now - windowS * 1000
  for (const p of pushes) {
    if (p.t <= start || p.t > now) continue
    for (const [name, [r, w]] of p.deltas) {
      const rate = out.get(name)
      if (rate) {
        rate.read += r / windowS
        rate.write += w / windowS
      } else out.set(name, { read: r / windowS, write: w / windowS })
    }
  }
  return out
}

/** Bytes (read + written) per second of one process in each of the last `seconds` seconds up to `now`, oldest first. */
export function sparkline(pushes: readonly PushDeltas[], name: string, now: number, seconds = SPARK_SECONDS): number[] {
  const out = new Array<number>(seconds).fill(0)
  const start = now - seconds * 1000
  for (const p of pushes) {
    if (p.t <= start || p.t > now) continue
    const d = p.deltas.get(name)
    if (!d) continue
    const i = Math.min(seconds - 1, Math.floor((p.t - start - 1) / 1000))
    out[i]! += d[0] + d[1]
  }
  return out
}

/** SVG path of a sparkline in a `width`×`height` box (0 at the bottom, the largest value at the top). */
export function sparkPath(values: readonly number[], width: number, height: number): string {
  const peak = Math.max(...values, 0)
  if (values.length < 2 || peak <= 0) return ''
  const step = width / (values.length - 1)
  return values
    .map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)} ${(height - (v / peak) * (height - 1) - 0.5).toFixed(1)}`)
    .join('')
}
