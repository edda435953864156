import { describe, expect, it } from 'vitest'
import { formatBytes, formatCount, formatRate, formatRelative, parseTime } from './format'

describe('formatBytes', () => {
  it('prints whole bytes below one KiB', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1)).toBe('1 B')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1023)).toBe('1023 B')
  })

  it('uses binary units with two decimals', () => {
    expect(formatBytes(1024)).toBe('1.00 KiB')
    expect(formatBytes(1536)).toBe('1.50 KiB')
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.50 MiB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB')
    expect(formatBytes(1024 ** 4)).toBe('1.00 TiB')
    expect(formatBytes(2.25 * 1024 ** 5)).toBe('2.25 PiB')
  })

  it('moves to the next unit instead of printing 1024.00', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.00 MiB')
    expect(formatBytes(1024 * 1024 - 6)).toBe('1023.99 KiB')
  })

  it('handles odd input', () => {
    expect(formatBytes(Number.NaN)).toBe('—')
    expect(formatBytes(-2048)).toBe('-2.00 KiB')
  })

  it('formats rates', () => {
    expect(formatRate(2048)).toBe('2.00 KiB/s')
  })
})

describe('formatRelative', () => {
  const now = Date.parse('2024-05-01T12:00:00Z')
  const ago = (s: number) => new Date(now - s * 1000).toISOString()

  it('reads recent times as just now', () => {
    expect(formatRelative(ago(0), now)).toBe('just now')
    expect(formatRelative(ago(4), now)).toBe('just now')
    expect(formatRelative(new Date(now + 3000).toISOString(), now)).toBe('just now')
  })

  it('counts seconds, minutes, hours and days with plurals', () => {
    expect(formatRelative(ago(12), now)).toBe('12 seconds ago')
    expect(formatRelative(ago(60), now)).toBe('1 minute ago')
    expect(formatRelative(ago(3 * 60 + 20), now)).toBe('3 minutes ago')
    expect(formatRelative(ago(3600), now)).toBe('1 hour ago')
    expect(formatRelative(ago(5 * 3600), now)).toBe('5 hours ago')
    expect(formatRelative(ago(86400), now)).toBe('1 day ago')
    expect(formatRelative(ago(3 * 86400), now)).toBe('3 days ago')
  })

  it('accepts epoch milliseconds and reports missing times', () => {
    expect(formatRelative(now - 120_000, now)).toBe('2 minutes ago')
    expect(formatRelative(null, now)).toBe('never')
    expect(formatRelative('not a date', now)).toBe('never')
  })
})

describe('formatCount and parseTime', () => {
  it('groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(0)).toBe('0')
  })

  it('parses ISO times and falls back to 0', () => {
    expect(parseTime('2024-05-01T12:00:00Z')).toBe(Date.parse('2024-05-01T12:00:00Z'))
    expect(parseTime(null)).toBe(0)
    expect(parseTime('garbage')).toBe(0)
  })
})
