// Shapes of the data exchanged with the daemon's hub at /hub/stats (camelCase JSON).

export type SourceState = 'starting' | 'running' | 'restarting' | 'failed' | 'stopped' | 'idle'

export interface SourceStatus {
  /** "bpftrace" | "fs_usage" | "dtrace" | "replay" | "none" */
  name: string
  /** What the source measures, e.g. "physical disk I/O". */
  measures: string
  /** Which layers the figures come from: "file" (read/write calls) and/or "disk". */
  layers?: string[]
  /** What the layers mean when reads/writes are not file I/O (disk-only sources), or null. */
  layersNote?: string | null
  state: SourceState
  /** A problem the user must see, or null. */
  message: string | null
  restarts: number
}

export interface Totals {
  events: number
  malformedLines: number
  droppedEvents: number
  /** Bytes read by all processes. */
  reads: number
  /** Bytes written by all processes. */
  writes: number
  /** Bytes all processes read from the disk (sources that measure the disk beside the files). */
  diskReads?: number
  /** Bytes all processes wrote (dirtied or wrote directly) to the disk. */
  diskWrites?: number
}

export interface ProcessSummary {
  name: string
  /** Bytes read. */
  reads: number
  /** Bytes written. */
  writes: number
  /** ISO-8601 time. */
  lastUpdated: string
  events: number
  /** Number of file entries. */
  files: number
  /** Bytes read from the disk. */
  diskReads?: number
  /** Bytes written to the disk. */
  diskWrites?: number
}

export interface Overview {
  totals: Totals
  source: SourceStatus
  processes: ProcessSummary[]
  /** The daemon runs with --read-only: deleting and resetting are refused. */
  readOnly?: boolean
  /** What each disk moved since the start (sources that measure the block layer). */
  devices?: DeviceIo[]
}

/** What the block layer moved to and from one disk since the start, whoever caused it. */
export interface DeviceIo {
  /** The disk as `major:minor`. */
  device: string
  readBytes: number
  writeBytes: number
  readRequests: number
  writeRequests: number
  /** Part of readBytes the filesystem flagged as metadata. */
  metadataReadBytes: number
  /** Part of writeBytes the filesystem flagged as metadata. */
  metadataWriteBytes: number
}

export interface ChangedProcess extends ProcessSummary {
  /** Bytes read in this interval. */
  readDelta: number
  /** Bytes written in this interval. */
  writeDelta: number
  /** Disk bytes read in this interval. */
  diskReadDelta?: number
  /** Disk bytes written in this interval. */
  diskWriteDelta?: number
}

export interface Changes {
  time: string
  /** Seconds since the previous push. */
  intervalSeconds: number
  /** True after a reset: drop all client data and refetch. */
  reset: boolean
  totals: Totals
  source: SourceStatus
  processes: ChangedProcess[]
  removed: string[]
  /** Every disk's totals since the start, as in the overview. */
  devices?: DeviceIo[]
}

export interface FileSummary {
  path: string
  reads: number
  writes: number
  lastUpdated: string
  events: number
  /** True for the `<Smaller Files of NAME>` rows. */
  merged: boolean
  diskReads?: number
  diskWrites?: number
}

export interface ProcessFiles {
  name: string
  found: boolean
  reads: number
  writes: number
  lastUpdated: string | null
  events: number
  files: FileSummary[]
  /** The process's disk bytes read (sources that measure the disk beside the files). */
  diskReads?: number
  diskWrites?: number
}

export interface HistoryPoint {
  time: string
  reads: number
  writes: number
  diskReads?: number
  diskWrites?: number
}

/** A history point as the dashboard reads it: daemons that keep disk figures in their history add them. */
export type LayeredHistoryPoint = HistoryPoint & { diskReads?: number; diskWrites?: number }

export interface History {
  bucketSeconds: number
  points: HistoryPoint[]
}

export interface TopProcess {
  name: string
  reads: number
  writes: number
  diskReads?: number
  diskWrites?: number
}

export const emptyTotals = (): Totals => ({
  events: 0,
  malformedLines: 0,
  droppedEvents: 0,
  reads: 0,
  writes: 0,
})

export const unknownSource = (): SourceStatus => ({
  name: 'none',
  measures: '',
  state: 'idle',
  message: null,
  restarts: 0,
})

/** A matching file with its bytes; disk figures from sources that measure the disk beside the files (else 0). */
export interface FileSearchPath {
  path: string
  reads: number
  writes: number
  diskReads?: number
  diskWrites?: number
}

/** A process whose files match a search, with the bytes on the matching files only. */
export interface FileSearchHit {
  name: string
  reads: number
  writes: number
  /** How many of its files match. */
  files: number
  /** Its matching files with the most file bytes, at most a few. */
  top: FileSearchPath[]
  /** Disk bytes on the matching files (sources that measure the disk beside the files). */
  diskReads?: number
  diskWrites?: number
}

/** The answer of the hub's SearchFiles: processes with the most bytes on matching files, most first. */
export interface FileSearch {
  query: string
  processes: FileSearchHit[]
  /** More processes matched than were returned. */
  truncated: boolean
}
