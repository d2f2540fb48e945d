import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard builds to `dist/`: `index.html` plus hashed files under `dist/assets/`. The server serves
 * `index.html` at `/` (the views live in the URL hash) and the assets as static files. `vite dev` proxies the API to a
 * running `orcha serve` (ORCHA_URL, default http://127.0.0.1:8080).
 */
const apiUrl = process.env.ORCHA_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { '/api': { target: apiUrl, changeOrigin: false } },
  },
});
