// End-to-end check of the process tree against a daemon that traces this machine with the real bpftrace source:
// a shell script with a name of its own starts children that write known byte counts (one exits at once, one is
// nested a level deeper, one runs until the spec closes the FIFO it reads), and the page must show its own and
// its tree's bytes, the children, their lifetimes and the live figures. See README.md in this folder.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, open, realpath, rm, stat, writeFile, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { formatBytes } from '../src/lib/format.ts'
import { TIMEOUT, collectErrors, expectText, launch, poll, q, shoot, tid } from './support.ts'

const URL_T = (process.env.IOSNOOP_TREE_URL ?? '').replace(/\/$/, '')
/** The tracer prints every second and the page refetches the tree every 3 s: a loaded machine needs a while. */
const WAIT = Math.max(TIMEOUT, 30_000)

// What the script and its children write, to the byte (dd from /dev/zero and pipes: those reads are not of files).
const PAYLOAD = 'bytes the script writes itself. '.repeat(9)
const OWN = Buffer.byteLength(PAYLOAD)
const EARLY = 3 * 4096 // dd that exits at once
const NESTED = 5 * 1000 // dd under a nested sh
const LIVE = 2 * 4096 // dd that copies what the spec writes into a FIFO
const script = `#!/bin/sh
# Started by tree.e2e.ts: each byte written to a file here is known to the spec.
dir=$1
printf '%s' '${PAYLOAD}' > "$dir/own.bin"
dd if=/dev/zero of="$dir/early.bin" bs=4096 count=3 status=none
sh -c 'dd if=/dev/zero of="$1" bs=1000 count=5 status=none; exit 0' nested "$dir/nested.bin"
dd if="$dir/feed" of="$dir/live.bin" bs=4096 status=none
read -r line < "$dir/hold"
`

interface ChildRow {
  name: string
  pid: string
  depth: string
  state: string
  written: number
  treeWritten: number
  exited: string
  duration: string | null
}

/** The tree's rows as the page shows them (only rows in view are rendered: a handful here). */
const treeRows = (page: Page) =>
  page.locator(tid('tree-row')).evaluateAll((rows) =>
    rows.map((r) => {
      const bytes = (id: string) => Number(r.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-bytes'))
      const life = r.querySelector('[data-testid="tree-lifetime"]')
      return {
        name: r.getAttribute('data-name') ?? '',
        pid: r.getAttribute('data-pid') ?? '',
        depth: r.getAttribute('data-depth') ?? '',
        state: r.getAttribute('data-state') ?? '',
        written: bytes('cell-written'),
        treeWritten: bytes('cell-tree-written'),
        exited: life?.getAttribute('data-exited') ?? '',
        duration: life?.querySelector('[data-testid="lifetime-duration"]')?.textContent?.trim() ?? null,
      }
    }),
  )

describe('iosnoopng dashboard: the process tree of a traced script', { skip: !URL_T && 'IOSNOOP_TREE_URL is not set' }, () => {
  let browser: Browser
  let page: Page
  let errors: string[] = []
  let dir = ''
  let child: ChildProcess | undefined
  let feed: FileHandle | undefined
  // Unique on this machine, at most 15 characters (the kernel's process names are cut there).
  const NAME = `e2etree-${randomBytes(3).toString('hex')}`
  const scriptRow = () => page.locator(`${tid('tree-row')}[data-name=${q(NAME)}][data-depth="0"]`)

  before(async () => {
    // The daemon traces with bpftrace: it must be running (its READY line seen), not starting, failed or replaying.
    const status = await poll(
      'the bpftrace source running',
      async () => {
        try {
          const s = (await (await fetch(`${URL_T}/api/status`)).json()) as { source: { name: string; state: string; message: string | null } }
          return s.source
        } catch (e) {
          return { name: '?', state: `not answering: ${e instanceof Error ? e.message : String(e)}`, message: null }
        }
      },
      (s) => (s.name === 'bpftrace' && s.state === 'running') || s.state === 'failed',
      120_000,
    )
    assert.equal(status.state, 'running', `this machine cannot trace with bpftrace: ${status.message ?? status.state}`)

    dir = await realpath(await mkdtemp(join(tmpdir(), 'iosnoop-tree-')))
    execFileSync('mkfifo', [join(dir, 'feed'), join(dir, 'hold')])
    const path = join(dir, NAME)
    await writeFile(path, script, { mode: 0o755 })
    // Its own process group, so that after() can end it with its children; not kept waited for by this process.
    child = spawn(path, [dir], { detached: true, stdio: 'ignore' })
    child.unref()
    browser = await launch()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    // tsx keeps function names with a helper that the page does not have (functions passed to evaluate).
    await page.addInitScript('window.__name = (f) => f')
    errors = collectErrors(page)
  })

  after(async () => {
    await feed?.close().catch(() => undefined)
    // Whatever failed, the script and its children go (a process blocked opening a FIFO ends on a signal too).
    if (child?.pid && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    await browser?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  test('the tree view shows the script with its own and its tree bytes while it runs', async () => {
    await page.goto(`${URL_T}/instances?name=${encodeURIComponent(NAME)}`)
    const row = scriptRow()
    await expectText(row.locator(tid('cell-tree-written')), formatBytes(OWN + EARLY + NESTED), 'tree written of the script', WAIT)
    await expectText(row.locator(tid('cell-written')), formatBytes(OWN), 'written by the script itself')
    assert.equal(await row.getAttribute('data-pid'), String(child!.pid), 'the instance is the script started here')
    assert.equal(await row.locator(tid('tree-lifetime')).getAttribute('data-exited'), 'false', 'the script still runs')
    // The shell read its script at least once: its reads are its own, and the tree's include them.
    const own = Number(await row.locator(tid('cell-read')).getAttribute('data-bytes'))
    const tree = Number(await row.locator(tid('cell-tree-read')).getAttribute('data-bytes'))
    assert.ok(own >= Buffer.byteLength(script), `the script's own reads (${own}) cover its text`)
    assert.ok(tree >= own, `tree read ${tree} ≥ own read ${own}`)
  })

  test('expanding shows the children: exited ones with their lifetime, the nested one a level deeper', async () => {
    await scriptRow().locator(tid('tree-toggle')).click()
    const children = await poll(
      'the children of the script',
      async () => (await treeRows(page)).filter((r) => r.depth === '1'),
      (rows) => rows.length === 3,
      WAIT,
    )
    const byBytes = (rows: ChildRow[]) => [...rows].sort((a, b) => b.treeWritten - a.treeWritten)
    const [early, nested, live] = byBytes(children)
    assert.deepEqual([early!.name, early!.written, early!.exited], ['dd', EARLY, 'true'], 'the dd that exited at once')
    assert.ok(early!.duration, 'an exited child shows how long it ran')
    assert.deepEqual([nested!.name, nested!.written, nested!.treeWritten, nested!.exited], ['sh', 0, NESTED, 'true'], 'the nested sh')
    assert.deepEqual([live!.name, live!.written, live!.exited], ['dd', 0, 'false'], 'the dd that waits for the FIFO')
    await expectText(scriptRow().locator(tid('tree-children')), '3 children', 'child count on the script row')

    await page.locator(`${tid('tree-row')}[data-pid=${q(nested!.pid)}] ${tid('tree-toggle')}`).click()
    const grandchild = await poll(
      'the dd under the nested sh',
      async () => (await treeRows(page)).filter((r) => r.depth === '2'),
      (rows) => rows.length === 1,
      WAIT,
    )
    assert.deepEqual([grandchild[0]!.name, grandchild[0]!.written, grandchild[0]!.exited], ['dd', NESTED, 'true'])
    assert.ok(grandchild[0]!.duration, 'the grandchild shows how long it ran')
  })

  test('while the script runs, a child’s bytes appear without a reload, and its end', async () => {
    const rows = await treeRows(page)
    const liveRow = rows.find((r) => r.depth === '1' && r.exited === 'false')!
    // dd opened the FIFO for reading and waits: opening it for writing lets both go on.
    feed = await open(join(dir, 'feed'), 'w')
    await feed.write(Buffer.alloc(LIVE / 2, 7))
    await feed.write(Buffer.alloc(LIVE / 2, 9))
    const row = page.locator(`${tid('tree-row')}[data-pid=${q(liveRow.pid)}]`)
    await expectText(row.locator(tid('cell-written')), formatBytes(LIVE), 'bytes of the live child, pushed by the refresh', WAIT)
    await expectText(scriptRow().locator(tid('cell-tree-written')), formatBytes(OWN + EARLY + NESTED + LIVE), 'the script’s tree written', WAIT)
    await feed.close()
    feed = undefined
    await poll('the live child ends', () => row.locator(tid('tree-lifetime')).getAttribute('data-exited'), (v) => v === 'true', WAIT)
    assert.equal(await scriptRow().locator(tid('tree-lifetime')).getAttribute('data-exited'), 'false', 'the script is held on its FIFO')
    await shoot(page, 'process-tree')
  })

  test('the instance page shows the children and, through the name, the files; then the script’s end', async () => {
    await scriptRow().locator(tid('tree-link')).click()
    await poll('instance URL', async () => new URL(page.url()).pathname, (p) => p === `/instances/${child!.pid}`)
    await expectText(page.locator(tid('instance-name')), NAME, 'instance name', WAIT)
    await expectText(page.locator(tid('instance-tree-written')), formatBytes(OWN + EARLY + NESTED + LIVE), 'instance tree written', WAIT)
    await expectText(page.locator(tid('instance-written')), formatBytes(OWN), 'instance written')
    await expectText(page.locator(tid('instance-child-count')), '3', 'children listed')
    const names = await page.locator(tid('instance-child-link')).allTextContents()
    assert.deepEqual(names.map((n) => n.trim()).sort(), ['dd', 'dd', 'sh'])
    await shoot(page, 'instance')

    // Release the script: it ends, and its page says so with its lifetime.
    await writeFile(join(dir, 'hold'), 'done\n')
    await poll('the script ends', () => page.locator(tid('instance-lifetime')).getAttribute('data-exited'), (v) => v === 'true', WAIT)
    assert.ok(Number(await page.locator(tid('instance-lifetime')).getAttribute('data-duration-ms')) > 0, 'its lifetime')

    await page.locator(tid('instance-process-link')).click()
    await poll('process URL', async () => new URL(page.url()).pathname, (p) => p === `/process/${encodeURIComponent(NAME)}`)
    const own = page.locator(`${tid('file-row')}[data-path=${q(join(dir, 'own.bin'))}]`)
    await expectText(own.locator(tid('cell-written')), formatBytes(OWN), 'the file the script wrote', WAIT)
    await expectText(page.locator(tid('process-total-written')), formatBytes(OWN), 'all the script’s writes')
    assert.ok((await stat(join(dir, 'live.bin'))).size === LIVE, 'the live child copied what was fed')
  })

  test('no script or console errors', () => {
    assert.deepEqual(errors, [])
  })
})
