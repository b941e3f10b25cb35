import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

// tfjs-core's Node bundle registers neither gradients nor chained ops, and its
// deep `dist/*` modules cannot be imported from plain Node. Bundle those two
// registration modules into our dist (tfjs-core itself stays an external peer),
// as @tensorflow/tfjs does. `testing` imports the package itself, kept external,
// so the conformance suite and the user's code share one copy of core.
export default defineConfig({
  ...baseOptions,
  entry: ['src/index.ts', 'src/testing.ts'],
  external: ['@tensorzoo/core', 'vitest'],
  noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
  dts: {
    // The generated .d.ts loses the chained-op augmentation (x.square()).
    banner: "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';",
  },
});
