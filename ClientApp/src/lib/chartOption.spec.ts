import { describe, expect, it } from 'vitest'
import { colorAt, darkTheme, lightTheme, rateOption } from './chartOption'
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
})
