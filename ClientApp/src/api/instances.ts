// The daemon's process instances (GET /api/processes, GET /api/processes/{pid}): the bpftrace and dtrace sources;
// and their groups (GET /api/groups): the bpftrace source.
import { getToken } from '@/api/auth'

/**
 * One process instance: `ended` null while it runs; `reads`/`writes` its own bytes, `tree*` with all descendants;
 * `disk*`/`treeDisk*` the same in the disk layer (0 where the source does not measure it); `group` the readable name
 * of its cgroup (a systemd unit, a container, a pod), null when not known.
 */
export interface ProcessInstance {
  pid: number
  ppid: number
  name: string
  exe: string | null
  group: string | null
  started: string | null
  ended: string | null
  reads: number
  writes: number
  treeReads: number
  treeWrites: number
  diskReads: number
  diskWrites: number
  treeDiskReads: number
  treeDiskWrites: number
}

/** One instance with its children (each without children of its own), newest first. */
export interface InstanceDetail extends ProcessInstance {
  children: ProcessInstance[]
}

/** An answer other than 2xx: `status` is the HTTP status, the message the daemon's `error` when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** GETs JSON from the daemon, with the tab's access token as a bearer token when there is one. */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const token = getToken()
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  const response = await fetch(path, { headers, signal })
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`.trim()
    try {
      const body = (await response.json()) as { error?: unknown }
      if (typeof body?.error === 'string' && body.error) message = body.error
    } catch {
      // No JSON body: the status says enough.
    }
    if (response.status === 401) message = 'the daemon refused the access token'
    throw new ApiError(response.status, message)
  }
  return (await response.json()) as T
}

export interface InstanceQuery {
  running?: boolean
  name?: string
  group?: string
  limit?: number
}

/** Instances, newest first; an empty list when the source records none (fs_usage, a replay of the original's lines). */
export function listInstances(query: InstanceQuery = {}, signal?: AbortSignal): Promise<ProcessInstance[]> {
  const params = new URLSearchParams()
  if (query.running) params.set('running', 'true')
  if (query.name) params.set('name', query.name)
  if (query.group) params.set('group', query.group)
  if (query.limit !== undefined) params.set('limit', String(query.limit))
  const qs = params.toString()
  return getJson<ProcessInstance[]>(`/api/processes${qs ? `?${qs}` : ''}`, signal)
}

/** The latest instance with this pid and its children, or null when none is held. */
export async function getInstance(pid: number, signal?: AbortSignal): Promise<InstanceDetail | null> {
  try {
    return await getJson<InstanceDetail>(`/api/processes/${pid}`, signal)
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null
    throw e
  }
}

/** One group's bytes: what its instances read and wrote (exited ones included), their disk bytes, and how many instances were in it. */
export interface GroupFigures {
  reads: number
  writes: number
  diskReads: number
  diskWrites: number
  processes: number
}

/** One group with its name, as the groups view lists them. */
export interface GroupRow extends GroupFigures {
  name: string
}

/** How many instances of a group the groups view asks for (newest first). */
export const GROUP_INSTANCE_LIMIT = 200

/** The bytes per group (GET /api/groups), most bytes first; empty when the source records no groups. */
export async function listGroups(signal?: AbortSignal): Promise<GroupRow[]> {
  const groups = await getJson<Record<string, GroupFigures>>('/api/groups', signal)
  return Object.entries(groups)
    .map(([name, g]) => ({ name, reads: g.reads, writes: g.writes, diskReads: g.diskReads ?? 0, diskWrites: g.diskWrites ?? 0, processes: g.processes }))
    .sort((a, b) => b.reads + b.writes - (a.reads + a.writes) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))
