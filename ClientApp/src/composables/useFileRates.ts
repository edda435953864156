// Current rates of a process's files, from its successive file lists (see lib/fileRates).
import { computed, shallowRef, watch, type Ref } from 'vue'
import type { ProcessFiles } from '@/api/types'
import { fileRates, fileSnapshot, keepRecent, type FileSnapshot } from '@/lib/fileRates'
import { RATE_WINDOW_S } from '@/lib/rates'
import { useDashboardStore } from '@/stores/dashboard'

export function useFileRates(data: Ref<ProcessFiles | null>) {
  const store = useDashboardStore()
  const snaps = shallowRef<FileSnapshot[]>([])
  watch(data, (d, before) => {
    if (!d || (before && before.name !== d.name)) snaps.value = []
    if (d) snaps.value = keepRecent([...snaps.value, fileSnapshot(d.files, Date.now())], RATE_WINDOW_S * 1000)
  })
  return computed(() => {
    const name = data.value?.name
    const idle = !name || !store.view.rates.has(name)
    return fileRates(snaps.value, idle)
  })
}
