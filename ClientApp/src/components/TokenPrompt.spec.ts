import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { getToken, setToken } from '@/api/auth'
import { mountApp, overviewOf, proc } from '@/test/mountApp'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

const refused = () => Object.assign(new Error("Unauthorized: Status code '401'"), { statusCode: 401 })

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => {
  app?.cleanup()
  app = undefined
  sessionStorage.clear()
})

/** The dashboard behind a daemon that refuses the first `refusals` connection attempts with 401. */
async function refusedApp(refusals = 1) {
  app = await mountApp('/', {
    init: (h) => {
      for (let i = 0; i < refusals; i++) h.startErrors.push(refused())
      h.replies.set('GetOverview', () => overviewOf([proc('secret', 1024, 2048)]))
    },
  })
  return app
}

const byId = (id: string) => app!.wrapper.find(`[data-testid="${id}"]`)

/** Presses Tab (or Shift+Tab) where the focus is, as the browser would deliver it; returns whether the page kept it. */
function tab(shiftKey = false): boolean {
  const target = (document.activeElement as HTMLElement | null) ?? document.body
  const e = new KeyboardEvent('keydown', { key: 'Tab', shiftKey, bubbles: true, cancelable: true })
  target.dispatchEvent(e)
  return e.defaultPrevented
}

describe('token prompt', () => {
  it('takes the focus and keeps Tab and Shift+Tab inside; the page behind is inert', async () => {
    await refusedApp()
    const input = byId('token-input').element as HTMLInputElement
    const submit = byId('token-submit').element as HTMLButtonElement
    expect(document.activeElement).toBe(input)
    expect(app!.wrapper.get('header').attributes('inert')).toBeDefined()
    expect(app!.wrapper.get('main').attributes('inert')).toBeDefined()

    // Empty field: Connect is disabled, so the field is the only stop; Tab stays on it.
    expect(submit.disabled).toBe(true)
    expect(tab()).toBe(true)
    expect(document.activeElement).toBe(input)

    await byId('token-input').setValue('abc')
    expect(submit.disabled).toBe(false)
    // Tab from the field reaches Connect (the browser's own move), Tab from Connect wraps to the field…
    submit.focus()
    expect(tab()).toBe(true)
    expect(document.activeElement).toBe(input)
    // …and Shift+Tab from the field wraps to Connect.
    expect(tab(true)).toBe(true)
    expect(document.activeElement).toBe(submit)
    // Focus that escaped to the page (e.g. a click on the backdrop) comes back on the next Tab.
    input.blur()
    ;(byId('token-prompt').element.parentElement as HTMLElement).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true }),
    )
    expect(document.activeElement).toBe(input)
  })

  it('shows no figures behind the prompt: dashes, not zeros, and no source', async () => {
    await refusedApp()
    expect(byId('connection-indicator').attributes('data-state')).toBe('unauthorized')
    for (const id of ['total-written', 'total-read', 'total-events', 'total-malformed', 'total-dropped']) {
      expect(byId(id).text(), id).toBe('—')
    }
    expect(byId('filter-count').exists(), 'no process count either').toBe(false)
    expect(byId('source-unknown').exists()).toBe(true)
    expect(byId('source-name').exists()).toBe(false)
    expect(app!.wrapper.text()).not.toContain('0 B')
    expect(app!.wrapper.text()).not.toContain('idle')
  })

  it('a refused token keeps the prompt, with the error styling and the field marked invalid', async () => {
    await refusedApp(2)
    expect(byId('token-refused').exists()).toBe(false)
    expect(byId('token-input').classes()).not.toContain('invalid')
    expect(byId('token-input').attributes('aria-invalid')).toBeUndefined()

    await byId('token-input').setValue('wrong')
    await byId('token-prompt').trigger('submit')
    await flushPromises()

    expect(byId('connection-indicator').attributes('data-state')).toBe('unauthorized')
    expect(byId('token-refused').text()).toContain('refused')
    expect(byId('token-refused').attributes('role')).toBe('alert')
    expect(byId('token-input').classes()).toContain('invalid')
    expect(byId('token-input').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(byId('token-input').element)
    expect(byId('total-written').text()).toBe('—')

    await byId('token-input').setValue('right')
    await byId('token-prompt').trigger('submit')
    await flushPromises()
    expect(getToken()).toBe('right')
    expect(byId('token-prompt').exists()).toBe(false)
    expect(byId('connection-indicator').attributes('data-state')).toBe('connected')
    expect(byId('total-written').text()).toBe('2.00 KiB')
    expect(app!.names()).toEqual(['secret'])
  })

  it('a token kept from before that the daemon refuses shows the error at once', async () => {
    setToken('stale')
    await refusedApp()
    expect(byId('token-refused').exists()).toBe(true)
    expect(byId('token-input').classes()).toContain('invalid')
  })
})
