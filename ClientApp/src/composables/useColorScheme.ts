// Whether the system asks for dark colours; follows changes live.
import { onScopeDispose, ref } from 'vue'

export function useColorScheme() {
  const media = typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null
  const dark = ref(media?.matches ?? false)
  const update = (e: MediaQueryListEvent) => (dark.value = e.matches)
  media?.addEventListener?.('change', update)
  onScopeDispose(() => media?.removeEventListener?.('change', update))
  return dark
}
