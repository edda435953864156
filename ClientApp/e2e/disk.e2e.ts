// End-to-end check of the dashboard's two layers (file I/O | disk I/O), the cache-hit column and the disk panel,
// against a daemon replaying a recording of the bpftrace source with disk figures (gen_disk_trace.py), in
// Debian's Chromium, the file search's disk figures too. See README.md in this folder for the environment it reads.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { formatBytes } from '../src/lib/format.ts'
import { collectErrors, connected, expectText, launch, poll, q, shoot, tid } from './support.ts'

const URL_D = (process.env.IOSNOOP_DISK_URL ?? '').replace(/\/$/, '')
const EXPECT_PATH = process.env.IOSNOOP_DISK_EXPECT

interface Figures {
  reads: number
  writes: number
  diskReads: number
  diskWrites: number
}

interface Expectations {
  processes: Record<string, Figures>
  process: string
  files: Record<string, Figures>
  device: string
  deviceReads: number
  deviceWrites: number
  attributedReads: number
  attributedWrites: number
}

const processRow = (name: string) => `${tid('process-row')}[data-name=${q(name)}]`
const fileRow = (path: string) => `${tid('file-row')}[data-path=${q(path)}]`
const layerIn = (page: Page) => new URL(page.url()).searchParams.get('layer')

describe('iosnoopng dashboard: file and disk I/O', { skip: !URL_D && 'IOSNOOP_DISK_URL is not set' }, () => {
  let browser: Browser
  let page: Page
  let want: Expectations
  let errors: string[] = []

  before(async () => {
    assert.ok(EXPECT_PATH, 'IOSNOOP_DISK_EXPECT must name the expectations of the disk recording')
    want = JSON.parse(await readFile(EXPECT_PATH, 'utf8')) as Expectations
    browser = await launch()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    errors = collectErrors(page)
  })

  after(async () => {
    await browser?.close()
  })

  async function expectProcesses(layer: 'file' | 'disk') {
    for (const [name, f] of Object.entries(want.processes)) {
      const row = page.locator(processRow(name))
      const [w, r] = layer === 'disk' ? [f.diskWrites, f.diskReads] : [f.writes, f.reads]
      await expectText(row.locator(tid('cell-written')), formatBytes(w), `${name} ${layer} written`)
      await expectText(row.locator(tid('cell-read')), formatBytes(r), `${name} ${layer} read`)
    }
  }

  test('the switch is offered, and the overview shows file I/O until it is switched to disk I/O', async () => {
    await page.goto(`${URL_D}/`)
    await connected(page)
    await poll('the layer switch', () => page.locator(tid('layer-switch')).count(), (n) => n === 1)
    assert.equal(await page.locator(tid('layer-file')).getAttribute('aria-pressed'), 'true')
    await expectProcesses('file')

    await page.locator(tid('layer-disk')).click()
    await poll('layer in the URL', async () => layerIn(page), (l) => l === 'disk')
    await expectProcesses('disk')
    const sum = (k: keyof Figures) => Object.values(want.processes).reduce((s, p) => s + p[k], 0)
    await expectText(page.locator(tid('total-read')), formatBytes(sum('diskReads')), 'total read from disk')
    await expectText(page.locator(tid('total-written')), formatBytes(sum('diskWrites')), 'total written to disk')
    await shoot(page, 'overview-disk')
  })

  test('the file search shows the disk figures of the matching files in the disk layer', async () => {
    await page.locator(tid('file-search-input')).fill('/e2e-disk/')
    await page.locator(tid('file-search-submit')).click()
    await poll('search rows', () => page.locator(tid('file-search-row')).count(), (n) => n === Object.keys(want.processes).length)
    // Every file of every process matches: its disk figures are the process's.
    for (const [name, f] of Object.entries(want.processes)) {
      const row = page.locator(`${tid('file-search-row')}[data-name=${q(name)}]`)
      await expectText(row.locator(tid('file-search-written')), formatBytes(f.diskWrites), `${name} disk written on matches`)
      await expectText(row.locator(tid('file-search-read')), formatBytes(f.diskReads), `${name} disk read on matches`)
    }
    assert.equal(layerIn(page), 'disk')
  })

  test('the disk panel sets the disk against the bytes charged to processes', async () => {
    const row = page.locator(`${tid('device-row')}[data-device=${q(want.device)}]`)
    await expectText(row.locator(tid('device-read')), formatBytes(want.deviceReads), 'disk read')
    await expectText(row.locator(tid('device-written')), formatBytes(want.deviceWrites), 'disk written')
    await expectText(page.locator(tid('attributed-read')).locator(tid('attributed-read-share')),
      `${Math.round((want.attributedReads / want.deviceReads) * 100)} %`, 'share of the disk reads charged')
    await expectText(page.locator(tid('attributed-written-share')),
      `${Math.round((want.attributedWrites / want.deviceWrites) * 100)} %`, 'share of the disk writes charged')
  })

  test('a reload keeps the layer; the process page opens in it and shows the cache hits', async () => {
    await page.reload()
    await connected(page)
    await expectProcesses('disk')
    const name = want.process
    await page.locator(`${processRow(name)} ${tid('process-link')}`).click()
    await poll('process URL', async () => new URL(page.url()).pathname, (p) => p === `/process/${encodeURIComponent(name)}`)
    assert.equal(layerIn(page), 'disk', 'the layer goes with the link')
    await expectText(page.locator(tid('process-total-read')), formatBytes(want.processes[name]!.diskReads), 'process read from disk')
    for (const [path, f] of Object.entries(want.files)) {
      const row = page.locator(fileRow(path))
      await expectText(row.locator(tid('cell-read')), formatBytes(f.diskReads), `${path} disk read`)
      await expectText(row.locator(tid('cell-written')), formatBytes(f.diskWrites), `${path} disk written`)
      const hit = Math.max(0, f.reads - f.diskReads)
      const share = f.reads > 0 ? ` · ${Math.round((hit / f.reads) * 100)} %` : ''
      await expectText(row.locator(tid('cell-cache-hit')), `${formatBytes(hit)}${share}`, `${path} cache hit`)
    }
    await shoot(page, 'process-files-disk')

    await page.locator(tid('layer-file')).click()
    await poll('layer gone from the URL', async () => layerIn(page), (l) => l === null)
    for (const [path, f] of Object.entries(want.files)) {
      await expectText(page.locator(fileRow(path)).locator(tid('cell-read')), formatBytes(f.reads), `${path} file read`)
    }
  })

  test('the process tree and an instance page show each instance\'s disk bytes in the disk layer', async () => {
    // A replay has no /proc: each pid of the recording is an instance of its own, with its process's figures.
    await page.goto(`${URL_D}/instances?layer=disk`)
    await connected(page)
    await poll('the layer switch on the tree', () => page.locator(tid('layer-switch')).count(), (n) => n === 1)
    const treeRow = (name: string) => page.locator(`${tid('tree-row')}[data-name=${q(name)}]`)
    for (const [name, f] of Object.entries(want.processes)) {
      await expectText(treeRow(name).locator(tid('cell-read')), formatBytes(f.diskReads), `${name} instance read from disk`)
      await expectText(treeRow(name).locator(tid('cell-tree-written')), formatBytes(f.diskWrites), `${name} tree written to disk`)
    }
    await shoot(page, 'tree-disk')

    const name = want.process
    await treeRow(name).locator(tid('tree-link')).click()
    await poll('instance URL', async () => new URL(page.url()).pathname, (p) => p.startsWith('/instances/'))
    assert.equal(layerIn(page), 'disk', 'the layer goes with the link')
    await expectText(page.locator(tid('instance-written')), formatBytes(want.processes[name]!.diskWrites), 'instance written to disk')
    await page.locator(tid('layer-file')).click()
    await poll('layer gone from the URL', async () => layerIn(page), (l) => l === null)
    await expectText(page.locator(tid('instance-written')), formatBytes(want.processes[name]!.writes), 'instance written (file I/O)')
  })

  test('no script or console errors', () => {
    assert.deepEqual(errors, [])
  })
})
