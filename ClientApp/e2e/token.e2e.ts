// End-to-end check of the dashboard against a daemon that requires a token (--token-file), in Debian's
// Chromium: the prompt keeps the focus, a wrong token is marked as refused, the right one loads every page,
// and no page logs a console error. See README.md in this folder for the environment it reads.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import type { Browser, Page } from 'playwright-core'
import { formatBytes } from '../src/lib/format.ts'
import { TIMEOUT, collectErrors, connected, expectText, launch, poll, q, shoot, text, tid } from './support.ts'

const URL_T = (process.env.IOSNOOP_TOKEN_URL ?? '').replace(/\/$/, '')
const TOKEN_FILE = process.env.IOSNOOP_TOKEN_FILE
const EXPECT_PATH = process.env.IOSNOOP_EXPECT

interface Expectations {
  processes: Record<string, { reads: number; writes: number }>
  process: string
  search?: { query: string; processes: Record<string, unknown> }
}

/** Where the focus is: the data-testid of the focused element and whether it is inside the token prompt. */
const focus = (page: Page) =>
  page.evaluate(() => {
    const at = document.activeElement
    return { id: at?.getAttribute('data-testid') ?? at?.tagName ?? null, inside: !!at?.closest('[data-testid="token-prompt"]') }
  })

/** The browser's own line for a refused request, which no script can silence: a 401 from the hub's negotiate. */
const refusedNegotiate = (e: string) => /^console: Failed to load resource: .*\b401\b.* @ .*\/hub\/stats\/negotiate\b/.test(e)

describe('iosnoopng dashboard with a token', () => {
  let browser: Browser
  let page: Page
  let token: string
  let want: Expectations
  let errors: string[] = []

  before(async () => {
    assert.ok(URL_T, 'IOSNOOP_TOKEN_URL must name a daemon started with --token-file')
    assert.ok(TOKEN_FILE, 'IOSNOOP_TOKEN_FILE must name its token file')
    assert.ok(EXPECT_PATH, 'IOSNOOP_EXPECT must name the expectations JSON file')
    token = (await readFile(TOKEN_FILE, 'utf8')).trim()
    want = JSON.parse(await readFile(EXPECT_PATH, 'utf8')) as Expectations
    browser = await launch()
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    errors = collectErrors(page)
  })

  after(async () => {
    await browser?.close()
  })

  test('the prompt asks for the token, keeps the focus and shows no figures', async () => {
    await page.goto(`${URL_T}/`)
    await page.locator(tid('token-prompt')).waitFor({ timeout: TIMEOUT })
    assert.equal(await page.locator(tid('connection-indicator')).getAttribute('data-state'), 'unauthorized')
    await poll('focus on the token field', () => focus(page), (f) => f.id === 'token-input')
    // Tab and Shift+Tab never leave the prompt, whether Connect is disabled (empty field) or not.
    for (const key of ['Tab', 'Tab', 'Shift+Tab']) {
      await page.keyboard.press(key)
      assert.deepEqual(await focus(page), { id: 'token-input', inside: true }, `after ${key} with an empty field`)
    }
    await page.keyboard.type('x')
    const seen = new Set<string>()
    for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key)
      const f = await focus(page)
      assert.ok(f.inside, `${key} left the prompt for ${f.id}`)
      seen.add(f.id!)
    }
    assert.deepEqual([...seen].sort(), ['token-input', 'token-submit'], 'Tab goes round the field and Connect')
    await page.locator(tid('token-input')).fill('')
    // Until the daemon answers there are no figures: dashes, not zeros; no trace source.
    for (const id of ['total-written', 'total-read', 'total-events']) assert.equal(await text(page.locator(tid(id))), '—', id)
    assert.equal(await page.locator(tid('source-unknown')).count(), 1)
    await shoot(page, 'token-prompt')
  })

  test('a wrong token is refused with the error styling', async () => {
    const input = page.locator(tid('token-input'))
    const border = () => input.evaluate((el) => getComputedStyle(el).borderColor)
    const plain = await border()
    assert.equal(await input.getAttribute('aria-invalid'), null)
    await input.fill(`wrong-${token}`)
    await input.press('Enter')
    await page.locator(tid('token-refused')).waitFor({ timeout: TIMEOUT })
    await poll('the field marked invalid', () => input.getAttribute('aria-invalid'), (v) => v === 'true')
    assert.notEqual(await border(), plain, 'the refused field is drawn differently')
    assert.equal(await input.inputValue(), '', 'the refused token is not kept in the field')
    assert.equal((await focus(page)).id, 'token-input', 'the focus is back in the field')
    assert.equal(await text(page.locator(tid('total-written'))), '—')
    await shoot(page, 'token-refused')
    // Two refusals (no token, then the wrong one): the browser logs each 401; the dashboard adds nothing and
    // does not retry on its own.
    const refusals = errors.filter(refusedNegotiate)
    assert.deepEqual(errors.filter((e) => !refusedNegotiate(e)), [], 'no other console errors while refused')
    assert.ok(refusals.length <= 2, `one refused request per attempt: ${refusals.length}`)
    errors.length = 0
  })

  test('the right token loads the page', async () => {
    await page.locator(tid('token-input')).fill(token)
    await page.locator(tid('token-input')).press('Enter')
    await connected(page)
    assert.equal(await page.locator(tid('token-prompt')).count(), 0)
    const writes = Object.values(want.processes).reduce((s, p) => s + p.writes, 0)
    await expectText(page.locator(tid('total-written')), formatBytes(writes), 'total written')
    assert.ok(await text(page.locator(tid('source-name'))), 'the source is shown')
    // Kept for the tab: a reload connects without asking.
    await page.reload()
    await connected(page)
    assert.equal(await page.locator(tid('token-prompt')).count(), 0, 'no prompt after a reload')
  })

  test('every page loads with the token and none logs a console error', async () => {
    const name = want.process
    await page.locator(tid('filter-input')).fill(name)
    await page.locator(`${tid('process-row')}[data-name=${q(name)}] ${tid('process-link')}`).click()
    await expectText(page.locator(tid('process-name')), name, 'process page')
    await poll('file rows', () => page.locator(tid('file-row')).count(), (n) => n > 0)
    await page.locator(tid('tab-folders')).click()
    await poll('folder entries', () => page.locator(tid('dir-entry')).count(), (n) => n > 0)
    await page.goto(`${URL_T}/process/${encodeURIComponent('zz-no-such-process-zz')}`)
    await page.locator(tid('process-not-found')).waitFor({ timeout: TIMEOUT })
    await page.goto(`${URL_T}/no/such/page`)
    await page.getByRole('heading', { name: 'Nothing here' }).waitFor({ timeout: TIMEOUT })
    if (want.search) {
      await page.goto(`${URL_T}/?files=${encodeURIComponent(want.search.query)}`)
      await connected(page)
      await poll('search results', () => page.locator(tid('file-search-row')).count(), (n) => n > 0)
    }
    assert.deepEqual(errors, [])
  })
})
