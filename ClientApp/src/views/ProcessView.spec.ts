import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import type { FileSummary } from '@/api/types'
import { changed, iso, mountApp, proc, push } from '@/test/mountApp'

vi.mock('@/components/ProcessChart.vue', () => ({ __esModule: true, default: { template: '<div data-testid="chart-process" />' } }))
vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

const NAME = 'my app #2?'
const file = (path: string, reads: number, writes: number, merged = false): FileSummary => ({
  path,
  reads,
  writes,
  lastUpdated: iso(0),
  events: 1,
  merged,
})
const files: FileSummary[] = [
  file('/home/ann/notes.txt', 1024, 4096),
  file('/home/ann/.cache/x', 0, 512),
  file('/usr/lib/libc.so.6', 2048, 0),
  file('b/x86_64-linux-gnu/libz.so', 100, 0),
  file(`<Smaller Files of ${NAME}>`, 10, 20, true),
]
const url = `/process/${encodeURIComponent(NAME)}`

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => {
  app?.cleanup()
  vi.useRealTimers()
})

const fetches = () => app!.hub().calls.filter((c) => c.method === 'GetProcessFiles')
const paths = () => app!.wrapper.findAll('[data-testid="file-row"]').map((r) => r.attributes('data-path'))
const entries = () => app!.wrapper.findAll('[data-testid="dir-entry"]').map((e) => e.attributes('data-label'))

describe('process page', () => {
  it('loads the process named in the URL and shows its totals', async () => {
    app = await mountApp(url, { processes: [proc(NAME, 3182, 4628)], files: { [NAME]: files } })
    expect(fetches()[0]!.args).toEqual([NAME])
    expect(app.wrapper.get('[data-testid="process-name"]').text()).toBe(NAME)
    expect(app.wrapper.get('[data-testid="process-total-written"]').text()).toBe('4.52 KiB')
    expect(app.wrapper.get('[data-testid="process-total-read"]').text()).toBe('3.11 KiB')
    expect(app.wrapper.get('[data-testid="process-total-files"]').text()).toBe('5')
  })

  it('lists files by bytes written, greys merged rows and marks cut paths', async () => {
    app = await mountApp(url, { files: { [NAME]: files } })
    expect(paths()).toEqual([
      '/home/ann/notes.txt',
      '/home/ann/.cache/x',
      `<Smaller Files of ${NAME}>`,
      '/usr/lib/libc.so.6',
      'b/x86_64-linux-gnu/libz.so',
    ])
    const merged = app.wrapper.get('[data-testid="file-row"][data-merged="true"]')
    expect(merged.classes()).toContain('merged')
    const cut = app.wrapper.get('[data-testid="file-row"][data-path="b/x86_64-linux-gnu/libz.so"]')
    expect(cut.get('[data-testid="partial-path"]').attributes('title')).toBe('path cut by the tracer')
    expect(app.wrapper.findAll('[data-testid="partial-path"]')).toHaveLength(1)
    const notes = app.wrapper.get('[data-testid="file-row"][data-path="/home/ann/notes.txt"]')
    expect(notes.get('[data-testid="cell-written"]').text()).toBe('4.00 KiB')
    expect(notes.get('[data-testid="cell-read"]').text()).toBe('1.00 KiB')
  })

  it('sorts and filters files', async () => {
    app = await mountApp(url, { files: { [NAME]: files } })
    await app.wrapper.get('[data-testid="sort-reads"]').trigger('click')
    expect(paths()[0]).toBe('/usr/lib/libc.so.6')
    await app.wrapper.get('[data-testid="sort-path"]').trigger('click')
    expect(paths()[0]).toBe('/home/ann/.cache/x')
    await app.wrapper.get('[data-testid="filter-input"]').setValue('ANN')
    expect(paths()).toEqual(['/home/ann/.cache/x', '/home/ann/notes.txt'])
  })

  it('sums folders and drills down and back up', async () => {
    app = await mountApp(url, { files: { [NAME]: files } })
    await app.wrapper.get('[data-testid="tab-folders"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.query.view).toBe('folders')
    expect(entries()).toEqual(['home/ann', 'usr/lib', '… cut paths', `<Smaller Files of ${NAME}>`])
    const home = app.wrapper.get('[data-testid="dir-entry"][data-label="home/ann"]')
    expect(home.get('[data-testid="dir-entry-written"]').text()).toBe('4.50 KiB')
    expect(home.get('[data-testid="dir-entry-read"]').text()).toBe('1.00 KiB')
    await home.get('[data-testid="dir-open"]').trigger('click')
    await flushPromises()
    expect(entries()).toEqual(['notes.txt', '.cache'])
    expect(app.router.currentRoute.value.query.dir).toBe('home/ann')
    const crumbs = app.wrapper.findAll('[data-testid="dir-crumb"]')
    expect(crumbs.map((c) => c.text())).toEqual(['/', 'home', 'ann'])
    await crumbs[1]!.trigger('click')
    await flushPromises()
    expect(entries()).toEqual(['ann'])
    // Back steps up one folder level: from /home to /home/ann (the previous entry), then to the top.
    app.router.back()
    await flushPromises()
    await new Promise((r) => setTimeout(r, 0))
    await flushPromises()
    expect(app.router.currentRoute.value.query.dir).toBe('home/ann')
    await app.wrapper.get('[data-testid="dir-crumb"]').trigger('click')
    await flushPromises()
    expect(entries()).toHaveLength(4)
    expect(app.router.currentRoute.value.query.dir).toBeUndefined()
  })

  it('sorts and filters the folder level', async () => {
    app = await mountApp(`${url}?view=folders`, { files: { [NAME]: files } })
    await app.wrapper.get('[data-testid="sort-name"]').trigger('click')
    await flushPromises()
    expect(entries()).toEqual([`<Smaller Files of ${NAME}>`, '… cut paths', 'home/ann', 'usr/lib'].sort((a, b) => new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare(a, b)))
    expect(app.router.currentRoute.value.query.sort).toBe('name.asc')
    await app.wrapper.get('[data-testid="filter-input"]').setValue('usr')
    expect(entries()).toEqual(['usr/lib'])
  })

  it('refetches when a push lists the process, at most once a second', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    app = await mountApp(url, { files: { [NAME]: files } })
    expect(fetches()).toHaveLength(1)
    app.hub().push('changes', push(1, [changed(proc('other', 1, 1, 1), 1, 1)]))
    await vi.advanceTimersByTimeAsync(2000)
    expect(fetches()).toHaveLength(1)
    app.hub().push('changes', push(2, [changed(proc(NAME, 1, 1, 2), 1, 1)]))
    app.hub().push('changes', push(2, [changed(proc(NAME, 1, 2, 2), 0, 1)]))
    await vi.advanceTimersByTimeAsync(0)
    expect(fetches()).toHaveLength(2)
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetches()).toHaveLength(3)
    await vi.advanceTimersByTimeAsync(5000)
    expect(fetches()).toHaveLength(3)
  })

  it('does not refetch while paused and catches up on resume', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    app = await mountApp(url, { files: { [NAME]: files } })
    app.store.setPaused(true)
    app.hub().push('changes', push(1, [changed(proc(NAME, 1, 1, 1), 1, 1)]))
    await vi.advanceTimersByTimeAsync(3000)
    expect(fetches()).toHaveLength(1)
    app.store.setPaused(false)
    await vi.advanceTimersByTimeAsync(0)
    expect(fetches()).toHaveLength(2)
  })

  it('says so when the daemon has no such process', async () => {
    app = await mountApp('/process/ghost', {})
    expect(app.wrapper.get('[data-testid="process-not-found"]').text()).toContain('no data')
    expect(app.wrapper.get('[data-testid="process-delete"]').attributes('disabled')).toBeDefined()
  })

  it('has no delete button when the daemon is read-only', async () => {
    app = await mountApp(url, { processes: [proc(NAME, 1, 1)], files: { [NAME]: files }, readOnly: true })
    expect(paths()).toHaveLength(files.length)
    expect(app.wrapper.find('[data-testid="process-delete"]').exists()).toBe(false)
  })

  it('deletes the process and goes back to the overview', async () => {
    app = await mountApp(url, { processes: [proc(NAME, 1, 1)], files: { [NAME]: files } })
    await app.wrapper.get('[data-testid="process-delete"]').trigger('click')
    await flushPromises()
    expect(app.hub().calls.some((c) => c.method === 'DeleteProcess')).toBe(false)
    expect(document.body.querySelector('[data-testid="delete-dialog-name"]')?.textContent).toBe(NAME)
    ;(document.body.querySelector('[data-testid="delete-dialog-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(app.hub().calls.some((c) => c.method === 'DeleteProcess' && c.args[0] === NAME)).toBe(true)
    expect(app.router.currentRoute.value.name).toBe('overview')
  })

  it('opens from the original /NAME deep link', async () => {
    app = await mountApp(`/${encodeURIComponent(NAME)}`, { files: { [NAME]: files } })
    expect(app.router.currentRoute.value.name).toBe('process')
    expect(fetches()[0]!.args).toEqual([NAME])
  })
})
