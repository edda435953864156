import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { flushPromises } from '@vue/test-utils'
import type { ChangedProcess, Changes, Overview, ProcessSummary, SourceStatus } from '@/api/types'
import { fakeFactory, type FakeHub } from '@/test/fakeHub'
import { setHubFactory, useDashboardStore, type StoreEvent } from './dashboard'

const T0 = Date.parse('2024-05-01T12:00:00Z')
const iso = (s: number) => new Date(T0 + s * 1000).toISOString()

const running: SourceStatus = {
  name: 'bpftrace',
  measures: 'file I/O at the system-call layer (page-cache hits included)',
  state: 'running',
  message: null,
  restarts: 0,
}

const proc = (name: string, reads: number, writes: number, s = 0, events = 1): ProcessSummary => ({
  name,
  reads,
  writes,
  lastUpdated: iso(s),
  events,
  files: 1,
})

const changed = (p: ProcessSummary, readDelta = 0, writeDelta = 0): ChangedProcess => ({ ...p, readDelta, writeDelta })

const overview = (processes: ProcessSummary[]): Overview => ({
  totals: {
    events: processes.reduce((s, p) => s + p.events, 0),
    malformedLines: 2,
    droppedEvents: 1,
    reads: processes.reduce((s, p) => s + p.reads, 0),
    writes: processes.reduce((s, p) => s + p.writes, 0),
  },
  source: running,
  processes,
})

const push = (s: number, processes: ChangedProcess[], extra: Partial<Changes> = {}): Changes => ({
  time: iso(s),
  intervalSeconds: 1,
  reset: false,
  totals: { events: 100 + s, malformedLines: 2, droppedEvents: 1, reads: 1000 + s, writes: 2000 + s },
  source: running,
  processes,
  removed: [],
  ...extra,
})

const rows = (store: ReturnType<typeof useDashboardStore>) =>
  [...store.view.processes.values()].map((r) => [r.name, r.reads, r.writes]).sort()

let f: ReturnType<typeof fakeFactory>
let hub: () => FakeHub
let initial: ProcessSummary[]

async function connected() {
  const store = useDashboardStore()
  await store.connect()
  await flushPromises()
  return store
}

beforeEach(() => {
  setActivePinia(createPinia())
  initial = [proc('zsh', 10, 20), proc('Finder', 300, 0)]
  f = fakeFactory((h) => h.replies.set('GetOverview', () => overview(initial)))
  hub = () => f.hub
  setHubFactory(f.factory)
})

afterEach(() => setHubFactory(undefined))

describe('stats store: connection and overview', () => {
  it('fetches the overview once connected', async () => {
    const store = await connected()
    expect(store.connection).toBe('connected')
    expect(store.loaded).toBe(true)
    expect(rows(store)).toEqual([['Finder', 300, 0], ['zsh', 10, 20]])
    expect(store.view.totals).toEqual({ events: 2, malformedLines: 2, droppedEvents: 1, reads: 310, writes: 20 })
    expect(store.source.name).toBe('bpftrace')
    expect(store.view.processes.get('zsh')!.updatedMs).toBe(T0)
  })

  it('refetches the overview after an automatic reconnect', async () => {
    const store = await connected()
    const before = hub().calls.filter((c) => c.method === 'GetOverview').length
    hub().drop()
    expect(store.connection).toBe('reconnecting')
    initial = [proc('zsh', 10, 20), proc('Finder', 300, 0), proc('new one', 5, 5)]
    hub().restore()
    await flushPromises()
    expect(store.connection).toBe('connected')
    expect(hub().calls.filter((c) => c.method === 'GetOverview').length).toBe(before + 1)
    expect(rows(store)).toContainEqual(['new one', 5, 5])
  })
})

describe('stats store: pushes', () => {
  it('merges changed processes, adds new ones and takes the totals', async () => {
    const store = await connected()
    hub().push('changes', push(1, [changed(proc('zsh', 10, 120, 1, 2), 0, 100), changed(proc('cp', 0, 4096, 1), 0, 4096)]))
    expect(rows(store)).toEqual([['Finder', 300, 0], ['cp', 0, 4096], ['zsh', 10, 120]])
    expect(store.view.totals.writes).toBe(2001)
    expect(store.view.totals.events).toBe(101)
  })

  it('drops removed processes', async () => {
    const store = await connected()
    hub().push('changes', push(1, [], { removed: ['Finder', 'not there'] }))
    expect(rows(store)).toEqual([['zsh', 10, 20]])
  })

  it('ignores a row older than the one held', async () => {
    const store = await connected()
    hub().push('changes', push(5, [changed(proc('zsh', 10, 500, 5, 9))]))
    hub().push('changes', push(6, [changed(proc('zsh', 10, 400, 4, 8))]))
    expect(store.view.processes.get('zsh')!.writes).toBe(500)
  })

  it('updates the source status', async () => {
    const store = await connected()
    const failed: SourceStatus = { ...running, state: 'failed', message: 'another fs_usage holds the ktrace session', restarts: 3 }
    hub().push('changes', push(1, [], { source: failed }))
    expect(store.source).toEqual(failed)
  })

  it('drops everything on a reset push and refetches', async () => {
    const store = await connected()
    const events: StoreEvent['type'][] = []
    store.subscribe((e) => events.push(e.type))
    hub().push('changes', push(1, [changed(proc('zsh', 10, 30, 1, 2), 0, 10)]))
    expect(store.view.machine).toHaveLength(1)
    initial = [proc('after', 1, 1, 2)]
    hub().push('changes', push(2, [], { reset: true }))
    expect(store.view.processes.size).toBe(0)
    expect(store.view.machine).toHaveLength(0)
    await flushPromises()
    expect(rows(store)).toEqual([['after', 1, 1]])
    expect(events).toEqual(['changes', 'reset', 'refreshed'])
  })

  it('merges pushes that arrive while the overview is being fetched on top of it', async () => {
    let release: () => void = () => undefined
    f = fakeFactory((h) =>
      h.replies.set('GetOverview', () => new Promise((r) => (release = () => r(overview(initial))))),
    )
    setHubFactory(f.factory)
    const store = useDashboardStore()
    await store.connect()
    hub().push('changes', push(3, [changed(proc('zsh', 10, 99, 3, 5), 0, 79)]))
    expect(store.view.processes.size).toBe(0)
    release()
    await flushPromises()
    expect(rows(store)).toEqual([['Finder', 300, 0], ['zsh', 10, 99]])
  })

  it('records the machine rate series from the deltas', async () => {
    const store = await connected()
    hub().push('changes', push(1, [changed(proc('zsh', 10, 120, 1, 2), 0, 100)], { intervalSeconds: 2 }))
    hub().push('changes', push(2, [changed(proc('Finder', 900, 0, 2, 2), 600, 0)]))
    expect(store.view.machine.map((p) => [p.read, p.write])).toEqual([[0, 50], [600, 0]])
  })
})

describe('stats store: pause', () => {
  it('holds the view still while paused and catches up on resume', async () => {
    const store = await connected()
    store.setPaused(true)
    expect(store.paused).toBe(true)
    hub().push('changes', push(1, [changed(proc('zsh', 10, 999, 1, 2), 0, 979)]))
    hub().push('changes', push(2, [], { removed: ['Finder'] }))
    expect(rows(store)).toEqual([['Finder', 300, 0], ['zsh', 10, 20]])
    expect(store.view.totals.writes).toBe(20)
    expect(store.view.machine).toHaveLength(0)
    expect(store.missed).toBe(2)
    store.togglePause()
    expect(store.paused).toBe(false)
    expect(store.missed).toBe(0)
    expect(rows(store)).toEqual([['zsh', 10, 999]])
    expect(store.view.machine).toHaveLength(2)
  })

  it('still applies deletes made by the user while paused', async () => {
    const store = await connected()
    hub().replies.set('DeleteProcess', true)
    store.setPaused(true)
    expect(await store.deleteProcess('Finder')).toBe(true)
    expect(rows(store)).toEqual([['zsh', 10, 20]])
    expect(hub().calls.at(-1)).toEqual({ method: 'DeleteProcess', args: ['Finder'] })
  })
})

describe('stats store: actions', () => {
  it('keeps a row the daemon refused to delete', async () => {
    const store = await connected()
    hub().replies.set('DeleteProcess', false)
    expect(await store.deleteProcess('zsh')).toBe(false)
    expect(store.view.processes.has('zsh')).toBe(true)
  })

  it('resets on the daemon, clears and refetches', async () => {
    const store = await connected()
    hub().replies.set('Reset', undefined)
    initial = []
    await store.reset()
    expect(hub().calls.some((c) => c.method === 'Reset')).toBe(true)
    expect(store.view.processes.size).toBe(0)
    expect(store.view.totals.reads).toBe(0)
  })

  it('fetches one process with its files', async () => {
    const store = await connected()
    hub().replies.set('GetProcessFiles', (name: unknown) => ({ name, found: true, files: [] }))
    await expect(store.getProcessFiles('a b#?%')).resolves.toMatchObject({ name: 'a b#?%', found: true })
  })
})

describe('stats store: history', () => {
  it('falls back to the live series when the daemon has no GetHistory', async () => {
    const store = await connected()
    expect(store.historyAvailable).toBe(false)
    hub().push('changes', push(1, [changed(proc('zsh', 10, 120, 1, 2), 0, 100)]))
    expect(store.view.machine).toHaveLength(1)
  })

  it('prefills the machine chart from GetHistory and GetTopProcesses', async () => {
    const now = Date.now()
    const at = (agoS: number) => new Date(now - agoS * 1000).toISOString()
    f = fakeFactory((h) => {
      h.replies.set('GetOverview', () => overview(initial))
      h.replies.set('GetTopProcesses', [{ name: 'zsh', reads: 0, writes: 200 }])
      h.replies.set('GetHistory', (_from: unknown, _to: unknown, p: unknown) => ({
        bucketSeconds: 10,
        points: [
          { time: at(60), reads: 0, writes: p === null ? 300 : 200 },
          { time: at(50), reads: p === null ? 100 : 0, writes: 0 },
        ],
      }))
    })
    setHubFactory(f.factory)
    const store = await connected()
    expect(store.historyAvailable).toBe(true)
    expect(store.view.machine.map((m) => [m.read, m.write, m.top.map((t) => t.name)])).toEqual([
      [0, 30, ['zsh']],
      [10, 0, []],
    ])
    expect(hub().calls.find((c) => c.method === 'GetTopProcesses')!.args[2]).toBe(5)
    await store.watchProcess('zsh')
    expect(store.processSeries.map((p) => p.write)).toEqual([20, 0])
  })

  it('records the watched process from the pushes, zero when it is absent', async () => {
    const store = await connected()
    await store.watchProcess('zsh')
    hub().push('changes', push(1, [changed(proc('zsh', 10, 120, 1, 2), 0, 100)]))
    hub().push('changes', push(2, [changed(proc('Finder', 900, 0, 2, 2), 600, 0)]))
    expect(store.processSeries.map((p) => p.write)).toEqual([100, 0])
    store.unwatchProcess()
    expect(store.processSeries).toEqual([])
  })

  it('loads the watched process history once connected when the page opened first', async () => {
    f = fakeFactory((h) => {
      h.replies.set('GetOverview', () => overview(initial))
      h.replies.set('GetTopProcesses', [])
      h.replies.set('GetHistory', (_f: unknown, _t: unknown, p: unknown) => ({
        bucketSeconds: 2,
        points: p === 'zsh' ? [{ time: new Date(Date.now() - 30_000).toISOString(), reads: 8, writes: 4 }] : [],
      }))
    })
    setHubFactory(f.factory)
    const store = useDashboardStore()
    await store.watchProcess('zsh')
    expect(store.processSeries).toEqual([])
    await store.connect()
    await flushPromises()
    expect(store.processSeries.map((p) => [p.read, p.write])).toEqual([[4, 2]])
  })
})
