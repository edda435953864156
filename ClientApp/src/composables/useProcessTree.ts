// The process tree view's data: roots from the instance lists, children loaded when a node is expanded,
// and a refresh of the roots and of the expanded subtrees that still run.
import { computed, ref, shallowRef, type Ref } from 'vue'
import { errorText, getInstance, listInstances, type InstanceDetail, type ProcessInstance } from '@/api/instances'
import { diskInstance, type Layer } from '@/lib/layer'
import { findRoots, flattenTree, instanceKey, isRunning, sortByTree, type NodeState, type TreeShown } from '@/lib/proctree'

/** How many running and how many recent instances are asked for to find the roots. */
export const ROOT_LIMIT = 2000
/** How many instances of one name the filter lists. */
export const FILTER_LIMIT = 500
/** How often the shown tree is refetched. */
export const TREE_POLL_MS = 3000
/** How long typing in the tree's filter waits before asking. */
export const FILTER_DEBOUNCE_MS = 300
/** At most this many expanded subtrees are refetched per refresh, those higher in the tree first. */
export const MAX_SUBTREE_REFRESH = 25

const emptyNode = (): NodeState => ({ expanded: false, loading: false, children: null, self: null, error: null })
/** The instance without its children (an answer of `/api/processes/{pid}`). */
const own = ({ children: _children, ...instance }: InstanceDetail): ProcessInstance => instance

/**
 * The disk layer of what was loaded: each list of children converted and sorted once (cached by the list, which a
 * reload replaces), each instance converted when shown.
 */
function diskShown(): TreeShown {
  const sorted = new WeakMap<readonly ProcessInstance[], ProcessInstance[]>()
  return {
    children(list) {
      let inDisk = sorted.get(list)
      if (!inDisk) sorted.set(list, (inDisk = sortByTree(list.map(diskInstance))))
      return inDisk
    },
    instance: diskInstance,
  }
}

/** @param layer The layer the rows show (file or disk I/O): their figures and their order (most tree bytes first). */
export function useProcessTree(filter: Ref<string>, layer: Ref<Layer> = ref('file')) {
  const running = shallowRef<ProcessInstance[]>([])
  const recent = shallowRef<ProcessInstance[]>([])
  const nodes = shallowRef<ReadonlyMap<string, NodeState>>(new Map())
  /** The filter the lists were loaded for ('' for none); null until the first answer. */
  const loadedFor = ref<string | null>(null)
  const error = ref<string | null>(null)
  let generation = 0

  const disk = diskShown()
  const loadedRoots = computed(() => (loadedFor.value ? sortByTree(recent.value) : findRoots(running.value, recent.value)))
  const shown = computed(() => (layer.value === 'disk' ? disk : undefined))
  const roots = computed(() => (shown.value ? shown.value.children(loadedRoots.value) : loadedRoots.value))
  const rows = computed(() => flattenTree(roots.value, nodes.value, shown.value))
  /** True when a list came back full: older instances exist that are not among the roots. */
  const truncated = computed(() =>
    loadedFor.value ? recent.value.length >= FILTER_LIMIT : running.value.length >= ROOT_LIMIT || recent.value.length >= ROOT_LIMIT,
  )
  /** The daemon holds no instance at all (its source records none). */
  const none = computed(() => loadedFor.value === '' && running.value.length === 0 && recent.value.length === 0)

  function setNode(key: string, patch: Partial<NodeState>) {
    const next = new Map(nodes.value)
    next.set(key, { ...(next.get(key) ?? emptyNode()), ...patch })
    nodes.value = next
  }

  async function loadRoots() {
    const wanted = filter.value.trim()
    const gen = ++generation
    try {
      if (wanted) {
        const named = await listInstances({ name: wanted, limit: FILTER_LIMIT })
        if (gen !== generation) return
        running.value = []
        recent.value = named
      } else {
        const [r, all] = await Promise.all([listInstances({ running: true, limit: ROOT_LIMIT }), listInstances({ limit: ROOT_LIMIT })])
        if (gen !== generation) return
        running.value = r
        recent.value = all
      }
      loadedFor.value = wanted
      error.value = null
    } catch (e) {
      if (gen === generation) error.value = errorText(e)
    }
  }

  /** Loads an instance's children (the daemon answers for the latest instance with its pid). */
  async function loadChildren(instance: ProcessInstance) {
    const key = instanceKey(instance)
    try {
      const detail = await getInstance(instance.pid)
      if (detail === null) setNode(key, { loading: false, children: [], error: 'no longer held by the daemon' })
      else if (detail.started !== instance.started)
        setNode(key, { loading: false, children: [], error: `pid ${instance.pid} now belongs to a newer process: its children cannot be asked for` })
      else setNode(key, { loading: false, children: sortByTree(detail.children), self: own(detail), error: null })
    } catch (e) {
      setNode(key, { loading: false, error: errorText(e) })
    }
  }

  /** Expands a collapsed node (loading its children the first time) or collapses an expanded one. */
  async function toggle(instance: ProcessInstance) {
    const key = instanceKey(instance)
    const node = nodes.value.get(key)
    if (node?.expanded) {
      setNode(key, { expanded: false })
      return
    }
    if (node?.children != null && !node.error) {
      setNode(key, { expanded: true })
      return
    }
    setNode(key, { expanded: true, loading: true, error: null })
    await loadChildren(instance)
  }

  /** Refetches the roots, then the expanded subtrees in which something still runs. */
  async function refresh() {
    await loadRoots()
    const due = rows.value
      .filter((r) => r.state === 'expanded')
      .filter((r) => {
        const node = nodes.value.get(r.key)
        return isRunning(r.instance) || (node?.children ?? []).some(isRunning)
      })
      .slice(0, MAX_SUBTREE_REFRESH)
    for (const r of due) await loadChildren(r.instance)
  }

  return { rows, roots, nodes, error, loadedFor, truncated, none, toggle, refresh, loadRoots }
}
