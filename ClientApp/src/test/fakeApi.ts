// A scripted stand-in for the daemon's REST API (fetch), for specs of the process-instance views.
import { vi } from 'vitest'
import type { InstanceDetail, ProcessInstance } from '@/api/instances'

export const T0 = Date.parse('2024-05-01T12:00:00Z')
export const at = (s: number) => new Date(T0 + s * 1000).toISOString()

export const instance = (pid: number, ppid: number, patch: Partial<ProcessInstance> = {}): ProcessInstance => ({
  pid,
  ppid,
  name: `p${pid}`,
  exe: null,
  group: null,
  started: at(pid),
  ended: null,
  reads: 0,
  writes: 0,
  treeReads: 0,
  treeWrites: 0,
  diskReads: 0,
  diskWrites: 0,
  treeDiskReads: 0,
  treeDiskWrites: 0,
  ...patch,
})

export interface FakeApi {
  /** Every instance held; `children` of a pid are those whose ppid names it. Change it to change the answers. */
  instances: ProcessInstance[]
  /** Requests made, as path and query (e.g. `/api/processes?running=true&limit=2000`). */
  calls: string[]
  /** Authorization headers sent, in order. */
  auth: (string | null)[]
  /** Answers for a path instead of the instances (status and body). */
  override: Map<string, { status: number; body: unknown }>
  /** The requests for one pid's detail. */
  detailCalls: (pid: number) => string[]
  listCalls: () => string[]
}

const json = (status: number, body: unknown) =>
  ({ ok: status >= 200 && status < 300, status, statusText: '', json: async () => body }) as unknown as Response

/** Replaces fetch with answers computed from `api.instances` as the daemon computes them. */
export function fakeApi(instances: ProcessInstance[] = []): FakeApi {
  const api: FakeApi = {
    instances,
    calls: [],
    auth: [],
    override: new Map(),
    detailCalls: (pid) => api.calls.filter((c) => c === `/api/processes/${pid}`),
    listCalls: () => api.calls.filter((c) => c.startsWith('/api/processes?') || c === '/api/processes'),
  }
  const newestFirst = (a: ProcessInstance, b: ProcessInstance) => Date.parse(b.started ?? '') - Date.parse(a.started ?? '')
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init?: RequestInit) => {
      api.calls.push(input)
      const headers = (init?.headers ?? {}) as Record<string, string>
      api.auth.push(headers.Authorization ?? null)
      const url = new URL(input, 'http://daemon')
      const fixed = api.override.get(url.pathname)
      if (fixed) return json(fixed.status, fixed.body)
      if (url.pathname === '/api/processes') {
        const running = url.searchParams.get('running') === 'true'
        const name = url.searchParams.get('name')
        const group = url.searchParams.get('group')
        const limit = Number(url.searchParams.get('limit') ?? 100)
        const list = api.instances
          .filter((i) => (!running || i.ended === null) && (name === null || i.name === name) && (group === null || i.group === group))
          .sort(newestFirst)
          .slice(0, limit)
        return json(200, list)
      }
      if (url.pathname === '/api/groups') {
        // Summed from the instances held (the daemon also keeps what dropped instances moved).
        const groups: Record<string, { reads: number; writes: number; diskReads: number; diskWrites: number; processes: number }> = {}
        for (const i of api.instances) {
          if (i.group === null) continue
          const g = (groups[i.group] ??= { reads: 0, writes: 0, diskReads: 0, diskWrites: 0, processes: 0 })
          g.reads += i.reads
          g.writes += i.writes
          g.diskReads += i.diskReads
          g.diskWrites += i.diskWrites
          g.processes += 1
        }
        return json(200, groups)
      }
      const m = /^\/api\/processes\/(\d+)$/.exec(url.pathname)
      if (m) {
        const pid = Number(m[1])
        const latest = api.instances.filter((i) => i.pid === pid).sort(newestFirst)[0]
        if (!latest) return json(404, { error: `no process instance with pid ${pid} is held` })
        const children = api.instances.filter((i) => i.ppid === pid && i.pid !== pid).sort(newestFirst)
        const detail: InstanceDetail = { ...latest, children }
        return json(200, detail)
      }
      return json(404, { error: 'not found' })
    }),
  )
  return api
}
