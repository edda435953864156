// Runs an async job on request, never two at once and at most once per interval.
// Requests made while it runs or during the cool-down collapse into one later run.

export interface Gate {
  request(): void
  cancel(): void
}

export function createGate(job: () => Promise<unknown>, minIntervalMs: number, now: () => number = Date.now): Gate {
  let running = false
  let pending = false
  let lastStart = Number.NEGATIVE_INFINITY
  let timer: ReturnType<typeof setTimeout> | undefined
  let cancelled = false

  function request() {
    if (cancelled) return
    if (running || timer !== undefined) {
      pending = true
      return
    }
    const wait = lastStart + minIntervalMs - now()
    if (wait > 0) {
      timer = setTimeout(() => {
        timer = undefined
        request()
      }, wait)
      return
    }
    void run()
  }

  async function run() {
    running = true
    pending = false
    lastStart = now()
    try {
      await job()
    } catch {
      // The job reports its own errors.
    } finally {
      running = false
      if (pending) request()
    }
  }

  function cancel() {
    cancelled = true
    clearTimeout(timer)
    timer = undefined
  }

  return { request, cancel }
}
