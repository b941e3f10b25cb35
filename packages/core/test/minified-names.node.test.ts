// Production bundles minify class names (`class Linear` becomes `class x4`). Errors and
// checkpoints must still say "Linear": this bundles core with esbuild's minifier, runs the
// bundle in plain Node, and checks a shape error's module path and a saved model's name.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const coreSource = fileURLToPath(new URL('../src/index.ts', import.meta.url));
let folder: string | undefined;

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

const script = `
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Sequential, ReLU, encodeModel, parseSafetensorsHeader, setBackend } from ${JSON.stringify(coreSource)};
async function main() {
await setBackend('cpu');
const model = new Sequential(new Linear(3, 4, { rng: 0 }), new ReLU(), new Linear(4, 2, { rng: 1 }));
let error;
try {
  model.call(tf.zeros([1, 5]));
} catch (caught) {
  error = caught;
}
const bytes = await encodeModel(new Linear(3, 4, { rng: 0 }));
console.log(JSON.stringify({
  className: Linear.name,
  typeName: new Linear(1, 1).typeName,
  message: error.message,
  errorName: error.name,
  saved: JSON.parse(parseSafetensorsHeader(bytes).metadata['tensorzoo.architecture']).name,
}));
}
main().catch((failure) => { console.error(failure); process.exit(1); });
`;

describe('names in a minified bundle', () => {
  it('errors and saved models keep the real class names', async () => {
    folder = await mkdtemp(join(tmpdir(), 'tensorzoo-minified-'));
    const outfile = join(folder, 'bundle.cjs');
    await build({
      stdin: { contents: script, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
      bundle: true,
      minify: true,
      keepNames: false,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outfile,
      logLevel: 'error',
    });
    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { className: string; typeName: string; message: string; errorName: string; saved: string };
    expect(result.className, 'the minifier renamed the class').not.toBe('Linear');
    expect(result.typeName).toBe('Linear');
    expect(result.saved).toBe('Linear');
    expect(result.errorName).toBe('ShapeError');
    expect(result.message).toBe('Sequential.0 (Linear): input expected shape [..., 3], received [1, 5].');
  }, 120_000);
});
