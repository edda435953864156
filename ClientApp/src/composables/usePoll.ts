// Runs a refresh now and then every few seconds while the page is visible; stops when the owning
// component goes away. The next run is scheduled when the previous one has finished, so runs never overlap.
import { getCurrentScope, onScopeDispose, ref } from 'vue'

export function usePoll(run: () => Promise<void>, intervalMs: number) {
  /** True while a next run is scheduled or running (false once stopped or while the page is hidden). */
  const active = ref(false)
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  let running: Promise<void> | null = null

  const hidden = () => typeof document !== 'undefined' && document.visibilityState === 'hidden'

  function schedule() {
    clearTimeout(timer)
    timer = undefined
    if (stopped || hidden()) {
      active.value = false
      return
    }
    active.value = true
    timer = setTimeout(() => void tick(), intervalMs)
  }

  /** Set when a run is asked for while one is in flight: it runs again right after. */
  let again = false

  async function tick(): Promise<void> {
    timer = undefined
    if (stopped) return
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        try {
          await run()
        } catch {
          // The run reports its own errors; polling goes on.
        }
      } while (again && !stopped)
    })()
    try {
      await running
    } finally {
      running = null
    }
    schedule()
  }

  function onVisibility() {
    if (hidden()) {
      clearTimeout(timer)
      timer = undefined
      active.value = false
    } else if (!stopped && timer === undefined && !running) void tick()
  }

  /** Runs now (e.g. after a change of what is shown) and reschedules. */
  function now(): Promise<void> {
    clearTimeout(timer)
    timer = undefined
    return tick()
  }

  function stop() {
    stopped = true
    clearTimeout(timer)
    timer = undefined
    active.value = false
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisibility)
  }

  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisibility)
  if (getCurrentScope()) onScopeDispose(stop)
  return { active, now, stop }
}
