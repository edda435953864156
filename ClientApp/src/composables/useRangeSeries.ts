// Chart points for a fixed time range, fetched from the daemon's history when the range changes.
import { ref, shallowRef, watch, type Ref } from 'vue'
import { formatRange, resolveRange, type TimeRange } from '@/lib/range'
import { useDashboardStore } from '@/stores/dashboard'

/** `also`: more state the points depend on (the layer shown); a change fetches them again. */
export function useRangeSeries<T>(range: Ref<TimeRange>, fetch: (from: number, to: number) => Promise<T[]>, also: () => unknown = () => null) {
  const store = useDashboardStore()
  const points = shallowRef<T[] | null>(null)
  const span = shallowRef<{ from: number; to: number } | null>(null)
  const error = ref<string | null>(null)
  let asked = 0

  async function load() {
    const id = ++asked
    const s = resolveRange(range.value, Date.now())
    span.value = s
    if (!s) {
      points.value = null
      error.value = null
      return
    }
    if (store.connection !== 'connected') return
    try {
      const p = await fetch(s.from, s.to)
      if (id !== asked) return
      points.value = p
      error.value = null
    } catch (e) {
      if (id === asked) error.value = e instanceof Error ? e.message : String(e)
    }
  }

  watch([() => formatRange(range.value), () => store.connection, also], () => void load(), { immediate: true })
  return { points, span, error, reload: load }
}
