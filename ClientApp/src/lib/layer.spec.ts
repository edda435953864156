import { describe, expect, it } from 'vitest'
import type { Changes, DeviceIo, FileSearch } from '@/api/types'
import { instance } from '@/test/fakeApi'
import { cacheHit, deviceSummary, diskChanges, formatLayer, groupInLayer, instanceInLayer, measuresBothLayers, parseLayer, searchInLayer } from './layer'
import { machinePoint } from './series'

const source = (layers?: string[]) => ({ name: 'bpftrace', measures: '', state: 'running' as const, message: null, restarts: 0, layers })
const device = (name: string, readBytes: number, writeBytes: number): DeviceIo => ({
  device: name,
  readBytes,
  writeBytes,
  readRequests: 1,
  writeRequests: 1,
  metadataReadBytes: 0,
  metadataWriteBytes: 0,
})

describe('layers', () => {
  it('reads the layer from the URL: disk only when it says so', () => {
    expect(parseLayer('disk')).toBe('disk')
    expect(parseLayer(['disk', 'file'])).toBe('disk')
    for (const v of [undefined, null, '', 'file', 'DISK', 'block']) expect(parseLayer(v)).toBe('file')
    expect(formatLayer('file')).toBeUndefined()
    expect(formatLayer('disk')).toBe('disk')
  })

  it('offers the switch only for sources that measure both layers', () => {
    expect(measuresBothLayers(source(['file', 'disk']))).toBe(true)
    // macOS sources measure the disk only: their reads/writes are the disk figures already.
    expect(measuresBothLayers(source(['disk']))).toBe(false)
    expect(measuresBothLayers(source(['file']))).toBe(false)
    expect(measuresBothLayers(source(undefined))).toBe(false)
  })

  it('turns a push into one of the disk layer, so the rate and series functions work on it unchanged', () => {
    const c: Changes = {
      time: '2024-05-01T12:00:00Z',
      intervalSeconds: 2,
      reset: false,
      totals: { events: 9, malformedLines: 0, droppedEvents: 0, reads: 1000, writes: 2000, diskReads: 100, diskWrites: 50 },
      source: source(['file', 'disk']),
      processes: [
        { name: 'dd', reads: 1000, writes: 2000, lastUpdated: '', events: 1, files: 1, readDelta: 1000, writeDelta: 2000, diskReads: 100, diskWrites: 50, diskReadDelta: 40, diskWriteDelta: 10 },
        // A daemon without disk figures for a process: 0 in the disk layer, never the file figure.
        { name: 'old', reads: 5, writes: 5, lastUpdated: '', events: 1, files: 1, readDelta: 5, writeDelta: 5 },
      ],
      removed: [],
    }
    const disk = diskChanges(c)
    expect([disk.totals.reads, disk.totals.writes]).toEqual([100, 50])
    expect(disk.processes.map((p) => [p.name, p.reads, p.writes, p.readDelta, p.writeDelta])).toEqual([
      ['dd', 100, 50, 40, 10],
      ['old', 0, 0, 0, 0],
    ])
    const point = machinePoint(disk)
    expect([point.read, point.write]).toEqual([20, 5])
    // The push itself is left as it was.
    expect(c.processes[0]!.reads).toBe(1000)
  })

  it('counts as cache hits the file bytes read that the disk did not read, never below zero', () => {
    expect(cacheHit({ reads: 1000, diskReads: 250 })).toEqual({ bytes: 750, share: 0.75 })
    // Readahead may read more from the disk than the calls asked for.
    expect(cacheHit({ reads: 4096, diskReads: 65536 })).toEqual({ bytes: 0, share: 0 })
    expect(cacheHit({ reads: 0, diskReads: 0 })).toEqual({ bytes: 0, share: null })
    expect(cacheHit({ reads: 10, diskReads: undefined })).toBeNull()
  })

  it('sets the disks against what the processes were charged, busiest disk first', () => {
    const s = deviceSummary([device('8:0', 1000, 4000), device('254:0', 9000, 1000)], {
      events: 0,
      malformedLines: 0,
      droppedEvents: 0,
      reads: 1,
      writes: 1,
      diskReads: 5000,
      diskWrites: 4000,
    })
    expect(s.devices.map((d) => d.device)).toEqual(['254:0', '8:0'])
    expect(s.total).toEqual({ readBytes: 10000, writeBytes: 5000 })
    expect(s.attributed).toEqual({ readBytes: 5000, writeBytes: 4000 })
    expect(s.share).toEqual({ read: 0.5, write: 0.8 })
    const idle = deviceSummary([device('8:0', 0, 0)], { events: 0, malformedLines: 0, droppedEvents: 0, reads: 0, writes: 0 })
    expect(idle.share).toEqual({ read: null, write: null })
    expect(idle.attributed).toEqual({ readBytes: 0, writeBytes: 0 })
  })

  it('shows a file search in the disk layer: disk figures of each process and path, most disk bytes first', () => {
    const search: FileSearch = {
      query: '/src',
      truncated: false,
      processes: [
        {
          name: 'cc',
          reads: 5000,
          writes: 0,
          files: 2,
          diskReads: 300,
          diskWrites: 0,
          top: [
            { path: '/src/a.c', reads: 4000, writes: 0, diskReads: 100, diskWrites: 0 },
            { path: '/src/b.c', reads: 1000, writes: 0, diskReads: 200, diskWrites: 0 },
          ],
        },
        { name: 'dd', reads: 0, writes: 900, files: 1, diskReads: 0, diskWrites: 900, top: [{ path: '/src/z', reads: 0, writes: 900, diskReads: 0, diskWrites: 900 }] },
        // An older daemon: no disk figures at all.
        { name: 'old', reads: 10, writes: 0, files: 1, top: [{ path: '/src/o', reads: 10, writes: 0 }] },
      ],
    }
    expect(searchInLayer(search, 'file')).toBe(search)
    const disk = searchInLayer(search, 'disk')
    expect(disk.processes.map((p) => [p.name, p.reads, p.writes])).toEqual([
      ['dd', 0, 900],
      ['cc', 300, 0],
      ['old', 0, 0],
    ])
    expect(disk.processes[1]!.top.map((t) => [t.path, t.reads])).toEqual([
      ['/src/b.c', 200],
      ['/src/a.c', 100],
    ])
    expect(disk.query).toBe('/src')
    // The answer itself is left as it was.
    expect(search.processes[0]!.reads).toBe(5000)
  })
})

describe('process instances and groups in a layer', () => {
  it('shows an instance\'s own and tree disk bytes as its reads and writes, and leaves the file layer as it is', () => {
    const sh = instance(100, 1, { reads: 10, writes: 20, treeReads: 30, treeWrites: 40, diskReads: 1, diskWrites: 2, treeDiskReads: 3, treeDiskWrites: 4 })
    expect(instanceInLayer(sh, 'file')).toBe(sh)
    const disk = instanceInLayer(sh, 'disk')
    expect([disk.reads, disk.writes, disk.treeReads, disk.treeWrites]).toEqual([1, 2, 3, 4])
    expect([disk.pid, disk.diskReads, disk.treeDiskWrites]).toEqual([100, 1, 4])
    // Converting again changes nothing: the disk figures are kept.
    expect(instanceInLayer(disk, 'disk')).toEqual(disk)
  })

  it('shows a group\'s disk bytes as its reads and writes', () => {
    const g = { name: 'nginx.service', reads: 10, writes: 20, diskReads: 1, diskWrites: 2, processes: 3 }
    expect(groupInLayer(g, 'file')).toBe(g)
    expect(groupInLayer(g, 'disk')).toEqual({ ...g, reads: 1, writes: 2 })
  })
})
