import { defineConfig } from 'vite';

// The app uses the zoo's packages exactly as an npm user would: package names, resolved to
// their built `dist` through the exports maps (run `pnpm turbo run build --filter=playground...`).
/**
 * Cross-origin isolation (COOP/COEP): with it the page may use SharedArrayBuffer, so the
 * worker runs TensorZoo's matrix products on several threads (`setNumThreads`). A static host
 * serving the build should send the same two headers; without them the app runs on one thread.
 */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  base: './',
  server: { headers: isolation },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs-core alone is ~500 KB unminified; the per-screen chunks are reported by the e2e run.
    chunkSizeWarningLimit: 1500,
  },
  preview: { port: 4173, strictPort: true, headers: isolation },
});
