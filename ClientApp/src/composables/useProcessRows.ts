// The rows of the process table: live (totals, current rates) or, for a fixed time range, what each
// process moved in that range (from the daemon's history).
import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { parseTime } from '@/lib/format'
import type { Layer } from '@/lib/layer'
import { formatRange, resolveRange, type TimeRange } from '@/lib/range'
import { useDashboardStore } from '@/stores/dashboard'

export interface TableRow {
  name: string
  reads: number
  writes: number
  /** Bytes per second: over the last seconds when live, the average over the range otherwise. */
  readRate: number
  writeRate: number
  events: number | null
  files: number | null
  lastUpdated: string | null
  updatedMs: number
}

/** The most processes a range's table lists. */
export const RANGE_LIMIT = 1000

export function useProcessRows(range: Ref<TimeRange>) {
  const store = useDashboardStore()
  const rangeRows = shallowRef<TableRow[] | null>(null)
  const rangeError = ref<string | null>(null)
  const rangeLoading = ref(false)

  const live = computed<TableRow[]>(() => {
    const { processes, rates } = store.view
    const out: TableRow[] = []
    for (const p of processes.values()) {
      const r = rates.get(p.name)
      out.push({
        name: p.name,
        reads: p.reads,
        writes: p.writes,
        readRate: r?.read ?? 0,
        writeRate: r?.write ?? 0,
        events: p.events,
        files: p.files,
        lastUpdated: p.lastUpdated,
        updatedMs: p.updatedMs,
      })
    }
    return out
  })

  let asked = 0
  async function load() {
    const span = resolveRange(range.value, Date.now())
    const id = ++asked
    if (!span) {
      rangeRows.value = null
      rangeError.value = null
      return
    }
    if (store.connection !== 'connected') return
    rangeLoading.value = true
    try {
      const top = await store.topProcesses(new Date(span.from), new Date(span.to), RANGE_LIMIT)
      if (id !== asked) return
      const seconds = Math.max(1, (span.to - span.from) / 1000)
      rangeRows.value = top.map((t) => {
        const known = store.view.processes.get(t.name)
        return {
          name: t.name,
          reads: t.reads,
          writes: t.writes,
          readRate: t.reads / seconds,
          writeRate: t.writes / seconds,
          events: known?.events ?? null,
          files: known?.files ?? null,
          lastUpdated: known?.lastUpdated ?? null,
          updatedMs: known?.updatedMs ?? parseTime(null),
        }
      })
      rangeError.value = null
    } catch (e) {
      if (id === asked) rangeError.value = e instanceof Error ? e.message : String(e)
    } finally {
      if (id === asked) rangeLoading.value = false
    }
  }

  // By its URL form: the range object is rebuilt whenever any part of the query changes.
  watch([() => formatRange(range.value), () => store.connection], () => void load(), { immediate: true })

  const rows = computed<readonly TableRow[]>(() => (range.value.kind === 'live' ? live.value : (rangeRows.value ?? [])))
  /** The layer the rows' figures are of: a range's come from the history, which keeps the file figures. */
  const layer = computed<Layer>(() => (range.value.kind === 'live' ? store.shownLayer : 'file'))
  return { rows, layer, rangeError, rangeLoading, reload: load }
}
