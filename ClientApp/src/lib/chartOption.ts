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

/** The x axis' bounds when the points span less than {@link MIN_SPAN_MS}: that much time ending at the last
 * point. Undefined (ECharts decides) once they span more, or when there is no point. */
export function timeBounds(series: ChartSeries[]): { min: number; max: number } | undefined {
  let first = Infinity
  let last = -Infinity
  for (const s of series)
    for (const [t] of s.data) {
      if (t < first) first = t
      if (t > last) last = t
    }
  if (last === -Infinity || last - first >= MIN_SPAN_MS) return undefined
  return { min: last - MIN_SPAN_MS, max: last }
}

export function rateOption(series: ChartSeries[], theme: ChartTheme, stacked: boolean, colors?: string[]): ChartOption {
  return {
    animation: false,
    grid: { left: 8, right: 12, top: 30, bottom: 4, containLabel: true },
    legend: {
      type: 'scroll',
      top: 0,
      left: 0,
      itemWidth: 12,
      itemHeight: 8,
      textStyle: { color: theme.muted, fontSize: 11 },
      pageTextStyle: { color: theme.muted },
    },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v) => (typeof v === 'number' ? formatRate(v) : '–'),
    },
    xAxis: {
      type: 'time',
      ...timeBounds(series),
      axisLabel: { color: theme.muted, fontSize: 11, hideOverlap: true },
      axisLine: { lineStyle: { color: theme.grid } },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      minInterval: 1,
      axisLabel: { color: theme.muted, fontSize: 11, formatter: (v: number) => formatRate(v) },
      splitLine: { lineStyle: { color: theme.grid } },
    },
    series: series.map((s, i) => ({
      type: 'line',
      name: s.name,
      data: s.data,
      stack: stacked ? 'total' : undefined,
      areaStyle: stacked ? { opacity: 0.55 } : { opacity: 0.12 },
      showSymbol: false,
      connectNulls: false,
      lineStyle: { width: stacked ? 1 : 1.6 },
      color: colors?.[i] ?? colorAt(s.name, i, theme),
      emphasis: { focus: 'series' },
    })),
  }
}
