import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// The daemon serves the built files from its wwwroot at the site root.
// During `npm run dev` the hub and the REST API are proxied to a running daemon.
const daemon = process.env.IOSNOOP_URL ?? 'http://127.0.0.1:8092'

export default defineConfig({
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      '/hub': { target: daemon, ws: true, changeOrigin: true },
      '/api': { target: daemon, changeOrigin: true },
    },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.spec.ts'],
    restoreMocks: true,
  },
})
