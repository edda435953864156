// The time range the charts and tables show: live, a preset ending now, or two fixed times. Pure functions.

export type PresetKey = '15m' | '1h' | '24h' | '7d'

export type TimeRange = { kind: 'live' } | { kind: 'preset'; preset: PresetKey } | { kind: 'custom'; from: number; to: number }

export const PRESETS: { key: PresetKey; label: string; ms: number }[] = [
  { key: '15m', label: '15 min', ms: 15 * 60_000 },
  { key: '1h', label: '1 h', ms: 3_600_000 },
  { key: '24h', label: '24 h', ms: 24 * 3_600_000 },
  { key: '7d', label: '7 d', ms: 7 * 24 * 3_600_000 },
]

export const LIVE: TimeRange = { kind: 'live' }

const isPreset = (s: string): s is PresetKey => PRESETS.some((p) => p.key === s)

/** A range from its URL form (`1h`, or `FROM..TO` in ISO 8601); anything else is live. */
export function parseRange(text: unknown): TimeRange {
  if (typeof text !== 'string' || text === '' || text === 'live') return LIVE
  if (isPreset(text)) return { kind: 'preset', preset: text }
  const [a, b, extra] = text.split('..')
  if (a === undefined || b === undefined || extra !== undefined) return LIVE
  const from = Date.parse(a)
  const to = Date.parse(b)
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return LIVE
  return { kind: 'custom', from, to }
}

/** The URL form of a range; undefined for live (the default, left out of the URL). */
export function formatRange(range: TimeRange): string | undefined {
  switch (range.kind) {
    case 'live':
      return undefined
    case 'preset':
      return range.preset
    case 'custom':
      return `${new Date(range.from).toISOString()}..${new Date(range.to).toISOString()}`
  }
}

/** The times a range covers at `now` (epoch ms); null when live. */
export function resolveRange(range: TimeRange, now: number): { from: number; to: number } | null {
  switch (range.kind) {
    case 'live':
      return null
    case 'preset':
      return { from: now - PRESETS.find((p) => p.key === range.preset)!.ms, to: now }
    case 'custom':
      return { from: range.from, to: range.to }
  }
}

export const sameRange = (a: TimeRange, b: TimeRange) => formatRange(a) === formatRange(b)

/** A short label: `live`, `last 1 h`, or the two local times. */
export function rangeLabel(range: TimeRange): string {
  switch (range.kind) {
    case 'live':
      return 'live'
    case 'preset':
      return `last ${PRESETS.find((p) => p.key === range.preset)!.label}`
    case 'custom':
      return `${new Date(range.from).toLocaleString()} – ${new Date(range.to).toLocaleString()}`
  }
}
