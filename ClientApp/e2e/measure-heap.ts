// Measures (does not test) the dashboard tab's JS heap under live data: feeds a running daemon's named pipe
// at a steady rate while the overview is open, and prints the heap (CDP Runtime.getHeapUsage, after a
// forced garbage collection) every minute. Started by measure-heap.sh, which runs the daemon.
//   IOSNOOP_URL=… IOSNOOP_FEED=/path/to/fifo [IOSNOOP_MINUTES=10] [IOSNOOP_RATE=2000] [IOSNOOP_PROCS=200] \
//     node --import tsx e2e/measure-heap.ts
import { open } from 'node:fs/promises'
import { chromium } from 'playwright-core'

const BASE = (process.env.IOSNOOP_URL ?? 'http://127.0.0.1:8092').replace(/\/$/, '')
const FEED = process.env.IOSNOOP_FEED
const TOKEN = process.env.IOSNOOP_TOKEN
const MINUTES = Number(process.env.IOSNOOP_MINUTES ?? 10)
const RATE = Number(process.env.IOSNOOP_RATE ?? 2000)
const PROCS = Number(process.env.IOSNOOP_PROCS ?? 200)
/** Distinct files per process. */
const FILES = Number(process.env.IOSNOOP_FILES ?? 50)
if (!FEED) throw new Error('IOSNOOP_FEED must name the named pipe the daemon replays')

const MiB = 1024 * 1024
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`

// The feeder: every 100 ms, a tenth of a second's lines in one write, in the original's line format.
const feed = await open(FEED, 'a')
let line = 0
let written = 0
let queue: Promise<unknown> = Promise.resolve()
const tick = 100
const feeder = setInterval(() => {
  const n = Math.round((RATE * tick) / 1000)
  let chunk = ''
  for (let i = 0; i < n; i++, line++) {
    const p = line % PROCS
    const f = (line * 7919) % FILES
    const read = line % 3 === 0 ? 1 : 0
    chunk += `heap-proc-${p}|${read}|${4096 * (1 + (line % 16))}|/srv/heap/p${p}/dir${f % 5}/file ${f}.dat\n`
  }
  written += n
  // One write at a time: a pipe write longer than PIPE_BUF is not atomic, concurrent ones could mix lines.
  queue = queue.then(() => feed.write(chunk))
}, tick)

const browser = await chromium.launch({
  executablePath: process.env.IOSNOOP_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
if (TOKEN) await page.addInitScript((t) => sessionStorage.setItem('iosnoop.token', t), TOKEN)
const cdp = await page.context().newCDPSession(page)
const errors: string[] = []
page.on('pageerror', (e) => errors.push(e.message))
page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))

await page.goto(`${BASE}/`)
await page.locator('[data-testid="connection-indicator"][data-state="connected"]').waitFor({ timeout: 30_000 })
await page.locator('[data-testid="process-row"]').first().waitFor({ timeout: 30_000 })

async function heap() {
  await cdp.send('HeapProfiler.collectGarbage')
  const { usedSize, totalSize } = await cdp.send('Runtime.getHeapUsage')
  const rows = await page.locator('[data-testid="process-row"]').count()
  const count = (await page.locator('[data-testid="filter-count"]').textContent())?.trim()
  return { usedSize, totalSize, rows, count }
}

const started = Date.now()
const samples: number[] = []
const first = await heap()
samples.push(first.usedSize)
console.log(`min 0: used ${mib(first.usedSize)} (allocated ${mib(first.totalSize)}), processes listed ${first.count}`)
for (let m = 1; m <= MINUTES; m++) {
  await new Promise((r) => setTimeout(r, started + m * 60_000 - Date.now()))
  const h = await heap()
  samples.push(h.usedSize)
  console.log(`min ${m}: used ${mib(h.usedSize)} (allocated ${mib(h.totalSize)}), processes listed ${h.count}, lines fed ${written}`)
}
clearInterval(feeder)
await queue
await feed.close()
const last = samples.at(-1)!
const peak = Math.max(...samples)
console.log(
  `JS heap after ${MINUTES} min live at ${RATE} lines/s over ${PROCS} processes (${written} lines): ${mib(last)} used after GC ` +
    `(start ${mib(samples[0]!)}, peak ${mib(peak)}, growth over the last half ${mib(last - samples[Math.floor(samples.length / 2)]!)})`,
)
console.log(errors.length ? `page errors: ${errors.join(' | ')}` : 'page errors: none')
await browser.close()
