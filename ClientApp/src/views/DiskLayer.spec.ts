import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import type { ChangedProcess, DeviceIo, FileSummary, ProcessSummary, SourceStatus } from '@/api/types'
import { NO_DISK_HISTORY } from '@/stores/dashboard'
import { filesOf, iso, mountApp, overviewOf, push, running } from '@/test/mountApp'

vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div data-testid="machine-chart" />' } }))
vi.mock('@/components/ProcessChart.vue', () => ({ __esModule: true, default: { template: '<div data-testid="chart-process" />' } }))

const bothLayers: SourceStatus = { ...running, layers: ['file', 'disk'] }
const MiB = 1024 * 1024

const proc = (name: string, reads: number, writes: number, diskReads: number, diskWrites: number): ProcessSummary => ({
  name,
  reads,
  writes,
  lastUpdated: iso(0),
  events: 1,
  files: 1,
  diskReads,
  diskWrites,
})
// cc reads much from the cache; dd writes what it writes straight to the disk.
const processes = [proc('cc', 40 * MiB, 2 * MiB, 1 * MiB, 2 * MiB), proc('dd', 0, 64 * MiB, 0, 64 * MiB)]
const devices: DeviceIo[] = [
  { device: '254:0', readBytes: 2 * MiB, writeBytes: 80 * MiB, readRequests: 16, writeRequests: 640, metadataReadBytes: 4096, metadataWriteBytes: 65536 },
]
const file = (path: string, reads: number, writes: number, diskReads?: number, diskWrites?: number): FileSummary => ({
  path,
  reads,
  writes,
  lastUpdated: iso(0),
  events: 1,
  merged: false,
  ...(diskReads === undefined ? {} : { diskReads, diskWrites }),
})
const ccFiles = [file('/src/a.c', 30 * MiB, 0, 1 * MiB, 0), file('/o/a.o', 0, 2 * MiB, 0, 2 * MiB), file('/src/b.h', 10 * MiB, 0, 0, 0)]

function scenario(source: SourceStatus) {
  return {
    processes,
    init: (h: { replies: Map<string, unknown> }) => {
      h.replies.set('GetOverview', () => {
        const o = overviewOf(processes, source)
        return { ...o, totals: { ...o.totals, diskReads: 1 * MiB, diskWrites: 66 * MiB }, devices }
      })
      h.replies.set('GetProcessFiles', (name: unknown) =>
        name === 'cc' ? { ...filesOf('cc', ccFiles), diskReads: 1 * MiB, diskWrites: 2 * MiB } : filesOf(name as string, [], false),
      )
    },
  }
}

let app: Awaited<ReturnType<typeof mountApp>> | undefined
afterEach(() => app?.cleanup())

const cell = (name: string, id: string) => app!.wrapper.get(`[data-testid="process-row"][data-name="${name}"] [data-testid="${id}"]`)
const has = (id: string) => app!.wrapper.find(`[data-testid="${id}"]`).exists()

describe('file I/O | disk I/O', () => {
  it('is not offered, and no disk panel shown, when the source measures file I/O only, even if the URL asks for disk', async () => {
    app = await mountApp('/?layer=disk', scenario({ ...running, layers: ['file'] }))
    expect(has('layer-switch')).toBe(false)
    expect(has('device-panel')).toBe(false)
    expect(cell('cc', 'cell-read').attributes('data-bytes')).toBe(String(40 * MiB))
    expect(app.store.shownLayer).toBe('file')
  })

  it('switches every figure of the overview to the disk layer and keeps the choice in the URL', async () => {
    app = await mountApp('/', scenario(bothLayers))
    expect(app.wrapper.get('[data-testid="layer-file"]').attributes('aria-pressed')).toBe('true')
    expect(cell('cc', 'cell-read').attributes('data-bytes')).toBe(String(40 * MiB))

    await app.wrapper.get('[data-testid="layer-disk"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.query.layer).toBe('disk')
    expect(app.wrapper.get('[data-testid="layer-disk"]').attributes('aria-pressed')).toBe('true')
    expect(cell('cc', 'cell-read').attributes('data-bytes')).toBe(String(1 * MiB))
    expect(cell('dd', 'cell-written').attributes('data-bytes')).toBe(String(64 * MiB))
    expect(app.wrapper.get('[data-testid="sort-reads"]').text()).toContain('Disk read')
    expect(app.wrapper.get('[data-testid="total-read"]').attributes('data-value')).toBe(String(1 * MiB))
    expect(app.wrapper.get('[data-testid="total-written"]').attributes('data-value')).toBe(String(66 * MiB))

    // Rates come from the disk deltas of the pushes.
    const moved: ChangedProcess = { ...processes[0]!, readDelta: 5 * MiB, writeDelta: 0, diskReadDelta: 1000, diskWriteDelta: 0 }
    app.hub().push('changes', push(1, [moved], { source: bothLayers, time: new Date().toISOString() }))
    await flushPromises()
    expect(Number(cell('cc', 'cell-read-rate').attributes('data-rate'))).toBeCloseTo(1000 / 5)

    await app.wrapper.get('[data-testid="layer-file"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.query.layer).toBeUndefined()
    expect(Number(cell('cc', 'cell-read-rate').attributes('data-rate'))).toBeCloseTo((5 * MiB) / 5)
  })

  it('opens in the layer the URL names and carries it to the process page and back', async () => {
    app = await mountApp('/?layer=disk', scenario(bothLayers))
    expect(cell('cc', 'cell-read').attributes('data-bytes')).toBe(String(1 * MiB))
    await app.router.push({ name: 'process', params: { name: 'cc' } })
    await flushPromises()
    expect(app.router.currentRoute.value.query.layer).toBe('disk')
    expect(app.wrapper.get('[data-testid="process-total-read"]').attributes('data-value')).toBe(String(1 * MiB))
    await app.wrapper.get('[data-testid="back-to-overview"]').trigger('click')
    await flushPromises()
    expect(app.router.currentRoute.value.name).toBe('overview')
    expect(app.router.currentRoute.value.query.layer).toBe('disk')
  })

  it('shows per file the reads the page cache served, and the files in either layer', async () => {
    app = await mountApp('/process/cc', scenario(bothLayers))
    const row = (path: string) => app!.wrapper.get(`[data-testid="file-row"][data-path="${path}"]`)
    const hit = (path: string) => row(path).get('[data-testid="cell-cache-hit"]')
    expect(hit('/src/a.c').attributes('data-bytes')).toBe(String(29 * MiB))
    expect(hit('/src/a.c').text()).toBe('29.00 MiB · 97 %')
    expect(hit('/src/b.h').text()).toBe('10.00 MiB · 100 %')
    // Not read: no share.
    expect(hit('/o/a.o').text()).toBe('0 B')
    expect(row('/src/a.c').get('[data-testid="cell-read"]').attributes('data-bytes')).toBe(String(30 * MiB))

    await app.wrapper.get('[data-testid="sort-cacheHit"]').trigger('click')
    expect(app.wrapper.findAll('[data-testid="file-row"]').map((r) => r.attributes('data-path'))).toEqual(['/src/a.c', '/src/b.h', '/o/a.o'])

    await app.wrapper.get('[data-testid="layer-disk"]').trigger('click')
    await flushPromises()
    expect(row('/src/a.c').get('[data-testid="cell-read"]').attributes('data-bytes')).toBe(String(1 * MiB))
    expect(row('/o/a.o').get('[data-testid="cell-written"]').attributes('data-bytes')).toBe(String(2 * MiB))
    // The cache hit is of both layers: it stays as it was.
    expect(hit('/src/a.c').attributes('data-bytes')).toBe(String(29 * MiB))
  })

  it('has no cache-hit column where the source measures file I/O only', async () => {
    app = await mountApp('/process/cc', scenario({ ...running, layers: ['file'] }))
    expect(app.wrapper.findAll('[data-testid="file-row"]')).toHaveLength(3)
    expect(has('cell-cache-hit')).toBe(false)
    expect(has('sort-cacheHit')).toBe(false)
  })

  it('sets each disk against the bytes charged to processes, and follows the pushes', async () => {
    app = await mountApp('/', scenario(bothLayers))
    const panel = app.wrapper.get('[data-testid="device-panel"]')
    const dev = panel.get('[data-testid="device-row"][data-device="254:0"]')
    expect(dev.get('[data-testid="device-read"]').text()).toBe('2.00 MiB')
    expect(dev.get('[data-testid="device-written"]').text()).toBe('80.00 MiB')
    expect(panel.get('[data-testid="attributed-read"]').attributes('data-bytes')).toBe(String(1 * MiB))
    expect(panel.get('[data-testid="attributed-read-share"]').text()).toBe('50 %')
    expect(panel.get('[data-testid="attributed-written-share"]').text()).toBe('83 %')
    // One disk: no "all disks" line.
    expect(panel.find('[data-testid="devices-total-read"]').exists()).toBe(false)

    app.hub().push(
      'changes',
      push(2, [], {
        source: bothLayers,
        totals: { events: 1, malformedLines: 0, droppedEvents: 0, reads: 0, writes: 0, diskReads: 3 * MiB, diskWrites: 66 * MiB },
        devices: [...devices, { ...devices[0]!, device: '8:16', readBytes: 2 * MiB, writeBytes: 0 }],
      }),
    )
    await flushPromises()
    expect(app.wrapper.findAll('[data-testid="device-row"]').map((r) => r.attributes('data-device'))).toEqual(['254:0', '8:16'])
    expect(app.wrapper.get('[data-testid="devices-total-read"]').attributes('data-bytes')).toBe(String(4 * MiB))
    expect(app.wrapper.get('[data-testid="attributed-read-share"]').text()).toBe('75 %')
  })

  it('draws a past range in the disk layer from a history with disk figures, and says so when the history has none', async () => {
    let withDisk = true
    app = await mountApp('/?layer=disk', {
      ...scenario(bothLayers),
      init: (h) => {
        scenario(bothLayers).init(h)
        h.replies.set('GetTopProcesses', [{ name: 'dd', reads: 0, writes: 64 * MiB }])
        h.replies.set('GetHistory', () => ({
          bucketSeconds: 60,
          points: [{ time: iso(0), reads: 600, writes: 6000, ...(withDisk ? { diskReads: 60, diskWrites: 1200 } : {}) }],
        }))
      },
    })
    const t0 = Date.parse(iso(0))
    const disk = await app.store.rangeHistory(t0, t0 + 60_000)
    expect([disk[0]!.read, disk[0]!.write]).toEqual([1, 20])
    expect((await app.store.rangeHistory(t0, t0 + 60_000, 'file'))[0]!.write).toBe(100)
    withDisk = false
    await expect(app.store.rangeHistory(t0, t0 + 60_000)).rejects.toThrow(NO_DISK_HISTORY)
    await expect(app.store.processHistory('dd', t0, t0 + 60_000)).rejects.toThrow(NO_DISK_HISTORY)
    expect((await app.store.processHistory('dd', t0, t0 + 60_000, 'file'))[0]!.read).toBe(10)
  })

  it('shows the file search in the layer shown, and switches with it', async () => {
    app = await mountApp('/?layer=disk&files=%2Fsrc', {
      ...scenario(bothLayers),
      init: (h) => {
        scenario(bothLayers).init(h)
        h.replies.set('SearchFiles', (query: unknown) => ({
          query,
          truncated: false,
          processes: [
            {
              name: 'cc',
              reads: 40 * MiB,
              writes: 0,
              files: 2,
              diskReads: 1 * MiB,
              diskWrites: 0,
              top: [
                { path: '/src/a.c', reads: 30 * MiB, writes: 0, diskReads: 0, diskWrites: 0 },
                { path: '/src/b.h', reads: 10 * MiB, writes: 0, diskReads: 1 * MiB, diskWrites: 0 },
              ],
            },
            { name: 'dd', reads: 0, writes: 2 * MiB, files: 1, diskReads: 0, diskWrites: 2 * MiB, top: [{ path: '/src/o', reads: 0, writes: 2 * MiB, diskReads: 0, diskWrites: 2 * MiB }] },
          ],
        }))
      },
    })
    await flushPromises()
    const rows = () => app!.wrapper.findAll('[data-testid="file-search-row"]')
    const figure = (name: string, id: string) => app!.wrapper.get(`[data-testid="file-search-row"][data-name="${name}"] [data-testid="${id}"]`)
    expect(rows().map((r) => r.attributes('data-name'))).toEqual(['dd', 'cc'])
    expect(figure('cc', 'file-search-read').attributes('data-bytes')).toBe(String(1 * MiB))
    expect(figure('cc', 'file-search-read').text()).toBe('1.00 MiB')
    expect(figure('dd', 'file-search-written').attributes('data-bytes')).toBe(String(2 * MiB))
    expect(figure('cc', 'file-search-top').text()).toContain('b.h')
    expect(app.wrapper.get('[data-testid="file-search-read-head"]').text()).toBe('Disk read')

    await app.wrapper.get('[data-testid="layer-file"]').trigger('click')
    await flushPromises()
    expect(rows().map((r) => r.attributes('data-name'))).toEqual(['cc', 'dd'])
    expect(figure('cc', 'file-search-read').attributes('data-bytes')).toBe(String(40 * MiB))
    expect(figure('cc', 'file-search-top').text()).toContain('a.c')
    expect(app.wrapper.get('[data-testid="file-search-read-head"]').text()).toBe('Read')
  })
})
