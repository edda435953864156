// Sorting and filtering for the process and file tables. Pure functions.

export type SortDir = 'asc' | 'desc'

export interface SortState<K extends string> {
  key: K
  dir: SortDir
}

export type Accessors<T, K extends string> = Record<K, (row: T) => number | string>

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Compares numbers numerically and strings with a case-insensitive, digit-aware collation. */
export function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return collator.compare(String(a), String(b))
}

/**
 * Returns a new array sorted by `state.key`. Ties fall back to `tie` (ascending),
 * so the order is stable across updates.
 */
export function sortRows<T, K extends string>(
  rows: readonly T[],
  state: SortState<K>,
  accessors: Accessors<T, K>,
  tie: (row: T) => string,
  thenBy?: K,
): T[] {
  const get = accessors[state.key]
  const then = thenBy === undefined ? undefined : accessors[thenBy]
  const sign = state.dir === 'asc' ? 1 : -1
  return [...rows].sort((a, b) => {
    const c = compareValues(get(a), get(b)) * sign
    if (c !== 0) return c
    const d = then ? compareValues(then(b), then(a)) : 0
    return d !== 0 ? d : collator.compare(tie(a), tie(b))
  })
}

/**
 * The sort after a click on the header of `key`: the same column flips direction,
 * a new column starts with its natural direction (text ascending, numbers descending).
 */
export function nextSort<K extends string>(
  current: SortState<K>,
  key: K,
  naturalDir: (key: K) => SortDir,
): SortState<K> {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' }
  return { key, dir: naturalDir(key) }
}

/** Keeps the rows whose text contains `query`, ignoring case. An empty query keeps all. */
export function filterRows<T>(rows: readonly T[], query: string, text: (row: T) => string): readonly T[] {
  const q = query.trim().toLocaleLowerCase()
  if (q === '') return rows
  return rows.filter((row) => text(row).toLocaleLowerCase().includes(q))
}

/** Value for the aria-sort attribute of a header. */
export function ariaSort<K extends string>(state: SortState<K>, key: K): 'ascending' | 'descending' | 'none' {
  if (state.key !== key) return 'none'
  return state.dir === 'asc' ? 'ascending' : 'descending'
}
