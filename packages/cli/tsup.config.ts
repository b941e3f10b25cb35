import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

// tfjs-core and the @tensorzoo packages stay external: bundling tfjs-core into an ESM Node
// bundle fails at run time with `Dynamic require of "util"`, and one shared copy of each
// keeps the kernel and gradient registries (globals) in one place.
const external = [/^@tensorflow\//, /^@tensorzoo\//];

export default defineConfig([
  // The library: ESM + CJS + .d.ts. Its clean keeps bin.cjs, which the second build writes.
  { ...baseOptions, entry: ['src/index.ts'], external, clean: ['!bin.cjs'] },
  // The `tensorzoo` command: one CJS file; esbuild keeps the shebang and tsup makes it executable.
  { ...baseOptions, entry: ['src/bin.ts'], format: ['cjs'], dts: false, clean: false, external },
]);
