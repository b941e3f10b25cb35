// One-off helper used to scaffold package.json files consistently.
import { writeFileSync, existsSync, readFileSync } from 'node:fs';
const [name, description, deps = '', extra = '{}'] = process.argv.slice(2);
const path = `packages/${name}/package.json`;
const pkg = {
  name: `@tensorzoo/${name}`,
  version: '0.1.0',
  description,
  license: 'MIT',
  type: 'module',
  sideEffects: false,
  main: './dist/index.cjs',
  module: './dist/index.js',
  types: './dist/index.d.ts',
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
  files: ['dist', 'README.md'],
  repository: { type: 'git', url: 'git+https://github.com/tensorzoo/tensorzoo.git', directory: `packages/${name}` },
  keywords: ['tensorflow', 'tfjs', 'machine-learning', 'deep-learning', 'webgpu'],
  scripts: {
    build: 'tsup',
    lint: 'publint --strict && attw --pack --profile node16',
    typecheck: 'tsc --noEmit -p .',
  },
  dependencies: Object.fromEntries(deps.split(',').filter(Boolean).map((d) => [`@tensorzoo/${d}`, 'workspace:^'])),
  peerDependencies: { '@tensorflow/tfjs-core': '^4.22.0' },
  ...JSON.parse(extra),
};
if (Object.keys(pkg.dependencies).length === 0) delete pkg.dependencies;
writeFileSync(path, JSON.stringify(pkg, null, 2) + '\n');
