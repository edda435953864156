// Mounts the whole dashboard on a memory router with a scripted hub, for view specs.
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import App from '@/App.vue'
import type { ChangedProcess, Changes, FileSummary, Overview, ProcessFiles, ProcessSummary, SourceStatus } from '@/api/types'
import { makeRouter } from '@/router'
import { setHubFactory, useDashboardStore } from '@/stores/dashboard'
import { fakeFactory, type FakeHub } from './fakeHub'

export const T0 = Date.parse('2024-05-01T12:00:00Z')
export const iso = (s: number) => new Date(T0 + s * 1000).toISOString()

export const running: SourceStatus = {
  name: 'bpftrace',
  measures: 'file I/O at the system-call layer (page-cache hits included)',
  state: 'running',
  message: null,
  restarts: 0,
}

export const proc = (name: string, reads: number, writes: number, s = 0): ProcessSummary => ({
  name,
  reads,
  writes,
  lastUpdated: iso(s),
  events: 1,
  files: 1,
})

export const changed = (p: ProcessSummary, readDelta = 0, writeDelta = 0): ChangedProcess => ({ ...p, readDelta, writeDelta })

export function overviewOf(processes: ProcessSummary[], source: SourceStatus = running, readOnly = false): Overview {
  return {
    totals: {
      events: 4242,
      malformedLines: 7,
      droppedEvents: 3,
      reads: processes.reduce((s, p) => s + p.reads, 0),
      writes: processes.reduce((s, p) => s + p.writes, 0),
    },
    source,
    processes,
    readOnly,
  }
}

export function push(s: number, processes: ChangedProcess[], extra: Partial<Changes> = {}): Changes {
  return {
    time: iso(s),
    intervalSeconds: 1,
    reset: false,
    totals: { events: 5000, malformedLines: 7, droppedEvents: 3, reads: 1, writes: 2 },
    source: running,
    processes,
    removed: [],
    ...extra,
  }
}

export function filesOf(name: string, files: FileSummary[], found = true): ProcessFiles {
  return {
    name,
    found,
    reads: files.reduce((s, f) => s + f.reads, 0),
    writes: files.reduce((s, f) => s + f.writes, 0),
    lastUpdated: found ? iso(0) : null,
    events: files.length,
    files,
  }
}

export interface Scenario {
  processes?: ProcessSummary[]
  files?: Record<string, FileSummary[]>
  init?: (hub: FakeHub) => void
  /** The daemon runs with --read-only. */
  readOnly?: boolean
}

export async function mountApp(path: string, scenario: Scenario = {}) {
  let processes = scenario.processes ?? []
  const f = fakeFactory((h) => {
    h.replies.set('GetOverview', () => overviewOf(processes, running, scenario.readOnly))
    h.replies.set('GetProcessFiles', (name: unknown) => {
      const files = scenario.files?.[name as string]
      return filesOf(name as string, files ?? [], files !== undefined)
    })
    h.replies.set('DeleteProcess', (name: unknown) => {
      const had = processes.some((p) => p.name === name)
      processes = processes.filter((p) => p.name !== name)
      return had
    })
    h.replies.set('Reset', () => {
      processes = []
      return undefined
    })
    scenario.init?.(h)
  })
  setHubFactory(f.factory)
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = makeRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await flushPromises()
  return {
    wrapper,
    router,
    store: useDashboardStore(),
    hub: () => f.hub,
    setProcesses: (p: ProcessSummary[]) => (processes = p),
    names: () => wrapper.findAll('[data-testid="process-row"]').map((r) => r.attributes('data-name')),
    cleanup: () => {
      wrapper.unmount()
      setHubFactory(undefined)
      document.body.innerHTML = ''
    },
  }
}
