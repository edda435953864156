import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { getToken } from '@/api/auth'
import { mountApp, overviewOf, proc } from '@/test/mountApp'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => {
  app?.cleanup()
  sessionStorage.clear()
  vi.useRealTimers()
})

const indicator = () => app!.wrapper.get('[data-testid="connection-indicator"]')

describe('connection indicator and reconnect', () => {
  it('shows live, then reconnecting, then live again with a refetched overview', async () => {
    app = await mountApp('/', { processes: [proc('zsh', 1, 1)] })
    expect(indicator().attributes('data-state')).toBe('connected')
    expect(indicator().text()).toBe('Live')
    app.hub().drop()
    await flushPromises()
    expect(indicator().attributes('data-state')).toBe('reconnecting')
    expect(indicator().text()).toContain('Reconnecting')
    app.setProcesses([proc('zsh', 1, 1), proc('later', 5, 5)])
    app.hub().restore()
    await flushPromises()
    expect(indicator().attributes('data-state')).toBe('connected')
    expect(app.names()).toContain('later')
  })

  it('shows the daemon as unreachable and keeps retrying', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const down = new Error('Failed to fetch')
    app = await mountApp('/', { processes: [proc('zsh', 1, 1)], init: (h) => h.startErrors.push(down, down) })
    expect(indicator().attributes('data-state')).toBe('disconnected')
    expect(indicator().text()).toContain('Daemon unreachable')
    expect(indicator().attributes('title')).toBe('Failed to fetch')
    await vi.advanceTimersByTimeAsync(2100)
    expect(indicator().attributes('data-state')).toBe('connected')
    expect(app.names()).toEqual(['zsh'])
  })
})

describe('token prompt', () => {
  it('asks for a token on 401 and connects with it', async () => {
    const refused = Object.assign(new Error("Unauthorized: Status code '401'"), { statusCode: 401 })
    app = await mountApp('/', {
      init: (h) => {
        h.startErrors.push(refused)
        h.replies.set('GetOverview', () => overviewOf([proc('secret', 1, 1)]))
      },
    })
    expect(indicator().attributes('data-state')).toBe('unauthorized')
    const prompt = app.wrapper.get('[data-testid="token-prompt"]')
    await prompt.get('[data-testid="token-input"]').setValue('  s3cret ')
    await prompt.trigger('submit')
    await flushPromises()
    expect(getToken()).toBe('s3cret')
    expect(app.hub().options.accessTokenFactory()).toBe('s3cret')
    expect(app.wrapper.find('[data-testid="token-prompt"]').exists()).toBe(false)
    expect(app.names()).toEqual(['secret'])
  })
})
