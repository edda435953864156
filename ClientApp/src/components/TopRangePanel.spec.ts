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

describe('top processes in a time range', () => {
  it('asks the daemon for the chosen range and lists what moved the most', async () => {
    app = await mountApp('/', withHistory([]))
    app.hub().replies.set('GetTopProcesses', [
      { name: 'backupd', reads: 10, writes: 5 * 1024 * 1024 },
      { name: 'mds', reads: 2048, writes: 0 },
    ])
    await app.wrapper.get('[data-testid="top-from"]').setValue('2024-05-01T14:00')
    await app.wrapper.get('[data-testid="top-to"]').setValue('2024-05-01T15:00')
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    const call = app.hub().calls.filter((c) => c.method === 'GetTopProcesses').at(-1)!
    expect(call.args).toEqual([new Date('2024-05-01T14:00').toISOString(), new Date('2024-05-01T15:00').toISOString(), 10])
    const rows = app.wrapper.findAll('[data-testid="top-row"]')
    expect(rows.map((r) => r.attributes('data-name'))).toEqual(['backupd', 'mds'])
    expect(rows[0]!.get('[data-testid="top-written"]').text()).toBe('5.00 MiB')
    expect(rows[1]!.get('[data-testid="top-read"]').text()).toBe('2.00 KiB')
  })

  it('says so when nothing moved, and refuses a range that ends before it starts', async () => {
    app = await mountApp('/', withHistory([]))
    await app.wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(app.wrapper.find('[data-testid="top-empty"]').exists()).toBe(true)
    await app.wrapper.get('[data-testid="top-from"]').setValue('2024-05-01T15:00')
    await app.wrapper.get('[data-testid="top-to"]').setValue('2024-05-01T14:00')
    await app.wrapper.get('form').trigger('submit')
    expect(app.wrapper.get('[data-testid="top-error"]').text()).toContain('start before the end')
  })

  it('is hidden when the daemon keeps no history', async () => {
    app = await mountApp('/', { processes: [proc('zsh', 1, 2)] })
    expect(app.store.historyAvailable).toBe(false)
    expect(app.wrapper.find('[data-testid="top-range"]').exists()).toBe(false)
  })
})
