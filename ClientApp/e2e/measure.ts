// Measures (does not test) the dashboard against a running daemon: time to the first table row, one filter
// keystroke, and one folder drill-down. Usage: IOSNOOP_URL=… IOSNOOP_PROCESS=NAME node --import tsx e2e/measure.ts
import { chromium } from 'playwright-core'

const BASE = (process.env.IOSNOOP_URL ?? 'http://127.0.0.1:8092').replace(/\/$/, '')
const NAME = process.env.IOSNOOP_PROCESS ?? 'bigproc'
const RUNS = Number(process.env.IOSNOOP_RUNS ?? 5)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const browser = await chromium.launch({
  executablePath: process.env.IOSNOOP_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
})
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
// tsx keeps function names with a helper that the page does not have.
await page.addInitScript('window.__name = (f) => f')
const first: number[] = []
const keys: number[] = []
const drills: number[] = []
for (let i = 0; i < RUNS; i++) {
  await page.goto(`${BASE}/`)
  await page.locator('[data-testid="process-row"]').first().waitFor()
  first.push(await page.evaluate(() => performance.now()))
  await page.locator('[data-testid="filter-count"]').filter({ hasText: /^[\d,]+$/ }).waitFor()
  // One keystroke: from the input event to the next frame after the table changed.
  keys.push(
    await page.evaluate(async (k) => {
      const input = document.querySelector<HTMLInputElement>('[data-testid="filter-input"]')!
      const t0 = performance.now()
      input.value = `proc0${k}`
      input.dispatchEvent(new Event('input', { bubbles: true }))
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      return performance.now() - t0
    }, i % 10),
  )
  await page.goto(`${BASE}/process/${encodeURIComponent(NAME)}?view=folders`)
  await page.locator('[data-testid="dir-open"]').first().waitFor()
  await page.locator('[data-testid="dir-open"]').first().click()
  await page.locator('[data-testid="dir-crumb"][data-depth="2"]').waitFor()
  // One drill-down into the busiest folder, from the click to the next frame with its entries.
  drills.push(
    await page.evaluate(async () => {
      const open = document.querySelector<HTMLButtonElement>('[data-testid="dir-open"]')!
      const t0 = performance.now()
      open.click()
      await new Promise<void>((resolve) => {
        const check = () => (document.querySelector('[data-testid="dir-crumb"][data-depth="3"]') ? resolve() : requestAnimationFrame(check))
        check()
      })
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))
      return performance.now() - t0
    }),
  )
}
console.log(`first table row after navigation: median ${median(first).toFixed(0)} ms (${first.map((x) => x.toFixed(0)).join(', ')})`)
console.log(`filter keystroke: median ${median(keys).toFixed(1)} ms (${keys.map((x) => x.toFixed(1)).join(', ')})`)
console.log(`folder drill-down: median ${median(drills).toFixed(1)} ms (${drills.map((x) => x.toFixed(1)).join(', ')})`)
await browser.close()
