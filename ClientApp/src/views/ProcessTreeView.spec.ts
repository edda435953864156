import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { setToken } from '@/api/auth'
import { FILTER_DEBOUNCE_MS, FILTER_LIMIT, ROOT_LIMIT, TREE_POLL_MS } from '@/composables/useProcessTree'
import { at, fakeApi, instance, type FakeApi } from '@/test/fakeApi'
import { mountApp } from '@/test/mountApp'
import { setHubFactory } from '@/stores/dashboard'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

// sh (100) started dd 101 (exited after 0.5 s) and dd 102 (running), which started cat 103; two more roots
// whose parents are not held: an exited backup (200) and an idle running process (300).
const scene = () => [
  instance(100, 1, { name: 'sh', reads: 10, treeReads: 50, treeWrites: 4200 }),
  instance(101, 100, { name: 'dd', exe: '/usr/bin/dd', ended: at(101.5), writes: 3000, treeWrites: 3000 }),
  instance(102, 100, { name: 'dd', exe: '/usr/bin/dd', writes: 1200, treeReads: 40, treeWrites: 1200 }),
  instance(103, 102, { name: 'cat', reads: 40, treeReads: 40 }),
  instance(200, 150, { name: 'backup', ended: at(260), writes: 10, treeWrites: 10 }),
  instance(300, 1, { name: 'idle' }),
]

let app: Awaited<ReturnType<typeof mountApp>> | undefined
let api: FakeApi
afterEach(() => {
  app?.cleanup()
  app = undefined
  vi.useRealTimers()
  vi.unstubAllGlobals()
  sessionStorage.clear()
})

const rows = () =>
  app!.wrapper.findAll('[data-testid="tree-row"]').map((r) => `${'  '.repeat(Number(r.attributes('data-depth')))}${r.attributes('data-pid')} ${r.attributes('data-state')}`)
const row = (pid: number) => app!.wrapper.get(`[data-testid="tree-row"][data-pid="${pid}"]`)
async function toggle(pid: number) {
  await row(pid).get('[data-testid="tree-toggle"]').trigger('click')
  await flushPromises()
}

describe('process tree view', () => {
  it('is a tab beside the overview and opens at /instances', async () => {
    api = fakeApi(scene())
    app = await mountApp('/', {})
    expect(api.calls).toEqual([])
    await app.wrapper.get('[data-testid="nav-tree"]').trigger('click')
    await vi.waitFor(() => expect(app!.router.currentRoute.value.name).toBe('tree'))
    await vi.waitFor(() => expect(rows()).toHaveLength(3))
    expect(app.wrapper.get('[data-testid="nav-tree"]').attributes('aria-current')).toBe('page')
    expect(document.title).toBe('Process tree · iosnoopng')
    expect(rows()).toEqual(['100 collapsed', '200 collapsed', '300 collapsed'])
  })

  it('lists the roots of the running and the latest instances, most tree bytes first, with their figures', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    expect(api.listCalls().sort()).toEqual([`/api/processes?limit=${ROOT_LIMIT}`, `/api/processes?running=true&limit=${ROOT_LIMIT}`])
    expect(rows()).toEqual(['100 collapsed', '200 collapsed', '300 collapsed'])
    const sh = row(100)
    expect(sh.get('[data-testid="tree-link"]').text()).toBe('sh')
    expect(sh.get('[data-testid="tree-link"]').attributes('href')).toBe('/instances/100')
    expect(sh.get('[data-testid="cell-read"]').text()).toBe('10 B')
    expect(sh.get('[data-testid="cell-written"]').text()).toBe('0 B')
    expect(sh.get('[data-testid="cell-tree-written"]').text()).toBe('4.10 KiB')
    expect(sh.get('[data-testid="cell-tree-read"]').text()).toBe('50 B')
    expect(sh.get('[data-testid="tree-lifetime"]').attributes('data-exited')).toBe('false')
    expect(sh.get('[data-testid="tree-lifetime"]').text()).toMatch(/^running · .+ · since /)
    expect(app.wrapper.get('[data-testid="tree-summary"]').text()).toBe('3 roots')
  })

  it('loads children when a node is expanded, sorted by tree bytes, and only once', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    expect(api.calls.filter((c) => /\/api\/processes\/\d/.test(c))).toEqual([])
    await toggle(100)
    expect(api.detailCalls(100)).toHaveLength(1)
    // The daemon lists children newest first (102, 101); the tree shows the one with more tree bytes first.
    expect(rows()).toEqual(['100 expanded', '  101 collapsed', '  102 collapsed', '200 collapsed', '300 collapsed'])
    expect(row(100).get('[data-testid="tree-children"]').text()).toBe('2 children')
    await toggle(102)
    expect(rows()).toEqual(['100 expanded', '  101 collapsed', '  102 expanded', '    103 collapsed', '200 collapsed', '300 collapsed'])
    await toggle(101)
    expect(api.detailCalls(101)).toHaveLength(1)
    expect(row(101).attributes('data-state')).toBe('leaf')
    expect(row(101).find('[data-testid="tree-toggle"]').exists()).toBe(false)
    await toggle(100)
    expect(rows()).toEqual(['100 collapsed', '200 collapsed', '300 collapsed'])
    await toggle(100)
    expect(rows()).toEqual(['100 expanded', '  101 leaf', '  102 expanded', '    103 collapsed', '200 collapsed', '300 collapsed'])
    expect(api.detailCalls(100)).toHaveLength(1)
    expect(api.detailCalls(102)).toHaveLength(1)
  })

  it('marks exited instances with their lifetime', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    await toggle(100)
    const dd = row(101).get('[data-testid="tree-lifetime"]')
    expect(dd.attributes('data-exited')).toBe('true')
    expect(dd.attributes('data-duration-ms')).toBe('500')
    expect(dd.text()).toMatch(/^exited · 500 ms · .+–.+$/)
    expect(row(101).classes()).toContain('exited')
    const backup = row(200).get('[data-testid="tree-lifetime"]')
    expect(backup.text()).toMatch(/^exited · 1 min 00 s · /)
    expect(row(102).get('[data-testid="tree-lifetime"]').attributes('data-exited')).toBe('false')
    expect(row(102).classes()).not.toContain('exited')
  })

  it('says plainly that process trees need the bpftrace source (or dtrace on macOS) when the daemon holds no instances', async () => {
    api = fakeApi([])
    app = await mountApp('/instances', {})
    const none = app.wrapper.get('[data-testid="tree-none"]')
    expect(none.text()).toContain('process trees need the Linux bpftrace source or, on macOS, --source dtrace')
    expect(none.text()).toContain("this daemon's source: bpftrace")
    expect(app.wrapper.find('[data-testid="process-tree"]').exists()).toBe(false)
  })

  it('says what failed when the daemon refuses', async () => {
    api = fakeApi(scene())
    api.override.set('/api/processes', { status: 503, body: { error: 'too many queries at once: try again in a moment' } })
    app = await mountApp('/instances', {})
    expect(app.wrapper.get('[data-testid="tree-empty"]').text()).toBe('Could not load the process instances: too many queries at once: try again in a moment')
    expect(app.wrapper.find('[data-testid="tree-none"]').exists()).toBe(false)
  })

  it('sends the tab\'s access token', async () => {
    setToken('s3cret')
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    await toggle(100)
    expect(api.auth.length).toBeGreaterThan(2)
    expect(new Set(api.auth)).toEqual(new Set(['Bearer s3cret']))
  })

  it('filters by name through the daemon, after typing pauses', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    const input = app.wrapper.get('[data-testid="tree-filter"]')
    await input.setValue('d')
    await input.setValue('dd')
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS)
    await flushPromises()
    expect(api.listCalls().filter((c) => c.includes('name='))).toEqual([`/api/processes?name=dd&limit=${FILTER_LIMIT}`])
    expect(rows()).toEqual(['101 collapsed', '102 collapsed'])
    expect(app.router.currentRoute.value.query.name).toBe('dd')
    expect(app.wrapper.get('[data-testid="tree-summary"]').text()).toBe('2 instances')
    await input.setValue('cat')
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS)
    await flushPromises()
    expect(app.wrapper.get('[data-testid="tree-summary"]').text()).toBe('1 instance')
    await input.setValue('nothing')
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS)
    await flushPromises()
    expect(app.wrapper.get('[data-testid="tree-empty"]').text()).toContain('No instance named “nothing”')
    await input.setValue('')
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS)
    await flushPromises()
    expect(rows()).toEqual(['100 collapsed', '200 collapsed', '300 collapsed'])
    expect(app.router.currentRoute.value.query.name).toBeUndefined()
  })

  it('refreshes the roots and the expanded running subtrees every few seconds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    await toggle(100)
    const lists = api.listCalls().length
    api.instances.find((i) => i.pid === 102)!.treeWrites = 8192
    api.instances.find((i) => i.pid === 100)!.treeWrites = 11392
    api.instances.push(instance(104, 100, { name: 'late', writes: 1, treeWrites: 1 }))
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS - 1)
    expect(api.listCalls()).toHaveLength(lists)
    await vi.advanceTimersByTimeAsync(1)
    await flushPromises()
    expect(api.listCalls()).toHaveLength(lists + 2)
    expect(api.detailCalls(100)).toHaveLength(2)
    expect(rows()).toEqual(['100 expanded', '  102 collapsed', '  101 collapsed', '  104 collapsed', '200 collapsed', '300 collapsed'])
    expect(row(102).get('[data-testid="cell-tree-written"]').text()).toBe('8.00 KiB')
    expect(row(100).get('[data-testid="cell-tree-written"]').text()).toBe('11.13 KiB')
  })

  it('does not refetch an expanded subtree in which nothing runs any more', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    await toggle(200)
    expect(row(200).attributes('data-state')).toBe('leaf')
    await toggle(100)
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS)
    await flushPromises()
    expect(api.detailCalls(100)).toHaveLength(2)
    expect(api.detailCalls(200)).toHaveLength(1)
  })

  it('stops polling while the page is hidden and when the view is left or unmounted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    let n = api.calls.length
    let visibility: DocumentVisibilityState = 'hidden'
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility })
    try {
      document.dispatchEvent(new Event('visibilitychange'))
      await vi.advanceTimersByTimeAsync(TREE_POLL_MS * 5)
      expect(api.calls).toHaveLength(n)
      visibility = 'visible'
      document.dispatchEvent(new Event('visibilitychange'))
      await flushPromises()
      expect(api.calls).toHaveLength(n + 2)
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState
    }
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS)
    expect(api.calls).toHaveLength(n + 4)
    // Leaving the view for the overview unmounts it: no request after that.
    await app.router.push('/')
    await flushPromises()
    n = api.calls.length
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS * 5)
    expect(api.calls).toHaveLength(n)
    await app.router.push('/instances')
    await flushPromises()
    n = api.calls.length
    app.wrapper.unmount()
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS * 5)
    expect(api.calls).toHaveLength(n)
    // Unmounted already: the rest of the cleanup only.
    app = { ...app, cleanup: () => (setHubFactory(undefined), (document.body.innerHTML = '')) } as typeof app
  })

  it('says so when a pid was taken by a newer process', async () => {
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    api.instances.push(instance(200, 1, { name: 'new', started: at(900) }))
    await toggle(200)
    expect(row(200).get('[data-testid="tree-error"]').text()).toContain('pid 200 now belongs to a newer process')
  })

  it('keeps a long list of children virtualised', async () => {
    const many = Array.from({ length: 5000 }, (_, k) => instance(1000 + k, 100, { name: 'cc1', ended: at(1000 + k + 1), treeWrites: k }))
    api = fakeApi([...scene(), ...many])
    app = await mountApp('/instances', {})
    await toggle(100)
    const shown = app.wrapper.findAll('[data-testid="tree-row"]')
    expect(shown.length).toBeLessThan(60)
    expect(shown[1]!.attributes('data-pid')).toBe('5999')
  })
})

describe('process tree filter while a refresh is in flight', () => {
  it('asks for the new name right after the refresh in flight, not a poll later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    api = fakeApi(scene())
    app = await mountApp('/instances', {})
    // Hold the next answers until released, so that the poll's refresh is in flight when the filter asks.
    const real = globalThis.fetch
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    vi.stubGlobal('fetch', async (...args: Parameters<typeof fetch>) => {
      await held
      return real(...args)
    })
    await vi.advanceTimersByTimeAsync(TREE_POLL_MS)
    await app.wrapper.get('[data-testid="tree-filter"]').setValue('cat')
    await vi.advanceTimersByTimeAsync(FILTER_DEBOUNCE_MS)
    release()
    await flushPromises()
    await vi.advanceTimersByTimeAsync(0)
    await flushPromises()
    expect(api.listCalls().filter((c) => c.includes('name=cat'))).toHaveLength(1)
    expect(rows()).toEqual(['103 collapsed'])
  })
})
