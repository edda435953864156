// The one store that owns the hub connection and the data it feeds.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { HubFactory } from '@/api/hub'
import { Hub, Push } from '@/api/methods'
import type { Changes, DeviceIo, FileSearch, History, Overview, ProcessFiles, ProcessSummary, SourceStatus, TopProcess, Totals } from '@/api/types'
import { emptyTotals, unknownSource } from '@/api/types'
import { useHub } from '@/composables/useHub'
import { parseTime } from '@/lib/format'
import { diskChanges, diskSummary, diskTotals, measuresBothLayers, type Layer } from '@/lib/layer'
import { appendPush, forget, pushDeltas, ratesAt, SPARK_SECONDS, type PushDeltas, type Rate } from '@/lib/rates'
import {
  appendCapped,
  historyHasDisk,
  historyToPoints,
  machineHistory,
  machinePoint,
  mergeHistory,
  processFromMachine,
  processPoint,
  rebucket,
  WINDOW_MS,
  type MachinePoint,
  type RatePoint,
} from '@/lib/series'

export interface ProcessRow extends ProcessSummary {
  /** lastUpdated as epoch milliseconds, for sorting. */
  updatedMs: number
}

/** What the tables and charts show; replaced as a whole on every change, never mutated. */
export interface Snapshot {
  totals: Totals
  processes: ReadonlyMap<string, ProcessRow>
  machine: readonly MachinePoint[]
  /** The pushes of the last seconds, for rates and sparklines. */
  pushes: readonly PushDeltas[]
  /** Bytes per second per process over the last few seconds, at {@link rateTime}; absent means idle. */
  rates: ReadonlyMap<string, Rate>
  /** When the rates were computed (epoch ms, server clock). */
  rateTime: number
  /** The same series of the disk layer (sources that measure both layers; empty otherwise). */
  diskMachine: readonly MachinePoint[]
  diskPushes: readonly PushDeltas[]
  diskRates: ReadonlyMap<string, Rate>
  /** Every disk's totals since the start (block layer), as the daemon last sent them. */
  devices: readonly DeviceIo[]
}

export type StoreEvent =
  | { type: 'changes'; changes: Changes }
  | { type: 'reset' }
  | { type: 'refreshed' }

/** How many pushes to hold while an overview request is in flight. */
const QUEUE_LIMIT = 120
/** How many processes the history prefill shows by name. */
const HISTORY_TOP = 5

let hubFactory: HubFactory | undefined

/** Replaces the SignalR connection, for specs. Call before the store is first used. */
export function setHubFactory(factory: HubFactory | undefined) {
  hubFactory = factory
}

const emptySnapshot = (): Snapshot => ({
  totals: emptyTotals(),
  processes: new Map(),
  machine: [],
  pushes: [],
  rates: new Map(),
  rateTime: 0,
  diskMachine: [],
  diskPushes: [],
  diskRates: new Map(),
  devices: [],
})

/** The snapshot with the disk figures in place of the file figures, so that every table and chart shows them. */
export function inDiskLayer(snap: Snapshot): Snapshot {
  const processes = new Map<string, ProcessRow>()
  for (const [name, p] of snap.processes) processes.set(name, diskSummary(p))
  return { ...snap, totals: diskTotals(snap.totals), processes, machine: snap.diskMachine, pushes: snap.diskPushes, rates: snap.diskRates }
}
const toRow = (p: ProcessSummary): ProcessRow => ({
  name: p.name,
  reads: p.reads,
  writes: p.writes,
  lastUpdated: p.lastUpdated,
  events: p.events,
  files: p.files,
  diskReads: p.diskReads,
  diskWrites: p.diskWrites,
  updatedMs: parseTime(p.lastUpdated),
})

/** Merges one push into a snapshot. A row never goes back to an older state than the one held. */
export function mergeChanges(snap: Snapshot, changes: Changes): Snapshot {
  const processes = new Map(snap.processes)
  for (const name of changes.removed) processes.delete(name)
  for (const p of changes.processes) {
    const row = toRow(p)
    const held = processes.get(p.name)
    if (held && (row.updatedMs < held.updatedMs || (row.updatedMs === held.updatedMs && row.events < held.events))) continue
    processes.set(p.name, row)
  }
  return { ...snap, totals: changes.totals, processes, devices: changes.devices ?? snap.devices }
}

/** The daemon's history has no disk figures (older daemons): a chart of the disk layer cannot be drawn from it. */
export const NO_DISK_HISTORY = 'this daemon keeps file I/O only in its history: no disk figures for a past range'

function requireDisk(history: History) {
  if (history.points.length > 0 && !historyHasDisk(history)) throw new Error(NO_DISK_HISTORY)
}

export const useDashboardStore = defineStore('dashboard', () => {
  const live = shallowRef<Snapshot>(emptySnapshot())
  /** The snapshot held still while paused; null when live. */
  const frozen = shallowRef<Snapshot | null>(null)
  const source = ref<SourceStatus>(unknownSource())
  /** The layer asked for (the URL's `layer`); shown only when the source measures both. */
  const layer = ref<Layer>('file')
  const bothLayers = computed(() => measuresBothLayers(source.value))
  const shownLayer = computed<Layer>(() => (bothLayers.value && layer.value === 'disk' ? 'disk' : 'file'))
  const view = computed(() => {
    const snap = frozen.value ?? live.value
    return shownLayer.value === 'disk' ? inDiskLayer(snap) : snap
  })
  const paused = computed(() => frozen.value !== null)
  /** Pushes received while paused. */
  const missed = ref(0)
  /** True once an overview has been received. */
  const loaded = ref(false)
  const lastPushAt = ref<number | null>(null)
  /** null until tried; false when the daemon has no GetHistory. */
  const historyAvailable = ref<boolean | null>(null)
  /** The daemon refuses deleting and resetting (--read-only): the page offers neither. */
  const readOnly = ref(false)
  const watchedName = ref<string | null>(null)
  const watchedSeries = shallowRef<RatePoint[]>([])
  const frozenWatched = shallowRef<RatePoint[]>([])
  const watchedDisk = shallowRef<RatePoint[]>([])
  const frozenWatchedDisk = shallowRef<RatePoint[]>([])
  /** The watched process's series as shown: held still while paused. */
  const processSeries = computed(() => {
    if (shownLayer.value === 'disk') return paused.value ? frozenWatchedDisk.value : watchedDisk.value
    return paused.value ? frozenWatched.value : watchedSeries.value
  })

  const listeners = new Set<(e: StoreEvent) => void>()
  let refreshing: Promise<void> | null = null
  let queue: Changes[] = []

  /** Server clock minus this browser's clock, from the last push. */
  let clockOffset = 0
  let rateTimer: ReturnType<typeof setInterval> | undefined

  const hub = useHub({
    factory: hubFactory,
    handlers: { [Push.changes]: (c: Changes) => receive(c) },
    onConnected: () => {
      void refresh()
      void prefillHistory().then(() => {
        if (watchedName.value !== null) return loadWatchedHistory(watchedName.value)
      })
    },
  })

  function emit(e: StoreEvent) {
    for (const l of listeners) l(e)
  }

  /** Listens to pushes, resets and refetches; returns the unsubscribe function. */
  function subscribe(listener: (e: StoreEvent) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  function setLive(next: Snapshot) {
    live.value = next
  }

  function receive(changes: Changes) {
    lastPushAt.value = Date.now()
    source.value = changes.source
    if (changes.reset) {
      clear()
      emit({ type: 'reset' })
      void refresh()
      return
    }
    if (paused.value) missed.value++
    recordSeries(changes)
    if (refreshing) {
      queue.push(changes)
      if (queue.length > QUEUE_LIMIT) queue.shift()
    } else {
      setLive(mergeChanges(live.value, changes))
    }
    emit({ type: 'changes', changes })
  }

  /** Recomputes the rates for the current time; ticks each second while recent pushes exist. */
  function updateRates() {
    const now = Date.now() + clockOffset
    const recent = (p: PushDeltas) => p.t > now - SPARK_SECONDS * 1000
    const pushes = live.value.pushes.filter(recent)
    const diskPushes = live.value.diskPushes.filter(recent)
    setLive({ ...live.value, pushes, rates: ratesAt(pushes, now), rateTime: now, diskPushes, diskRates: ratesAt(diskPushes, now) })
    if (pushes.length === 0 && diskPushes.length === 0) {
      clearInterval(rateTimer)
      rateTimer = undefined
    }
  }

  function recordSeries(changes: Changes) {
    const deltas = pushDeltas(changes)
    if (Number.isFinite(deltas.t)) clockOffset = deltas.t - Date.now()
    // The disk layer's series are kept only for sources that measure it: the rest pay nothing for them.
    const disk = measuresBothLayers(changes.source) ? diskChanges(changes) : null
    setLive({
      ...live.value,
      machine: appendCapped(live.value.machine, machinePoint(changes)),
      pushes: appendPush(live.value.pushes, deltas),
      ...(disk
        ? { diskMachine: appendCapped(live.value.diskMachine, machinePoint(disk)), diskPushes: appendPush(live.value.diskPushes, pushDeltas(disk)) }
        : {}),
    })
    updateRates()
    if (rateTimer === undefined && (live.value.pushes.length > 0 || live.value.diskPushes.length > 0)) rateTimer = setInterval(updateRates, 1000)
    if (watchedName.value !== null) {
      watchedSeries.value = appendCapped(watchedSeries.value, processPoint(changes, watchedName.value))
      if (disk) watchedDisk.value = appendCapped(watchedDisk.value, processPoint(disk, watchedName.value))
    }
  }

  /** Drops all client data (after a reset). */
  function clear() {
    live.value = emptySnapshot()
    clearInterval(rateTimer)
    rateTimer = undefined
    if (frozen.value) frozen.value = live.value
    watchedSeries.value = []
    watchedDisk.value = []
    queue = []
  }

  /** Fetches the whole overview; pushes that arrive meanwhile are merged on top of it. */
  function refresh(): Promise<void> {
    if (refreshing) return refreshing
    const run = (async () => {
      try {
        const o = await hub.invoke<Overview>(Hub.getOverview)
        const processes = new Map<string, ProcessRow>()
        for (const p of o.processes) processes.set(p.name, toRow(p))
        let next: Snapshot = { ...live.value, totals: o.totals, processes, devices: o.devices ?? [] }
        for (const c of queue) next = mergeChanges(next, c)
        setLive(next)
        // A refetch is an explicit update: a paused view shows its result too.
        if (frozen.value) frozen.value = next
        source.value = o.source
        readOnly.value = o.readOnly === true
        loaded.value = true
        emit({ type: 'refreshed' })
      } catch {
        let next = live.value
        for (const c of queue) next = mergeChanges(next, c)
        setLive(next)
      } finally {
        queue = []
        refreshing = null
      }
    })()
    refreshing = run
    return run
  }

  const windowIso = () => {
    const to = new Date()
    return [new Date(to.getTime() - WINDOW_MS).toISOString(), to.toISOString()] as const
  }

  /** Fills the machine chart from GetHistory when the daemon has it; otherwise the live series stays. */
  async function prefillHistory() {
    const [from, to] = windowIso()
    try {
      const [total, top] = await Promise.all([
        hub.invoke<History>(Hub.getHistory, from, to, null),
        hub.invoke<TopProcess[]>(Hub.getTopProcesses, from, to, HISTORY_TOP),
      ])
      const perProcess = await Promise.all(
        top.map(async (t) => ({ name: t.name, history: await hub.invoke<History>(Hub.getHistory, from, to, t.name) })),
      )
      historyAvailable.value = true
      const machine = mergeHistory(machineHistory(total, perProcess), live.value.machine)
      // A history with disk figures (newer daemons) fills the disk layer's chart too.
      const diskMachine = historyHasDisk(total)
        ? mergeHistory(machineHistory(total, perProcess, 'disk'), live.value.diskMachine)
        : live.value.diskMachine
      setLive({ ...live.value, machine, diskMachine })
    } catch {
      historyAvailable.value = false
    }
  }

  /** Starts recording one process's rate series (the process page's chart). */
  async function watchProcess(name: string) {
    watchedName.value = name
    watchedSeries.value = processFromMachine(live.value.machine, name)
    frozenWatched.value = watchedSeries.value
    watchedDisk.value = processFromMachine(live.value.diskMachine, name)
    frozenWatchedDisk.value = watchedDisk.value
    await loadWatchedHistory(name)
  }

  async function loadWatchedHistory(name: string) {
    if (historyAvailable.value === false || hub.state.value !== 'connected') return
    const [from, to] = windowIso()
    try {
      const history = await hub.invoke<History>(Hub.getHistory, from, to, name)
      if (watchedName.value !== name) return
      watchedSeries.value = mergeHistory(historyToPoints(history), watchedSeries.value)
      if (!paused.value) frozenWatched.value = watchedSeries.value
      if (historyHasDisk(history)) {
        watchedDisk.value = mergeHistory(historyToPoints(history, 'disk'), watchedDisk.value)
        if (!paused.value) frozenWatchedDisk.value = watchedDisk.value
      }
    } catch {
      // No history on this daemon: keep the live series.
    }
  }

  function unwatchProcess() {
    watchedName.value = null
    watchedSeries.value = []
    watchedDisk.value = []
  }

  function setPaused(value: boolean) {
    if (value === paused.value) return
    frozen.value = value ? live.value : null
    frozenWatched.value = value ? watchedSeries.value : []
    frozenWatchedDisk.value = value ? watchedDisk.value : []
    missed.value = 0
  }

  function togglePause() {
    setPaused(!paused.value)
  }

  const dropRow = (snap: Snapshot, name: string): Snapshot => {
    if (!snap.processes.has(name)) return snap
    const processes = new Map(snap.processes)
    processes.delete(name)
    const rates = new Map(snap.rates)
    rates.delete(name)
    const diskRates = new Map(snap.diskRates)
    diskRates.delete(name)
    return { ...snap, processes, rates, pushes: forget(snap.pushes, name), diskRates, diskPushes: forget(snap.diskPushes, name) }
  }

  async function deleteProcess(name: string): Promise<boolean> {
    const ok = await hub.invoke<boolean>(Hub.deleteProcess, name)
    if (ok) {
      setLive(dropRow(live.value, name))
      if (frozen.value) frozen.value = dropRow(frozen.value, name)
    }
    return ok
  }

  async function reset(): Promise<void> {
    await hub.invoke<void>(Hub.reset)
    clear()
    emit({ type: 'reset' })
    await refresh()
  }

  function getProcessFiles(name: string): Promise<ProcessFiles> {
    return hub.invoke<ProcessFiles>(Hub.getProcessFiles, name)
  }

  /** The processes that moved the most bytes between two times (from the daemon's history). */
  function topProcesses(from: Date, to: Date, limit: number): Promise<TopProcess[]> {
    return hub.invoke<TopProcess[]>(Hub.getTopProcesses, from.toISOString(), to.toISOString(), limit)
  }

  /** The machine's rates over a fixed range from the daemon's history, its top processes by name; in the layer
   * shown (a history without disk figures cannot show the disk layer: refused with a reason). */
  async function rangeHistory(from: number, to: number, layer: Layer = shownLayer.value): Promise<MachinePoint[]> {
    const [f, t] = [new Date(from).toISOString(), new Date(to).toISOString()]
    const [total, top] = await Promise.all([
      hub.invoke<History>(Hub.getHistory, f, t, null),
      hub.invoke<TopProcess[]>(Hub.getTopProcesses, f, t, HISTORY_TOP),
    ])
    const perProcess = await Promise.all(
      top.map(async (p) => ({ name: p.name, history: await hub.invoke<History>(Hub.getHistory, f, t, p.name) })),
    )
    if (layer === 'disk') requireDisk(total)
    return rebucket(machineHistory(total, perProcess, layer))
  }

  /** One process's rates over a fixed range from the daemon's history, in the layer shown. */
  async function processHistory(name: string, from: number, to: number, layer: Layer = shownLayer.value): Promise<RatePoint[]> {
    const history = await hub.invoke<History>(Hub.getHistory, new Date(from).toISOString(), new Date(to).toISOString(), name)
    if (layer === 'disk') requireDisk(history)
    return rebucket(historyToPoints(history, layer))
  }

  /** Processes whose files match a path prefix or substring, with their bytes on those files (the daemon searches). */
  function searchFiles(query: string, limit: number): Promise<FileSearch> {
    return hub.invoke<FileSearch>(Hub.searchFiles, query, limit)
  }

  return {
    // connection
    connection: hub.state,
    connectionError: hub.lastError,
    reconnectAttempts: hub.attempts,
    nextRetryAt: hub.nextRetryAt,
    connect: hub.start,
    disconnect: hub.stop,
    reconnectNow: hub.restart,
    // data
    view,
    source,
    layer,
    bothLayers,
    shownLayer,
    loaded,
    lastPushAt,
    historyAvailable,
    readOnly,
    paused,
    missed,
    watchedName,
    processSeries,
    // actions
    receive,
    refresh,
    subscribe,
    setPaused,
    togglePause,
    deleteProcess,
    reset,
    getProcessFiles,
    topProcesses,
    rangeHistory,
    processHistory,
    searchFiles,
    watchProcess,
    unwatchProcess,
  }
})
