import { describe, expect, it } from 'vitest'
import {
  breadcrumb,
  buildTree,
  entriesAt,
  existingPrefix,
  isPartialPath,
  nodeAt,
  PARTIAL_KEY,
  PARTIAL_LABEL,
  pathOf,
  SELF_LABEL,
  splitPath,
  type FileLike,
} from './dirtree'

const files: FileLike[] = [
  { path: '/usr/lib/libc.so.6', reads: 1000, writes: 0 },
  { path: '/usr/lib/libm.so.6', reads: 500, writes: 0 },
  { path: '/usr/share/zoneinfo/UTC', reads: 100, writes: 0 },
  { path: '/home/ann/notes.txt', reads: 10, writes: 4000 },
  { path: '/home/ann/.cache/x', reads: 0, writes: 50 },
  { path: '/tmp/out.log', reads: 0, writes: 300 },
  { path: 'b/x86_64-linux-gnu/libz.so', reads: 70, writes: 0 },
  { path: '<Smaller Files of app>', reads: 5, writes: 6, merged: true },
]

const brief = (list: ReturnType<typeof entriesAt>) => list.map((e) => [e.label, e.kind, e.reads, e.writes])

describe('splitPath and isPartialPath', () => {
  it('drops empty segments', () => {
    expect(splitPath('/a//b/')).toEqual(['a', 'b'])
    expect(splitPath('/')).toEqual([])
  })

  it('tells cut paths', () => {
    expect(isPartialPath('/etc/hosts')).toBe(false)
    expect(isPartialPath('tc/hosts')).toBe(true)
  })
})

describe('buildTree', () => {
  const root = buildTree(files)

  it('sums every level', () => {
    expect(root.reads).toBe(1685)
    expect(root.writes).toBe(4356)
    expect(root.files).toBe(8)
    const usr = nodeAt(root, ['usr'])!
    expect([usr.reads, usr.writes, usr.files]).toEqual([1600, 0, 3])
    const lib = nodeAt(root, ['usr', 'lib'])!
    expect([lib.reads, lib.files, lib.kind]).toEqual([1500, 2, 'dir'])
    const ann = nodeAt(root, ['home', 'ann'])!
    expect([ann.reads, ann.writes]).toEqual([10, 4050])
  })

  it('keeps cut paths and merged rows apart from real folders', () => {
    const partial = nodeAt(root, [PARTIAL_KEY])!
    expect(partial.kind).toBe('partial')
    expect(partial.reads).toBe(70)
    expect(nodeAt(root, [PARTIAL_KEY, 'b', 'x86_64-linux-gnu', 'libz.so'])!.reads).toBe(70)
    const merged = nodeAt(root, ['<Smaller Files of app>'])!
    expect([merged.kind, merged.reads, merged.writes]).toEqual(['merged', 5, 6])
  })

  it('adds up repeated paths', () => {
    const t = buildTree([
      { path: '/a/f', reads: 1, writes: 2 },
      { path: '/a/f', reads: 3, writes: 4 },
    ])
    expect([nodeAt(t, ['a', 'f'])!.reads, nodeAt(t, ['a', 'f'])!.writes, t.files]).toEqual([4, 6, 2])
  })

  it('returns an empty root for no files', () => {
    const t = buildTree([])
    expect([t.reads, t.writes, t.files, t.children.size]).toEqual([0, 0, 0, 0])
    expect(entriesAt(t, [])).toEqual([])
  })
})

describe('entriesAt (drill-down)', () => {
  const root = buildTree(files)

  it('lists the top level largest first', () => {
    expect(brief(entriesAt(root, []))).toEqual([
      ['home/ann', 'dir', 10, 4050],
      ['usr', 'dir', 1600, 0],
      ['tmp', 'dir', 0, 300],
      [PARTIAL_LABEL, 'partial', 70, 0],
      ['<Smaller Files of app>', 'merged', 5, 6],
    ])
  })

  it('joins single-folder chains and gives the target to open', () => {
    const home = entriesAt(root, []).find((e) => e.label === 'home/ann')!
    expect(home.target).toEqual(['home', 'ann'])
    expect(home.path).toBe('/home/ann')
    expect(brief(entriesAt(root, home.target!))).toEqual([
      ['notes.txt', 'file', 10, 4000],
      ['.cache', 'dir', 0, 50],
    ])
  })

  it('drills down level by level', () => {
    expect(brief(entriesAt(root, ['usr']))).toEqual([
      ['lib', 'dir', 1500, 0],
      ['share/zoneinfo', 'dir', 100, 0],
    ])
    const lib = entriesAt(root, ['usr', 'lib'])
    expect(brief(lib)).toEqual([
      ['libc.so.6', 'file', 1000, 0],
      ['libm.so.6', 'file', 500, 0],
    ])
    expect(lib[0]!.target).toBeNull()
    expect(lib[0]!.path).toBe('/usr/lib/libc.so.6')
    expect(lib[0]!.share).toBeCloseTo(1000 / 1500)
  })

  it('opens the cut paths folder', () => {
    expect(brief(entriesAt(root, [PARTIAL_KEY]))).toEqual([['b/x86_64-linux-gnu', 'dir', 70, 0]])
    expect(pathOf([PARTIAL_KEY, 'b'])).toBe('…/b')
  })

  it('shows bytes recorded on a folder itself next to its content', () => {
    const t = buildTree([
      { path: '/etc', reads: 40, writes: 0 },
      { path: '/etc/hosts', reads: 60, writes: 0 },
    ])
    const etc = entriesAt(t, ['etc'])
    expect(brief(etc)).toEqual([
      ['hosts', 'file', 60, 0],
      [SELF_LABEL, 'self', 40, 0],
    ])
    expect(etc[1]!.path).toBe('/etc')
    expect(brief(entriesAt(t, []))).toEqual([['etc', 'dir', 100, 0]])
  })

  it('returns nothing for a folder that does not exist', () => {
    expect(entriesAt(root, ['nope'])).toEqual([])
  })
})

describe('existingPrefix and breadcrumb', () => {
  const root = buildTree(files)

  it('cuts a stale location back to what still exists', () => {
    expect(existingPrefix(root, ['usr', 'lib'])).toEqual(['usr', 'lib'])
    expect(existingPrefix(root, ['usr', 'gone', 'x'])).toEqual(['usr'])
    expect(existingPrefix(root, ['usr', 'lib', 'libc.so.6'])).toEqual(['usr', 'lib'])
  })

  it('builds crumbs back to the root', () => {
    expect(breadcrumb(['usr', 'lib'])).toEqual([
      { label: '/', target: [] },
      { label: 'usr', target: ['usr'] },
      { label: 'lib', target: ['usr', 'lib'] },
    ])
    expect(breadcrumb([PARTIAL_KEY])[1]!.label).toBe(PARTIAL_LABEL)
  })
})
