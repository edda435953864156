// Rate series for the charts: bytes per second over time, bounded in length. Pure functions.
import type { Changes, History, LayeredHistoryPoint } from '@/api/types'
import type { Layer } from './layer'

export interface RatePoint {
  /** Epoch milliseconds (server clock). */
  t: number
  /** Length of the interval this point covers, in seconds. */
  dt: number
  /** Bytes read per second. */
  read: number
  /** Bytes written per second. */
  write: number
}

export interface ProcessRate {
  name: string
  read: number
  write: number
}

export interface MachinePoint extends RatePoint {
  /** The busiest processes of this interval (at most TOP_KEEP), rates per second. */
  top: ProcessRate[]
}

/** How much history the charts keep. */
export const WINDOW_MS = 15 * 60 * 1000
/** Upper bound on points, whatever the push rate. */
export const MAX_POINTS = 2000
/** How many processes each machine point remembers by name; the rest only count in the total. */
export const TOP_KEEP = 24
/** Series label for the processes outside the top. */
export const OTHER = 'other'

const interval = (seconds: number) => (Number.isFinite(seconds) && seconds > 0 ? seconds : 1)

/** The machine-wide point for one push: sums of the deltas divided by the interval. */
export function machinePoint(changes: Changes, keep = TOP_KEEP): MachinePoint {
  const dt = interval(changes.intervalSeconds)
  let read = 0
  let write = 0
  for (const p of changes.processes) {
    read += p.readDelta
    write += p.writeDelta
  }
  const top = changes.processes
    .filter((p) => p.readDelta + p.writeDelta > 0)
    .sort((a, b) => b.readDelta + b.writeDelta - (a.readDelta + a.writeDelta))
    .slice(0, keep)
    .map((p) => ({ name: p.name, read: p.readDelta / dt, write: p.writeDelta / dt }))
  return { t: Date.parse(changes.time), dt, read: read / dt, write: write / dt, top }
}

/** One process's point for a push; a process missing from the push did nothing in that interval. */
export function processPoint(changes: Changes, name: string): RatePoint {
  const dt = interval(changes.intervalSeconds)
  const p = changes.processes.find((x) => x.name === name)
  return { t: Date.parse(changes.time), dt, read: p ? p.readDelta / dt : 0, write: p ? p.writeDelta / dt : 0 }
}

/** A process's series as far as the machine points can tell (absent means idle or too small to keep). */
export function processFromMachine(points: readonly MachinePoint[], name: string): RatePoint[] {
  return points.map((m) => {
    const p = m.top.find((x) => x.name === name)
    return { t: m.t, dt: m.dt, read: p ? p.read : 0, write: p ? p.write : 0 }
  })
}

/** Appends a point and drops what is older than the window or beyond the maximum count. */
export function appendCapped<T extends RatePoint>(
  series: readonly T[],
  point: T,
  windowMs = WINDOW_MS,
  maxPoints = MAX_POINTS,
): T[] {
  if (!Number.isFinite(point.t)) return [...series]
  const last = series[series.length - 1]
  const next = last && point.t < last.t ? insertSorted(series, point) : [...series, point]
  const newest = next[next.length - 1]!.t
  let start = 0
  while (start < next.length && next[start]!.t < newest - windowMs) start++
  start = Math.max(start, next.length - maxPoints)
  return start > 0 ? next.slice(start) : next
}

function insertSorted<T extends RatePoint>(series: readonly T[], point: T): T[] {
  const out = [...series]
  let i = out.length
  while (i > 0 && out[i - 1]!.t > point.t) i--
  out.splice(i, 0, point)
  return out
}

/** True when the history's points carry disk figures (daemons that keep them). */
export const historyHasDisk = (history: History): boolean =>
  (history.points as LayeredHistoryPoint[]).some((p) => p.diskReads !== undefined || p.diskWrites !== undefined)

/** Points of a GetHistory answer as rates, of the file layer or the disk layer (0 where a point has no disk figure). */
export function historyToPoints(history: History, layer: Layer = 'file'): RatePoint[] {
  const dt = interval(history.bucketSeconds)
  const figures = (p: LayeredHistoryPoint): [number, number] => (layer === 'disk' ? [p.diskReads ?? 0, p.diskWrites ?? 0] : [p.reads, p.writes])
  return (history.points as LayeredHistoryPoint[])
    .map((p) => {
      const [r, w] = figures(p)
      return { t: Date.parse(p.time), dt, read: r / dt, write: w / dt }
    })
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t)
}

/** Machine points from the total history and the histories of the top processes. */
export function machineHistory(total: History, perProcess: { name: string; history: History }[], layer: Layer = 'file'): MachinePoint[] {
  const byTime = new Map<number, MachinePoint>()
  for (const p of historyToPoints(total, layer)) byTime.set(p.t, { ...p, top: [] })
  for (const { name, history } of perProcess) {
    for (const p of historyToPoints(history, layer)) {
      const m = byTime.get(p.t)
      if (m && p.read + p.write > 0) m.top.push({ name, read: p.read, write: p.write })
    }
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t)
}

/** History first, then the live points that are newer than the history. */
export function mergeHistory<T extends RatePoint>(history: readonly T[], live: readonly T[]): T[] {
  const last = history[history.length - 1]
  if (!last) return [...live]
  return [...history, ...live.filter((p) => p.t > last.t)]
}

export type XY = [number, number | null]

/** True when the gap before `b` is much longer than its interval (daemon unreachable, say). */
const isGap = (a: RatePoint, b: RatePoint) => b.t - a.t > Math.max(b.dt, 1) * 1000 * 2.5

/** [time, value] pairs with a null between points that are far apart, so the line breaks. */
export function toXY<T extends RatePoint>(points: readonly T[], value: (p: T) => number): XY[] {
  const out: XY[] = []
  points.forEach((p, i) => {
    const prev = points[i - 1]
    if (prev && isGap(prev, p)) out.push([Math.round((prev.t + p.t) / 2), null])
    out.push([p.t, value(p)])
  })
  return out
}

export interface Stacked {
  /** Series names, busiest first, `OTHER` last when present. */
  names: string[]
  read: Record<string, XY[]>
  write: Record<string, XY[]>
}

/** The busiest `topN` processes over the window, each as its own series, and the rest as `OTHER`. */
export function stackTop(points: readonly MachinePoint[], topN = 5): Stacked {
  const volume = new Map<string, number>()
  for (const m of points) {
    for (const p of m.top) volume.set(p.name, (volume.get(p.name) ?? 0) + (p.read + p.write) * m.dt)
  }
  const names = [...volume.entries()]
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, topN)
    .map(([n]) => n)
  const rate = (m: MachinePoint, name: string, dir: 'read' | 'write') =>
    m.top.find((p) => p.name === name)?.[dir] ?? 0
  const rest = (m: MachinePoint, dir: 'read' | 'write') =>
    Math.max(0, m[dir] - names.reduce((s, n) => s + rate(m, n, dir), 0))
  const hasOther = points.some((m) => rest(m, 'read') + rest(m, 'write') > 0) || names.length === 0
  const all = hasOther ? [...names, OTHER] : names
  const read: Record<string, XY[]> = {}
  const write: Record<string, XY[]> = {}
  for (const n of all) {
    read[n] = toXY(points, (m) => (n === OTHER ? rest(m, 'read') : rate(m, n, 'read')))
    write[n] = toXY(points, (m) => (n === OTHER ? rest(m, 'write') : rate(m, n, 'write')))
  }
  return { names: all, read, write }
}

/** The most points a chart of a fixed range draws; finer history is added up into wider buckets. */
export const RANGE_POINTS = 720

/**
 * Joins every `k` consecutive points into one (rates weighted by their intervals), with `k` chosen so that
 * at most `maxPoints` remain: a week of 1-minute buckets is drawn as 15-minute ones.
 */
export function rebucket<T extends RatePoint>(points: readonly T[], maxPoints = RANGE_POINTS): T[] {
  if (points.length <= maxPoints) return [...points]
  const k = Math.ceil(points.length / maxPoints)
  const out: T[] = []
  for (let i = 0; i < points.length; i += k) {
    const group = points.slice(i, i + k)
    const dt = group.reduce((s, p) => s + p.dt, 0)
    const avg = (f: (p: T) => number) => group.reduce((s, p) => s + f(p) * p.dt, 0) / dt
    const joined = { ...group[0]!, dt, read: avg((p) => p.read), write: avg((p) => p.write) }
    if ('top' in joined) {
      const top = new Map<string, ProcessRate>()
      for (const p of group as unknown as MachinePoint[])
        for (const x of p.top) {
          const held = top.get(x.name) ?? { name: x.name, read: 0, write: 0 }
          held.read += (x.read * p.dt) / dt
          held.write += (x.write * p.dt) / dt
          top.set(x.name, held)
        }
      ;(joined as unknown as MachinePoint).top = [...top.values()]
    }
    out.push(joined)
  }
  return out
}
