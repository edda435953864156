import { afterEach, describe, expect, it } from 'vitest'
import { getToken, isUnauthorized, setToken } from './auth'

describe('token storage', () => {
  afterEach(() => sessionStorage.clear())

  it('keeps the token in sessionStorage', () => {
    expect(getToken()).toBeNull()
    setToken('abc')
    expect(getToken()).toBe('abc')
    expect(sessionStorage.getItem('iosnoop.token')).toBe('abc')
    setToken(null)
    expect(getToken()).toBeNull()
  })
})

describe('isUnauthorized', () => {
  it('recognises a 401 status code', () => {
    expect(isUnauthorized({ statusCode: 401, message: 'Unauthorized' })).toBe(true)
    expect(isUnauthorized({ statusCode: 500, message: 'boom' })).toBe(false)
  })

  it('recognises the negotiate failure message of the SignalR client', () => {
    const e = new Error("Failed to complete negotiation with the server: Error: Unauthorized: Status code '401'")
    expect(isUnauthorized(e)).toBe(true)
  })

  it('ignores other errors', () => {
    expect(isUnauthorized(new Error('Failed to fetch'))).toBe(false)
    expect(isUnauthorized(new Error("Status code '404'"))).toBe(false)
    expect(isUnauthorized(null)).toBe(false)
    expect(isUnauthorized('401')).toBe(false)
  })
})
