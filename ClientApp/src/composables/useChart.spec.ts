import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import { mount } from '@vue/test-utils'
import { useChart, type ChartOption } from './useChart'

const chart = { setOption: vi.fn(), resize: vi.fn(), dispose: vi.fn() }
const init = vi.fn((..._args: unknown[]) => chart)

vi.mock('echarts/core', () => ({ __esModule: true, use: vi.fn(), init: (...a: unknown[]) => init(...a) }))

describe('useChart', () => {
  it('creates the chart on mount, follows the option and disposes on unmount', async () => {
    const option = ref<ChartOption>({ series: [{ type: 'line', name: 'a', data: [] }] })
    const Host = defineComponent({
      setup() {
        const el = ref<HTMLElement | null>(null)
        useChart(el, option)
        return () => h('div', { ref: el })
      },
    })
    const w = mount(Host)
    expect(init).toHaveBeenCalledTimes(1)
    expect(init.mock.calls[0]![0]).toBe(w.element)
    expect(init.mock.calls[0]![2]).toEqual({ renderer: 'svg' })
    expect(chart.setOption).toHaveBeenLastCalledWith(option.value)
    option.value = { series: [{ type: 'line', name: 'b', data: [[1, 2]] }] }
    await nextTick()
    expect(chart.setOption).toHaveBeenLastCalledWith(option.value, { replaceMerge: ['series'] })
    w.unmount()
    expect(chart.dispose).toHaveBeenCalledTimes(1)
  })
})
