// Sort and filter state for a table, and the rows to show.
import { computed, ref, shallowRef, watch, type Ref } from 'vue'
import { filterRows, nextSort, sortRows, type Accessors, type SortDir, type SortState } from '@/lib/table'

export interface UseTableOptions<T, K extends string> {
  accessors: Accessors<T, K>
  initial: SortState<K>
  /** Text the filter box searches. */
  text: (row: T) => string
  /** Ties are broken by this key, ascending. */
  tie: (row: T) => string
  /** Ties of a key are first broken by this other key (descending), e.g. rates by bytes written. */
  thenBy?: (key: K) => K | undefined
  /** Direction a column starts with when first clicked. */
  naturalDir: (key: K) => SortDir
}

export function useTable<T, K extends string>(source: Ref<readonly T[]>, options: UseTableOptions<T, K>) {
  const sort = ref(options.initial) as Ref<SortState<K>>
  const query = ref('')
  const sorted = shallowRef<T[]>([])

  // Sort once per change of data or sort; filtering the sorted list keeps typing cheap.
  watch(
    [source, sort],
    () => {
      sorted.value = sortRows(source.value, sort.value, options.accessors, options.tie, options.thenBy?.(sort.value.key))
    },
    { immediate: true },
  )
  const rows = computed(() => filterRows(sorted.value, query.value, options.text))

  function sortBy(key: K) {
    sort.value = nextSort(sort.value, key, options.naturalDir)
  }

  return { sort, query, rows, sortBy }
}
