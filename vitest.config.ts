import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

const packageSource = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));
const packages = ['core', 'losses', 'optimizers', 'datasets', 'cli'];

/** Test files shared by all three projects; `*.node.test.ts` need Node APIs and run on cpu only. */
const sharedTests = ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'];
const nodeOnlyTests = ['packages/*/src/**/*.node.test.ts', 'packages/*/test/**/*.node.test.ts'];

export default defineConfig({
  resolve: {
    // Tests run against sources; the packed-tarball smoke test covers the built dist.
    alias: [
      { find: '@tensorzoo/core/testing', replacement: fileURLToPath(new URL('./packages/core/src/testing.ts', import.meta.url)) },
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
        test: { name: 'node', include: sharedTests, environment: 'node', setupFiles: ['./test/setup/node.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'node-webgpu',
          include: sharedTests,
          exclude: nodeOnlyTests,
          environment: 'node',
          pool: 'forks',
          env: { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json', XDG_RUNTIME_DIR: '/tmp' },
          setupFiles: ['./test/setup/webgpu.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: sharedTests,
          exclude: nodeOnlyTests,
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
