// One process with its files, refetched when a push lists it (at most once a second),
// after a reset or a reconnect, and on resume when something was missed while paused.
import { onScopeDispose, ref, shallowRef, watch, type Ref } from 'vue'
import type { ProcessFiles } from '@/api/types'
import { createGate } from '@/lib/gate'
import { useDashboardStore } from '@/stores/dashboard'

export const REFETCH_MS = 1000

export function useProcessFiles(name: Ref<string>) {
  const store = useDashboardStore()
  const data = shallowRef<ProcessFiles | null>(null)
  const error = ref<string | null>(null)
  const loading = ref(false)
  let missed = false

  const gate = createGate(async () => {
    const wanted = name.value
    loading.value = true
    try {
      const result = await store.getProcessFiles(wanted)
      if (wanted !== name.value) return
      data.value = result
      error.value = null
    } catch (e) {
      if (wanted === name.value) error.value = e instanceof Error ? e.message : String(e)
    } finally {
      loading.value = false
    }
  }, REFETCH_MS)

  function request() {
    if (store.connection !== 'connected') return
    if (store.paused) missed = true
    else gate.request()
  }

  const unsubscribe = store.subscribe((e) => {
    if (e.type === 'changes') {
      const c = e.changes
      if (!c.processes.some((p) => p.name === name.value) && !c.removed.includes(name.value)) return
    }
    request()
  })

  watch(
    () => store.paused,
    (paused) => {
      if (!paused && missed) {
        missed = false
        gate.request()
      }
    },
  )

  watch(
    name,
    () => {
      data.value = null
      error.value = null
      if (store.connection === 'connected') gate.request()
    },
    { immediate: true },
  )

  onScopeDispose(() => {
    unsubscribe()
    gate.cancel()
  })

  return { data, error, loading, refetch: () => gate.request() }
}
