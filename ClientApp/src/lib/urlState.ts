// Table and folder state in the URL's query, so that a view can be shared and survives a reload. Pure functions.
import type { SortDir, SortState } from './table'

export type Query = Record<string, string | null | (string | null)[] | undefined>

const first = (v: Query[string]): string | undefined => (Array.isArray(v) ? (v[0] ?? undefined) : (v ?? undefined))

/** `writes.desc` → { key: 'writes', dir: 'desc' }, when the key is one of `keys`; else the fallback. */
export function parseSort<K extends string>(v: Query[string], keys: readonly K[], fallback: SortState<K>): SortState<K> {
  const text = first(v)
  if (!text) return fallback
  const dot = text.lastIndexOf('.')
  const key = text.slice(0, dot) as K
  const dir = text.slice(dot + 1) as SortDir
  if (dot < 1 || !keys.includes(key) || (dir !== 'asc' && dir !== 'desc')) return fallback
  return { key, dir }
}

export function formatSort<K extends string>(sort: SortState<K>, fallback: SortState<K>): string | undefined {
  return sort.key === fallback.key && sort.dir === fallback.dir ? undefined : `${sort.key}.${sort.dir}`
}

export const parseText = (v: Query[string]): string => first(v) ?? ''

/** The folder path as shown (`/usr/lib`) from its segments; undefined at the top. */
export function formatDir(segments: readonly string[]): string | undefined {
  return segments.length === 0 ? undefined : segments.map(encodeSegment).join('/')
}

/** Segments from the URL form of a folder. */
export function parseDir(v: Query[string]): string[] {
  const text = first(v)
  if (!text) return []
  return text.split('/').filter((s) => s !== '').map(decodeSegment)
}

// A segment may itself contain nothing but '/' is the separator; '%' is escaped so that '%2F' round-trips.
const encodeSegment = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2F')
const decodeSegment = (s: string) => s.replace(/%2F/gi, '/').replace(/%25/g, '%')

/** The query with `changes` applied: an undefined or empty value removes the key. */
export function withQuery(query: Query, changes: Record<string, string | undefined>): Query {
  const out: Query = { ...query }
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') delete out[k]
    else out[k] = v
  }
  return out
}
