// Keyboard moves in a table: arrows, PageUp/PageDown, Home/End choose a row, Enter opens it.
import { ref, watch, type Ref } from 'vue'

export interface Scrollable {
  scrollToIndex(index: number): void
  pageRows(): number
}

export function useTableKeys(count: Ref<number>, list: Ref<Scrollable | null>, open: (index: number) => void) {
  /** The chosen row, or -1 before any key was pressed. */
  const active = ref(-1)
  watch(count, (n) => {
    if (active.value >= n) active.value = n - 1
  })

  function move(to: number) {
    const n = count.value
    if (n === 0) return
    active.value = Math.max(0, Math.min(n - 1, to))
    list.value?.scrollToIndex(active.value)
  }

  function onKeydown(e: KeyboardEvent) {
    if (e.target instanceof HTMLInputElement || e.altKey || e.ctrlKey || e.metaKey) return
    const page = list.value?.pageRows() ?? 10
    const at = active.value
    switch (e.key) {
      case 'ArrowDown':
        move(at + 1)
        break
      case 'ArrowUp':
        move(at < 0 ? 0 : at - 1)
        break
      case 'PageDown':
        move(at + page)
        break
      case 'PageUp':
        move(at - page)
        break
      case 'Home':
        move(0)
        break
      case 'End':
        move(count.value - 1)
        break
      case 'Enter':
        if (at < 0 || at >= count.value || e.target instanceof HTMLButtonElement || e.target instanceof HTMLAnchorElement) return
        open(at)
        break
      default:
        return
    }
    e.preventDefault()
  }

  return { active, onKeydown }
}
