import { describe, expect, it } from 'vitest'
import { colorAt, darkTheme, lightTheme, MIN_SPAN_MS, rateOption, timeBounds } from './chartOption'
import { OTHER } from './series'

describe('rateOption', () => {
  const series = [
    { name: 'cp', data: [[1, 10] as [number, number]] },
    { name: OTHER, data: [[1, 2] as [number, number]] },
  ]

  it('stacks areas when asked, with grey for the rest', () => {
    const o = rateOption(series, lightTheme, true)
    const s = o.series as { name: string; stack?: string; color: string }[]
    expect(s.map((x) => [x.name, x.stack, x.color])).toEqual([
      ['cp', 'total', lightTheme.palette[0]],
      [OTHER, 'total', lightTheme.other],
    ])
  })

  it('draws plain lines with the given colours otherwise', () => {
    const o = rateOption(series, darkTheme, false, ['#111', '#222'])
    const s = o.series as { stack?: string; color: string }[]
    expect(s.map((x) => [x.stack, x.color])).toEqual([
      [undefined, '#111'],
      [undefined, '#222'],
    ])
  })

  it('labels the value axis as rates', () => {
    const o = rateOption(series, lightTheme, true) as { yAxis: { axisLabel: { formatter: (v: number) => string } } }
    expect(o.yAxis.axisLabel.formatter(1536)).toBe('1.50 KiB/s')
    expect(colorAt('x', 9, lightTheme)).toBe(lightTheme.palette[1])
  })

  it('shows the last seconds, not days, while the points span less than the shortest span', () => {
    const t = Date.UTC(2026, 10, 26, 16, 25, 44)
    const one = [{ name: 'cp', data: [[t, 10] as [number, number]] }]
    const o = rateOption(one, lightTheme, true) as { xAxis: { min?: number; max?: number } }
    expect([o.xAxis.min, o.xAxis.max]).toEqual([t - MIN_SPAN_MS, t])
    const two = [
      { name: 'cp', data: [[t, 10] as [number, number]] },
      { name: OTHER, data: [[t + 3000, 2] as [number, number]] },
    ]
    expect(timeBounds(two)).toEqual({ min: t + 3000 - MIN_SPAN_MS, max: t + 3000 })
    // Enough history: ECharts fits the axis to the data.
    const long = [{ name: 'cp', data: [[t, 1] as [number, number], [t + MIN_SPAN_MS, 2] as [number, number]] }]
    const fitted = rateOption(long, lightTheme, true) as { xAxis: { min?: number; max?: number } }
    expect([fitted.xAxis.min, fitted.xAxis.max]).toEqual([undefined, undefined])
    expect(timeBounds([{ name: 'cp', data: [] }])).toBeUndefined()
  })
})
