// Rows that do not move under a resting pointer: while the pointer is over a table and has not moved,
// updates keep the order it saw (a deleted row stays as a greyed placeholder), so a second click cannot
// land on the row that slid into its place. Moving the pointer, leaving, filtering or sorting shows the
// current order again. Once no row is left (a reset), nothing can slide under the pointer: the table is empty.
import { computed, shallowRef, type Ref } from 'vue'

export function useSteadyRows<T extends object>(rows: Ref<readonly T[]>, keyOf: (row: T) => string) {
  const held = shallowRef<readonly T[] | null>(null)

  const shown = computed<readonly (T & { gone?: boolean })[]>(() => {
    const order = held.value
    const current = rows.value
    if (!order || order === current || current.length === 0) return current
    const byKey = new Map<string, T>()
    for (const r of current) byKey.set(keyOf(r), r)
    return order.map((r) => byKey.get(keyOf(r)) ?? { ...r, gone: true })
  })

  return {
    shown,
    /** The pointer entered or moved over the table: show the current order and hold it. */
    moved: () => (held.value = rows.value),
    /** The pointer left, or the user filtered or sorted: nothing is held. */
    release: () => (held.value = null),
  }
}
