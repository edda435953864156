import { describe, expect, it } from 'vitest'
import type { ChangedProcess, Changes } from '@/api/types'
import { appendPush, forget, pushDeltas, ratesAt, RATE_WINDOW_S, sparkline, sparkPath, SPARK_SECONDS } from './rates'
import { fileRates, fileSnapshot, keepRecent } from './fileRates'

const T = Date.parse('2024-05-01T12:00:00Z')
const p = (name: string, readDelta: number, writeDelta: number): ChangedProcess => ({
  name, reads: 0, writes: 0, lastUpdated: '', events: 1, files: 1, readDelta, writeDelta,
})
const changes = (s: number, processes: ChangedProcess[]): Changes => ({
  time: new Date(T + s * 1000).toISOString(),
  intervalSeconds: 1,
  reset: false,
  totals: { events: 0, malformedLines: 0, droppedEvents: 0, reads: 0, writes: 0 },
  source: { name: 'x', measures: '', state: 'running', message: null, restarts: 0 },
  processes,
  removed: [],
})

describe('rates from the pushes', () => {
  it('averages what the pushes of the last seconds moved over that window', () => {
    let pushes = appendPush([], pushDeltas(changes(1, [p('cc', 100, 1000), p('ld', 0, 0)])))
    pushes = appendPush(pushes, pushDeltas(changes(2, [p('cc', 400, 0)])))
    // A push that moved nothing is not kept; a process that moved nothing has no rate.
    expect(pushes).toHaveLength(2)
    const r = ratesAt(pushes, T + 2000)
    expect(r.get('cc')).toEqual({ read: 500 / RATE_WINDOW_S, write: 1000 / RATE_WINDOW_S })
    expect(r.has('ld')).toBe(false)
  })

  it('falls to zero as time passes without pushes (the daemon pushes nothing while idle)', () => {
    const pushes = appendPush([], pushDeltas(changes(1, [p('cc', 0, 500)])))
    expect(ratesAt(pushes, T + 1000 + (RATE_WINDOW_S - 1) * 1000).get('cc')!.write).toBe(100)
    expect(ratesAt(pushes, T + 1000 + RATE_WINDOW_S * 1000).has('cc')).toBe(false)
  })

  it('keeps the pushes of the sparkline span only, and forgets a deleted process', () => {
    let pushes = appendPush([], pushDeltas(changes(0, [p('cc', 1, 1)])))
    pushes = appendPush(pushes, pushDeltas(changes(SPARK_SECONDS + 1, [p('cc', 2, 2), p('ld', 1, 0)])))
    expect(pushes.map((x) => x.t)).toEqual([T + (SPARK_SECONDS + 1) * 1000])
    const gone = forget(pushes, 'cc')
    expect([...gone[0]!.deltas.keys()]).toEqual(['ld'])
    expect(pushes[0]!.deltas.has('cc')).toBe(true)
  })

  it('gives a per-second history for the sparkline, oldest first', () => {
    let pushes = appendPush([], pushDeltas(changes(1, [p('cc', 10, 0)])))
    pushes = appendPush(pushes, pushDeltas(changes(3, [p('cc', 0, 30)])))
    const line = sparkline(pushes, 'cc', T + 3000, 4)
    expect(line).toEqual([0, 10, 0, 30])
    expect(sparkline(pushes, 'nobody', T + 3000, 4)).toEqual([0, 0, 0, 0])
    expect(sparkPath([0, 10], 10, 10)).toBe('M0.0 9.5L10.0 0.5')
    expect(sparkPath([0, 0], 10, 10)).toBe('')
  })
})

describe('file rates from successive file lists', () => {
  const f = (path: string, reads: number, writes: number) => ({ path, reads, writes, lastUpdated: '', events: 1, merged: false })
  it('divides what each file grew by between the first and last fetch by the time between them', () => {
    const a = fileSnapshot([f('/a', 100, 0), f('/b', 0, 10)], T)
    const b = fileSnapshot([f('/a', 300, 0), f('/b', 0, 10), f('/new', 0, 50)], T + 2000)
    const r = fileRates(keepRecent([a, b], 5000), false)
    expect(r.get('/a')).toEqual({ read: 100, write: 0 })
    expect(r.has('/b')).toBe(false)
    expect(r.get('/new')).toEqual({ read: 0, write: 25 })
    // An idle process has no file rates, whatever its last fetches said.
    expect(fileRates([a, b], true).size).toBe(0)
    // Old fetches leave the window, but the one before the newest is kept.
    expect(keepRecent([a, b, fileSnapshot([], T + 60_000)], 5000).map((s) => s.t)).toEqual([T + 2000, T + 60_000])
  })
})
