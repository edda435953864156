import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createGate } from './gate'

describe('createGate', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('runs at once, then at most once a second', async () => {
    const job = vi.fn(async () => undefined)
    const gate = createGate(job, 1000)
    gate.request()
    expect(job).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(10)
    gate.request()
    gate.request()
    gate.request()
    expect(job).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(989)
    expect(job).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(job).toHaveBeenCalledTimes(2)
    await vi.advanceTimersByTimeAsync(5000)
    expect(job).toHaveBeenCalledTimes(2)
  })

  it('never overlaps a slow job and runs once more after it when asked meanwhile', async () => {
    let finish: () => void = () => undefined
    const job = vi.fn(() => new Promise<void>((r) => (finish = r)))
    const gate = createGate(job, 1000)
    gate.request()
    await vi.advanceTimersByTimeAsync(3000)
    gate.request()
    gate.request()
    expect(job).toHaveBeenCalledTimes(1)
    finish()
    await vi.advanceTimersByTimeAsync(0)
    expect(job).toHaveBeenCalledTimes(2)
  })

  it('keeps working after a failing job and stops when cancelled', async () => {
    const job = vi.fn(async () => {
      throw new Error('boom')
    })
    const gate = createGate(job, 1000)
    gate.request()
    await vi.advanceTimersByTimeAsync(1000)
    gate.request()
    expect(job).toHaveBeenCalledTimes(2)
    gate.request()
    gate.cancel()
    await vi.advanceTimersByTimeAsync(5000)
    gate.request()
    expect(job).toHaveBeenCalledTimes(2)
  })
})
