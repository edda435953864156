import { describe, expect, it } from 'vitest'
import { csvField, fileName, toCsv, toJson } from './exportData'
import { processColumns } from './exports'

const row = (name: string, writes: number) => ({
  name, reads: 1, writes, readRate: 0.4, writeRate: 2.6, events: 3, files: null, lastUpdated: '2024-05-01T12:00:00Z', updatedMs: 0,
})

describe('export', () => {
  it('writes CSV with a header, raw numbers and quoted fields where needed', () => {
    const csv = toCsv([row('cc', 1024), row('my "app", v2', 0)], processColumns)
    expect(csv.split('\r\n')).toEqual([
      'process,writes,reads,writesPerSecond,readsPerSecond,events,files,lastUpdated',
      'cc,1024,1,3,0,3,,2024-05-01T12:00:00Z',
      '"my ""app"", v2",0,1,3,0,3,,2024-05-01T12:00:00Z',
      '',
    ])
    expect(csvField('a\nb')).toBe('"a\nb"')
    expect(csvField(' lead')).toBe('" lead"')
    expect(csvField(true)).toBe('true')
  })

  it('writes JSON keyed by the same headers', () => {
    expect(JSON.parse(toJson([row('cc', 5)], processColumns))).toEqual([
      { process: 'cc', writes: 5, reads: 1, writesPerSecond: 3, readsPerSecond: 0, events: 3, files: null, lastUpdated: '2024-05-01T12:00:00Z' },
    ])
  })

  it('makes file names that file systems accept', () => {
    expect(fileName('my app/x files', 'csv')).toBe('my_app_x_files.csv')
    expect(fileName('///', 'json')).toBe('export.json')
  })
})
