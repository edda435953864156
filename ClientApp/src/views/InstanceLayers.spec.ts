import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import type { SourceStatus } from '@/api/types'
import { at, fakeApi, instance } from '@/test/fakeApi'
import { mountApp, overviewOf, running } from '@/test/mountApp'

vi.mock('@/components/ProcessChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))
vi.mock('@/components/MachineChart.vue', () => ({ __esModule: true, default: { template: '<div />' } }))

const bothLayers: SourceStatus = { ...running, layers: ['file', 'disk'] }
const fileOnly: SourceStatus = { ...running, layers: ['file'] }
const KiB = 1024

// sh (100) ran dd 101 (overwrote cached pages: file bytes, no disk bytes) and dd 102, which wrote to the disk and
// started cat 103 (a cold read). In the file layer 101 has the bigger tree, in the disk layer 102.
const scene = () => [
  instance(100, 1, {
    name: 'sh', group: 'build.scope', reads: 10, treeReads: 50, treeWrites: 4200,
    diskReads: 4 * KiB, treeDiskReads: 12 * KiB, treeDiskWrites: 64 * KiB,
  }),
  instance(101, 100, { name: 'dd', group: 'cache.service', ended: at(101.5), writes: 3000, treeWrites: 3000 }),
  instance(102, 100, {
    name: 'dd', group: 'build.scope', writes: 1200, treeReads: 40, treeWrites: 1200,
    diskWrites: 64 * KiB, treeDiskReads: 8 * KiB, treeDiskWrites: 64 * KiB,
  }),
  instance(103, 102, { name: 'cat', group: 'cache.service', reads: 40, treeReads: 40, diskReads: 8 * KiB, treeDiskReads: 8 * KiB }),
]

const withSource = (source: SourceStatus) => ({ init: (h: { replies: Map<string, unknown> }) => h.replies.set('GetOverview', () => overviewOf([], source)) })

let app: Awaited<ReturnType<typeof mountApp>> | undefined

afterEach(() => {
  app?.cleanup()
  app = undefined
  vi.unstubAllGlobals()
})

const get = (selector: string) => app!.wrapper.get(selector)
const has = (id: string) => app!.wrapper.find(`[data-testid="${id}"]`).exists()
const bytes = (selector: string) => Number(get(selector).attributes('data-bytes'))
const treeCell = (pid: number, id: string) => bytes(`[data-testid="tree-row"][data-pid="${pid}"] [data-testid="${id}"]`)
const treeRows = () => app!.wrapper.findAll('[data-testid="tree-row"]').map((r) => Number(r.attributes('data-pid')))

async function switchTo(layer: 'file' | 'disk') {
  await get(`[data-testid="layer-${layer}"]`).trigger('click')
  await flushPromises()
}

describe('the layer switch on the process-instance pages', () => {
  it('switches the process tree to disk bytes, own and tree, and orders it by them', async () => {
    fakeApi(scene())
    app = await mountApp('/instances', withSource(bothLayers))
    expect(has('layer-switch')).toBe(true)
    await get('[data-testid="tree-row"][data-pid="100"] [data-testid="tree-toggle"]').trigger('click')
    await flushPromises()
    expect(treeRows()).toEqual([100, 101, 102])
    expect(treeCell(100, 'cell-read')).toBe(10)
    expect(get('[data-testid="tree-head-read"]').text()).toBe('Read')

    await switchTo('disk')
    expect(app.router.currentRoute.value.query.layer).toBe('disk')
    expect(get('[data-testid="tree-head-read"]').text()).toBe('Disk read')
    expect(get('[data-testid="tree-head-written"]').text()).toBe('Disk written')
    expect([treeCell(100, 'cell-read'), treeCell(100, 'cell-written'), treeCell(100, 'cell-tree-read'), treeCell(100, 'cell-tree-written')])
      .toEqual([4 * KiB, 0, 12 * KiB, 64 * KiB])
    // Most tree disk bytes first: dd 102 before dd 101.
    expect(treeRows()).toEqual([100, 102, 101])
    expect(treeCell(102, 'cell-written')).toBe(64 * KiB)
    expect(treeCell(101, 'cell-tree-written')).toBe(0)
    // Opened in the disk layer, a child's children are shown in it too.
    await get('[data-testid="tree-row"][data-pid="102"] [data-testid="tree-toggle"]').trigger('click')
    await flushPromises()
    expect(treeRows()).toEqual([100, 102, 103, 101])
    expect(treeCell(103, 'cell-read')).toBe(8 * KiB)

    await switchTo('file')
    expect(app.router.currentRoute.value.query.layer).toBeUndefined()
    expect(treeRows()).toEqual([100, 101, 102, 103])
    expect(treeCell(103, 'cell-read')).toBe(40)
  })

  it('is not offered where the source measures file I/O only, whatever the address says', async () => {
    fakeApi(scene())
    app = await mountApp('/instances?layer=disk', withSource(fileOnly))
    expect(has('layer-switch')).toBe(false)
    expect(treeCell(100, 'cell-tree-written')).toBe(4200)
    app.cleanup()

    app = await mountApp('/groups?layer=disk', withSource(fileOnly))
    await vi.waitFor(() => expect(has('groups-table')).toBe(true))
    expect(has('layer-switch')).toBe(false)
    expect(bytes('[data-testid="group-row"][data-group="build.scope"] [data-testid="group-written"]')).toBe(1200)
  })

  it('shows an instance and its children in the layer of the address, and the link to a child keeps it', async () => {
    fakeApi(scene())
    app = await mountApp('/instances/100?layer=disk', withSource(bothLayers))
    await vi.waitFor(() => expect(has('instance-name')).toBe(true))
    expect(has('layer-switch')).toBe(true)
    const tile = (id: string) => Number(get(`[data-testid="${id}"]`).attributes('data-value'))
    expect([tile('instance-read'), tile('instance-written'), tile('instance-tree-read'), tile('instance-tree-written')])
      .toEqual([4 * KiB, 0, 12 * KiB, 64 * KiB])
    expect(app.wrapper.text()).toContain('Tree disk written')
    const children = () => app!.wrapper.findAll('[data-testid="instance-child"]').map((c) => Number(c.attributes('data-pid')))
    expect(children()).toEqual([102, 101])
    expect(bytes('[data-testid="instance-child"][data-pid="102"] [data-testid="instance-child-written"]')).toBe(64 * KiB)

    await switchTo('file')
    expect(children()).toEqual([101, 102])
    expect(tile('instance-tree-written')).toBe(4200)
    expect(app.wrapper.text()).not.toContain('Tree disk written')

    await switchTo('disk')
    await get('[data-testid="instance-child"][data-pid="102"] [data-testid="instance-child-link"]').trigger('click')
    await vi.waitFor(() => expect(app!.router.currentRoute.value.params.pid).toBe('102'))
    expect(app.router.currentRoute.value.query.layer).toBe('disk')
    await vi.waitFor(() => expect(Number(get('[data-testid="instance-written"]').attributes('data-value'))).toBe(64 * KiB))
  })

  it('orders the groups by their disk bytes and shows them, and the chosen group\'s instances, in the disk layer', async () => {
    fakeApi(scene())
    app = await mountApp('/groups', withSource(bothLayers))
    await vi.waitFor(() => expect(has('groups-table')).toBe(true))
    const groups = () => app!.wrapper.findAll('[data-testid="group-row"]').map((r) => r.attributes('data-group'))
    const cell = (group: string, id: string) => bytes(`[data-testid="group-row"][data-group="${group}"] [data-testid="${id}"]`)
    // File bytes: cache.service (3040) before build.scope (1210).
    expect(groups()).toEqual(['cache.service', 'build.scope'])

    await switchTo('disk')
    expect(groups()).toEqual(['build.scope', 'cache.service'])
    expect(get('[data-testid="groups-head-read"]').text()).toBe('Disk read')
    expect([cell('build.scope', 'group-read'), cell('build.scope', 'group-written')]).toEqual([4 * KiB, 64 * KiB])
    expect([cell('cache.service', 'group-read'), cell('cache.service', 'group-written')]).toEqual([8 * KiB, 0])
    expect(get('[data-testid="group-row"][data-group="build.scope"] [data-testid="group-share"]').text()).toBe('89 %')

    await get('[data-testid="group-row"][data-group="build.scope"] [data-testid="group-link"]').trigger('click')
    await vi.waitFor(() => expect(app!.wrapper.findAll('[data-testid="group-instance"]')).toHaveLength(2))
    expect(app.router.currentRoute.value.query).toEqual({ layer: 'disk', group: 'build.scope' })
    expect(bytes('[data-testid="group-instance"][data-pid="102"] [data-testid="group-instance-written"]')).toBe(64 * KiB)
    expect(bytes('[data-testid="group-instance"][data-pid="100"] [data-testid="group-instance-read"]')).toBe(4 * KiB)
  })
})
