import { defineConfig } from 'tsup';
import { baseOptions } from '../../tsup.base';

// Bundle the Boston Housing JSON into dist: a bare external `import ... from '.../data.json'`
// loses its `with { type: 'json' }` attribute in the build and then fails in Node ESM.
export default defineConfig({ ...baseOptions, noExternal: [/^@stdlib\/datasets-harrison-boston-house-prices\/data\//] });
