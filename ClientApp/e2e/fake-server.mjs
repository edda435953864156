// A stand-in for the daemon, for trying the dashboard and its end-to-end spec without root:
// serves dist/ and speaks the hub contract (JSON SignalR over WebSockets) from made-up data.
//
//   node e2e/fake-server.mjs [--port 8092] [--processes 10000] [--activity] [--history] [--token SECRET] [--feed FILE]
//
// --feed FILE: lines appended to FILE in the original's format (NAME|ISREAD|BYTES|PATH) are recorded, as the
// daemon replaying a named pipe would.
// POST /__inject?name=NAME&path=PATH&reads=N&writes=N records one event (what a trace line would).
import { createServer } from 'node:http'
import { open, readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { WebSocketServer } from 'ws'

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '8092' },
    host: { type: 'string', default: '127.0.0.1' },
    processes: { type: 'string', default: '0' },
    activity: { type: 'boolean', default: false },
    history: { type: 'boolean', default: false },
    token: { type: 'string' },
    dist: { type: 'string' },
    feed: { type: 'string' },
  },
})

const RS = '\u001e'
const root = resolve(args.dist ?? join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist'))
const KiB = 1024
const MiB = 1024 * KiB

// ---- data -------------------------------------------------------------------------------------
/** @type {Map<string, Map<string, {reads:number, writes:number, lastUpdated:string, events:number, merged:boolean}>>} */
let procs = new Map()
let totals = { events: 0, malformedLines: 3, droppedEvents: 1, reads: 0, writes: 0 }
let pending = new Map() // name -> {readDelta, writeDelta}
let removed = new Set()
let resetFlag = false
let lastPush = Date.now()
/** What was recorded, per second (epoch ms of the second) and per process: the stored history. */
let history = new Map() // t -> {reads, writes, per: Map<name, {reads, writes}>}
const source = {
  name: 'replay',
  measures: 'file I/O at the system-call layer (page-cache hits included)',
  state: 'running',
  message: null,
  restarts: 0,
}

function record(name, path, reads, writes, when = new Date()) {
  let files = procs.get(name)
  if (!files) procs.set(name, (files = new Map()))
  const merged = path.startsWith('<Smaller Files of ')
  const f = files.get(path) ?? { reads: 0, writes: 0, lastUpdated: when.toISOString(), events: 0, merged }
  f.reads += reads
  f.writes += writes
  f.events += 1
  f.lastUpdated = when.toISOString()
  files.set(path, f)
  totals.events++
  totals.reads += reads
  totals.writes += writes
  const d = pending.get(name) ?? { readDelta: 0, writeDelta: 0 }
  d.readDelta += reads
  d.writeDelta += writes
  pending.set(name, d)
  removed.delete(name)
  const t = Math.floor(when.getTime() / 1000) * 1000
  let h = history.get(t)
  if (!h) history.set(t, (h = { reads: 0, writes: 0, per: new Map() }))
  h.reads += reads
  h.writes += writes
  const hp = h.per.get(name) ?? { reads: 0, writes: 0 }
  hp.reads += reads
  hp.writes += writes
  h.per.set(name, hp)
}

function summary(name) {
  const files = procs.get(name)
  let reads = 0, writes = 0, events = 0, last = ''
  for (const f of files.values()) {
    reads += f.reads
    writes += f.writes
    events += f.events
    if (f.lastUpdated > last) last = f.lastUpdated
  }
  return { name, reads, writes, lastUpdated: last, events, files: files.size }
}

function seed() {
  const ago = (s) => new Date(Date.now() - s * 1000)
  record('Finder', '/Users/ann/Documents/report.pdf', 3 * MiB, 0, ago(400))
  record('Finder', '/Users/ann/Documents/notes.txt', 12 * KiB, 512, ago(200))
  record('Finder', '/Users/ann/Library/Caches/x.db', 0, 1.5 * MiB, ago(30))
  record('cp', '/tmp/big.iso', 0, 700 * MiB, ago(90))
  record('cp', '/Volumes/usb/big.iso', 700 * MiB, 0, ago(90))
  record('mds_stores', '/System/Volumes/Data/.Spotlight-V100/store.db', 64 * KiB, 2 * MiB, ago(12))
  record('mds_stores', 'ata/.Spotlight-V100/journal', 0, 4096, ago(12))
  record('mds_stores', '<Smaller Files of mds_stores>', 1000, 2000, ago(12))
  record('my app #2?', '/opt/my app/data 100%.bin', 1024, 1024, ago(3300))
  record('my app #2?', '/opt/my app/cache/#1.tmp', 0, 3 * MiB, ago(3000))
  record('my app #2?', '/opt/my app/cache/?q=1', 512, 0, ago(3000))
  record('my app #2?', '/etc/hosts', 300, 0, ago(3000))
  record('my app #2?', 'ib/cut.so', 4096, 0, ago(3000))
  record('my app #2?', '<Smaller Files of my app #2?>', 10, 20, ago(3000))
  record('Čtečka 50%', '/home/čtenář/kniha.epub', 2 * MiB, 0, ago(100000))
  record('idle', '/dev/null', 0, 0, ago(3))
  const n = Number(args.processes)
  for (let i = 0; i < n; i++) record(`proc-${String(i).padStart(5, '0')}`, `/var/lib/p${i % 97}/f${i}`, (i * 7919) % (50 * MiB), (i * 104729) % (20 * MiB), ago(i % 3600))
  pending = new Map()
  removed = new Set()
}
seed()

// ---- hub methods -------------------------------------------------------------------------------
const methods = {
  GetOverview: () => ({ totals: { ...totals }, source, processes: [...procs.keys()].map(summary) }),
  GetProcessFiles: (name) => {
    const files = procs.get(name)
    if (!files) return { name, found: false, reads: 0, writes: 0, lastUpdated: null, events: 0, files: [] }
    const s = summary(name)
    return { ...s, found: true, files: [...files.entries()].map(([path, f]) => ({ path, ...f })) }
  },
  DeleteProcess: (name) => {
    const had = procs.delete(name)
    if (had) {
      removed.add(name)
      pending.delete(name)
    }
    return had
  },
  // As the daemon's FileSearch: the files (not the merged rows) whose path contains the query, summed per
  // process (disk figures too: 0, as the file layer's sources send); the processes with the most bytes first,
  // at most `limit`, each with its 3 busiest matching paths.
  SearchFiles: (query, limit) => {
    const byBytes = (a, b) => b.reads + b.writes - (a.reads + a.writes)
    const hits = []
    for (const [name, files] of procs) {
      const matching = [...files.entries()]
        .filter(([path, f]) => !f.merged && path.includes(query))
        .map(([path, f]) => ({ path, reads: f.reads, writes: f.writes, diskReads: f.diskReads ?? 0, diskWrites: f.diskWrites ?? 0 }))
      if (matching.length === 0) continue
      matching.sort((a, b) => byBytes(a, b) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      const sum = (k) => matching.reduce((s, f) => s + f[k], 0)
      hits.push({
        name,
        reads: sum('reads'),
        writes: sum('writes'),
        diskReads: sum('diskReads'),
        diskWrites: sum('diskWrites'),
        files: matching.length,
        top: matching.slice(0, 3),
      })
    }
    hits.sort((a, b) => byBytes(a, b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const n = Math.min(Math.max(limit, 1), 1000)
    return { query, processes: hits.slice(0, n), truncated: hits.length > n }
  },
  Reset: () => {
    procs = new Map()
    totals = { events: 0, malformedLines: 0, droppedEvents: 0, reads: 0, writes: 0 }
    pending = new Map()
    removed = new Set()
    history = new Map()
    resetFlag = true
    return null
  },
}
if (args.history) {
  const within = (from, to) => {
    const a = Date.parse(from), b = Date.parse(to)
    return [...history.entries()].filter(([t]) => t >= a && t <= b).sort((x, y) => x[0] - y[0])
  }
  methods.GetHistory = (from, to, process) => {
    const points = within(from, to).map(([t, h]) => {
      const v = process === null ? h : h.per.get(process) ?? { reads: 0, writes: 0 }
      return { time: new Date(t).toISOString(), reads: v.reads, writes: v.writes }
    })
    return { bucketSeconds: 1, points }
  }
  methods.GetTopProcesses = (from, to, limit) => {
    const sums = new Map()
    for (const [, h] of within(from, to)) {
      for (const [name, v] of h.per) {
        const s = sums.get(name) ?? { name, reads: 0, writes: 0 }
        s.reads += v.reads
        s.writes += v.writes
        sums.set(name, s)
      }
    }
    return [...sums.values()].sort((x, y) => y.reads + y.writes - (x.reads + x.writes)).slice(0, limit)
  }
}

// ---- feed --------------------------------------------------------------------------------------
if (args.feed) {
  const file = await open(args.feed, 'a+')
  let offset = 0
  let rest = ''
  const buf = Buffer.alloc(64 * KiB)
  setInterval(async () => {
    for (;;) {
      const { bytesRead: reads } = await file.read(buf, 0, buf.length, offset)
      if (reads === 0) return
      offset += reads
      const lines = (rest + buf.toString('utf8', 0, reads)).split('\n')
      rest = lines.pop()
      for (const line of lines) {
        const [name, isRead, bytes, ...path] = line.split('|')
        if (!name || path.length === 0 || !/^\d+$/.test(bytes ?? '')) continue
        const n = Number(bytes)
        record(name, path.join('|'), Number(isRead) ? n : 0, Number(isRead) ? 0 : n)
      }
    }
  }, 200)
}

// ---- pushes ------------------------------------------------------------------------------------
const clients = new Set()
function send(ws, msg) {
  if (ws.readyState === 1) ws.send(JSON.stringify(msg) + RS)
}

function tick() {
  if (args.activity) {
    const names = [...procs.keys()]
    for (let i = 0; i < 3 && names.length; i++) {
      const name = names[Math.floor(Math.random() * Math.min(names.length, 12))]
      record(name, `/tmp/activity/${name}.log`, Math.floor(Math.random() * 2 * MiB), Math.floor(Math.random() * 4 * MiB))
    }
  }
  const now = Date.now()
  const intervalSeconds = (now - lastPush) / 1000
  lastPush = now
  if (!resetFlag && pending.size === 0 && removed.size === 0) return
  const processes = [...pending.entries()].filter(([n]) => procs.has(n)).map(([n, d]) => ({ ...summary(n), ...d }))
  // A week of history is plenty for the range presets.
  for (const t of history.keys()) if (t < now - 7 * 86400_000) history.delete(t)
  const changes = {
    time: new Date(now).toISOString(),
    intervalSeconds,
    reset: resetFlag,
    totals,
    source,
    processes,
    removed: [...removed],
  }
  pending = new Map()
  removed = new Set()
  resetFlag = false
  for (const ws of clients) send(ws, { type: 1, target: 'changes', arguments: [changes] })
}
setInterval(tick, 1000)
setInterval(() => clients.forEach((ws) => send(ws, { type: 6 })), 15000)

// ---- http --------------------------------------------------------------------------------------
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' }
const authorized = (req, url) =>
  !args.token || req.headers.authorization === `Bearer ${args.token}` || url.searchParams.get('access_token') === args.token

const json = (res, code, body) => {
  res.writeHead(code, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x')
  if (req.method === 'POST' && url.pathname === '/hub/stats/negotiate') {
    if (!authorized(req, url)) return json(res, 401, { error: 'unauthorized' })
    return json(res, 200, {
      negotiateVersion: 1,
      connectionId: 'c' + Math.random().toString(36).slice(2),
      connectionToken: 't' + Math.random().toString(36).slice(2),
      availableTransports: [{ transport: 'WebSockets', transferFormats: ['Text', 'Binary'] }],
    })
  }
  if (req.method === 'POST' && url.pathname === '/__inject') {
    const p = url.searchParams
    record(p.get('name') ?? 'injected', p.get('path') ?? '/tmp/injected', Number(p.get('reads') ?? 0), Number(p.get('writes') ?? 4096))
    return json(res, 200, { ok: true })
  }
  if (!authorized(req, url) && (url.pathname.startsWith('/api/') || url.pathname.startsWith('/hub/'))) return json(res, 401, { error: 'unauthorized' })
  // The original's shape, as the daemon writes it.
  if (url.pathname === '/api/stats') {
    const processStats = Object.fromEntries(
      [...procs.keys()].map(summary).map((p) => [p.name, { writes: p.writes, reads: p.reads, lastUpdated: p.lastUpdated }]),
    )
    return json(res, 200, { events: totals.events, processStats })
  }
  if (url.pathname === '/api/status') return json(res, 200, source)
  // Like the daemon with a source that records no process instances (fs_usage, a replay of the original's lines).
  if (url.pathname === '/api/processes') return json(res, 200, [])
  if (url.pathname === '/api/groups') return json(res, 200, {})
  if (url.pathname.startsWith('/hub/') || url.pathname.startsWith('/api/')) return json(res, 404, { error: 'not found' })
  // Static files, then the SPA fallback.
  let file = normalize(join(root, decodeURIComponent(url.pathname)))
  if (!file.startsWith(root)) return json(res, 400, {})
  try {
    if (!(await stat(file)).isFile()) throw new Error('dir')
  } catch {
    file = join(root, 'index.html')
  }
  try {
    const body = await readFile(file)
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
    res.end(body)
  } catch {
    res.writeHead(500)
    res.end('build the dashboard first: npm run build')
  }
})

const wss = new WebSocketServer({ noServer: true })
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x')
  if (url.pathname !== '/hub/stats' || !authorized(req, url)) {
    socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n')
    socket.destroy()
    return
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    let handshaken = false
    ws.on('message', (data) => {
      for (const part of data.toString().split(RS)) {
        if (!part) continue
        const msg = JSON.parse(part)
        if (!handshaken) {
          handshaken = true
          ws.send('{}' + RS)
          clients.add(ws)
          continue
        }
        if (msg.type === 1) {
          const fn = methods[msg.target]
          if (!fn) {
            send(ws, { type: 3, invocationId: msg.invocationId, error: `Failed to invoke '${msg.target}' due to an error on the server. HubException: Method does not exist.` })
            continue
          }
          try {
            send(ws, { type: 3, invocationId: msg.invocationId, result: fn(...msg.arguments) })
          } catch (e) {
            send(ws, { type: 3, invocationId: msg.invocationId, error: String(e) })
          }
        } else if (msg.type === 7) ws.close()
      }
    })
    ws.on('close', () => clients.delete(ws))
  })
})

server.listen(Number(args.port), args.host, () => {
  console.log(`fake daemon on http://${args.host}:${args.port} serving ${root}`)
})
