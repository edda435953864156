import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { GROUP_INSTANCE_LIMIT, listGroups } from '@/api/instances'
import { TREE_POLL_MS } from '@/composables/useProcessTree'
import { at, fakeApi, instance, type FakeApi } from '@/test/fakeApi'
import { mountApp } from '@/test/mountApp'

vi.mock('@/components/ProcessChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))
vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

// nginx.service: a master (10) and a worker that exited (11); a docker container (20); a process of unknown group (30).
const scene = () => [
  instance(10, 1, { name: 'nginx', group: 'nginx.service', reads: 1000, writes: 24 }),
  instance(11, 10, { name: 'nginx', group: 'nginx.service', reads: 2000, writes: 0, ended: at(12) }),
  instance(20, 1, { name: 'postgres', group: 'docker:4f1c9a2b7d3e', reads: 5, writes: 8192 }),
  instance(30, 1, { name: 'old', group: null, reads: 1, writes: 1 }),
]

let app: Awaited<ReturnType<typeof mountApp>> | undefined
let api: FakeApi
afterEach(() => {
  app?.cleanup()
  app = undefined
  vi.useRealTimers()
  vi.unstubAllGlobals()
})

const rows = () => app!.wrapper.findAll('[data-testid="group-row"]')
const row = (group: string) => app!.wrapper.get(`[data-testid="group-row"][data-group="${group}"]`)
const members = () => app!.wrapper.findAll('[data-testid="group-instance"]').map((i) => Number(i.attributes('data-pid')))

describe('groups view', () => {
  it('is a tab beside the process tree and opens at /groups', async () => {
    api = fakeApi(scene())
    app = await mountApp('/', {})
    await app.wrapper.get('[data-testid="nav-groups"]').trigger('click')
    // The view is loaded on first use: allow for a slow, busy machine.
    await vi.waitFor(() => expect(app!.router.currentRoute.value.name).toBe('groups'), { timeout: 10_000 })
    await vi.waitFor(() => expect(rows()).toHaveLength(2), { timeout: 10_000 })
    expect(app.wrapper.get('[data-testid="nav-groups"]').attributes('aria-current')).toBe('page')
    expect(app.wrapper.get('[data-testid="nav-groups"]').classes()).toContain('on')
    expect(app.wrapper.get('[data-testid="nav-overview"]').classes()).not.toContain('on')
    expect(app.wrapper.get('[data-testid="nav-tree"]').classes()).not.toContain('on')
    expect(document.title).toBe('Groups · iosnoopng')
  })

  it('lists each group with its bytes and processes, most bytes first', async () => {
    api = fakeApi(scene())
    app = await mountApp('/groups', {})
    expect(api.calls).toEqual(['/api/groups'])
    expect(rows().map((r) => r.attributes('data-group'))).toEqual(['docker:4f1c9a2b7d3e', 'nginx.service'])
    const nginx = row('nginx.service')
    expect(nginx.get('[data-testid="group-link"]').text()).toBe('nginx.service')
    expect(nginx.get('[data-testid="group-read"]').text()).toBe('2.93 KiB')
    expect(nginx.get('[data-testid="group-written"]').text()).toBe('24 B')
    expect(nginx.get('[data-testid="group-processes"]').text()).toBe('2')
    expect(row('docker:4f1c9a2b7d3e').get('[data-testid="group-written"]').text()).toBe('8.00 KiB')
    expect(app.wrapper.find('[data-testid="group-instances"]').exists()).toBe(false)
  })

  it('lists the instances of a group when it is clicked, in the address, and again on a second click hides them', async () => {
    api = fakeApi(scene())
    app = await mountApp('/groups', {})
    await row('nginx.service').get('[data-testid="group-link"]').trigger('click')
    await vi.waitFor(() => expect(members()).toEqual([11, 10]))
    expect(app.router.currentRoute.value.query.group).toBe('nginx.service')
    expect(api.calls).toContain(`/api/processes?group=nginx.service&limit=${GROUP_INSTANCE_LIMIT}`)
    expect(app.wrapper.get('[data-testid="group-instances-name"]').text()).toBe('nginx.service')
    expect(row('nginx.service').get('[data-testid="group-link"]').attributes('aria-expanded')).toBe('true')
    const worker = app.wrapper.get('[data-testid="group-instance"][data-pid="11"]')
    expect(worker.get('[data-testid="group-instance-link"]').attributes('href')).toBe('/instances/11')
    expect(worker.get('[data-testid="lifetime"]').attributes('data-exited')).toBe('true')

    await row('nginx.service').get('[data-testid="group-link"]').trigger('click')
    await vi.waitFor(() => expect(app!.wrapper.find('[data-testid="group-instances"]').exists()).toBe(false))
    expect(app.router.currentRoute.value.query.group).toBeUndefined()
  })

  it('opens with a group chosen from the address, and says when none of its instances is held', async () => {
    api = fakeApi(scene())
    app = await mountApp('/groups?group=docker%3A4f1c9a2b7d3e', {})
    await vi.waitFor(() => expect(members()).toEqual([20]))

    app.cleanup()

    // A group whose instances were all dropped (beyond the cap): its bytes stay, its list is empty.
    api.override.set('/api/groups', { status: 200, body: { 'gone.service': { reads: 5, writes: 8192, processes: 1000 } } })
    app = await mountApp('/groups?group=gone.service', {})
    await vi.waitFor(() => expect(app!.wrapper.find('[data-testid="group-instances-none"]').exists()).toBe(true))
    expect(row('gone.service').get('[data-testid="group-processes"]').text()).toBe('1,000')
  })

  it('refreshes every few seconds', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    api = fakeApi(scene())
    app = await mountApp('/groups', {})
    expect(row('nginx.service').get('[data-testid="group-written"]').text()).toBe('24 B')
    api.instances[0] = { ...api.instances[0]!, writes: 2048 }
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS + 10)
    await flushPromises()
    await vi.waitFor(() => expect(row('nginx.service').get('[data-testid="group-written"]').text()).toBe('2.00 KiB'))
  })

  it('says that groups need the bpftrace source when there are none, and shows a failure', async () => {
    api = fakeApi([instance(1, 0)])
    app = await mountApp('/groups', {})
    await vi.waitFor(() => expect(app!.wrapper.find('[data-testid="groups-none"]').exists()).toBe(true))
    expect(app.wrapper.get('[data-testid="groups-none"]').text()).toContain('bpftrace')
    app.cleanup()

    api = fakeApi(scene())
    api.override.set('/api/groups', { status: 503, body: { error: 'too many heavy queries' } })
    app = await mountApp('/groups', {})
    await vi.waitFor(() => expect(app!.wrapper.get('[data-testid="groups-error"]').text()).toContain('too many heavy queries'))
  })

  it('orders groups by their bytes, whatever the order of the answer', async () => {
    api = fakeApi()
    api.override.set('/api/groups', {
      status: 200,
      body: { '/': { reads: 1, writes: 1, processes: 9 }, '123': { reads: 50, writes: 0, processes: 1 }, 'b.service': { reads: 1, writes: 1, processes: 1 } },
    })
    expect((await listGroups()).map((g) => g.name)).toEqual(['123', '/', 'b.service'])
  })
})

describe('instance page and groups', () => {
  it('shows the instance\'s group with a link to it', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances/20', {})
    await vi.waitFor(() => expect(app!.wrapper.find('[data-testid="instance-group-link"]').exists()).toBe(true))
    const link = app.wrapper.get('[data-testid="instance-group-link"]')
    expect(link.text()).toBe('docker:4f1c9a2b7d3e')
    expect(link.attributes('href')).toBe('/groups?group=docker:4f1c9a2b7d3e')
    app.cleanup()

    app = await mountApp('/instances/30', {})
    await vi.waitFor(() => expect(app!.wrapper.get('[data-testid="instance-group"]').text()).toBe('not known'))
  })
})
