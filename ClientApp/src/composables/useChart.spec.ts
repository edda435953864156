import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import { mount } from '@vue/test-utils'
import { useChart, type ChartOption } from './useChart'

const handlers = new Map<string, (p: unknown) => void>()
const chart = {
  setOption: vi.fn(),
  resize: vi.fn(),
  dispose: vi.fn(),
  dispatchAction: vi.fn(),
  on: vi.fn((event: string, h: (p: unknown) => void) => handlers.set(event, h)),
}
const init = vi.fn((..._args: unknown[]) => chart)

vi.mock('echarts/core', () => ({ __esModule: true, use: vi.fn(), init: (...a: unknown[]) => init(...a) }))

describe('useChart', () => {
  it('creates the chart on mount, replaces series and axes with each option, names picks and brushed ranges', async () => {
    const option = ref<ChartOption>({ series: [{ type: 'line', name: 'a', data: [] }] })
    const picked: string[] = []
    const brushed: number[][] = []
    const Host = defineComponent({
      setup() {
        const el = ref<HTMLElement | null>(null)
        useChart(el, option, { onPick: (n) => picked.push(n), onBrush: (a, b) => brushed.push([a, b]) })
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
    expect(chart.setOption).toHaveBeenLastCalledWith(option.value, { replaceMerge: ['series', 'xAxis', 'yAxis'] })

    handlers.get('click')!({ componentType: 'series', seriesName: 'cp' })
    handlers.get('click')!({ componentType: 'legend', name: 'zsh' })
    expect(picked).toEqual(['cp', 'zsh'])
    handlers.get('brushEnd')!({ areas: [{ coordRange: [1000.4, 61_000.6] }] })
    handlers.get('brushEnd')!({ areas: [{ coordRange: [1000, 1500] }] }) // too short to be meant
    expect(brushed).toEqual([[1000, 61_001]])
    w.unmount()
    expect(chart.dispose).toHaveBeenCalledTimes(1)
  })
})
