import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { changed, iso, mountApp, proc, push, running } from '@/test/mountApp'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div data-testid="machine-chart" />' } }))

const processes = [
  proc('zsh', 100, 2048, 10),
  proc('Finder', 3 * 1024 * 1024, 1536, 20),
  proc('cp', 0, 700 * 1024 * 1024, 5),
  proc('my app #2?', 512, 0, 1),
]

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => app?.cleanup())

describe('overview page', () => {
  it('shows the totals and the source', async () => {
    app = await mountApp('/', { processes })
    const text = (id: string) => app!.wrapper.get(`[data-testid="${id}"]`).text()
    expect(text('total-written')).toBe('700.00 MiB')
    expect(text('total-read')).toBe('3.00 MiB')
    expect(text('total-events')).toBe('4,242')
    expect(text('total-malformed')).toBe('7')
    expect(text('total-dropped')).toBe('3')
    expect(text('source-name')).toBe('bpftrace')
    expect(text('source-measures')).toBe(running.measures)
    expect(text('source-state')).toBe('running')
    expect(text('source-restarts')).toBe('0')
    expect(app.wrapper.find('[data-testid="source-message"]').exists()).toBe(false)
  })

  it('shows a message from the source', async () => {
    app = await mountApp('/', { processes })
    app.hub().push('changes', push(30, [], { source: { ...running, state: 'failed', message: 'another fs_usage or Instruments holds the ktrace session', restarts: 4 } }))
    await flushPromises()
    expect(app.wrapper.get('[data-testid="source-message"]').text()).toContain('ktrace session')
    expect(app.wrapper.get('[data-testid="source-restarts"]').text()).toBe('4')
  })

  it('lists processes by bytes written, largest first, with formatted sizes and links', async () => {
    app = await mountApp('/', { processes })
    expect(app.names()).toEqual(['cp', 'zsh', 'Finder', 'my app #2?'])
    const finder = app.wrapper.get('[data-testid="process-row"][data-name="Finder"]')
    expect(finder.get('[data-testid="cell-written"]').text()).toBe('1.50 KiB')
    expect(finder.get('[data-testid="cell-read"]').text()).toBe('3.00 MiB')
    const odd = app.wrapper.get('[data-testid="process-row"][data-name="my app #2?"]')
    expect(odd.get('[data-testid="process-link"]').attributes('href')).toBe('/process/my%20app%20%232%3F')
    // Live, the busiest processes come first; with nothing busy that is the most written.
    expect(app.wrapper.get('[data-testid="sort-busy"]').attributes('data-sort')).toBe('descending')
  })

  it('sorts by any column when its header is clicked', async () => {
    app = await mountApp('/', { processes })
    await app.wrapper.get('[data-testid="sort-name"]').trigger('click')
    expect(app.names()).toEqual(['cp', 'Finder', 'my app #2?', 'zsh'])
    await app.wrapper.get('[data-testid="sort-name"]').trigger('click')
    expect(app.names()).toEqual(['zsh', 'my app #2?', 'Finder', 'cp'])
    await app.wrapper.get('[data-testid="sort-reads"]').trigger('click')
    expect(app.names()).toEqual(['Finder', 'my app #2?', 'zsh', 'cp'])
    await app.wrapper.get('[data-testid="sort-lastUpdated"]').trigger('click')
    expect(app.names()).toEqual(['Finder', 'zsh', 'cp', 'my app #2?'])
    expect(app.wrapper.get('[data-testid="sort-lastUpdated"]').attributes('data-sort')).toBe('descending')
    expect(app.wrapper.get('[data-testid="sort-writes"]').attributes('data-sort')).toBe('none')
  })

  it('filters by a case-insensitive substring', async () => {
    app = await mountApp('/', { processes })
    await app.wrapper.get('[data-testid="filter-input"]').setValue('F')
    expect(app.names()).toEqual(['Finder'])
    expect(app.wrapper.get('[data-testid="filter-count"]').text()).toBe('1 of 4')
    await app.wrapper.get('[data-testid="filter-input"]').setValue('nothing')
    expect(app.names()).toEqual([])
    expect(app.wrapper.get('[data-testid="table-empty"]').text()).toContain('No process matches')
  })

  it('applies pushes live', async () => {
    app = await mountApp('/', { processes })
    app.hub().push('changes', push(30, [changed(proc('zsh', 100, 900 * 1024 * 1024, 30), 0, 1000), changed(proc('new', 1, 1, 30), 1, 1)], { removed: ['Finder'] }))
    await flushPromises()
    // Busiest now first (zsh wrote 1000 B, new moved 2 B in the last push), then by bytes written.
    expect(app.names()).toEqual(['zsh', 'new', 'cp', 'my app #2?'])
    expect(app.wrapper.get('[data-testid="process-row"][data-name="zsh"] [data-testid="cell-write-rate"]').text()).toBe('200 B/s')
    expect(app.wrapper.get('[data-testid="total-events"]').text()).toBe('5,000')
  })

  it('holds the table still while paused and says so', async () => {
    app = await mountApp('/', { processes })
    expect(app.wrapper.find('[data-testid="paused-indicator"]').exists()).toBe(false)
    await app.wrapper.get('[data-testid="pause-toggle"]').trigger('click')
    expect(app.wrapper.get('[data-testid="pause-toggle"]').attributes('aria-pressed')).toBe('true')
    app.hub().push('changes', push(30, [changed(proc('zsh', 100, 900 * 1024 * 1024, 30), 0, 1000)]))
    await flushPromises()
    expect(app.names()).toEqual(['cp', 'zsh', 'Finder', 'my app #2?'])
    expect(app.wrapper.get('[data-testid="paused-indicator"]').text()).toContain('1 update waiting')
    await app.wrapper.get('[data-testid="pause-toggle"]').trigger('click')
    expect(app.names()).toEqual(['zsh', 'cp', 'Finder', 'my app #2?'])
    expect(app.wrapper.find('[data-testid="paused-indicator"]').exists()).toBe(false)
  })

  it('deletes a process only after a confirmation that names it', async () => {
    app = await mountApp('/', { processes })
    const dialog = () => document.body.querySelector('[data-testid="delete-dialog"]')
    const deletes = () => app!.hub().calls.filter((c) => c.method === 'DeleteProcess')
    await app.wrapper.get('[data-testid="delete-button"][data-name="zsh"]').trigger('click')
    await flushPromises()
    expect(deletes()).toEqual([])
    expect(dialog()?.textContent).toContain('Delete “zsh”?')
    expect(dialog()?.textContent).toContain('2.00 KiB written and 100 B read')
    ;(document.body.querySelector('[data-testid="delete-dialog-cancel"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(dialog()).toBeNull()
    expect(deletes()).toEqual([])
    expect(app.names()).toContain('zsh')

    await app.wrapper.get('[data-testid="delete-button"][data-name="zsh"]').trigger('click')
    await flushPromises()
    ;(document.body.querySelector('[data-testid="delete-dialog-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(deletes()).toEqual([{ method: 'DeleteProcess', args: ['zsh'] }])
    expect(app.names()).toEqual(['cp', 'Finder', 'my app #2?'])
  })

  it('keeps the rows in place under a resting pointer after a delete, until the pointer moves', async () => {
    app = await mountApp('/', { processes })
    const table = app.wrapper.get('[data-testid="process-table"]')
    await table.trigger('pointermove')
    await app.wrapper.get('[data-testid="delete-button"][data-name="cp"]').trigger('click')
    await flushPromises()
    ;(document.body.querySelector('[data-testid="delete-dialog-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    // cp stays where it was, greyed and without a delete button: the next row did not slide under the pointer.
    expect(app.names()).toEqual(['cp', 'zsh', 'Finder', 'my app #2?'])
    expect(app.wrapper.get('[data-testid="process-row"][data-name="cp"]').attributes('data-gone')).toBe('true')
    expect(app.wrapper.find('[data-testid="delete-button"][data-name="cp"]').exists()).toBe(false)
    await table.trigger('pointermove')
    expect(app.names()).toEqual(['zsh', 'Finder', 'my app #2?'])
  })

  it('empties the table at a reset even under a resting pointer', async () => {
    app = await mountApp('/', { processes })
    await app.wrapper.get('[data-testid="process-table"]').trigger('pointermove')
    await app.wrapper.get('[data-testid="reset-button"]').trigger('click')
    ;(document.body.querySelector('[data-testid="reset-dialog-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(app.names()).toEqual([])
  })

  it('keeps filter and sort in the URL and restores them from it', async () => {
    app = await mountApp('/?q=f&sort=reads.asc', { processes })
    expect((app.wrapper.get('[data-testid="filter-input"]').element as HTMLInputElement).value).toBe('f')
    expect(app.wrapper.get('[data-testid="sort-reads"]').attributes('data-sort')).toBe('ascending')
    expect(app.names()).toEqual(['Finder'])
    await app.wrapper.get('[data-testid="filter-input"]').setValue('')
    await app.wrapper.get('[data-testid="sort-name"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.query).toEqual({ sort: 'name.asc' })
  })

  it('moves through the table with the keyboard and opens a row with Enter', async () => {
    app = await mountApp('/', { processes })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/' }))
    expect(document.activeElement).toBe(app.wrapper.get('[data-testid="filter-input"]').element)
    const table = app.wrapper.get('[data-testid="process-table"]')
    await table.trigger('keydown', { key: 'ArrowDown' })
    await table.trigger('keydown', { key: 'ArrowDown' })
    expect(app.wrapper.get('.row.active').attributes('data-name')).toBe('zsh')
    await table.trigger('keydown', { key: 'End' })
    expect(app.wrapper.get('.row.active').attributes('data-name')).toBe('my app #2?')
    await table.trigger('keydown', { key: 'PageUp' })
    expect(app.wrapper.get('.row.active').attributes('data-name')).toBe('cp')
    await table.trigger('keydown', { key: 'Enter' })
    await vi.waitFor(() => expect(app!.router.currentRoute.value.params.name).toBe('cp'), { timeout: 10_000 })
  })

  it('offers neither delete nor reset when the daemon is read-only', async () => {
    app = await mountApp('/', { processes, readOnly: true })
    expect(app.names()).toEqual(['cp', 'zsh', 'Finder', 'my app #2?'])
    expect(app.wrapper.find('[data-testid="delete-button"]').exists()).toBe(false)
    expect(app.wrapper.find('[data-testid="reset-button"]').exists()).toBe(false)
    expect(app.wrapper.get('[data-testid="read-only"]').text()).toBe('read-only')
  })

  it('offers delete and reset when the daemon is not read-only', async () => {
    app = await mountApp('/', { processes })
    expect(app.wrapper.findAll('[data-testid="delete-button"]')).toHaveLength(processes.length)
    expect(app.wrapper.find('[data-testid="reset-button"]').exists()).toBe(true)
    expect(app.wrapper.find('[data-testid="read-only"]').exists()).toBe(false)
  })

  it('resets only after confirmation', async () => {
    app = await mountApp('/', { processes })
    const body = () => document.body
    await app.wrapper.get('[data-testid="reset-button"]').trigger('click')
    expect(body().querySelector('[data-testid="reset-dialog"]')).not.toBeNull()
    ;(body().querySelector('[data-testid="reset-dialog-cancel"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(body().querySelector('[data-testid="reset-dialog"]')).toBeNull()
    expect(app.hub().calls.some((c) => c.method === 'Reset')).toBe(false)
    await app.wrapper.get('[data-testid="reset-button"]').trigger('click')
    ;(body().querySelector('[data-testid="reset-dialog-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(app.hub().calls.some((c) => c.method === 'Reset')).toBe(true)
    expect(app.names()).toEqual([])
    expect(app.wrapper.get('[data-testid="total-written"]').text()).toBe('0 B')
  })

  it('renders only the visible part of 10,000 processes', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => proc(`p${String(i).padStart(5, '0')}`, i, 10_000 - i, i))
    app = await mountApp('/', { processes: many })
    const rows = app.names()
    expect(rows.length).toBeGreaterThan(10)
    expect(rows.length).toBeLessThan(60)
    expect(rows[0]).toBe('p00000')
    const scroller = app.wrapper.get('.processes [role="rowgroup"]')
    scroller.element.scrollTop = 36 * 5000
    await scroller.trigger('scroll')
    const after = app.names()
    expect(after).toContain('p05000')
    expect(after).not.toContain('p00000')
    expect(after.length).toBeLessThan(60)
  })

  it('shows relative times', async () => {
    vi.useFakeTimers({ now: Date.parse(iso(20)) + 3 * 60_000, toFake: ['Date', 'setInterval', 'clearInterval'] })
    try {
      app = await mountApp('/', { processes })
      const finder = () => app!.wrapper.get('[data-testid="process-row"][data-name="Finder"] [data-testid="cell-updated"]').text()
      expect(finder()).toBe('3 minutes ago')
      vi.advanceTimersByTime(60_000)
      await flushPromises()
      expect(finder()).toBe('4 minutes ago')
    } finally {
      vi.useRealTimers()
    }
  })
})
