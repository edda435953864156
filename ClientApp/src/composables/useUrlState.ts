// Binds view state to the URL's query: filter, sort, range, log scale and folder survive a reload and can
// be shared. Text and sort changes replace the current history entry; opening a folder adds one, so
// Back steps up one folder level.
import { computed, watch, type Ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { formatLayer, parseLayer, type Layer } from '@/lib/layer'
import { formatRange, parseRange, type TimeRange } from '@/lib/range'
import type { SortState } from '@/lib/table'
import { formatDir, formatSort, parseDir, parseSort, parseText, withQuery, type Query } from '@/lib/urlState'

// Several writers may change the query in one tick (the filter and the sort, say): each applies its change
// on top of the query the previous one asked for, not on the route that has not been updated yet.
let pending: Query | null = null

function useQueryWriter() {
  const route = useRoute()
  const router = useRouter()
  const go = (how: 'push' | 'replace', changes: Record<string, string | undefined>) => {
    const next = withQuery(pending ?? route.query, changes)
    pending = next
    void router[how]({ query: next })
      .catch(() => undefined)
      .finally(() => {
        if (pending === next) pending = null
      })
  }
  return {
    route,
    replace: (changes: Record<string, string | undefined>) => go('replace', changes),
    push: (changes: Record<string, string | undefined>) => go('push', changes),
  }
}

/** Keeps a table's filter text and sort in `q` and `sort` of the URL, both ways. */
export function useTableUrl<K extends string>(
  query: Ref<string>,
  sort: Ref<SortState<K>>,
  keys: readonly K[],
  fallback: () => SortState<K>,
) {
  const { route, replace } = useQueryWriter()
  const fromUrl = () => {
    const q = parseText(route.query.q)
    if (q !== query.value) query.value = q
    const s = parseSort(route.query.sort, keys, fallback())
    if (s.key !== sort.value.key || s.dir !== sort.value.dir) sort.value = s
  }
  fromUrl()
  watch(() => [route.query.q, route.query.sort], fromUrl)
  // The default order may depend on other state (busiest first while live, most written for a range).
  watch(() => JSON.stringify(fallback()), fromUrl)
  watch(query, (q) => {
    if (q !== parseText(route.query.q)) replace({ q })
  })
  watch(sort, (s) => {
    const text = formatSort(s, fallback())
    if (text !== (route.query.sort ?? undefined)) replace({ sort: text })
  })
}

/** The time range (`range`) and log scale (`log=1`) of the charts and tables. */
export function useRangeUrl() {
  const { route, replace } = useQueryWriter()
  const range = computed<TimeRange>({
    get: () => parseRange(route.query.range),
    set: (r) => replace({ range: formatRange(r) }),
  })
  const log = computed<boolean>({
    get: () => route.query.log === '1',
    set: (v) => replace({ log: v ? '1' : undefined }),
  })
  return { range, log }
}

/** The folder open in the folder view (`dir`); opening one is a new history entry. */
export function useDirUrl() {
  const { route, push } = useQueryWriter()
  const dir = computed(() => parseDir(route.query.dir))
  const open = (segments: readonly string[]) => push({ dir: formatDir(segments) })
  return { dir, open }
}

/** The layer the tables and charts show (`layer=disk`; file I/O when absent). */
export function useLayerUrl() {
  const { route, replace } = useQueryWriter()
  return computed<Layer>({
    get: () => parseLayer(route.query.layer),
    set: (l) => replace({ layer: formatLayer(l) }),
  })
}
