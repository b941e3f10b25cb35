import type { Options } from 'tsup';

/** Shared build settings: ESM + CJS + .d.ts for every @tensorzoo package. */
export const baseOptions: Options = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: false,
  clean: true,
  target: 'es2022',
  treeshake: true,
};
