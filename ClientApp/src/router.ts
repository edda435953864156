import { createRouter, createWebHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router'
import OverviewView from '@/views/OverviewView.vue'

export const routes: RouteRecordRaw[] = [
  { path: '/', name: 'overview', component: OverviewView, meta: { title: 'Overview' } },
  {
    path: '/process/:name',
    name: 'process',
    component: () => import('@/views/ProcessView.vue'),
    props: true,
  },
  // Process instances (the bpftrace and dtrace sources): the tree, and one instance by pid.
  { path: '/instances', name: 'tree', component: () => import('@/views/ProcessTreeView.vue'), meta: { title: 'Process tree' } },
  { path: '/instances/:pid', name: 'instance', component: () => import('@/views/InstanceView.vue'), props: true },
  // Bytes per group (cgroup: systemd unit, container, pod), and a group's instances.
  { path: '/groups', name: 'groups', component: () => import('@/views/GroupsView.vue'), meta: { title: 'Groups' } },
  // The original tool linked a process as /NAME: keep those links working.
  {
    path: '/:name',
    name: 'legacy-process',
    redirect: (to) => ({ name: 'process', params: { name: to.params.name as string } }),
  },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue') },
]

/** View state that follows the user from page to page (the layer shown), unless the link names it. */
const STICKY = ['layer'] as const

export function makeRouter(history: RouterHistory = createWebHistory('/')) {
  const router = createRouter({ history, routes })
  router.beforeEach((to, from) => {
    // Only when going to another page: on the same page the query is the user's choice (the switch removes it).
    if (to.path === from.path) return true
    const carried = STICKY.filter((k) => from.query[k] !== undefined && to.query[k] === undefined)
    if (carried.length === 0) return true
    return { path: to.path, hash: to.hash, query: { ...to.query, ...Object.fromEntries(carried.map((k) => [k, from.query[k]])) } }
  })
  router.afterEach((to) => {
    const name =
      to.name === 'process'
        ? String(to.params.name)
        : to.name === 'instance'
          ? `pid ${String(to.params.pid)}`
          : typeof to.meta.title === 'string'
            ? to.meta.title
            : 'Overview'
    if (typeof document !== 'undefined') document.title = `${name} · iosnoopng`
  })
  return router
}
