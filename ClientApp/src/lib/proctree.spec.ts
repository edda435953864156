import { describe, expect, it } from 'vitest'
import type { ProcessInstance } from '@/api/instances'
import { findRoots, flattenTree, formatDuration, instanceKey, lifetimeMs, sortByTree, type NodeState } from './proctree'

const T0 = Date.parse('2024-05-01T12:00:00Z')
const at = (s: number) => new Date(T0 + s * 1000).toISOString()
export const inst = (pid: number, ppid: number, tree: number, extra: Partial<ProcessInstance> = {}): ProcessInstance => ({
  pid,
  ppid,
  name: `p${pid}`,
  exe: null,
  group: null,
  started: at(pid),
  ended: null,
  reads: 0,
  writes: 0,
  treeReads: 0,
  treeWrites: tree,
  diskReads: 0,
  diskWrites: 0,
  treeDiskReads: 0,
  treeDiskWrites: 0,
  ...extra,
})

const node = (patch: Partial<NodeState>): NodeState => ({ expanded: false, loading: false, children: null, self: null, error: null, ...patch })

describe('process tree', () => {
  it('sorts by tree bytes (reads and writes), then running first, then newest', () => {
    const list = [
      inst(1, 0, 10),
      inst(2, 0, 0, { treeReads: 30 }),
      inst(3, 0, 10, { ended: at(9) }),
      inst(4, 0, 10),
    ]
    expect(sortByTree(list).map((i) => i.pid)).toEqual([2, 4, 1, 3])
  })

  it('finds the roots: instances whose parent is not among them, merged and deduplicated', () => {
    const running = [inst(1, 0, 5), inst(10, 1, 50), inst(20, 99, 100)]
    const recent = [inst(10, 1, 50), inst(11, 10, 7, { ended: at(12) }), inst(30, 77, 1, { ended: at(31) })]
    expect(findRoots(running, recent).map((i) => i.pid)).toEqual([20, 1, 30])
  })

  it('does not take a parent that started after the child (a reused pid)', () => {
    const child = inst(50, 40, 5, { started: at(10) })
    const laterParent = inst(40, 1, 9, { started: at(20) })
    expect(findRoots([child, laterParent]).map((i) => i.pid)).toEqual([40, 50])
  })

  it('flattens expanded nodes depth first and marks loading, leaves and errors', () => {
    const a = inst(1, 0, 100)
    const b = inst(2, 0, 50)
    const a1 = inst(11, 1, 60)
    const a2 = inst(12, 1, 40)
    const nodes = new Map<string, NodeState>([
      [instanceKey(a), node({ expanded: true, children: [a1, a2], self: { ...a, writes: 7 } })],
      [instanceKey(a1), node({ expanded: true, children: [] })],
      [instanceKey(b), node({ expanded: true, loading: true, error: null })],
      [instanceKey(a2), node({ expanded: false, children: [inst(99, 12, 1)] })],
    ])
    const rows = flattenTree([a, b], nodes)
    expect(rows.map((r) => [r.instance.pid, r.depth, r.state])).toEqual([
      [1, 0, 'expanded'],
      [11, 1, 'leaf'],
      [12, 1, 'collapsed'],
      [2, 0, 'loading'],
    ])
    expect(rows[0]!.instance.writes).toBe(7)
    expect(rows[0]!.childCount).toBe(2)
    expect(rows[3]!.childCount).toBeNull()
  })

  it('flattens a hundred thousand children quickly', () => {
    const root = inst(1, 0, 1)
    const children = sortByTree(Array.from({ length: 100_000 }, (_, i) => inst(i + 2, 1, i)))
    const rows = flattenTree([root], new Map([[instanceKey(root), node({ expanded: true, children })]]))
    expect(rows).toHaveLength(100_001)
    expect(rows[1]!.instance.treeWrites).toBe(99_999)
  })

  it('formats lifetimes', () => {
    expect(formatDuration(500)).toBe('500 ms')
    expect(formatDuration(12_340)).toBe('12.3 s')
    expect(formatDuration(245_000)).toBe('4 min 05 s')
    expect(formatDuration(7_380_000)).toBe('2 h 03 min')
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h')
    expect(lifetimeMs(inst(5, 1, 0, { started: at(1), ended: at(1.5) }), 0)).toBe(500)
    expect(lifetimeMs(inst(5, 1, 0, { started: at(1) }), T0 + 4000)).toBe(3000)
    expect(lifetimeMs(inst(5, 1, 0, { started: null }), T0)).toBeNull()
  })
})
