// End-to-end check of the dashboard against a running daemon, in Debian's Chromium.
// See README.md in this folder for the environment it reads.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { exec } from 'node:child_process'
import { appendFile, readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { buildTree, entriesAt, type DirEntry } from '../src/lib/dirtree.ts'
import { formatBytes } from '../src/lib/format.ts'
import { BASE, TIMEOUT, collectErrors, connected, expectText, launch, poll, q, shoot, text, tid } from './support.ts'

interface Sizes {
  reads: number
  writes: number
}

interface Expectations {
  processes: Record<string, Sizes>
  process: string
  files: Record<string, Sizes>
  search?: { query: string; processes: Record<string, Sizes> }
}

/** The named pipe the daemon reads its trace from, for live data. */
const FEED = process.env.IOSNOOP_FEED
const EXPECT_PATH = process.env.IOSNOOP_EXPECT
const INJECT_CMD = process.env.IOSNOOP_INJECT_CMD
const INJECT_NAME = process.env.IOSNOOP_INJECT_NAME

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })
const processRow = (name: string) => `${tid('process-row')}[data-name=${q(name)}]`
const fileRow = (path: string) => `${tid('file-row')}[data-path=${q(path)}]`

async function visibleNames(page: Page): Promise<string[]> {
  return page.locator(tid('process-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''))
}

async function visibleBytes(page: Page, cell: 'cell-written' | 'cell-read'): Promise<number[]> {
  return page
    .locator(`${tid('process-row')} ${tid(cell)}`)
    .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-bytes'))))
}

const isSorted = <T>(list: T[], cmp: (a: T, b: T) => number) => list.every((v, i) => i === 0 || cmp(list[i - 1]!, v) <= 0)

async function filter(page: Page, value: string) {
  await page.locator(tid('filter-input')).fill(value)
}

/** The x axis' labels of a chart, left to right (the SVG texts along its bottom edge), as `text@x`. */
async function xLabelsAt(page: Page, chart: string): Promise<string[]> {
  return page.locator(`${tid(chart)} svg`).evaluate((svg) => {
    const texts = Array.from(svg.querySelectorAll('text')).map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }))
    const bottom = Math.max(...texts.map((t) => t.box.top))
    return texts
      .filter((t) => Math.abs(t.box.top - bottom) < 2 && t.text !== '')
      .sort((a, b) => a.box.left - b.box.left)
      .map((t) => `${t.text}@${Math.round(t.box.left)}`)
  })
}

/** The text of the x axis' labels of a chart, left to right (the SVG texts along its bottom edge). */
async function xLabels(page: Page, chart: string): Promise<string[]> {
  return page.locator(`${tid(chart)} svg`).evaluate((svg) => {
    const texts = Array.from(svg.querySelectorAll('text')).map((t) => ({ text: t.textContent ?? '', box: t.getBoundingClientRect() }))
    const bottom = Math.max(...texts.map((t) => t.box.top))
    return texts
      .filter((t) => Math.abs(t.box.top - bottom) < 2 && t.text !== '')
      .sort((a, b) => a.box.left - b.box.left)
      .map((t) => t.text)
  })
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(field), (field = '')
    else if (c === '\n') row.push(field), rows.push(row), (row = []), (field = '')
    else if (c !== '\r') field += c
  }
  return rows
}

async function checkEntries(page: Page, expected: DirEntry[]) {
  for (const e of expected) {
    const row = page.locator(`${tid('dir-entry')}[data-label=${q(e.label)}]`)
    await expectText(row.locator(tid('dir-entry-written')), formatBytes(e.writes), `folder ${e.label} written`)
    await expectText(row.locator(tid('dir-entry-read')), formatBytes(e.reads), `folder ${e.label} read`)
  }
  assert.equal(await page.locator(tid('dir-entry')).count(), Math.min(expected.length, 500), 'number of folder entries')
}

describe('iosnoopng dashboard', () => {
  let browser: Browser
  let page: Page
  let want: Expectations
  let pageErrors: string[] = []

  before(async () => {
    assert.ok(EXPECT_PATH, 'IOSNOOP_EXPECT must name the expectations JSON file')
    want = JSON.parse(await readFile(EXPECT_PATH, 'utf8')) as Expectations
    assert.ok(want.processes[want.process], 'the expectations must list "process" among "processes"')
    browser = await launch()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true })
    pageErrors = collectErrors(page)
  })

  after(async () => {
    await browser?.close()
  })

  test('the overview connects to the daemon', async () => {
    await page.goto(`${BASE}/`)
    await poll('connection state', () => page.locator(tid('connection-indicator')).getAttribute('data-state'), (s) => s === 'connected')
    for (const id of ['total-events', 'total-written', 'total-read', 'total-malformed', 'total-dropped', 'source-name', 'source-state']) {
      assert.ok(await text(page.locator(tid(id))), `${id} is shown`)
    }
  })

  test('a replay of file I/O offers no disk layer: no switch, no disk panel, no cache hits, even when the URL asks', async () => {
    await page.goto(`${BASE}/?layer=disk`)
    await connected(page)
    const [name, sizes] = Object.entries(want.processes)[0]!
    await filter(page, name)
    // The figures shown are the file figures: the URL's layer is ignored where the source has no disk layer.
    await expectText(page.locator(processRow(name)).locator(tid('cell-written')), formatBytes(sizes.writes), `${name} written`)
    for (const id of ['layer-switch', 'device-panel']) assert.equal(await page.locator(tid(id)).count(), 0, `${id} is not shown`)
    await page.locator(`${processRow(name)} ${tid('process-link')}`).click()
    await poll('process page', () => page.locator(tid('file-row')).count(), (n) => n > 0)
    assert.equal(await page.locator(tid('cell-cache-hit')).count(), 0, 'no cache-hit column')
    assert.equal(await page.locator(tid('layer-switch')).count(), 0, 'no switch on the process page')
    await page.goto(`${BASE}/`)
    await connected(page)
    await filter(page, '')
  })

  test('the overview lists the expected processes with their sizes', async () => {
    for (const [name, sizes] of Object.entries(want.processes)) {
      await filter(page, name)
      const row = page.locator(processRow(name))
      await expectText(row.locator(tid('cell-written')), formatBytes(sizes.writes), `${name} written`)
      await expectText(row.locator(tid('cell-read')), formatBytes(sizes.reads), `${name} read`)
    }
    await filter(page, '')
  })

  test('sorting by the column headers', async () => {
    await filter(page, '')
    // Live, the default order is the busiest now; written is one click away.
    assert.equal(await page.locator(tid('sort-busy')).getAttribute('data-sort'), 'descending')
    await page.locator(tid('sort-writes')).click()
    const written = await visibleBytes(page, 'cell-written')
    assert.ok(written.length > 0, 'rows are shown')
    assert.ok(isSorted(written, (a, b) => b - a), `written, largest first by default: ${written}`)

    await page.locator(tid('sort-reads')).click()
    const read = await visibleBytes(page, 'cell-read')
    assert.ok(isSorted(read, (a, b) => b - a), `read, largest first: ${read}`)

    await page.locator(tid('sort-name')).click()
    const up = await visibleNames(page)
    assert.ok(isSorted(up, collator.compare), `names ascending: ${up}`)
    await page.locator(tid('sort-name')).click()
    const down = await visibleNames(page)
    assert.ok(isSorted(down, (a, b) => collator.compare(b, a)), `names descending: ${down}`)

    await page.locator(tid('sort-writes')).click()
    assert.equal(await page.locator(tid('sort-writes')).getAttribute('data-sort'), 'descending')
  })

  test('reload keeps the filter and the sort', async () => {
    const name = want.process
    await filter(page, name)
    await page.locator(tid('sort-reads')).click()
    await poll('URL state', async () => new URL(page.url()).search, (s) => s.includes('sort=reads.desc') && s.includes('q='))
    await page.reload()
    await connected(page)
    assert.equal(await page.locator(tid('filter-input')).inputValue(), name)
    assert.equal(await page.locator(tid('sort-reads')).getAttribute('data-sort'), 'descending')
    await poll('filtered rows after reload', () => visibleNames(page), (n) => n.includes(name))
    await page.goto(`${BASE}/`)
    await connected(page)
  })

  test('the filter keeps matching processes, ignoring case', async () => {
    const name = want.process
    const part = [...name].slice(0, Math.max(1, Math.min(4, [...name].length))).join('')
    const typed = part === part.toUpperCase() ? part.toLowerCase() : part.toUpperCase()
    await filter(page, typed)
    const names = await poll('filtered rows', () => visibleNames(page), (n) => n.includes(name))
    for (const n of names) assert.ok(n.toLowerCase().includes(typed.toLowerCase()), `${n} matches ${typed}`)
    await filter(page, 'zz-no-such-process-zz')
    await poll('no rows', () => visibleNames(page), (n) => n.length === 0)
    await filter(page, '')
  })

  test('the process page shows its totals and files', async () => {
    const name = want.process
    await filter(page, name)
    await page.locator(`${processRow(name)} ${tid('process-link')}`).click()
    await poll('process URL', async () => new URL(page.url()).pathname, (p) => p === `/process/${encodeURIComponent(name)}`)
    await expectText(page.locator(tid('process-name')), name, 'process name')
    const sizes = want.processes[name]!
    await expectText(page.locator(tid('process-total-written')), formatBytes(sizes.writes), 'process written')
    await expectText(page.locator(tid('process-total-read')), formatBytes(sizes.reads), 'process read')
    for (const [path, f] of Object.entries(want.files)) {
      await filter(page, path)
      const row = page.locator(fileRow(path))
      await expectText(row.locator(tid('cell-written')), formatBytes(f.writes), `${path} written`)
      await expectText(row.locator(tid('cell-read')), formatBytes(f.reads), `${path} read`)
    }
    await filter(page, '')
    assert.equal(await text(page.locator(tid('crumb-process'))), name, 'the breadcrumb names the process')
    // At every size a file name that fits the path column is shown whole: only the folder part gives way.
    await shoot(page, 'process-files', async () => {
      // The text's own width (a Range measures all of it, also the part cut off) against its box's width.
      const cut = await page.locator(`${tid('file-row')} .path .tail`).evaluateAll((tails) =>
        tails
          .map((t) => {
            const range = document.createRange()
            range.selectNodeContents(t)
            return { name: t.textContent, text: range.getBoundingClientRect().width, box: t.getBoundingClientRect().width, room: t.parentElement!.getBoundingClientRect().width }
          })
          .filter((t) => t.text <= t.room * 0.8 && t.text > t.box + 0.01)
          .map((t) => `${t.name} (${t.text.toFixed(2)} px in ${t.box.toFixed(2)} px)`),
      )
      assert.deepEqual(cut, [], `file names cut at ${page.viewportSize()?.width} px`)
    })
  })

  test('the original deep link /NAME opens the process page', async () => {
    await page.goto(`${BASE}/${encodeURIComponent(want.process)}`)
    await expectText(page.locator(tid('process-name')), want.process, 'process name from the deep link')
  })

  test('the folder view sums bytes per folder and drills down', async () => {
    const files = Object.entries(want.files).map(([path, f]) => ({ path, ...f, merged: path.startsWith('<Smaller Files of ') }))
    const tree = buildTree(files)
    await page.locator(tid('tab-folders')).click()
    const top = entriesAt(tree, [])
    await checkEntries(page, top)
    await shoot(page, 'process-folders')
    const dir = top.find((e) => e.target !== null && e.kind === 'dir')
    assert.ok(dir, 'the expected files have a folder to open')
    await page.locator(`${tid('dir-entry')}[data-label=${q(dir.label)}] ${tid('dir-open')}`).click()
    await checkEntries(page, entriesAt(tree, dir.target!))
    // The folder is in the URL: a reload shows the same level; Back steps up to the top.
    await page.reload()
    await connected(page)
    await checkEntries(page, entriesAt(tree, dir.target!))
    await page.goBack()
    await checkEntries(page, top)
    await page.goForward()
    await checkEntries(page, entriesAt(tree, dir.target!))
    await page.locator(`${tid('dir-crumb')}[data-depth="0"]`).click()
    await checkEntries(page, top)
  })

  test('an unknown process and an unknown address say so', async () => {
    const name = 'zz-no-such-process-zz'
    await page.goto(`${BASE}/process/${encodeURIComponent(name)}`)
    await connected(page)
    await page.locator(tid('process-not-found')).waitFor({ timeout: TIMEOUT })
    assert.equal(await text(page.locator(tid('crumb-process'))), name, 'the breadcrumb names the process')
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /matches the filter/, 'no filter to blame')
    await shoot(page, 'process-unknown')
    await page.goto(`${BASE}/no/such/page`)
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor({ timeout: TIMEOUT })
    await shoot(page, 'not-found')
  })

  test('the Process tree tab says that a replay of the original\'s lines has no process instances', async () => {
    // The daemon replays lines of the original's format: no instances, so the tree explains instead of staying empty.
    const api = (await (await fetch(`${BASE}/api/processes?limit=5`)).json()) as unknown[]
    assert.deepEqual(api, [], 'the daemon holds no process instances')
    await page.goto(`${BASE}/`)
    await connected(page)
    await page.locator(tid('nav-tree')).click()
    await poll('the tree view\'s address', async () => new URL(page.url()).pathname, (p) => p === '/instances')
    await expectText(page.locator(tid('nav-tree')), 'Process tree', 'the tab')
    const none = page.locator(tid('tree-none'))
    await none.waitFor({ timeout: TIMEOUT })
    assert.match((await none.textContent()) ?? '', /process trees need the Linux bpftrace source/)
    assert.equal(await page.locator(tid('process-tree')).count(), 0, 'no empty tree')
    await poll('the title', () => page.title(), (t) => t === 'Process tree · iosnoopng')
    await shoot(page, 'process-tree-none')
    // An instance page for a pid the daemon does not hold says so; the Processes tab leads back.
    const before = pageErrors.length
    await page.goto(`${BASE}/instances/4242`)
    await page.locator(tid('instance-not-found')).waitFor({ timeout: TIMEOUT })
    // Chromium logs the API's 404 for that pid as a console error of its own, which no script can silence:
    // exactly that line is expected, and taken out of the final check.
    await poll('the console line for the 404', async () => pageErrors.length - before, (n) => n > 0)
    const logged = pageErrors.splice(before)
    assert.equal(logged.length, 1, `one console line for the 404: ${JSON.stringify(logged)}`)
    assert.match(logged[0]!, /status of 404 .*\/api\/processes\/4242$/)
    await page.locator(tid('nav-overview')).click()
    await page.locator(tid('process-table')).waitFor({ timeout: TIMEOUT })
  })

  test('the Groups tab says that a replay of the original\'s lines has no groups', async () => {
    const api = (await (await fetch(`${BASE}/api/groups`)).json()) as Record<string, unknown>
    assert.deepEqual(api, {}, 'the daemon holds no groups')
    await page.goto(`${BASE}/`)
    await connected(page)
    await page.locator(tid('nav-groups')).click()
    await poll('the groups view\'s address', async () => new URL(page.url()).pathname, (p) => p === '/groups')
    const none = page.locator(tid('groups-none'))
    await none.waitFor({ timeout: TIMEOUT })
    assert.match((await none.textContent()) ?? '', /groups need the Linux bpftrace source/)
    assert.equal(await page.locator(tid('groups-table')).count(), 0, 'no empty table')
    await poll('the title', () => page.title(), (t) => t === 'Groups · iosnoopng')
    await shoot(page, 'groups-none')
    await page.locator(tid('nav-overview')).click()
    await page.locator(tid('process-table')).waitFor({ timeout: TIMEOUT })
  })

  test('search across the files of all processes finds the expected processes', async () => {
    assert.ok(want.search, 'the expectations name a search (expect.py writes one)')
    const search = want.search
    await page.goto(`${BASE}/`)
    await connected(page)
    await page.locator(tid('file-search-input')).fill(search.query)
    await page.locator(tid('file-search-submit')).click()
    const names = await poll(
      'search results',
      () => page.locator(tid('file-search-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? '')),
      (n) => n.length > 0,
    )
    assert.deepEqual([...names].sort(), Object.keys(search.processes).sort().slice(0, 50))
    for (const [name, sizes] of Object.entries(search.processes)) {
      const row = page.locator(`${tid('file-search-row')}[data-name=${q(name)}]`)
      assert.equal(Number(await row.locator(tid('file-search-written')).getAttribute('data-bytes')), sizes.writes, `${name} written on matches`)
      assert.equal(Number(await row.locator(tid('file-search-read')).getAttribute('data-bytes')), sizes.reads, `${name} read on matches`)
    }
    await shoot(page, 'overview-search')
    await page.goto(`${BASE}/`)
    await connected(page)
  })

  test('the downloaded CSV equals the API figures', async () => {
    await page.goto(`${BASE}/`)
    await connected(page)
    const api = (await (await fetch(`${BASE}/api/stats`)).json()) as { processStats: Record<string, { reads: number; writes: number }> }
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(tid('process-export-csv')).click()])
    const csv = parseCsv(await readFile((await download.path())!, 'utf8'))
    const [header, ...rows] = csv
    assert.deepEqual(header!.slice(0, 3), ['process', 'writes', 'reads'])
    const fromCsv = Object.fromEntries(rows.map((r) => [r[0]!, { writes: Number(r[1]), reads: Number(r[2]) }]))
    const fromApi = Object.fromEntries(Object.entries(api.processStats).map(([n, v]) => [n, { writes: v.writes, reads: v.reads }]))
    assert.deepEqual(fromCsv, fromApi)
  })

  test("the chart's last time label advances over live data", { skip: !FEED && 'IOSNOOP_FEED is not set' }, async () => {
    await page.goto(`${BASE}/`)
    await connected(page)
    const chart = 'chart-written'
    await page.locator(`${tid(chart)} svg`).waitFor()
    const seen: string[] = []
    let i = 0
    // A line a second for a live process while the axis' last label is watched: it must move at least twice
    // (a new time, or the same time further left as the axis grows to the right). A frozen axis keeps both.
    const feeder = setInterval(() => void appendFile(FEED!, `e2e-live|0|${4096 * (1 + (i++ % 5))}|/e2e/live file\n`), 1000)
    try {
      await poll(
        'distinct last x labels',
        async () => {
          const last = (await xLabelsAt(page, chart)).at(-1)
          if (last && last !== seen.at(-1)) seen.push(last)
          return seen.length
        },
        (n) => n >= 3,
        30_000,
      )
    } finally {
      clearInterval(feeder)
    }
    await shoot(page, 'overview', () => page.locator(`${tid(chart)} svg`).waitFor())
  })

  test('a range preset changes the chart and the top list; Live comes back with one click', async () => {
    await page.goto(`${BASE}/`)
    await connected(page)
    const chart = 'chart-written'
    const live = await poll('live labels', () => xLabels(page, chart), (l) => l.length > 0)
    await page.locator(tid('range-1h')).click()
    await poll('range in the URL', async () => new URL(page.url()).searchParams.get('range'), (r) => r === '1h')
    await poll('top list of the range', () => page.locator(tid('top-row')).count(), (n) => n > 0)
    const top = await page.locator(tid('top-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))
    assert.ok(top.includes(want.process) || top.length === 10, `the top list names the processes of the trace: ${top}`)
    // An hour is shown whole: the labels span much more than the live minutes.
    const ranged = await poll('range labels', () => xLabels(page, chart), (l) => l.length > 0 && JSON.stringify(l) !== JSON.stringify(live))
    assert.notDeepEqual(ranged, live)
    assert.equal(await page.locator(tid('table-mode')).count(), 1, 'the table shows the range')
    await shoot(page, 'overview-range-1h', () => page.locator(`${tid(chart)} svg`).waitFor())
    await page.locator(tid('range-live')).click()
    await poll('live again', async () => new URL(page.url()).searchParams.get('range'), (r) => r === null)
    assert.equal(await page.locator(tid('top-range')).count(), 0)
  })

  test('a new event appears without reload (pushed, about every second)', { skip: !INJECT_CMD || !INJECT_NAME ? 'IOSNOOP_INJECT_CMD and IOSNOOP_INJECT_NAME are not set' : false }, async () => {
    const name = INJECT_NAME!
    await page.goto(`${BASE}/`)
    await poll('connection state', () => page.locator(tid('connection-indicator')).getAttribute('data-state'), (s) => s === 'connected')
    await filter(page, name)
    const row = page.locator(processRow(name))
    const before = (await row.count()) > 0 ? await row.locator(tid('cell-written')).getAttribute('data-bytes') : null
    const beforeRead = (await row.count()) > 0 ? await row.locator(tid('cell-read')).getAttribute('data-bytes') : null
    await promisify(exec)(INJECT_CMD!, { timeout: 10_000 })
    const started = Date.now()
    await poll(
      `row for ${name} after the injected line`,
      async () => ((await row.count()) > 0 ? [await row.locator(tid('cell-written')).getAttribute('data-bytes'), await row.locator(tid('cell-read')).getAttribute('data-bytes')] : null),
      (v) => v !== null && (v[0] !== before || v[1] !== beforeRead),
      TIMEOUT,
    )
    // The push interval is 1 s; a loaded machine may take longer, so the time is reported, not bounded tightly.
    console.log(`  the injected line was shown ${Date.now() - started} ms after it was written`)
    await filter(page, '')
  })

  test('delete removes a process', async () => {
    await page.goto(`${BASE}/`)
    await poll('connection state', () => page.locator(tid('connection-indicator')).getAttribute('data-state'), (s) => s === 'connected')
    const victim = INJECT_NAME ?? Object.keys(want.processes).find((n) => n !== want.process) ?? want.process
    await filter(page, victim)
    await page.locator(processRow(victim)).waitFor({ timeout: TIMEOUT })
    await page.locator(`${tid('delete-button')}[data-name=${q(victim)}]`).click()
    // It asks first, naming what goes; Cancel keeps it.
    await expectText(page.locator(tid('delete-dialog-name')), victim, 'the confirmation names the process')
    await shoot(page, 'overview-delete-dialog')
    await page.locator(tid('delete-dialog-cancel')).click()
    assert.equal(await page.locator(tid('delete-dialog')).count(), 0)
    assert.equal(await page.locator(processRow(victim)).count(), 1, 'cancel keeps the process')
    await page.locator(`${tid('delete-button')}[data-name=${q(victim)}]`).click()
    await page.locator(tid('delete-dialog-confirm')).click()
    await page.mouse.move(5, 5)
    await poll(`${victim} gone`, () => page.locator(processRow(victim)).count(), (n) => n === 0)
    await page.reload()
    await connected(page)
    // Once the table lists the other processes, the deleted one would be there too if it had come back.
    await filter(page, '')
    await poll('rows after reload', () => visibleNames(page), (n) => n.length > 0)
    await filter(page, victim)
    await poll('filter applied', () => page.locator(tid('filter-count')).textContent(), (t) => t !== null && /^0 of /.test(t.trim()))
    assert.equal(await page.locator(processRow(victim)).count(), 0, `${victim} stays deleted after reload`)
    await filter(page, '')
  })

  test('reset asks first, then empties everything', async () => {
    await page.locator(tid('reset-button')).click()
    await page.locator(tid('reset-dialog')).waitFor()
    await page.locator(tid('reset-dialog-cancel')).click()
    assert.ok((await visibleNames(page)).length > 0, 'cancel keeps the data')
    await page.locator(tid('reset-button')).click()
    await page.locator(tid('reset-dialog-confirm')).click()
    await page.mouse.move(5, 5)
    await expectText(page.locator(tid('total-written')), '0 B', 'written after reset')
    await expectText(page.locator(tid('total-read')), '0 B', 'read after reset')
    await poll('rows after reset', () => visibleNames(page), (n) => n.length === 0)
    await page.reload()
    await poll('connection state', () => page.locator(tid('connection-indicator')).getAttribute('data-state'), (s) => s === 'connected')
    await expectText(page.locator(tid('total-written')), '0 B', 'written after reset and reload')
  })

  test('no script or console errors on the pages', () => {
    assert.deepEqual(pageErrors, [])
  })
})
