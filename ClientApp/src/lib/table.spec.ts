import { describe, expect, it } from 'vitest'
import { ariaSort, filterRows, nextSort, sortRows, type SortDir, type SortState } from './table'

interface Row {
  name: string
  writes: number
  reads: number
}

const rows: Row[] = [
  { name: 'zsh', writes: 10, reads: 500 },
  { name: 'Finder', writes: 300, reads: 0 },
  { name: 'mds_stores', writes: 300, reads: 20 },
  { name: 'kernel_task', writes: 0, reads: 9000 },
  { name: 'app10', writes: 1, reads: 1 },
  { name: 'app9', writes: 1, reads: 1 },
]

type Key = 'name' | 'writes' | 'reads'
const accessors = { name: (r: Row) => r.name, writes: (r: Row) => r.writes, reads: (r: Row) => r.reads }
const names = (list: readonly Row[]) => list.map((r) => r.name)
const sort = (state: SortState<Key>) => names(sortRows(rows, state, accessors, (r) => r.name))

describe('sortRows', () => {
  it('sorts numbers descending with the name as tie-breaker', () => {
    expect(sort({ key: 'writes', dir: 'desc' })).toEqual(['Finder', 'mds_stores', 'zsh', 'app9', 'app10', 'kernel_task'])
  })

  it('sorts numbers ascending', () => {
    expect(sort({ key: 'reads', dir: 'asc' })).toEqual(['Finder', 'app9', 'app10', 'mds_stores', 'zsh', 'kernel_task'])
  })

  it('sorts names ignoring case and comparing digits as numbers', () => {
    expect(sort({ key: 'name', dir: 'asc' })).toEqual(['app9', 'app10', 'Finder', 'kernel_task', 'mds_stores', 'zsh'])
    expect(sort({ key: 'name', dir: 'desc' })).toEqual(['zsh', 'mds_stores', 'kernel_task', 'Finder', 'app10', 'app9'])
  })

  it('does not change the input array', () => {
    const before = names(rows)
    sort({ key: 'reads', dir: 'desc' })
    expect(names(rows)).toEqual(before)
  })
})

describe('nextSort', () => {
  const natural = (k: Key): SortDir => (k === 'name' ? 'asc' : 'desc')

  it('flips the direction of the current column', () => {
    expect(nextSort({ key: 'writes', dir: 'desc' }, 'writes', natural)).toEqual({ key: 'writes', dir: 'asc' })
    expect(nextSort({ key: 'writes', dir: 'asc' }, 'writes', natural)).toEqual({ key: 'writes', dir: 'desc' })
  })

  it('starts a new column with its natural direction', () => {
    expect(nextSort({ key: 'writes', dir: 'asc' }, 'name', natural)).toEqual({ key: 'name', dir: 'asc' })
    expect(nextSort({ key: 'name', dir: 'asc' }, 'reads', natural)).toEqual({ key: 'reads', dir: 'desc' })
  })

  it('reports aria-sort', () => {
    expect(ariaSort({ key: 'name', dir: 'asc' }, 'name')).toBe('ascending')
    expect(ariaSort({ key: 'name', dir: 'desc' }, 'name')).toBe('descending')
    expect(ariaSort({ key: 'name', dir: 'desc' }, 'reads')).toBe('none')
  })
})

describe('filterRows', () => {
  it('keeps rows containing the query, ignoring case', () => {
    expect(names(filterRows(rows, 'APP', (r) => r.name))).toEqual(['app10', 'app9'])
    expect(names(filterRows(rows, 'der', (r) => r.name))).toEqual(['Finder'])
  })

  it('keeps everything for an empty or blank query and nothing when no row matches', () => {
    expect(filterRows(rows, '', (r) => r.name)).toBe(rows)
    expect(filterRows(rows, '   ', (r) => r.name)).toBe(rows)
    expect(filterRows(rows, 'nope', (r) => r.name)).toEqual([])
  })

  it('matches special characters literally', () => {
    const odd = [{ name: 'a.b', writes: 0, reads: 0 }, { name: 'axb', writes: 0, reads: 0 }, { name: '50% (x)', writes: 0, reads: 0 }]
    expect(names(filterRows(odd, '.', (r) => r.name))).toEqual(['a.b'])
    expect(names(filterRows(odd, '% (', (r) => r.name))).toEqual(['50% (x)'])
  })
})
