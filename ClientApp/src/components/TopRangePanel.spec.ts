import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { mountApp, proc } from '@/test/mountApp'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div data-testid="machine-chart" />' } }))

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => app?.cleanup())

const withHistory = (top: unknown) => ({
  processes: [proc('zsh', 1, 2)],
  init: (h: import('@/test/fakeHub').FakeHub) => {
    h.replies.set('GetHistory', { bucketSeconds: 10, points: [] })
    h.replies.set('GetTopProcesses', top)
  },
})

const topCalls = () => app!.hub().calls.filter((c) => c.method === 'GetTopProcesses')

describe('time range: top processes and the table follow it', () => {
  it('asks the daemon for a custom range and lists what moved the most, in the panel and the table', async () => {
    app = await mountApp('/', withHistory([]))
    expect(app.wrapper.find('[data-testid="top-range"]').exists()).toBe(false)
    app.hub().replies.set('GetTopProcesses', [
      { name: 'backupd', reads: 10, writes: 5 * 1024 * 1024 },
      { name: 'mds', reads: 2048, writes: 0 },
    ])
    await app.wrapper.get('[data-testid="range-custom"]').trigger('click')
    await app.wrapper.get('[data-testid="range-from"]').setValue('2024-05-01T14:00')
    await app.wrapper.get('[data-testid="range-to"]').setValue('2024-05-01T15:00')
    await app.wrapper.get('[data-testid="range-form"]').trigger('submit')
    await flushPromises()
    const from = new Date('2024-05-01T14:00').toISOString()
    const to = new Date('2024-05-01T15:00').toISOString()
    expect(app.router.currentRoute.value.query.range).toBe(`${from}..${to}`)
    expect(topCalls().at(-1)!.args).toEqual([from, to, 1000])
    const rows = app.wrapper.findAll('[data-testid="top-row"]')
    expect(rows.map((r) => r.attributes('data-name'))).toEqual(['backupd', 'mds'])
    expect(rows[0]!.get('[data-testid="top-written"]').text()).toBe('5.00 MiB')
    expect(rows[1]!.get('[data-testid="top-read"]').text()).toBe('2.00 KiB')
    // The table lists the range's figures, most written first, with the range's average rates.
    expect(app.names()).toEqual(['backupd', 'mds'])
    const backupd = app.wrapper.get('[data-testid="process-row"][data-name="backupd"]')
    expect(backupd.get('[data-testid="cell-written"]').text()).toBe('5.00 MiB')
    expect(backupd.get('[data-testid="cell-write-rate"]').text()).toBe(`${(5 * 1024 * 1024 / 3600 / 1024).toFixed(2)} KiB/s`)
    // One click back to live.
    await app.wrapper.get('[data-testid="range-live"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.query.range).toBeUndefined()
    expect(app.names()).toEqual(['zsh'])
    expect(app.wrapper.find('[data-testid="top-range"]').exists()).toBe(false)
  })

  it('a preset asks for that much time ending now; nothing moved says so; a reversed custom range is refused', async () => {
    app = await mountApp('/', withHistory([]))
    const before = Date.now()
    await app.wrapper.get('[data-testid="range-24h"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.query.range).toBe('24h')
    const [from, to] = topCalls().at(-1)!.args as [string, string]
    expect(Date.parse(to) - Date.parse(from)).toBe(24 * 3_600_000)
    expect(Date.parse(to)).toBeGreaterThanOrEqual(before)
    expect(app.wrapper.get('[data-testid="range-24h"]').attributes('aria-pressed')).toBe('true')
    expect(app.wrapper.find('[data-testid="top-empty"]').exists()).toBe(true)
    await app.wrapper.get('[data-testid="range-custom"]').trigger('click')
    await app.wrapper.get('[data-testid="range-from"]').setValue('2024-05-01T15:00')
    await app.wrapper.get('[data-testid="range-to"]').setValue('2024-05-01T14:00')
    await app.wrapper.get('[data-testid="range-form"]').trigger('submit')
    expect(app.wrapper.get('[data-testid="range-form"]').text()).toContain('start before the end')
    expect(app.router.currentRoute.value.query.range).toBe('24h')
  })

  it('offers live only when the daemon keeps no history', async () => {
    app = await mountApp('/', { processes: [proc('zsh', 1, 2)] })
    expect(app.store.historyAvailable).toBe(false)
    expect(app.wrapper.find('[data-testid="range-1h"]').exists()).toBe(false)
    expect(app.wrapper.get('[data-testid="range-no-history"]').text()).toContain('live only')
  })
})
