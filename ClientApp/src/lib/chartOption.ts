// ECharts options for the rate charts. Pure: colours come in as arguments.
import type { ChartOption } from '@/composables/useChart'
import { formatRate } from './format'
import { OTHER, type XY } from './series'

export interface ChartSeries {
  name: string
  data: XY[]
}

export interface ChartTheme {
  text: string
  muted: string
  grid: string
  palette: string[]
  other: string
}

export const lightTheme: ChartTheme = {
  text: '#1b2129',
  muted: '#5c6675',
  grid: '#e3e7ec',
  palette: ['#d9731a', '#2f7fd1', '#23834c', '#8e4ec6', '#c2337a', '#0f8a8a', '#a68a00', '#5b6bd6'],
  other: '#9aa3ad',
}

export const darkTheme: ChartTheme = {
  text: '#e3e8ef',
  muted: '#9aa5b4',
  grid: '#2a313c',
  palette: ['#f0954a', '#5ea3ea', '#5cc98a', '#b78af0', '#ea6aa6', '#3cc4c4', '#d8c04a', '#8f9cf0'],
  other: '#6f7a89',
}

/** Series colours by rank (busiest first); the rest is grey. */
export function colorAt(name: string, index: number, theme: ChartTheme): string {
  if (name === OTHER) return theme.other
  return theme.palette[index % theme.palette.length]!
}

/** The shortest time the x axis spans: with one or two points ECharts would otherwise pick a range of days. */
export const MIN_SPAN_MS = 10_000

export type AxisBound = number | 'dataMin' | 'dataMax'

/**
 * The x axis' bounds, always both given: a later option must replace earlier bounds, since ECharts merges
 * options and would keep a min/max that a later option leaves out (the axis then stops following the data).
 * A fixed range (time travel) is shown whole; live points that span less than {@link MIN_SPAN_MS} get that
 * much time ending at the last point; otherwise the axis fits the data.
 */
export function timeBounds(series: ChartSeries[], range?: { from: number; to: number }): { min: AxisBound; max: AxisBound } {
  if (range) return { min: range.from, max: range.to }
  let first = Infinity
  let last = -Infinity
  for (const s of series)
    for (const [t] of s.data) {
      if (t < first) first = t
      if (t > last) last = t
    }
  if (last === -Infinity || last - first >= MIN_SPAN_MS) return { min: 'dataMin', max: 'dataMax' }
  return { min: last - MIN_SPAN_MS, max: last }
}

/** The largest value the value axis must show: of the stacked sums when stacked, else of any series. */
export function peakValue(series: ChartSeries[], stacked: boolean): number {
  let peak = 0
  if (!stacked) {
    for (const s of series) for (const [, v] of s.data) if (v !== null && v > peak) peak = v
    return peak
  }
  const sums = new Map<number, number>()
  for (const s of series)
    for (const [t, v] of s.data) {
      if (v === null) continue
      const sum = (sums.get(t) ?? 0) + v
      sums.set(t, sum)
      if (sum > peak) peak = sum
    }
  return peak
}

/**
 * A value axis with round ticks in binary units: the tick step is a power of two bytes per second, so with
 * the few ticks a chart shows every label is a whole number of its unit or a quarter of the next one
 * (256 MiB/s, 512 MiB/s, 768 MiB/s, 1 GiB/s), never 1.86 GiB/s.
 */
export function niceScale(peak: number, ticks = 4): { max: number; interval: number } {
  if (!(peak > 0) || !Number.isFinite(peak)) return { max: 4, interval: 1 }
  const interval = Math.max(1, 2 ** Math.ceil(Math.log2(peak / ticks)))
  return { max: Math.max(interval, Math.ceil(peak / interval) * interval), interval }
}

/** A rate for an axis label: `2 GiB/s`, `1.25 GiB/s`, `512 B/s` (no trailing zeros). */
export function axisRate(v: number): string {
  return formatRate(v).replace(/\.00 /, ' ').replace(/(\.\d)0 /, '$1 ')
}

export interface RateOptions {
  stacked?: boolean
  colors?: string[]
  /** Logarithmic value axis (base 2: every tick is a power of two bytes per second). */
  log?: boolean
  /** A fixed time range to show whole (epoch ms); live when absent. */
  range?: { from: number; to: number }
  /** Dragging across the chart selects a time range. */
  brush?: boolean
}

/** The lowest value a log axis shows; zero cannot be drawn on it. */
export const LOG_FLOOR = 1

export function rateOption(series: ChartSeries[], theme: ChartTheme, options: RateOptions = {}): ChartOption {
  const { stacked = false, colors, log = false, range, brush = false } = options
  const scale = niceScale(peakValue(series, stacked))
  const data = (s: ChartSeries): XY[] =>
    log ? s.data.map(([t, v]) => [t, v === null ? null : Math.max(LOG_FLOOR, v)]) : s.data
  return {
    animation: false,
    grid: { left: 8, right: 12, top: 30, bottom: 4, containLabel: true },
    legend: {
      type: 'scroll',
      top: 0,
      left: 0,
      itemWidth: 12,
      itemHeight: 8,
      // A click on a legend entry opens that process (see RateChart), it does not hide the series.
      selectedMode: false,
      triggerEvent: true,
      textStyle: { color: theme.muted, fontSize: 11 },
      pageTextStyle: { color: theme.muted },
    },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (typeof v === 'number' ? formatRate(v) : '–'),
    },
    ...(brush
      ? {
          brush: {
            xAxisIndex: 0,
            brushType: 'lineX',
            brushMode: 'single',
            transformable: false,
            brushStyle: { color: 'rgba(120,140,170,0.25)', borderColor: theme.muted, borderWidth: 1 },
          },
        }
      : {}),
    xAxis: {
      type: 'time',
      ...timeBounds(series, range),
      axisLabel: { color: theme.muted, fontSize: 11, hideOverlap: true },
      axisLine: { lineStyle: { color: theme.grid } },
      splitLine: { show: false },
    },
    yAxis: log
      ? {
          type: 'log',
          logBase: 2,
          min: LOG_FLOOR,
          axisLabel: { color: theme.muted, fontSize: 11, formatter: (v: number) => axisRate(v) },
          splitLine: { lineStyle: { color: theme.grid } },
        }
      : {
          type: 'value',
          min: 0,
          max: scale.max,
          interval: scale.interval,
          axisLabel: { color: theme.muted, fontSize: 11, formatter: (v: number) => axisRate(v) },
          splitLine: { lineStyle: { color: theme.grid } },
        },
    series: series.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: data(s),
      stack: stacked ? 'total' : undefined,
      areaStyle: stacked ? { opacity: 0.55 } : { opacity: 0.12 },
      showSymbol: false,
      connectNulls: false,
      triggerLineEvent: true,
      lineStyle: { width: stacked ? 1 : 1.6 },
      color: colors?.[i] ?? colorAt(s.name, i, theme),
      emphasis: { focus: 'series' },
    })),
  }
}
