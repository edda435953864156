// The SignalR connection behind a small interface, so specs can replace it.
import { HubConnectionBuilder, LogLevel, type ILogger, type RetryContext } from '@microsoft/signalr'

/** The part of @microsoft/signalr's HubConnection the dashboard uses. */
export interface HubConnectionLike {
  start(): Promise<void>
  stop(): Promise<void>
  invoke<T = unknown>(method: string, ...args: unknown[]): Promise<T>
  on(method: string, handler: (...args: any[]) => void): void
  off(method: string): void
  onreconnecting(callback: (error?: Error) => void): void
  onreconnected(callback: (connectionId?: string) => void): void
  onclose(callback: (error?: Error) => void): void
}

export interface HubOptions {
  url: string
  /** Returns the token to send, or an empty string for none. Called for every (re)connect. */
  accessTokenFactory: () => string
  /** Delay before the next automatic reconnect attempt; never null, so it never gives up. */
  nextRetryDelay: (context: RetryContext) => number
}

export type HubFactory = (options: HubOptions) => HubConnectionLike

export const HUB_URL = '/hub/stats'

/** Back-off for reconnect attempts: quick at first, then every 10 s, forever. */
export function retryDelay(previousRetryCount: number): number {
  const steps = [0, 1000, 2000, 5000]
  return steps[previousRetryCount] ?? 10_000
}

/**
 * The client library's messages go to the console's debug level: a refused or lost connection is a state
 * the page shows (connection indicator, token prompt), not a script error.
 */
export const quietLogger: ILogger = {
  log(level: LogLevel, message: string) {
    if (level >= LogLevel.Warning) console.debug(`[signalr] ${message}`)
  },
}

export const signalRFactory: HubFactory = (options) =>
  new HubConnectionBuilder()
    .withUrl(options.url, { accessTokenFactory: options.accessTokenFactory })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: options.nextRetryDelay })
    .configureLogging(quietLogger)
    .build()
