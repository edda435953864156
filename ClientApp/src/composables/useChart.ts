// An ECharts instance bound to an element: created on mount, resized with the element,
// fed from a reactive option, disposed on unmount. Optionally: a drag across the chart selects a time
// range (brush), and a click on a series or a legend entry names it.
import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue'
import * as echarts from 'echarts/core'
import { LineChart } from 'echarts/charts'
import { BrushComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import type { BrushComponentOption, GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, BrushComponent, SVGRenderer])

export type ChartOption = ComposeOption<
  LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption | BrushComponentOption
>

/** The part of an ECharts instance that {@link applyOption} needs. */
export interface OptionTarget {
  setOption(option: ChartOption, opts?: { replaceMerge?: string[] }): void
}

/**
 * Hands a new option to the chart. Series come and go as the top processes change, and the axes switch
 * between live and fixed ranges and between linear and log: those are replaced, not merged (a merged axis
 * would keep a min/max or a type that the new option does not mention).
 */
export function applyOption(chart: OptionTarget, option: ChartOption) {
  chart.setOption(option, { replaceMerge: ['series', 'xAxis', 'yAxis'] })
}

export interface ChartEvents {
  /** A click on a series or a legend entry. */
  onPick?: (name: string) => void
  /** A time range chosen by dragging across the chart (epoch ms). */
  onBrush?: (from: number, to: number) => void
}

export function useChart(el: Ref<HTMLElement | null>, option: Ref<ChartOption>, events: ChartEvents = {}) {
  const chart = shallowRef<echarts.ECharts | null>(null)
  let observer: ResizeObserver | undefined

  function armBrush() {
    chart.value?.dispatchAction({
      type: 'takeGlobalCursor',
      key: 'brush',
      brushOption: { brushType: 'lineX', brushMode: 'single' },
    })
  }

  onMounted(() => {
    if (!el.value) return
    const c = echarts.init(el.value, undefined, { renderer: 'svg' })
    chart.value = c
    c.setOption(option.value)
    if (events.onPick) {
      c.on('click', (raw: unknown) => {
        const p = raw as { componentType?: string; seriesName?: string; name?: string }
        const name = p.componentType === 'legend' ? p.name : p.seriesName
        if (name) events.onPick!(name)
      })
    }
    if (events.onBrush) {
      armBrush()
      c.on('brushEnd', (raw: unknown) => {
        const range = (raw as { areas?: { coordRange?: unknown }[] }).areas?.[0]?.coordRange
        c.dispatchAction({ type: 'brush', areas: [] })
        if (Array.isArray(range) && range.length === 2) {
          const [a, b] = range as [number, number]
          if (Number.isFinite(a) && Number.isFinite(b) && b - a >= 1000) events.onBrush!(Math.round(a), Math.round(b))
        }
      })
    }
    if (typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(() => c.resize())
      observer.observe(el.value)
    }
  })

  watch(option, (o) => {
    if (!chart.value) return
    applyOption(chart.value, o)
    if (events.onBrush) armBrush()
  })

  onBeforeUnmount(() => {
    observer?.disconnect()
    chart.value?.dispose()
    chart.value = null
  })

  return { chart }
}
