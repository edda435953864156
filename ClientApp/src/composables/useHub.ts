// Owns one hub connection: start with retries, automatic reconnect that never gives up,
// the 401 path (token prompt), and a reactive connection state for the indicator.
import { ref, shallowRef } from 'vue'
import type { RetryContext } from '@microsoft/signalr'
import { getToken, isUnauthorized } from '@/api/auth'
import { HUB_URL, retryDelay, signalRFactory, type HubConnectionLike, type HubFactory } from '@/api/hub'

export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'unauthorized'

export interface UseHubOptions {
  url?: string
  factory?: HubFactory
  /** Server-to-client methods. */
  handlers?: Record<string, (...args: any[]) => void>
  /** Called after every successful start or reconnect; `first` is true for the first one. */
  onConnected?: (first: boolean) => void
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : e ? String(e) : null)

export function useHub(options: UseHubOptions = {}) {
  const state = ref<ConnectionState>('disconnected')
  const lastError = ref<string | null>(null)
  /** Failed attempts since the last successful connection. */
  const attempts = ref(0)
  /** When the next attempt is due (epoch ms), or null. */
  const nextRetryAt = ref<number | null>(null)
  const connection = shallowRef<HubConnectionLike | null>(null)
  let wanted = false
  let everConnected = false
  let retryTimer: ReturnType<typeof setTimeout> | undefined

  function build(): HubConnectionLike {
    const conn = (options.factory ?? signalRFactory)({
      url: options.url ?? HUB_URL,
      accessTokenFactory: () => getToken() ?? '',
      nextRetryDelay: (ctx: RetryContext) => {
        attempts.value = ctx.previousRetryCount + 1
        if (ctx.retryReason) failed(ctx.retryReason, 'reconnecting')
        const delay = retryDelay(ctx.previousRetryCount)
        nextRetryAt.value = Date.now() + delay
        return delay
      },
    })
    for (const [name, handler] of Object.entries(options.handlers ?? {})) conn.on(name, handler)
    conn.onreconnecting((error) => {
      lastError.value = messageOf(error)
      if (state.value !== 'unauthorized') state.value = 'reconnecting'
    })
    conn.onreconnected(() => connected())
    conn.onclose((error) => {
      if (!wanted) return
      // Closed for good by the client library (e.g. the server refused reconnecting): start over.
      lastError.value = messageOf(error)
      if (state.value !== 'unauthorized') state.value = 'disconnected'
      scheduleStart()
    })
    return conn
  }

  function failed(error: unknown, otherwise: ConnectionState) {
    lastError.value = messageOf(error)
    state.value = isUnauthorized(error) ? 'unauthorized' : otherwise
  }

  function connected() {
    state.value = 'connected'
    attempts.value = 0
    nextRetryAt.value = null
    lastError.value = null
    const first = !everConnected
    everConnected = true
    options.onConnected?.(first)
  }

  function scheduleStart() {
    clearTimeout(retryTimer)
    const delay = Math.max(1000, retryDelay(attempts.value))
    attempts.value++
    nextRetryAt.value = Date.now() + delay
    retryTimer = setTimeout(() => void attempt(), delay)
  }

  async function attempt() {
    if (!wanted) return
    const conn = connection.value ?? (connection.value = build())
    if (state.value !== 'unauthorized') state.value = attempts.value > 0 ? 'reconnecting' : 'connecting'
    nextRetryAt.value = null
    try {
      await conn.start()
    } catch (error) {
      if (!wanted) return
      failed(error, 'disconnected')
      // Refused: the same token would be refused again. The prompt's new token restarts.
      if (state.value !== 'unauthorized') scheduleStart()
      return
    }
    if (!wanted) return
    connected()
  }

  /** Connects, retrying until it works or stop() is called. */
  async function start() {
    if (wanted) return
    wanted = true
    attempts.value = 0
    await attempt()
  }

  async function stop() {
    wanted = false
    clearTimeout(retryTimer)
    nextRetryAt.value = null
    const conn = connection.value
    state.value = 'disconnected'
    if (conn) await conn.stop().catch(() => undefined)
  }

  /** Stops and connects again, e.g. with a new token. */
  async function restart() {
    await stop()
    await start()
  }

  function invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    const conn = connection.value
    if (!conn || state.value !== 'connected') return Promise.reject(new Error('not connected to the daemon'))
    return conn.invoke<T>(method, ...args)
  }

  return { state, lastError, attempts, nextRetryAt, start, stop, restart, invoke }
}

export type Hub = ReturnType<typeof useHub>
