// The layer the tables and charts show: file I/O (the read/write calls, page-cache hits included) or disk I/O
// (what reached or will reach the disk), for sources that measure both. Pure functions.
import type { ChangedProcess, Changes, DeviceIo, FileSearch, FileSearchHit, FileSearchPath, FileSummary, ProcessFiles, ProcessSummary, SourceStatus, Totals } from '@/api/types'
import type { GroupRow, ProcessInstance } from '@/api/instances'
import type { Query } from './urlState'

export type Layer = 'file' | 'disk'

/** `?layer=disk` → 'disk'; anything else is the file layer (the default, not written to the URL). */
export function parseLayer(v: Query[string]): Layer {
  const text = Array.isArray(v) ? v[0] : v
  return text === 'disk' ? 'disk' : 'file'
}

export const formatLayer = (layer: Layer): string | undefined => (layer === 'disk' ? 'disk' : undefined)

/** True when the source measures both layers, so that the dashboard can switch between them. */
export const measuresBothLayers = (source: SourceStatus): boolean =>
  (source.layers ?? []).includes('disk') && (source.layers ?? []).includes('file')

/** A figure for the disk layer: a daemon (or a record) without disk figures has 0. */
const d = (v: number | undefined) => v ?? 0

export const diskTotals = (t: Totals): Totals => ({ ...t, reads: d(t.diskReads), writes: d(t.diskWrites) })

export const diskSummary = <T extends ProcessSummary>(p: T): T => ({ ...p, reads: d(p.diskReads), writes: d(p.diskWrites) })

export const diskChanged = (p: ChangedProcess): ChangedProcess => ({
  ...diskSummary(p),
  readDelta: d(p.diskReadDelta),
  writeDelta: d(p.diskWriteDelta),
})

/** A push as if its reads and writes were the disk figures: the rate and series functions then work on either layer. */
export const diskChanges = (c: Changes): Changes => ({ ...c, totals: diskTotals(c.totals), processes: c.processes.map(diskChanged) })

export const diskFile = (f: FileSummary): FileSummary => ({ ...f, reads: d(f.diskReads), writes: d(f.diskWrites) })

export const diskProcessFiles = (p: ProcessFiles): ProcessFiles => ({
  ...p,
  reads: d(p.diskReads),
  writes: d(p.diskWrites),
  files: p.files.map(diskFile),
})

/** A process's files in the layer shown. */
export const filesInLayer = (p: ProcessFiles, layer: Layer): ProcessFiles => (layer === 'disk' ? diskProcessFiles(p) : p)

const diskPath = (p: FileSearchPath): FileSearchPath => ({ ...p, reads: d(p.diskReads), writes: d(p.diskWrites) })
const byBytes = <T extends { reads: number; writes: number }>(a: T, b: T) => b.reads + b.writes - (a.reads + a.writes)

const diskHit = (h: FileSearchHit): FileSearchHit => ({
  ...h,
  reads: d(h.diskReads),
  writes: d(h.diskWrites),
  top: h.top.map(diskPath).sort(byBytes),
})

/**
 * A file search's answer in the layer shown: in the disk layer each process's and each path's disk figures, most
 * disk bytes first (the daemon ranks by file bytes; ties keep its order).
 */
export const searchInLayer = (s: FileSearch, layer: Layer): FileSearch =>
  layer === 'disk' ? { ...s, processes: s.processes.map(diskHit).sort(byBytes) } : s

/** A process instance as if its reads and writes (own and tree) were its disk figures: the tree's order and sums then work on either layer. */
export const diskInstance = <T extends ProcessInstance>(i: T): T => ({
  ...i,
  reads: d(i.diskReads),
  writes: d(i.diskWrites),
  treeReads: d(i.treeDiskReads),
  treeWrites: d(i.treeDiskWrites),
})

/** A process instance in the layer shown. */
export const instanceInLayer = <T extends ProcessInstance>(i: T, layer: Layer): T => (layer === 'disk' ? diskInstance(i) : i)

/** A group's figures in the layer shown. */
export const groupInLayer = <T extends GroupRow>(g: T, layer: Layer): T =>
  layer === 'disk' ? { ...g, reads: d(g.diskReads), writes: d(g.diskWrites) } : g

export interface CacheHit {
  /** File bytes read that did not reach the disk: max(0, reads − diskReads). */
  bytes: number
  /** The same as a share of the file bytes read (0…1); null when the file was not read. */
  share: number | null
}

/**
 * The reads of a file served from the page cache, as far as the two layers tell: the bytes the read calls returned
 * less the bytes the disk read for the file. Readahead can read more than the calls asked for, so it is never
 * below zero. Null when the file has no disk figure.
 */
export function cacheHit(f: Pick<FileSummary, 'reads' | 'diskReads'>): CacheHit | null {
  if (f.diskReads === undefined) return null
  const bytes = Math.max(0, f.reads - f.diskReads)
  return { bytes, share: f.reads > 0 ? bytes / f.reads : null }
}

export interface DeviceRow {
  device: string
  readBytes: number
  writeBytes: number
  readRequests: number
  writeRequests: number
  metadataReadBytes: number
  metadataWriteBytes: number
}

export interface DeviceSummary {
  devices: DeviceRow[]
  /** All disks together. */
  total: { readBytes: number; writeBytes: number }
  /** Disk bytes charged to processes (the sum of their disk figures). */
  attributed: { readBytes: number; writeBytes: number }
  /** Attributed as a share of the disks' total (may pass 1: dirtied bytes not yet written back); null without traffic. */
  share: { read: number | null; write: number | null }
}

/** The disks' traffic set against what the processes were charged, for the device panel. */
export function deviceSummary(devices: readonly DeviceIo[], totals: Totals): DeviceSummary {
  const rows = [...devices].sort((a, b) => b.readBytes + b.writeBytes - (a.readBytes + a.writeBytes) || a.device.localeCompare(b.device))
  const total = {
    readBytes: rows.reduce((s, x) => s + x.readBytes, 0),
    writeBytes: rows.reduce((s, x) => s + x.writeBytes, 0),
  }
  const attributed = { readBytes: d(totals.diskReads), writeBytes: d(totals.diskWrites) }
  return {
    devices: rows.map((x) => ({ ...x })),
    total,
    attributed,
    share: {
      read: total.readBytes > 0 ? attributed.readBytes / total.readBytes : null,
      write: total.writeBytes > 0 ? attributed.writeBytes / total.writeBytes : null,
    },
  }
}
