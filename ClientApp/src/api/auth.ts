// The access token for the daemon, kept for this browser tab only.

const KEY = 'iosnoop.token'

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY)
  } catch {
    return null
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(KEY, token)
    else sessionStorage.removeItem(KEY)
  } catch {
    // Storage can be unavailable (private mode); the token then lasts until reload only.
  }
}

/** True when an error from the SignalR client means the server answered 401 (negotiate or transport). */
export function isUnauthorized(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false
  const e = error as { statusCode?: unknown; message?: unknown }
  if (e.statusCode === 401) return true
  const message = typeof e.message === 'string' ? e.message : ''
  return /status code '401'|\b401\b.*unauthori[sz]ed|unauthori[sz]ed.*\b401\b/i.test(message)
}
