// Current rates of a process's files, from its successive file lists (see lib/fileRates).
import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import type { ProcessFiles } from '@/api/types'
import { fileRates, fileSnapshot, keepRecent, type FileSnapshot } from '@/lib/fileRates'
import type { Layer } from '@/lib/layer'
import { RATE_WINDOW_S } from '@/lib/rates'
import { useDashboardStore } from '@/stores/dashboard'

/** `layer`: the layer of the data's figures; the fetches of another layer are no base for a rate. */
export function useFileRates(data: Ref<ProcessFiles | null>, layer: Ref<Layer> = ref('file')) {
  const store = useDashboardStore()
  const snaps = shallowRef<FileSnapshot[]>([])
  watch(layer, () => (snaps.value = []))
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
