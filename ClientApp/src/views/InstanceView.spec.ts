import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { TREE_POLL_MS } from '@/composables/useProcessTree'
import { at, fakeApi, instance, type FakeApi } from '@/test/fakeApi'
import { mountApp } from '@/test/mountApp'

vi.mock('@/components/ProcessChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))
vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

const scene = () => [
  instance(100, 1, { name: 'sh', reads: 10, treeReads: 50, treeWrites: 4200 }),
  instance(101, 100, { name: 'dd', exe: '/usr/bin/dd', ended: at(101.5), writes: 3000, treeWrites: 3000 }),
  instance(102, 100, { name: 'dd', exe: '/usr/bin/dd', writes: 1200, treeReads: 40, treeWrites: 1200 }),
  instance(103, 102, { name: 'cat', reads: 40, treeReads: 40 }),
]

let app: Awaited<ReturnType<typeof mountApp>> | undefined
let api: FakeApi
afterEach(() => {
  app?.cleanup()
  app = undefined
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const t = (id: string) => app!.wrapper.get(`[data-testid="${id}"]`)

describe('instance page', () => {
  it('shows its figures, lifetime, executable, parent, children and the link to its name', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances/101', {})
    expect(api.calls).toEqual(['/api/processes/101'])
    expect(document.title).toBe('pid 101 · iosnoopng')
    expect(t('instance-name').text()).toBe('dd')
    expect(t('instance-pid').text()).toBe('101')
    expect(t('instance-written').text()).toBe('2.93 KiB')
    expect(t('instance-read').text()).toBe('0 B')
    expect(t('instance-tree-written').text()).toBe('2.93 KiB')
    expect(t('instance-duration').text()).toBe('500 ms')
    expect(t('instance-lifetime').attributes('data-exited')).toBe('true')
    expect(t('instance-exe').text()).toBe('/usr/bin/dd')
    expect(t('instance-ended').text()).not.toBe('still running')
    expect(t('instance-parent').attributes('href')).toBe('/instances/100')
    expect(t('instance-process-link').attributes('href')).toBe('/process/dd')
    expect(t('instance-no-children').text()).toBe('No children.')
  })

  it('lists the children by tree bytes as links and follows them', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances/100', {})
    expect(t('instance-exe').text()).toBe('not known')
    expect(t('instance-ended').text()).toBe('still running')
    expect(t('instance-child-count').text()).toBe('2')
    const children = app.wrapper.findAll('[data-testid="instance-child"]')
    expect(children.map((c) => c.attributes('data-pid'))).toEqual(['101', '102'])
    expect(children[0]!.get('[data-testid="instance-child-lifetime"]').attributes('data-exited')).toBe('true')
    await children[1]!.get('[data-testid="instance-child-link"]').trigger('click')
    await vi.waitFor(() => expect(app!.router.currentRoute.value.fullPath).toBe('/instances/102'))
    await vi.waitFor(() => expect(t('instance-pid').text()).toBe('102'))
    expect(app.wrapper.findAll('[data-testid="instance-child"]').map((c) => c.attributes('data-pid'))).toEqual(['103'])
  })

  it('refreshes its figures every few seconds and stops when left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = fakeApi(scene())
    app = await mountApp('/instances/102', {})
    api.instances.find((i) => i.pid === 102)!.writes = 2048
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS)
    await flushPromises()
    expect(t('instance-written').text()).toBe('2.00 KiB')
    await app.router.push('/')
    await flushPromises()
    const n = api.calls.length
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS * 4)
    expect(api.calls).toHaveLength(n)
  })

  it('says so when no instance has the pid, and when the pid is not a number', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances/4242', {})
    expect(t('instance-not-found').text()).toContain('No process instance with pid 4242 is held')
    app.cleanup()
    app = await mountApp('/instances/abc', {})
    expect(t('instance-bad-pid').text()).toContain('not a process id')
    expect(api.calls).toEqual(['/api/processes/4242'])
  })
})

describe('instances of a process name', () => {
  it('lists the latest instances of the name when opened, linking to their pages', async () => {
    api = fakeApi(scene())
    app = await mountApp('/process/dd', {})
    expect(api.calls).toEqual([])
    const panel = t('process-instances')
    await panel.get('[data-testid="process-instances-toggle"]').trigger('click')
    await vi.waitFor(() => expect(api.calls).toEqual(['/api/processes?name=dd&limit=20']))
    await flushPromises()
    const items = app.wrapper.findAll('[data-testid="process-instance"]')
    expect(items.map((i) => i.attributes('data-pid'))).toEqual(['102', '101'])
    expect(items[0]!.get('[data-testid="process-instance-link"]').attributes('href')).toBe('/instances/102')
  })

  it('says when there are none', async () => {
    api = fakeApi([])
    app = await mountApp('/process/zsh', {})
    const panel = t('process-instances')
    await panel.get('[data-testid="process-instances-toggle"]').trigger('click')
    await vi.waitFor(() => expect(app!.wrapper.find('[data-testid="process-instances-none"]').exists()).toBe(true))
    expect(t('process-instances-none').text()).toContain('process trees need the Linux bpftrace source or, on macOS, --source dtrace')
  })
})
