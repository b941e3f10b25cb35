import { defineConfig } from 'vitest/config';

// The guide snippets run in Node against the BUILT packages (node_modules/@tensorzoo/* -> dist),
// as an npm user would run them. Each snippet writes its files into a fresh temporary folder.
export default defineConfig({
  test: {
    include: ['test/snippets.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 120_000,
  },
});
