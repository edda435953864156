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
  // The original tool linked a process as /NAME: keep those links working.
  {
    path: '/:name',
    name: 'legacy-process',
    redirect: (to) => ({ name: 'process', params: { name: to.params.name as string } }),
  },
  { path: '/:rest(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue') },
]

export function makeRouter(history: RouterHistory = createWebHistory('/')) {
  const router = createRouter({ history, routes })
  router.afterEach((to) => {
    const name = to.name === 'process' ? String(to.params.name) : 'Overview'
    if (typeof document !== 'undefined') document.title = `${name} · iosnoopng`
  })
  return router
}
