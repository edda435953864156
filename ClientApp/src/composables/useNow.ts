// One shared clock for relative times ("3 minutes ago"), ticking while anyone uses it.
import { onScopeDispose, readonly, ref } from 'vue'

const now = ref(Date.now())
let users = 0
let timer: ReturnType<typeof setInterval> | undefined

export const NOW_TICK_MS = 1000

export function useNow() {
  if (users++ === 0) {
    now.value = Date.now()
    timer = setInterval(() => (now.value = Date.now()), NOW_TICK_MS)
  }
  onScopeDispose(() => {
    if (--users === 0) clearInterval(timer)
  })
  return readonly(now)
}
