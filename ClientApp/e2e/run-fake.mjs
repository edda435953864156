// Runs dashboard.e2e.ts against fake-server.mjs: a check of the dashboard and of the spec itself
// without the daemon. Build first (npm run build).
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const here = dirname(fileURLToPath(import.meta.url))
const app = join(here, '..')
if (!existsSync(join(app, 'dist', 'index.html'))) {
  console.error('dist/ is missing: run npm run build first')
  process.exit(1)
}
const port = process.env.FAKE_PORT ?? '18093'
const base = `http://127.0.0.1:${port}`
// The live steps append trace lines here, as they do to the daemon's named pipe.
const work = mkdtempSync(join(tmpdir(), 'iosnoop-fake-'))
const feed = join(work, 'feed')
writeFileSync(feed, '')
const started = (child) =>
  new Promise((resolve, reject) => {
    child.stdout.once('data', resolve)
    child.once('exit', (code) => reject(new Error(`fake server exited with ${code}`)))
  })
const server = spawn(process.execPath, [join(here, 'fake-server.mjs'), '--port', port, '--history', '--feed', feed], { stdio: ['ignore', 'pipe', 'inherit'] })
// A second one that requires a token, for token.e2e.ts.
const tokenPort = String(Number(port) + 1)
const tokenFile = join(work, 'token')
writeFileSync(tokenFile, 'fake-e2e-token\n')
const tokenServer = spawn(process.execPath, [join(here, 'fake-server.mjs'), '--port', tokenPort, '--token', 'fake-e2e-token'], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
await Promise.all([started(server), started(tokenServer)])

const injectName = 'injected proc'
const env = {
  ...process.env,
  IOSNOOP_URL: base,
  IOSNOOP_EXPECT: join(here, 'fake-expect.json'),
  IOSNOOP_ARTIFACTS: process.env.IOSNOOP_ARTIFACTS ?? join(app, 'e2e-artifacts'),
  IOSNOOP_INJECT_NAME: injectName,
  IOSNOOP_FEED: feed,
  IOSNOOP_TOKEN_URL: `http://127.0.0.1:${tokenPort}`,
  IOSNOOP_TOKEN_FILE: tokenFile,
  IOSNOOP_INJECT_CMD: `"${process.execPath}" -e "fetch('${base}/__inject?name=${encodeURIComponent(injectName)}&path=/tmp/x&writes=4096',{method:'POST'}).then(r=>process.exit(r.ok?0:1))"`,
}
const test = spawn(process.execPath, ['--import', 'tsx', '--test', join(here, 'dashboard.e2e.ts'), join(here, 'token.e2e.ts')], {
  cwd: app,
  env,
  stdio: 'inherit',
})
const code = await new Promise((resolve) => test.once('exit', resolve))
server.kill()
tokenServer.kill()
rmSync(work, { recursive: true, force: true })
process.exit(code ?? 1)
