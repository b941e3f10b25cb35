#!/usr/bin/env node
// `pnpm new-model <name> [--class <ClassName>] [--description <text>]`
//
// Generates packages/<name> in the standard shape of a TensorZoo model package (see
// CONTRIBUTING.md): package.json, tsconfig.json, tsup.config.ts, README.md, src/index.ts,
// src/<name>.ts (a small working model to replace, in resnet.ts's style), src/models.ts,
// test/conformance.test.ts (the shared suite), test/parity.test.ts (fails with a TODO until
// fixtures/<name>.json exists), scripts/reference/<name>.py (the PyTorch twin that writes that
// fixture) and .changeset/<name>.md; and adds the package to vitest.config.ts's `packages` list.
// Refuses to overwrite anything. Then: `pnpm install` (links the workspace dependency).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const usage = 'usage: pnpm new-model <name> [--class <ClassName>] [--description <text>]   (name: lower-case words joined by "-", e.g. mlp-mixer)';

/** Turns `mlp-mixer` into `MlpMixer`. */
const pascalCase = (name) => name.split('-').map((word) => word[0].toUpperCase() + word.slice(1)).join('');
/** Turns `mlp-mixer` into `mlpMixer`. */
const camelCase = (name) => pascalCase(name).replace(/^./, (first) => first.toLowerCase());

export function packageFiles({ name, className, description }) {
  const snake = name.replaceAll('-', '_');
  const models = `${camelCase(name)}Models`;
  const packageJson = {
    name: `@tensorzoo/${name}`,
    version: '0.0.0',
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
    scripts: { build: 'tsup', lint: 'publint --strict && attw --pack --profile node16', typecheck: 'tsc --noEmit -p .' },
    dependencies: { '@tensorzoo/core': 'workspace:^' },
    peerDependencies: { '@tensorflow/tfjs-core': '^4.22.0' },
    engines: { node: '>=20' },
    devDependencies: { '@tensorflow/tfjs-core': '4.22.0' },
  };
  return {
    [`packages/${name}/package.json`]: `${JSON.stringify(packageJson, null, 2)}\n`,
    [`packages/${name}/tsconfig.json`]: `{\n  "extends": "../../tsconfig.base.json",\n  "include": ["src", "test"]\n}\n`,
    [`packages/${name}/tsup.config.ts`]: `import { defineConfig } from 'tsup';\nimport { baseOptions } from '../../tsup.base';\n\nexport default defineConfig(baseOptions);\n`,
    [`packages/${name}/src/index.ts`]: `export { ${className}, type ${className}Config, type Resolved${className}Config } from './${name}';\nexport { ${models} } from './models';\n`,
    [`packages/${name}/src/models.ts`]: `import type { ModelClass } from '@tensorzoo/core';
import { ${className} } from './${name}';

/**
 * The model classes of this package, for \`loadModel\`'s \`models\` option (a list, not a global
 * registry: importing it registers nothing).
 * @example
 * \`\`\`ts
 * const model = await loadModel('${name}.safetensors', { models: ${models} });
 * \`\`\`
 */
export const ${models}: readonly ModelClass[] = [${className}];
`,
    [`packages/${name}/src/${name}.ts`]: `// TODO(${name}): replace this starter model (LayerNorm -> Linear -> ReLU -> Linear) with yours.
// Keep the shape of the file: options with documented defaults, fields named like the PyTorch
// twin in scripts/reference/${snake}.py, forward on one screen with shape comments.
import * as tf from '@tensorflow/tfjs-core';
import { LayerNorm, Linear, Module, assertInteger, assertShape, resolveGenerator, type Generator } from '@tensorzoo/core';

/** Options of {@link ${className}}; every field is optional. */
export interface ${className}Config {
  /** Features of each input row. Default \`16\`. */
  inputSize?: number;
  /** Width of the hidden layer. Default \`32\`. */
  hiddenSize?: number;
  /** Outputs per row. Default \`4\`. */
  outputSize?: number;
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of a {@link ${className}} (every default filled in, no \`rng\`). */
export type Resolved${className}Config = Required<Omit<${className}Config, 'rng'>>;

/**
 * ${description}
 *
 * Input \`[N, inputSize]\` float32 -> \`[N, outputSize]\`. Parameter names equal the PyTorch twin
 * in \`scripts/reference/${snake}.py\`: \`norm.weight\`, \`norm.bias\`, \`linear1.weight [hidden, in]\`,
 * \`linear1.bias\`, \`linear2.weight [out, hidden]\`, \`linear2.bias\`.
 *
 * @throws ArgumentError when a config value is not a positive integer.
 * @example
 * \`\`\`ts
 * const model = new ${className}({ inputSize: 8, rng: 0 });
 * model.call(tf.zeros([2, 8])).shape;   // [2, 4]
 * \`\`\`
 */
export class ${className} extends Module {
  static override readonly moduleName: string = '${className}';
  /** The configuration, every default filled in. */
  readonly config: Resolved${className}Config;
  norm: LayerNorm;
  linear1: Linear;
  linear2: Linear;

  constructor(config: ${className}Config = {}) {
    super();
    const where = '${className}';
    this.config = {
      inputSize: assertInteger(where, 'inputSize', config.inputSize ?? 16, 1),
      hiddenSize: assertInteger(where, 'hiddenSize', config.hiddenSize ?? 32, 1),
      outputSize: assertInteger(where, 'outputSize', config.outputSize ?? 4, 1),
    };
    const { inputSize, hiddenSize, outputSize } = this.config;
    const rng = resolveGenerator(config.rng);
    this.norm = new LayerNorm(inputSize);
    this.linear1 = new Linear(inputSize, hiddenSize, { rng: rng.fork() });
    this.linear2 = new Linear(hiddenSize, outputSize, { rng: rng.fork() });
  }

  /** The configuration with every default filled in (a copy). */
  getConfig(): Resolved${className}Config {
    return { ...this.config };
  }

  /** Builds a ${className} (fresh random weights) from {@link ${className}.getConfig}'s output; \`loadModel\` uses it. */
  static fromConfig(config: ${className}Config): ${className} {
    return new ${className}(config);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, [null, this.config.inputSize], 'float32');
    const hidden = tf.relu(this.linear1.call(this.norm.call(input))); // [N, hiddenSize]
    return this.linear2.call(hidden); // [N, outputSize]
  }
}
`,
    [`packages/${name}/test/conformance.test.ts`]: `// The shared conformance suite (forward shape, forward vs tfjs's stock cpu kernels, gradients,
// save/load, no leaks, overfit one batch).
import * as tf from '@tensorflow/tfjs-core';
import { describeModuleConformance } from '@tensorzoo/core/testing';
import { ${className} } from '../src/index';

describeModuleConformance('${className}', {
  create: (seed) => new ${className}({ inputSize: 6, hiddenSize: 8, outputSize: 3, rng: seed }),
  input: () => tf.randomNormal([2, 6], 0, 1, 'float32', 7),
  outputShape: [2, 3],
});
`,
    [`packages/${name}/test/parity.test.ts`]: `// Numbers against the PyTorch twin: fixtures/${name}.json is written by
// \`/usr/bin/python3 scripts/reference/${snake}.py\` ({ config, state_dict, input, output }, float64).
import { afterAll, describe, expect, it } from 'vitest';
import { expectClose, fixtureTensor, loadTorchState, readFixture, reportMaxErrors, type FixtureTensor } from '@tensorzoo/core/testing';
import { ${className}, type ${className}Config } from '../src/index';

interface Fixture {
  config: ${className}Config;
  state_dict: Record<string, FixtureTensor>;
  input: FixtureTensor;
  output: FixtureTensor;
}

const FIXTURE = '../fixtures/${name}.json';
/** The kit's policy: |actual - expected| <= 1e-5 + 1e-5 * |expected| (at least 1e-4 off the cpu backend). */
const TOLERANCE = 1e-5;

async function loadFixture(): Promise<Fixture> {
  let json: unknown;
  try {
    json = ((await import(/* @vite-ignore */ FIXTURE)) as { default: unknown }).default;
  } catch (cause) {
    throw new Error(
      \`TODO(${name}): packages/${name}/fixtures/${name}.json does not exist yet. Write the PyTorch twin in scripts/reference/${snake}.py, \` +
        'run it with /usr/bin/python3 to record the reference numbers, and commit the fixture (CONTRIBUTING.md, "Parity with PyTorch").',
      { cause },
    );
  }
  return readFixture('${name}.json', json as Fixture);
}

afterAll(() => reportMaxErrors('${className} parity vs PyTorch float64'));

describe('${className} matches its PyTorch twin', () => {
  it(\`names and forward within \${TOLERANCE}\`, async () => {
    const fixture = await loadFixture();
    const model = new ${className}(fixture.config);
    expect(model.namedVariables().map(([name]) => name)).toEqual(Object.keys(fixture.state_dict));
    loadTorchState(model, fixture.state_dict);
    const input = fixtureTensor(fixture.input);
    const output = model.call(input);
    await expectClose(output, fixture.output, { tolerance: TOLERANCE, label: 'output' });
    input.dispose();
    output.dispose();
    model.dispose();
  });
});
`,
    [`packages/${name}/README.md`]: `# @tensorzoo/${name}

${description}

TODO(${name}): say what the model is (paper, year), its defaults and parameter count, and
the backends it was checked on.

## Install

\`\`\`sh
npm i @tensorzoo/${name} @tensorzoo/core @tensorflow/tfjs-core
\`\`\`

## Example

\`\`\`ts
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from '@tensorzoo/core';
import { ${className} } from '@tensorzoo/${name}';

await setBackend('auto');
const model = new ${className}({ inputSize: 8, rng: 0 });
const output = model.call(tf.randomNormal([2, 8]));   // [2, 4]
output.print();
\`\`\`

## PyTorch

Parameter names and layouts equal the PyTorch twin in
[\`scripts/reference/${snake}.py\`](../../scripts/reference/${snake}.py), so a \`state_dict\` saved
as safetensors loads with \`loadCheckpoint\` and the other way round.
`,
    [`scripts/reference/${snake}.py`]: `#!/usr/bin/env python3
"""PyTorch twin and parity fixture of @tensorzoo/${name}.

    /usr/bin/python3 scripts/reference/${snake}.py

Writes packages/${name}/fixtures/${name}.json ({config, state_dict, input, output}), read by
packages/${name}/test/parity.test.ts. Weights and input are random float32 values; the forward
runs in float64.

TODO(${name}): keep this module identical to src/${name}.ts (same fields, same order, same names).
"""
import torch
from torch import nn

from common import DTYPE, encode, fixtures_dir, randn, randomize, state_dict, write_json

torch.manual_seed(0)


class ${className}(nn.Module):
    def __init__(self, inputSize=16, hiddenSize=32, outputSize=4):
        super().__init__()
        self.norm = nn.LayerNorm(inputSize)
        self.linear1 = nn.Linear(inputSize, hiddenSize)
        self.linear2 = nn.Linear(hiddenSize, outputSize)

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(self.norm(x))))


config = {'inputSize': 6, 'hiddenSize': 8, 'outputSize': 3}
model = ${className}(**config).to(DTYPE)
randomize(model)
x = randn(2, config['inputSize'])
write_json(fixtures_dir('${name}') / '${name}.json', {
    'config': config,
    'state_dict': state_dict(model),
    'input': encode(x),
    'output': encode(model(x)),
})
`,
    [`.changeset/${name}.md`]: `---\n"@tensorzoo/${name}": minor\n---\n\nNew package @tensorzoo/${name}: ${description}\n`,
  };
}

/** Adds `name` to the `packages` array of vitest.config.ts (the @tensorzoo/* source aliases). */
export function addToVitestConfig(text, name) {
  const pattern = /const packages = \[([^\]]*)\];/;
  const match = text.match(pattern);
  if (!match) throw new Error('vitest.config.ts has no `const packages = [...]` list; add the package to the aliases by hand.');
  const names = match[1].split(',').map((entry) => entry.trim().replace(/^'|'$/g, '')).filter(Boolean);
  if (names.includes(name)) return text;
  return text.replace(pattern, `const packages = [${[...names, name].map((entry) => `'${entry}'`).join(', ')}];`);
}

function main() {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { class: { type: 'string' }, description: { type: 'string' }, root: { type: 'string' } } });
  const [name] = positionals;
  if (!name || positionals.length !== 1 || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
    console.error(`new-model: ${name ? `"${name}" is not a valid package name` : 'missing the package name'}.\n${usage}`);
    return 1;
  }
  const className = values.class ?? pascalCase(name);
  if (!/^[A-Z][A-Za-z0-9]*$/.test(className)) {
    console.error(`new-model: --class "${className}" must be a PascalCase identifier, e.g. MlpMixer.`);
    return 1;
  }
  const root = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const description = values.description ?? `${className}, a TensorZoo model with PyTorch-compatible weights.`;
  const files = packageFiles({ name, className, description });
  const taken = [`packages/${name}`, ...Object.keys(files).filter((path) => !path.startsWith(`packages/${name}/`))].filter((path) => existsSync(join(root, path)));
  if (taken.length > 0) {
    console.error(`new-model: refusing to overwrite ${taken.join(', ')}; choose another name or remove them first.`);
    return 1;
  }
  const vitestConfig = join(root, 'vitest.config.ts');
  const updatedConfig = addToVitestConfig(readFileSync(vitestConfig, 'utf8'), name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content, { flag: 'wx' });
  }
  writeFileSync(vitestConfig, updatedConfig);
  console.log(`new-model: created @tensorzoo/${name} (class ${className}):`);
  for (const path of Object.keys(files)) console.log(`  ${path}`);
  console.log(`  vitest.config.ts: '${name}' added to the packages list`);
  console.log(`
Next:
  pnpm install                                          # link the workspace dependency
  pnpm vitest run --project node packages/${name}       # conformance passes; parity fails with a TODO
  /usr/bin/python3 scripts/reference/${name.replaceAll('-', '_')}.py              # write the fixture, then parity passes
Then replace the starter model in packages/${name}/src/${name}.ts and its twin (CONTRIBUTING.md).`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
