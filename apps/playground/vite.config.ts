import { defineConfig } from 'vite';

// The app uses the zoo's packages exactly as an npm user would: package names, resolved to
// their built `dist` through the exports maps (run `pnpm turbo run build --filter=playground...`).
export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs-core alone is ~500 KB unminified; the per-screen chunks are reported by the e2e run.
    chunkSizeWarningLimit: 1500,
  },
  preview: { port: 4173, strictPort: true },
});
