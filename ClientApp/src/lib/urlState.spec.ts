import { describe, expect, it } from 'vitest'
import { formatRange, parseRange, rangeLabel, resolveRange, type TimeRange } from './range'
import { formatDir, formatSort, parseDir, parseSort, parseText, withQuery } from './urlState'

describe('URL state', () => {
  const keys = ['name', 'writes', 'busy'] as const
  const fallback = { key: 'busy', dir: 'desc' } as const

  it('round-trips the sort, leaving the default out of the URL', () => {
    for (const s of [{ key: 'name', dir: 'asc' }, { key: 'writes', dir: 'desc' }, { key: 'name', dir: 'desc' }] as const) {
      expect(parseSort(formatSort(s, fallback), keys, fallback)).toEqual(s)
    }
    expect(formatSort(fallback, fallback)).toBeUndefined()
    expect(parseSort(undefined, keys, fallback)).toEqual(fallback)
    expect(parseSort('nope.asc', keys, fallback)).toEqual(fallback)
    expect(parseSort('name.sideways', keys, fallback)).toEqual(fallback)
    expect(parseSort(['writes.asc', 'name.asc'], keys, fallback)).toEqual({ key: 'writes', dir: 'asc' })
  })

  it('round-trips the folder, names with slashes and percent signs included', () => {
    for (const dir of [[], ['usr', 'lib'], ['a/b', '50%', '%2F', 'ü ß']]) {
      expect(parseDir(formatDir(dir))).toEqual(dir)
    }
    expect(formatDir([])).toBeUndefined()
    expect(formatDir(['usr', 'lib'])).toBe('usr/lib')
  })

  it('round-trips the time range', () => {
    const ranges: TimeRange[] = [
      { kind: 'live' },
      { kind: 'preset', preset: '15m' },
      { kind: 'preset', preset: '7d' },
      { kind: 'custom', from: Date.parse('2024-05-01T14:00:00Z'), to: Date.parse('2024-05-01T15:00:00Z') },
    ]
    for (const r of ranges) expect(parseRange(formatRange(r))).toEqual(r)
    expect(formatRange({ kind: 'live' })).toBeUndefined()
    expect(formatRange(ranges[3]!)).toBe('2024-05-01T14:00:00.000Z..2024-05-01T15:00:00.000Z')
    // Nonsense, or an end before the start, is live.
    for (const bad of ['2h', 'a..b', '2024-05-01T15:00:00Z..2024-05-01T14:00:00Z', '1..2..3', 42]) expect(parseRange(bad)).toEqual({ kind: 'live' })
    expect(resolveRange({ kind: 'preset', preset: '1h' }, 10_000_000)).toEqual({ from: 6_400_000, to: 10_000_000 })
    expect(resolveRange({ kind: 'live' }, 1)).toBeNull()
    expect(rangeLabel({ kind: 'preset', preset: '24h' })).toBe('last 24 h')
  })

  it('changes a query without losing the other keys; empty values leave', () => {
    expect(withQuery({ q: 'a', view: 'folders' }, { q: '', sort: 'name.asc' })).toEqual({ view: 'folders', sort: 'name.asc' })
    expect(parseText(['x', 'y'])).toBe('x')
    expect(parseText(undefined)).toBe('')
  })
})
