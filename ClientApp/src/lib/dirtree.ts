// Per-folder sums of a process's file list, for the directory view. Pure functions.

export interface FileLike {
  path: string
  reads: number
  writes: number
  merged?: boolean
}

export type NodeKind = 'root' | 'dir' | 'file' | 'merged' | 'partial'

export interface DirNode {
  /** Key of this node in its parent (a path segment, or a special key). */
  key: string
  /** Label shown to the user. */
  label: string
  kind: NodeKind
  /** Sums over this node and everything below it. */
  reads: number
  writes: number
  /** Number of file entries at or below this node. */
  files: number
  /** Bytes recorded for exactly this path (a folder can be read itself, e.g. listed). */
  selfReads: number
  selfWrites: number
  selfFiles: number
  children: Map<string, DirNode>
}

export type EntryKind = 'dir' | 'file' | 'merged' | 'partial' | 'self'

export interface DirEntry {
  /** Label; a chain of single folders is joined, e.g. `usr/lib`. */
  label: string
  kind: EntryKind
  /** Segments from the root to open this entry; null when it cannot be opened. */
  target: string[] | null
  /** The full path for display, or null for the special entries. */
  path: string | null
  reads: number
  writes: number
  files: number
  /** (reads + writes) relative to the folder shown, 0..1. */
  share: number
}

/** Key of the synthetic folder that holds paths cut at the front by the tracer. */
export const PARTIAL_KEY = '\u0000partial'
export const PARTIAL_LABEL = '… cut paths'
export const SELF_LABEL = '(this folder itself)'

const node = (key: string, label: string, kind: NodeKind): DirNode => ({
  key,
  label,
  kind,
  reads: 0,
  writes: 0,
  files: 0,
  selfReads: 0,
  selfWrites: 0,
  selfFiles: 0,
  children: new Map(),
})

/** True for a path the tracer cut at the front (it does not start with `/`). */
export const isPartialPath = (path: string): boolean => !path.startsWith('/')

/** Path segments without empty parts: `/a//b/` gives `['a', 'b']`. */
export function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s !== '')
}

/** Builds the folder tree with sums at every level. */
export function buildTree(files: readonly FileLike[]): DirNode {
  const root = node('', '/', 'root')
  for (const f of files) {
    let chain: DirNode[]
    if (f.merged) {
      const leaf = child(root, f.path, f.path, 'merged')
      chain = [root, leaf]
    } else {
      let at = root
      chain = [root]
      if (isPartialPath(f.path)) {
        at = child(root, PARTIAL_KEY, PARTIAL_LABEL, 'partial')
        chain.push(at)
      }
      for (const seg of splitPath(f.path)) {
        at = child(at, seg, seg, 'file')
        chain.push(at)
      }
    }
    const last = chain[chain.length - 1]!
    last.selfReads += f.reads
    last.selfWrites += f.writes
    last.selfFiles += 1
    for (const n of chain) {
      n.reads += f.reads
      n.writes += f.writes
      n.files += 1
    }
  }
  return root
}

function child(parent: DirNode, key: string, label: string, kind: NodeKind): DirNode {
  let c = parent.children.get(key)
  if (!c) {
    c = node(key, label, kind)
    parent.children.set(key, c)
  } else if (c.kind === 'file' && kind !== 'file') {
    c.kind = kind
  }
  if (parent.kind === 'file') parent.kind = 'dir'
  return c
}

/** The node at `segments` below the root, or undefined when it does not exist (any more). */
export function nodeAt(root: DirNode, segments: readonly string[]): DirNode | undefined {
  let at: DirNode | undefined = root
  for (const s of segments) {
    at = at.children.get(s)
    if (!at) return undefined
  }
  return at
}

/** The longest prefix of `segments` that still exists and can be opened. */
export function existingPrefix(root: DirNode, segments: readonly string[]): string[] {
  const out: string[] = []
  let at = root
  for (const s of segments) {
    const next = at.children.get(s)
    if (!next || next.children.size === 0) break
    out.push(s)
    at = next
  }
  return out
}

/** Display path of the node reached by `segments`. */
export function pathOf(segments: readonly string[]): string {
  if (segments[0] === PARTIAL_KEY) return '…/' + segments.slice(1).join('/')
  return '/' + segments.join('/')
}

/**
 * The entries shown when the folder at `segments` is open, largest first.
 * A folder whose only content is one folder is joined with it (`usr/lib`), so one click goes deep.
 */
export function entriesAt(root: DirNode, segments: readonly string[]): DirEntry[] {
  const at = nodeAt(root, segments)
  if (!at) return []
  const total = at.reads + at.writes
  const share = (r: number, w: number) => (total > 0 ? (r + w) / total : 0)
  const entries: DirEntry[] = []
  if (at.selfFiles > 0 && (at.children.size > 0 || at.kind === 'root')) {
    entries.push({
      label: SELF_LABEL,
      kind: 'self',
      target: null,
      path: pathOf(segments),
      reads: at.selfReads,
      writes: at.selfWrites,
      files: at.selfFiles,
      share: share(at.selfReads, at.selfWrites),
    })
  }
  for (const c of at.children.values()) {
    const target = [...segments, c.key]
    let label = c.label
    let n = c
    // Join a chain of folders that each hold exactly one folder and nothing of their own.
    while (n.kind === 'dir' && n.selfFiles === 0 && n.children.size === 1) {
      const only = n.children.values().next().value as DirNode
      if (only.children.size === 0) break
      n = only
      label += '/' + n.label
      target.push(n.key)
    }
    const kind: EntryKind =
      n.kind === 'merged' ? 'merged' : n.kind === 'partial' ? 'partial' : n.children.size > 0 ? 'dir' : 'file'
    entries.push({
      label,
      kind,
      target: n.children.size > 0 ? target : null,
      path: kind === 'merged' || kind === 'partial' ? null : pathOf(target),
      reads: c.reads,
      writes: c.writes,
      files: c.files,
      share: share(c.reads, c.writes),
    })
  }
  return entries.sort((a, b) => b.reads + b.writes - (a.reads + a.writes) || a.label.localeCompare(b.label))
}

export interface Crumb {
  label: string
  target: string[]
}

/** Breadcrumb from the root to the open folder. */
export function breadcrumb(segments: readonly string[]): Crumb[] {
  const crumbs: Crumb[] = [{ label: '/', target: [] }]
  segments.forEach((s, i) => {
    crumbs.push({ label: s === PARTIAL_KEY ? PARTIAL_LABEL : s, target: segments.slice(0, i + 1) })
  })
  return crumbs
}
