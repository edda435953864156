// What the end-to-end specs share: waiting for a condition with a deadline, locating by data-testid,
// the browser, console error collection and screenshots.
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Locator, type Page } from 'playwright-core'

export const BASE = (process.env.IOSNOOP_URL ?? 'http://127.0.0.1:8092').replace(/\/$/, '')
export const ARTIFACTS = resolve(process.env.IOSNOOP_ARTIFACTS ?? 'e2e-artifacts')
export const CHROMIUM = process.env.IOSNOOP_CHROMIUM ?? '/usr/bin/chromium'
export const TIMEOUT = Number(process.env.IOSNOOP_TIMEOUT_MS ?? 10_000)

export const q = (s: string) => JSON.stringify(s) // a CSS attribute value in double quotes
export const tid = (id: string) => `[data-testid=${q(id)}]`

export async function poll<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, timeout = TIMEOUT): Promise<T> {
  const end = Date.now() + timeout
  let last: T = await probe()
  while (!ok(last)) {
    if (Date.now() > end) assert.fail(`${what}: gave up after ${timeout} ms, last value ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 100))
    last = await probe()
  }
  return last
}

export const text = async (l: Locator) => ((await l.count()) > 0 ? ((await l.first().textContent()) ?? '').trim() : null)

export async function expectText(l: Locator, expected: string, what: string, timeout = TIMEOUT) {
  await poll(what, () => text(l), (v) => v === expected, timeout)
}

export async function connected(page: Page) {
  await poll('connection state', () => page.locator(tid('connection-indicator')).getAttribute('data-state'), (s) => s === 'connected')
}

export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  })
}

/** Collects the page's uncaught script errors and console errors, with the URL each console error names. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`)
  })
  return errors
}

export const sizes = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
  { width: 420, height: 900 },
] as const

/** Waits until every chart is drawn at its element's width (ECharts redraws on the next frames after a resize). */
export async function chartsFit(page: Page) {
  await poll(
    'charts drawn at the new size',
    () =>
      page.evaluate(
        () =>
          new Promise<boolean>((done) =>
            requestAnimationFrame(() =>
              requestAnimationFrame(() =>
                done(
                  Array.from(document.querySelectorAll<HTMLElement>('[_echarts_instance_]')).every((el) => {
                    const drawn = el.querySelector('svg, canvas')
                    return !drawn || Math.abs(drawn.getBoundingClientRect().width - el.clientWidth) <= 1
                  }),
                ),
              ),
            ),
          ),
      ),
    (ok) => ok,
  )
}

/**
 * Screenshots of the page in light and dark at each size, as NAME-WxH-SCHEME.png; `ready` waits for what must be
 * drawn. The page gets its viewport and colour scheme back whatever happens, so a later step sees the page as it
 * was. Screenshots are pictures for review, not assertions: one that the browser cannot take in time (a headless
 * capture can stall on a loaded machine) is tried once more, then reported and left out.
 */
export async function shoot(page: Page, name: string, ready: () => Promise<void> = async () => undefined) {
  const viewport = page.viewportSize()
  try {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme })
      for (const v of sizes) {
        await page.setViewportSize(v)
        await chartsFit(page)
        await ready()
        const file = `${name}-${v.width}x${v.height}-${scheme}.png`
        for (let attempt = 1; ; attempt++) {
          try {
            await page.screenshot({ path: join(ARTIFACTS, file), timeout: 15_000, animations: 'disabled', caret: 'hide' })
            break
          } catch (e) {
            if (attempt === 2) {
              console.log(`  screenshot ${file} not taken: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`)
              break
            }
          }
        }
      }
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' })
    if (viewport) await page.setViewportSize(viewport)
  }
}
