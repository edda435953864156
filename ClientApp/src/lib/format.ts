const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'] as const

/** Bytes in binary units with two decimals: `0 B`, `512 B`, `1.00 KiB`, `1.50 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—'
  const sign = bytes < 0 ? '-' : ''
  let value = Math.abs(bytes)
  if (value < 1024) return `${sign}${Math.round(value)} B`
  let unit = 0
  while (unit < UNITS.length - 1 && value >= 1024) {
    value /= 1024
    unit++
  }
  // 1023.999 KiB would print as "1024.00 KiB": move up one unit instead.
  if (Number(value.toFixed(2)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${sign}${value.toFixed(2)} ${UNITS[unit]}`
}

/** A rate in bytes per second, e.g. `1.50 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'} ago`

/**
 * A time relative to `now`: "just now", "12 seconds ago", "3 minutes ago",
 * "2 hours ago", "5 days ago". Times slightly in the future (clock skew) read as "just now".
 */
export function formatRelative(time: string | number | null | undefined, now: number): string {
  if (time === null || time === undefined || time === '') return 'never'
  const ms = typeof time === 'number' ? time : Date.parse(time)
  if (!Number.isFinite(ms)) return 'never'
  const seconds = Math.max(0, Math.floor((now - ms) / 1000))
  if (seconds < 5) return 'just now'
  if (seconds < 60) return plural(seconds, 'second')
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return plural(minutes, 'minute')
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return plural(hours, 'hour')
  return plural(Math.floor(hours / 24), 'day')
}

/** Full local date and time for tooltips. */
export function formatTimestamp(time: string | number | null | undefined): string {
  if (time === null || time === undefined || time === '') return ''
  const ms = typeof time === 'number' ? time : Date.parse(time)
  if (!Number.isFinite(ms)) return ''
  return new Date(ms).toLocaleString()
}

const intFormat = new Intl.NumberFormat('en-US')

/** An integer count with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? intFormat.format(n) : '—'
}

/** Parses an ISO time to epoch milliseconds, 0 when missing or invalid. */
export function parseTime(time: string | null | undefined): number {
  if (!time) return 0
  const ms = Date.parse(time)
  return Number.isFinite(ms) ? ms : 0
}
