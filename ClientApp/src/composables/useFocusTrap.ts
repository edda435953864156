// Keeps Tab and Shift+Tab inside a dialog: from the last focusable element Tab goes to the first, and back.
export function trapTab(container: HTMLElement | null, e: KeyboardEvent) {
  if (e.key !== 'Tab' || !container) return
  const items = [...container.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')].filter(
    (el) => !(el as HTMLButtonElement).disabled,
  )
  if (items.length === 0) {
    e.preventDefault()
    return
  }
  const first = items[0]!
  const last = items[items.length - 1]!
  const at = document.activeElement
  if (e.shiftKey && (at === first || !container.contains(at))) {
    e.preventDefault()
    last.focus()
  } else if (!e.shiftKey && (at === last || !container.contains(at))) {
    e.preventDefault()
    first.focus()
  }
}
