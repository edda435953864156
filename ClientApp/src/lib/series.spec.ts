import { describe, expect, it } from 'vitest'
import type { ChangedProcess, Changes } from '@/api/types'
import { emptyTotals, unknownSource } from '@/api/types'
import {
  appendCapped,
  historyHasDisk,
  historyToPoints,
  machineHistory,
  machinePoint,
  mergeHistory,
  OTHER,
  processFromMachine,
  processPoint,
  stackTop,
  toXY,
  type MachinePoint,
  type RatePoint,
} from './series'

const T0 = Date.parse('2024-05-01T12:00:00Z')
const iso = (ms: number) => new Date(ms).toISOString()

const proc = (name: string, readDelta: number, writeDelta: number): ChangedProcess => ({
  name,
  reads: readDelta,
  writes: writeDelta,
  lastUpdated: iso(T0),
  events: 1,
  files: 1,
  readDelta,
  writeDelta,
})

const push = (ms: number, intervalSeconds: number, processes: ChangedProcess[]): Changes => ({
  time: iso(ms),
  intervalSeconds,
  reset: false,
  totals: emptyTotals(),
  source: unknownSource(),
  processes,
  removed: [],
})

const pt = (t: number, read = 0, write = 0, dt = 1): RatePoint => ({ t, dt, read, write })

describe('machinePoint and processPoint', () => {
  it('divides the summed deltas by the interval', () => {
    const m = machinePoint(push(T0, 2, [proc('a', 100, 400), proc('b', 0, 1000), proc('c', 0, 0)]))
    expect(m.t).toBe(T0)
    expect(m.read).toBe(50)
    expect(m.write).toBe(700)
    expect(m.top.map((p) => p.name)).toEqual(['b', 'a'])
    expect(m.top[0]).toEqual({ name: 'b', read: 0, write: 500 })
  })

  it('keeps only the busiest processes by name but all in the total', () => {
    const m = machinePoint(push(T0, 1, [proc('a', 1, 0), proc('b', 5, 0), proc('c', 3, 0)]), 2)
    expect(m.top.map((p) => p.name)).toEqual(['b', 'c'])
    expect(m.read).toBe(9)
  })

  it('treats a missing or zero interval as one second', () => {
    expect(machinePoint(push(T0, 0, [proc('a', 10, 0)])).read).toBe(10)
  })

  it('gives zero for a process absent from the push', () => {
    const c = push(T0, 0.5, [proc('a', 10, 20)])
    expect(processPoint(c, 'a')).toEqual({ t: T0, dt: 0.5, read: 20, write: 40 })
    expect(processPoint(c, 'zz')).toEqual({ t: T0, dt: 0.5, read: 0, write: 0 })
  })

  it('derives a process series from machine points', () => {
    const m = [machinePoint(push(T0, 1, [proc('a', 10, 0)])), machinePoint(push(T0 + 1000, 1, [proc('b', 5, 0)]))]
    expect(processFromMachine(m, 'a').map((p) => p.read)).toEqual([10, 0])
  })
})

describe('appendCapped', () => {
  it('drops points older than the window', () => {
    let s: RatePoint[] = []
    for (let i = 0; i < 10; i++) s = appendCapped(s, pt(T0 + i * 1000), 5000)
    expect(s.map((p) => (p.t - T0) / 1000)).toEqual([4, 5, 6, 7, 8, 9])
  })

  it('never holds more than the maximum count', () => {
    let s: RatePoint[] = []
    for (let i = 0; i < 50; i++) s = appendCapped(s, pt(T0 + i * 10), 60_000, 20)
    expect(s).toHaveLength(20)
    expect(s[19]!.t).toBe(T0 + 490)
  })

  it('keeps time order for a late point and ignores invalid times', () => {
    let s = [pt(T0), pt(T0 + 2000)]
    s = appendCapped(s, pt(T0 + 1000))
    expect(s.map((p) => p.t - T0)).toEqual([0, 1000, 2000])
    expect(appendCapped(s, pt(Number.NaN))).toHaveLength(3)
  })

  it('does not change the input', () => {
    const s = [pt(T0)]
    appendCapped(s, pt(T0 + 1000))
    expect(s).toHaveLength(1)
  })
})

describe('history', () => {
  const hist = (bucketSeconds: number, pts: [number, number, number][]) => ({
    bucketSeconds,
    points: pts.map(([s, reads, writes]) => ({ time: iso(T0 + s * 1000), reads, writes })),
  })

  it('turns buckets into rates', () => {
    expect(historyToPoints(hist(10, [[10, 100, 50], [0, 0, 0]]))).toEqual([
      { t: T0, dt: 10, read: 0, write: 0 },
      { t: T0 + 10_000, dt: 10, read: 10, write: 5 },
    ])
  })

  it('combines the total with per-process histories', () => {
    const m = machineHistory(hist(10, [[0, 100, 200]]), [
      { name: 'a', history: hist(10, [[0, 60, 0]]) },
      { name: 'b', history: hist(10, [[0, 0, 0]]) },
    ])
    expect(m).toEqual([{ t: T0, dt: 10, read: 10, write: 20, top: [{ name: 'a', read: 6, write: 0 }] }])
  })

  it('reads the disk figures of a history that has them, and knows one that has none', () => {
    const withDisk = {
      bucketSeconds: 10,
      points: [
        { time: iso(T0), reads: 1000, writes: 500, diskReads: 100, diskWrites: 300 },
        { time: iso(T0 + 10_000), reads: 10, writes: 0 },
      ],
    }
    expect(historyHasDisk(withDisk)).toBe(true)
    expect(historyToPoints(withDisk, 'disk')).toEqual([
      { t: T0, dt: 10, read: 10, write: 30 },
      { t: T0 + 10_000, dt: 10, read: 0, write: 0 },
    ])
    expect(historyToPoints(withDisk)[0]).toEqual({ t: T0, dt: 10, read: 100, write: 50 })
    const m = machineHistory(withDisk, [{ name: 'dd', history: { bucketSeconds: 10, points: [withDisk.points[0]!] } }], 'disk')
    expect(m[0]!.top).toEqual([{ name: 'dd', read: 10, write: 30 }])
    expect(historyHasDisk(hist(10, [[0, 1, 1]]))).toBe(false)
  })

  it('puts history before the newer live points', () => {
    const h = [pt(T0), pt(T0 + 10_000)]
    const live = [pt(T0 + 5000, 1), pt(T0 + 11_000, 2), pt(T0 + 12_000, 3)]
    expect(mergeHistory(h, live).map((p) => p.t - T0)).toEqual([0, 10_000, 11_000, 12_000])
    expect(mergeHistory([], live)).toHaveLength(3)
  })
})

describe('toXY and stackTop', () => {
  it('breaks the line over a gap', () => {
    const xy = toXY([pt(T0, 1), pt(T0 + 1000, 2), pt(T0 + 60_000, 3)], (p) => p.read)
    expect(xy).toEqual([
      [T0, 1],
      [T0 + 1000, 2],
      [T0 + 30_500, null],
      [T0 + 60_000, 3],
    ])
  })

  const m = (s: number, read: number, write: number, top: [string, number, number][]): MachinePoint => ({
    t: T0 + s * 1000,
    dt: 1,
    read,
    write,
    top: top.map(([name, r, w]) => ({ name, read: r, write: w })),
  })

  it('stacks the busiest processes and puts the rest in other', () => {
    const points = [
      m(0, 100, 1000, [['big', 0, 900], ['mid', 80, 0], ['small', 10, 10]]),
      m(1, 50, 500, [['big', 0, 500], ['small', 30, 0]]),
    ]
    const s = stackTop(points, 2)
    expect(s.names).toEqual(['big', 'mid', OTHER])
    expect(s.write.big).toEqual([[T0, 900], [T0 + 1000, 500]])
    expect(s.read.mid).toEqual([[T0, 80], [T0 + 1000, 0]])
    expect(s.read[OTHER]).toEqual([[T0, 20], [T0 + 1000, 50]])
    expect(s.write[OTHER]).toEqual([[T0, 100], [T0 + 1000, 0]])
  })

  it('leaves other out when the top covers everything, and shows it alone without names', () => {
    expect(stackTop([m(0, 10, 0, [['a', 10, 0]])], 5).names).toEqual(['a'])
    const s = stackTop([m(0, 10, 0, [])], 5)
    expect(s.names).toEqual([OTHER])
    expect(s.read[OTHER]).toEqual([[T0, 10]])
  })
})

describe('rebucket', () => {
  it('joins consecutive points into wider buckets, rates weighted by time, top processes added up', async () => {
    const { rebucket } = await import('./series')
    const pts = Array.from({ length: 10 }, (_, i) => ({ t: i * 60_000, dt: 60, read: i, write: 1, top: [{ name: 'cc', read: i, write: 0 }] }))
    const out = rebucket(pts, 5)
    expect(out).toHaveLength(5)
    expect(out[0]).toEqual({ t: 0, dt: 120, read: 0.5, write: 1, top: [{ name: 'cc', read: 0.5, write: 0 }] })
    expect(rebucket(pts, 10)).toHaveLength(10)
  })
})
