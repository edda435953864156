// What a page of process instances shows (an instance, the groups): asked for now and then every few seconds while
// the page is visible (usePoll), keeping the latest answer and the latest failure. An answer to an earlier question
// that comes late (what is asked for changed meanwhile) is dropped.
import { ref, shallowRef } from 'vue'
import { errorText } from '@/api/instances'
import { usePoll } from './usePoll'

export function usePolledQuery<T>(ask: () => Promise<T>, intervalMs: number) {
  /** The latest answer; null until the first one (and after `restart`). */
  const data = shallowRef<T | null>(null)
  /** True once an answer came (the answer itself may be null: nothing found). */
  const answered = ref(false)
  /** Why the latest question failed; null once one is answered. */
  const error = ref<string | null>(null)
  let generation = 0

  async function load() {
    const gen = ++generation
    try {
      const answer = await ask()
      if (gen !== generation) return
      data.value = answer
      answered.value = true
      error.value = null
    } catch (e) {
      if (gen === generation) error.value = errorText(e)
    }
  }

  const poll = usePoll(load, intervalMs)

  /** Asks again now (what is asked for changed, the answer so far still shown meanwhile). */
  function refresh(): Promise<void> {
    error.value = null
    return poll.now()
  }

  /** Forgets the answer so far (it answered another question) and asks now. */
  function restart(): Promise<void> {
    generation++
    data.value = null
    answered.value = false
    return refresh()
  }

  return { data, answered, error, refresh, restart }
}
