// CSV and JSON of what a table shows. Pure functions, plus one that hands a file to the browser.

export interface Column<T> {
  header: string
  value: (row: T) => string | number | boolean | null
}

/** One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or leading/trailing space. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** CSV text with a header line, lines ended by CRLF. Numbers are written as they are (bytes, not "1.5 MiB"). */
export function toCsv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')]
  for (const r of rows) lines.push(columns.map((c) => csvField(c.value(r))).join(','))
  return lines.join('\r\n') + '\r\n'
}

/** JSON text: an array of objects keyed by the column headers. */
export function toJson<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  return JSON.stringify(
    rows.map((r) => Object.fromEntries(columns.map((c) => [c.header, c.value(r)]))),
    null,
    1,
  )
}

/** A file name without characters that file systems refuse. */
export function fileName(base: string, ext: string): string {
  return `${base.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'export'}.${ext}`
}

export function download(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
