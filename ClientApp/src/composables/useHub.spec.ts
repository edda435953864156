import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { setToken } from '@/api/auth'
import { retryDelay } from '@/api/hub'
import { fakeFactory } from '@/test/fakeHub'
import { useHub } from './useHub'

const unauthorized = () => new Error("Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'")

describe('retryDelay', () => {
  it('backs off and never gives up', () => {
    expect([0, 1, 2, 3, 4, 50, 10_000].map(retryDelay)).toEqual([0, 1000, 2000, 5000, 10_000, 10_000, 10_000])
  })
})

describe('useHub', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => {
    vi.useRealTimers()
    sessionStorage.clear()
  })

  it('connects, registers handlers and reports the first connection', async () => {
    const f = fakeFactory()
    const onConnected = vi.fn()
    const changes = vi.fn()
    const hub = useHub({ factory: f.factory, handlers: { changes }, onConnected })
    await hub.start()
    expect(hub.state.value).toBe('connected')
    expect(f.hub.options.url).toBe('/hub/stats')
    expect(onConnected).toHaveBeenCalledWith(true)
    f.hub.push('changes', { x: 1 })
    expect(changes).toHaveBeenCalledWith({ x: 1 })
  })

  it('keeps retrying the first start while the daemon is unreachable', async () => {
    const down = new Error('Failed to fetch')
    const f = fakeFactory((h) => h.startErrors.push(down, down, down))
    const onConnected = vi.fn()
    const hub = useHub({ factory: f.factory, onConnected })
    await hub.start()
    expect(hub.state.value).toBe('disconnected')
    expect(hub.lastError.value).toBe('Failed to fetch')
    expect(hub.nextRetryAt.value).not.toBeNull()
    expect(onConnected).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1000)
    expect(f.hub.starts).toBe(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(f.hub.starts).toBe(3)
    expect(hub.state.value).toBe('disconnected')
    await vi.advanceTimersByTimeAsync(2000)
    expect(f.hub.starts).toBe(4)
    expect(f.made).toHaveLength(1)
    expect(hub.state.value).toBe('connected')
    expect(hub.nextRetryAt.value).toBeNull()
    expect(onConnected).toHaveBeenCalledWith(true)
  })

  it('shows reconnecting and refetches after an automatic reconnect', async () => {
    const f = fakeFactory()
    const onConnected = vi.fn()
    const hub = useHub({ factory: f.factory, onConnected })
    await hub.start()
    const delay = f.hub.drop()
    expect(delay).toBe(0)
    expect(hub.state.value).toBe('reconnecting')
    expect(hub.lastError.value).toBe('WebSocket closed')
    expect(f.hub.retryFailed(30, new Error('Failed to fetch'))).toBe(10_000)
    expect(hub.attempts.value).toBe(31)
    f.hub.restore()
    expect(hub.state.value).toBe('connected')
    expect(hub.attempts.value).toBe(0)
    expect(onConnected).toHaveBeenLastCalledWith(false)
    expect(onConnected).toHaveBeenCalledTimes(2)
  })

  it('starts over when the client library closes the connection for good', async () => {
    const f = fakeFactory()
    const hub = useHub({ factory: f.factory })
    await hub.start()
    f.hub.close(new Error('Server returned an error on close'))
    expect(hub.state.value).toBe('disconnected')
    await vi.advanceTimersByTimeAsync(1000)
    expect(f.hub.starts).toBe(2)
    expect(hub.state.value).toBe('connected')
  })

  it('asks for a token on 401 and sends it after restart', async () => {
    const f = fakeFactory((h) => h.startErrors.push(unauthorized()))
    const hub = useHub({ factory: f.factory })
    await hub.start()
    expect(hub.state.value).toBe('unauthorized')
    expect(f.hub.options.accessTokenFactory()).toBe('')
    // No retries with the refused token: each would be one more 401 for nothing.
    await vi.advanceTimersByTimeAsync(60_000)
    expect(f.hub.starts).toBe(1)
    setToken('s3cret')
    await hub.restart()
    expect(hub.state.value).toBe('connected')
    expect(f.hub.options.accessTokenFactory()).toBe('s3cret')
  })

  it('reports 401 met while reconnecting', async () => {
    const f = fakeFactory()
    const hub = useHub({ factory: f.factory })
    await hub.start()
    f.hub.drop()
    f.hub.retryFailed(1, unauthorized())
    expect(hub.state.value).toBe('unauthorized')
  })

  it('refuses to invoke while disconnected and stops retrying after stop()', async () => {
    const f = fakeFactory()
    const hub = useHub({ factory: f.factory })
    await expect(hub.invoke('GetOverview')).rejects.toThrow('not connected')
    await hub.start()
    f.hub.replies.set('GetOverview', { events: 1 })
    await expect(hub.invoke('GetOverview')).resolves.toEqual({ events: 1 })
    await hub.stop()
    expect(hub.state.value).toBe('disconnected')
    f.hub.close()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(f.hub.starts).toBe(1)
    await flushPromises()
  })
})
