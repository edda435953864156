import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { changed, mountApp, overviewOf, proc, push, running } from '@/test/mountApp'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))
vi.mock('@/components/ProcessChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => app?.cleanup())

const processes = [proc('cp', 10, 900_000), proc('zsh', 100, 2048), proc('Finder', 3 * 1024 * 1024, 1536)]

describe('live states', () => {
  it('puts the processes busy now first, however much they moved before', async () => {
    app = await mountApp('/', { processes })
    expect(app.names()).toEqual(['cp', 'zsh', 'Finder'])
    const finder = proc('Finder', 3 * 1024 * 1024, 1536 + 65536, 1)
    app.hub().push('changes', push(1, [changed(finder, 0, 65536)]))
    await flushPromises()
    expect(app.names()).toEqual(['Finder', 'cp', 'zsh'])
    expect(app.wrapper.get('[data-testid="process-row"][data-name="Finder"]').get('[data-testid="cell-written"]').text()).toBe('65.50 KiB')
  })

  it('shows a replay that reached the end of its file as finished, not as a fault', async () => {
    const done = { ...running, name: 'replay', measures: 'a recorded trace', state: 'stopped' as const, message: 'the replay reached the end of its file' }
    app = await mountApp('/', { processes, init: (h) => h.replies.set('GetOverview', () => overviewOf(processes, done)) })
    expect(app.wrapper.get('[data-testid="source-state"]').text()).toBe('finished')
    const message = app.wrapper.get('[data-testid="source-message"]')
    expect(message.text()).toBe('the replay reached the end of its file')
    expect(message.attributes('role')).toBeUndefined()
    expect(app.wrapper.get('section.source').classes()).not.toContain('bad')
  })

  it('shows a tracer that stopped on its own as a fault', async () => {
    const stopped = { ...running, state: 'stopped' as const, message: 'bpftrace exited with code 1' }
    app = await mountApp('/', { processes, init: (h) => h.replies.set('GetOverview', () => overviewOf(processes, stopped)) })
    expect(app.wrapper.get('[data-testid="source-state"]').text()).toBe('stopped')
    expect(app.wrapper.get('[data-testid="source-message"]').attributes('role')).toBe('alert')
    expect(app.wrapper.get('section.source').classes()).toContain('bad')
  })

  it('names the process in the breadcrumb of its page', async () => {
    app = await mountApp(`/process/${encodeURIComponent('my app #2?')}`, { processes: [proc('my app #2?', 1, 2)], files: { 'my app #2?': [] } })
    expect(app.wrapper.get('[data-testid="crumb-process"]').text()).toBe('my app #2?')
  })
})
