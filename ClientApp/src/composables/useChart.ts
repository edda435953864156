// An ECharts instance bound to an element: created on mount, resized with the element,
// fed from a reactive option, disposed on unmount.
import { onBeforeUnmount, onMounted, shallowRef, watch, type Ref } from 'vue'
import * as echarts from 'echarts/core'
import { LineChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { SVGRenderer } from 'echarts/renderers'
import type { ComposeOption } from 'echarts/core'
import type { LineSeriesOption } from 'echarts/charts'
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components'

echarts.use([LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer])

export type ChartOption = ComposeOption<
  LineSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>

export function useChart(el: Ref<HTMLElement | null>, option: Ref<ChartOption>) {
  const chart = shallowRef<echarts.ECharts | null>(null)
  let observer: ResizeObserver | undefined

  onMounted(() => {
    if (!el.value) return
    chart.value = echarts.init(el.value, undefined, { renderer: 'svg' })
    chart.value.setOption(option.value)
    if (typeof ResizeObserver === 'function') {
      observer = new ResizeObserver(() => chart.value?.resize())
      observer.observe(el.value)
    }
  })

  // Series come and go as the top processes change: replace them rather than merge.
  watch(option, (o) => chart.value?.setOption(o, { replaceMerge: ['series'] }))

  onBeforeUnmount(() => {
    observer?.disconnect()
    chart.value?.dispose()
    chart.value = null
  })

  return { chart }
}
