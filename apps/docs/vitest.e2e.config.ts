import { defineConfig } from 'vitest/config';

// The built site in real Chromium (apps/docs/.vitepress/dist, served by `vitepress preview`).
// Run `pnpm --filter docs build` first.
export default defineConfig({
  test: {
    include: ['test/e2e.test.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 120_000,
  },
});
