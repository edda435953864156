import { describe, expect, it } from 'vitest'
import * as echarts from 'echarts'
import { applyOption, type ChartOption } from '@/composables/useChart'
import { axisRate, colorAt, darkTheme, lightTheme, MIN_SPAN_MS, niceScale, peakValue, rateOption, timeBounds, type ChartSeries } from './chartOption'
import { PRESETS, resolveRange } from './range'
import { OTHER, type XY } from './series'

const T = Date.UTC(2026, 10, 26, 16, 25, 44)
/** A series of one point a second from T + from s to T + to s. */
const secs = (from: number, to: number, v = 10): XY[] => Array.from({ length: to - from + 1 }, (_, i) => [T + (from + i) * 1000, v])

/** A real ECharts instance without a DOM (server-side rendering), to see what the axes end up as. */
function realChart() {
  return echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 200 })
}
interface AxisModel {
  axis: { type: string; scale: { getExtent(): [number, number] } }
}
const model = (c: echarts.ECharts) => (c as unknown as { getModel(): { getComponent(n: string): AxisModel } }).getModel()
const extent = (c: echarts.ECharts, axis: 'xAxis' | 'yAxis') => model(c).getComponent(axis).axis.scale.getExtent()

describe('rateOption', () => {
  const series = [
    { name: 'cp', data: [[1, 10] as [number, number]] },
    { name: OTHER, data: [[1, 2] as [number, number]] },
  ]

  it('stacks areas when asked, with grey for the rest', () => {
    const o = rateOption(series, lightTheme, { stacked: true })
    const s = o.series as { name: string; stack?: string; color: string }[]
    expect(s.map((x) => [x.name, x.stack, x.color])).toEqual([
      ['cp', 'total', lightTheme.palette[0]],
      [OTHER, 'total', lightTheme.other],
    ])
  })

  it('draws plain lines with the given colours otherwise', () => {
    const o = rateOption(series, darkTheme, { colors: ['#111', '#222'] })
    const s = o.series as { stack?: string; color: string }[]
    expect(s.map((x) => [x.stack, x.color])).toEqual([
      [undefined, '#111'],
      [undefined, '#222'],
    ])
  })

  it('labels the value axis as rates, with round figures', () => {
    const o = rateOption(series, lightTheme, { stacked: true }) as { yAxis: { axisLabel: { formatter: (v: number) => string } } }
    expect(o.yAxis.axisLabel.formatter(1536)).toBe('1.5 KiB/s')
    expect(o.yAxis.axisLabel.formatter(2 * 1024 ** 3)).toBe('2 GiB/s')
    expect(axisRate(1.25 * 1024 ** 3)).toBe('1.25 GiB/s')
    expect(axisRate(512)).toBe('512 B/s')
    expect(colorAt('x', 9, lightTheme)).toBe(lightTheme.palette[1])
  })

  it('picks ticks that are round in binary units (no 1.86 GiB/s)', () => {
    // The reported case: a peak of 3.9 GiB/s gave ticks every 1.86 GiB/s.
    const peak = 3.9 * 1024 ** 3
    const { max, interval } = niceScale(peak)
    expect(interval).toBe(1024 ** 3)
    expect(max).toBe(4 * 1024 ** 3)
    for (let v = 0; v <= max; v += interval) expect(axisRate(v)).toMatch(/^\d+(\.(25|5|75))? (B|KiB|MiB|GiB)\/s$/)
    const small = niceScale(700 * 1024 ** 2)
    for (let v = 0; v <= small.max; v += small.interval) expect(axisRate(v)).toMatch(/^\d+(\.(25|5|75))? (B|KiB|MiB|GiB)\/s$/)
    expect(niceScale(0)).toEqual({ max: 4, interval: 1 })
    // A stacked chart's axis reaches the highest sum, not the highest single series.
    expect(peakValue([{ name: 'a', data: [[1, 3], [2, 1]] }, { name: 'b', data: [[1, 4], [2, null]] }], true)).toBe(7)
    expect(peakValue([{ name: 'a', data: [[1, 3], [2, 1]] }, { name: 'b', data: [[1, 4], [2, null]] }], false)).toBe(4)
  })

  it('shows the last seconds, not days, while the points span less than the shortest span', () => {
    const one = [{ name: 'cp', data: [[T, 10] as [number, number]] }]
    const o = rateOption(one, lightTheme, { stacked: true }) as { xAxis: { min?: unknown; max?: unknown } }
    expect([o.xAxis.min, o.xAxis.max]).toEqual([T - MIN_SPAN_MS, T])
    // Enough history: the axis fits the data, and says so (a bound left out would keep the old one).
    const long = [{ name: 'cp', data: secs(0, 10) }]
    expect(timeBounds(long)).toEqual({ min: 'dataMin', max: 'dataMax' })
    expect(timeBounds([{ name: 'cp', data: [] }])).toEqual({ min: 'dataMin', max: 'dataMax' })
  })

  it('keeps following new points after starting with a short span (a real chart, option after option)', () => {
    const c = realChart()
    try {
      const at = (to: number): ChartOption => rateOption([{ name: 'cp', data: secs(0, to) }], lightTheme, { stacked: true })
      c.setOption(at(2))
      expect(extent(c, 'xAxis')[1]).toBe(T + 2000)
      // Each push adds a point: the axis' end moves with it, past the first 10 s as well.
      for (const to of [3, 9, 10, 11, 25, 60]) {
        applyOption(c, at(to))
        const [min, max] = extent(c, 'xAxis')
        expect(max).toBeGreaterThanOrEqual(T + to * 1000)
        expect(max - T - to * 1000).toBeLessThan(60_000)
        expect(min).toBeLessThanOrEqual(Math.min(T, T + to * 1000 - MIN_SPAN_MS))
      }
    } finally {
      c.dispose()
    }
  })

  it('shows a fixed range whole, and live again afterwards', () => {
    const c = realChart()
    try {
      const range = resolveRange({ kind: 'preset', preset: '1h' }, T)!
      applyOption(c, rateOption([{ name: 'cp', data: secs(-600, -500) }], lightTheme, { range }))
      expect(extent(c, 'xAxis')).toEqual([T - 3_600_000, T])
      applyOption(c, rateOption([{ name: 'cp', data: secs(0, 30) }], lightTheme, {}))
      const [min, max] = extent(c, 'xAxis')
      expect(min).toBeGreaterThan(T - 3_600_000)
      expect(max).toBeGreaterThanOrEqual(T + 30_000)
    } finally {
      c.dispose()
    }
  })

  it('every preset spans its length, ending now', () => {
    for (const p of PRESETS) {
      const o = rateOption([], lightTheme, { range: resolveRange({ kind: 'preset', preset: p.key }, T)! }) as { xAxis: { min: number; max: number } }
      expect(o.xAxis.max - o.xAxis.min).toBe(p.ms)
      expect(o.xAxis.max).toBe(T)
    }
  })

  it('switches to a log scale and back; zero, which a log axis cannot draw, is drawn at its floor', () => {
    const data: ChartSeries[] = [{ name: 'cp', data: [[T, 0], [T + 1000, 1024 ** 2], [T + 2000, null]] }]
    const o = rateOption(data, lightTheme, { log: true }) as { yAxis: { type: string; logBase: number }; series: { data: XY[] }[] }
    expect(o.yAxis.type).toBe('log')
    expect(o.yAxis.logBase).toBe(2)
    expect(o.series[0]!.data).toEqual([[T, 1], [T + 1000, 1024 ** 2], [T + 2000, null]])
    const c = realChart()
    try {
      applyOption(c, rateOption(data, lightTheme, { log: true }))
      const logAxis = model(c).getComponent('yAxis').axis
      expect(logAxis.type).toBe('log')
      applyOption(c, rateOption(data, lightTheme, {}))
      const linear = model(c).getComponent('yAxis').axis
      expect(linear.type).toBe('value')
      expect(extent(c, 'yAxis')).toEqual([0, 1024 ** 2])
    } finally {
      c.dispose()
    }
  })
})
