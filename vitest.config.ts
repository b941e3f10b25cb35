import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

const packageSource = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
const packages = ['core', 'losses', 'optimizers', 'datasets', 'attention', 'transformer', 'cnn', 'gan', 'vae', 'cli'];

/**
 * Every package keeps its tests in `packages/<pkg>/test/` (subfolders mirror `src/`). Test
 * files are shared by all three projects; `*.node.test.ts` need Node APIs and run in the node
 * (cpu) project only; `*.browser.test.ts` run in the browser project only.
 */
const sharedTests = ['packages/*/test/**/*.test.ts', 'python/*/tests/**/*.test.ts'];
const onlyIn = (kind: string) => [`packages/*/test/**/*.${kind}.test.ts`, `python/*/tests/**/*.${kind}.test.ts`];

export default defineConfig({
  resolve: {
    // Tests run against sources; the packed-tarball smoke test covers the built dist.
    alias: [
      { find: '#register-gradients', replacement: fileURLToPath(new URL('./packages/core/src/register-gradients.ts', import.meta.url)) },
      { find: '@tensorzoo/datasets/fashion-mnist', replacement: fileURLToPath(new URL('./packages/datasets/src/fashion-mnist.ts', import.meta.url)) },
      { find: '@tensorzoo/datasets/mnist', replacement: fileURLToPath(new URL('./packages/datasets/src/mnist.ts', import.meta.url)) },
      { find: '@tensorzoo/core/testing', replacement: fileURLToPath(new URL('./packages/core/src/testing/index.ts', import.meta.url)) },
      ...packages.map((name) => ({ find: new RegExp(`^@tensorzoo/${name}$`), replacement: packageSource(name) })),
    ],
  },
  optimizeDeps: {
    include: [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow/tfjs-backend-webgl',
    ],
  },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: sharedTests,
          exclude: onlyIn('browser'),
          environment: 'node',
          setupFiles: ['./test/setup/node.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'node-webgpu',
          include: sharedTests,
          exclude: [...onlyIn('node'), ...onlyIn('browser')],
          environment: 'node',
          pool: 'forks',
          env: { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json', XDG_RUNTIME_DIR: '/tmp' },
          setupFiles: ['./test/setup/webgpu.ts'],
        },
      },
      {
        extends: true,
        // Cross-origin isolation (COOP/COEP), as a page that wants threads serves it: the
        // GEMM's worker threads need SharedArrayBuffer (gemm-threads.browser.test.ts).
        server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
        test: {
          name: 'browser',
          include: sharedTests,
          exclude: onlyIn('node'),
          setupFiles: ['./test/setup/webgpu.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({
              launchOptions: { executablePath: '/usr/bin/chromium', args: ['--enable-unsafe-webgpu'] },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
