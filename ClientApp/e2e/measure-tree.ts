// Measures (does not test) the process tree view against a running daemon that holds many instances: the first
// tree row after navigation, one filter keystroke, expanding a node with thousands of children, and the instance
// page of that node; and how many rows the page renders (the virtual list keeps that bounded).
// Usage: IOSNOOP_URL=… IOSNOOP_PARENT_PID=PID IOSNOOP_PARENT_NAME=make node --import tsx e2e/measure-tree.ts
// (measure-tree.sh generates the recording, starts the daemon and passes these.)
import { chromium, type Page } from 'playwright-core'

const BASE = (process.env.IOSNOOP_URL ?? 'http://127.0.0.1:8092').replace(/\/$/, '')
const PARENT_PID = Number(process.env.IOSNOOP_PARENT_PID)
const PARENT_NAME = process.env.IOSNOOP_PARENT_NAME ?? 'make'
const FILTER_NAMES = (process.env.IOSNOOP_FILTER_NAMES ?? 'job-1,job-22,job-333,job-4444,git').split(',')
const RUNS = Number(process.env.IOSNOOP_RUNS ?? 5)
if (!Number.isInteger(PARENT_PID) || PARENT_PID < 1) throw new Error('IOSNOOP_PARENT_PID: the pid of the node with thousands of children')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const show = (label: string, xs: number[], digits = 0) =>
  console.log(`${label}: median ${median(xs).toFixed(digits)} ms (${xs.map((x) => x.toFixed(digits)).join(', ')})`)

const browser = await chromium.launch({
  executablePath: process.env.IOSNOOP_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
// tsx keeps function names with a helper that the page does not have.
await page.addInitScript('window.__name = (f) => f')
const domRows = (p: Page) => p.locator('[data-testid="tree-row"]').count()

const first: number[] = []
const keyFrame: number[] = []
const keyRows: number[] = []
const expand: number[] = []
const instance: number[] = []
let rowsAfterExpand = 0
let childRows = 0
for (let i = 0; i < RUNS; i++) {
  await page.goto(`${BASE}/instances`)
  await page.locator('[data-testid="tree-row"]').first().waitFor()
  first.push(await page.evaluate(() => performance.now()))

  // One keystroke in the name filter: to the next frame (what typing costs), and to the rows of that name (after
  // the filter's 300 ms pause for more typing and the daemon's answer).
  const name = FILTER_NAMES[i % FILTER_NAMES.length]!
  const [frame, rows] = await page.evaluate(async (n) => {
    const input = document.querySelector<HTMLInputElement>('[data-testid="tree-filter"]')!
    const t0 = performance.now()
    input.value = n
    input.dispatchEvent(new Event('input', { bubbles: true }))
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
    const frame = performance.now() - t0
    await new Promise<void>((resolve) => {
      const check = () => {
        const shown = Array.from(document.querySelectorAll('[data-testid="tree-row"]'))
        if (shown.length > 0 && shown.every((r) => r.getAttribute('data-name') === n)) resolve()
        else requestAnimationFrame(check)
      }
      check()
    })
    return [frame, performance.now() - t0]
  }, name)
  keyFrame.push(frame)
  keyRows.push(rows)

  // Expanding the node with thousands of children: from the click to the frame that shows them.
  await page.goto(`${BASE}/instances?name=${encodeURIComponent(PARENT_NAME)}`)
  const parent = page.locator(`[data-testid="tree-row"][data-pid="${PARENT_PID}"]`)
  await parent.waitFor()
  expand.push(
    await page.evaluate(async (pid) => {
      const toggle = document.querySelector<HTMLButtonElement>(`[data-testid="tree-row"][data-pid="${pid}"] [data-testid="tree-toggle"]`)!
      const t0 = performance.now()
      toggle.click()
      await new Promise<void>((resolve) => {
        const check = () => (document.querySelector('[data-testid="tree-row"][data-depth="1"]') ? resolve() : requestAnimationFrame(check))
        check()
      })
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      return performance.now() - t0
    }, PARENT_PID),
  )
  rowsAfterExpand = await domRows(page)

  // The instance page of that node, from navigation to its first child row.
  await page.goto(`${BASE}/instances/${PARENT_PID}`)
  await page.locator('[data-testid="instance-child"]').first().waitFor()
  instance.push(await page.evaluate(() => performance.now()))
  childRows = await page.locator('[data-testid="instance-child"]').count()
}
const children = await page.locator('[data-testid="instance-child-count"]').textContent()
show('first tree row after navigation', first)
show('filter keystroke, to the next frame', keyFrame, 1)
show('filter keystroke, to the rows of that name (300 ms pause included)', keyRows)
show(`expanding ${PARENT_NAME} (${children?.trim()} children), to the frame that shows them`, expand)
show('instance page, to its first child row', instance)
console.log(`rows in the page: ${rowsAfterExpand} tree rows after the expansion, ${childRows} child rows on the instance page`)
await browser.close()
