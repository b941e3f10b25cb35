import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

// tfjs-core stays fully external: gradients and chained ops are registered from tfjs-core's
// own modules (no copy of its code in our dist). `#register-gradients` is resolved by the
// package's `imports` map at install time: register-gradients.js for bundlers, the
// register-gradients-node* files (a resolution hook that lets Node load tfjs-core's own
// registration modules) for plain Node. `testing` imports the package itself, kept external,
// so the conformance suite and the user's code share one copy of core.
const external = ['@tensorzoo/core', 'vitest', '#register-gradients', /^@tensorflow\//];

export default defineConfig([
  {
    ...baseOptions,
    clean: false, // the build script empties dist first; the two configs run in parallel
    // Named entries: the test kit lives in src/testing/ and is published as dist/testing.*.
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing/index.ts',
      'register-gradients': 'src/register-gradients.ts',
      'register-gradients-node': 'src/register-gradients-node.ts',
    },
    external,
    dts: {
      // The generated .d.ts loses the chained-op augmentation (x.square()).
      banner: "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';",
    },
  },
  {
    // Node ES modules wait for the registration at import (top-level await): ESM only.
    ...baseOptions,
    entry: ['src/register-gradients-node-esm.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
    external,
  },
]);
