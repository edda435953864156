import { describe, expect, it } from 'vitest'
import { createMemoryHistory } from 'vue-router'
import { makeRouter } from './router'

const odd = ['a b', '50% done', 'C# #1', 'what?', 'Čtečka', '進程', 'a/b', 'x&y=z+1']

describe('routes', () => {
  const router = makeRouter(createMemoryHistory())

  it.each(odd)('round-trips the process name %s through the URL', (name) => {
    const href = router.resolve({ name: 'process', params: { name } }).href
    expect(href.startsWith('/process/')).toBe(true)
    expect(href.slice('/process/'.length)).not.toMatch(/[ #?/]/)
    const back = router.resolve(href)
    expect(back.name).toBe('process')
    expect(back.params.name).toBe(name)
  })

  it('opens the original deep link /NAME as the process page', async () => {
    const r = makeRouter(createMemoryHistory())
    await r.push('/my%20app%20%232%3F')
    expect(r.currentRoute.value.name).toBe('process')
    expect(r.currentRoute.value.params.name).toBe('my app #2?')
    expect(r.currentRoute.value.fullPath).toBe('/process/my%20app%20%232%3F')
  })

  it('keeps the overview at / and sends deeper unknown paths to not-found', async () => {
    expect(router.resolve('/').name).toBe('overview')
    expect(router.resolve('/a/b/c').name).toBe('not-found')
    const r = makeRouter(createMemoryHistory())
    await r.push('/process/zsh')
    expect(document.title).toBe('zsh · iosnoopng')
  })
})
