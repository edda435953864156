// A scripted stand-in for the SignalR HubConnection, for specs.
import type { RetryContext } from '@microsoft/signalr'
import type { HubConnectionLike, HubFactory, HubOptions } from '@/api/hub'

type Handler = (...args: any[]) => void

export class FakeHub implements HubConnectionLike {
  handlers = new Map<string, Handler>()
  reconnecting: ((e?: Error) => void)[] = []
  reconnected: ((id?: string) => void)[] = []
  closed: ((e?: Error) => void)[] = []
  starts = 0
  stops = 0
  /** Errors to throw from the next start() calls, in order; start succeeds when empty. */
  startErrors: unknown[] = []
  /** Replies to invoke(), by method name: a value, or a function of the arguments. A thrown error rejects. */
  replies = new Map<string, unknown>()
  calls: { method: string; args: unknown[] }[] = []

  constructor(public options: HubOptions) {}

  async start() {
    this.starts++
    const error = this.startErrors.shift()
    if (error) throw error
  }

  async stop() {
    this.stops++
  }

  async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    this.calls.push({ method, args })
    if (!this.replies.has(method)) throw new Error(`HubException: Method does not exist: ${method}`)
    const reply = this.replies.get(method)
    const value = typeof reply === 'function' ? (reply as (...a: unknown[]) => unknown)(...args) : reply
    return (await value) as T
  }

  on(method: string, handler: Handler) {
    this.handlers.set(method, handler)
  }

  off(method: string) {
    this.handlers.delete(method)
  }

  onreconnecting(cb: (e?: Error) => void) {
    this.reconnecting.push(cb)
  }

  onreconnected(cb: (id?: string) => void) {
    this.reconnected.push(cb)
  }

  onclose(cb: (e?: Error) => void) {
    this.closed.push(cb)
  }

  /** The server calls a client method. */
  push(method: string, ...args: unknown[]) {
    const h = this.handlers.get(method)
    if (!h) throw new Error(`no handler for ${method}`)
    h(...args)
  }

  /** The transport dropped; the client library starts reconnecting and asks the retry policy. */
  drop(error = new Error('WebSocket closed')): number {
    this.reconnecting.forEach((cb) => cb(error))
    return this.options.nextRetryDelay({ previousRetryCount: 0, elapsedMilliseconds: 0, retryReason: error } as RetryContext)
  }

  /** A reconnect attempt failed with `error`; returns the delay the policy chose. */
  retryFailed(previousRetryCount: number, error: Error): number {
    return this.options.nextRetryDelay({ previousRetryCount, elapsedMilliseconds: 0, retryReason: error } as RetryContext)
  }

  restore() {
    this.reconnected.forEach((cb) => cb('id'))
  }

  close(error?: Error) {
    this.closed.forEach((cb) => cb(error))
  }
}

/** A factory that records the connections it makes; `init` scripts each new one. */
export function fakeFactory(init?: (hub: FakeHub) => void) {
  const made: FakeHub[] = []
  const factory: HubFactory = (options) => {
    const hub = new FakeHub(options)
    init?.(hub)
    made.push(hub)
    return hub
  }
  return { factory, made, get hub() { return made[made.length - 1]! } }
}
