// The columns each table exports: raw numbers (bytes, bytes per second), names as they are.
import type { TableRow } from '@/composables/useProcessRows'
import type { DirEntry } from './dirtree'
import type { Column } from './exportData'

export const processColumns: Column<TableRow>[] = [
  { header: 'process', value: (r) => r.name },
  { header: 'writes', value: (r) => r.writes },
  { header: 'reads', value: (r) => r.reads },
  { header: 'writesPerSecond', value: (r) => Math.round(r.writeRate) },
  { header: 'readsPerSecond', value: (r) => Math.round(r.readRate) },
  { header: 'events', value: (r) => r.events },
  { header: 'files', value: (r) => r.files },
  { header: 'lastUpdated', value: (r) => r.lastUpdated },
]

export interface FileExportRow {
  path: string
  reads: number
  writes: number
  events: number
  lastUpdated: string
  merged: boolean
}

export const fileColumns: Column<FileExportRow>[] = [
  { header: 'path', value: (r) => r.path },
  { header: 'writes', value: (r) => r.writes },
  { header: 'reads', value: (r) => r.reads },
  { header: 'events', value: (r) => r.events },
  { header: 'lastUpdated', value: (r) => r.lastUpdated },
  { header: 'merged', value: (r) => r.merged },
]

export const dirColumns: Column<DirEntry>[] = [
  { header: 'name', value: (r) => r.label },
  { header: 'kind', value: (r) => r.kind },
  { header: 'path', value: (r) => r.path },
  { header: 'files', value: (r) => r.files },
  { header: 'writes', value: (r) => r.writes },
  { header: 'reads', value: (r) => r.reads },
]

export interface TopRow {
  name: string
  reads: number
  writes: number
}

export const topColumns: Column<TopRow>[] = [
  { header: 'process', value: (r) => r.name },
  { header: 'writes', value: (r) => r.writes },
  { header: 'reads', value: (r) => r.reads },
]
