import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interruptReason, main } from '../src/cli';
import { examples } from '../src/examples/index';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();

/** Runs the CLI with captured output. */
async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'tensorzoo', ...args], { out: (text) => (out += text), err: (text) => (err += text) }, { progress: 'none' });
  return { code, out, err };
}

describe('tensorzoo CLI', () => {
  it('list prints every example with its description', async () => {
    const { code, out } = await cli('list');
    expect(code).toBe(0);
    expect(out).toMatch(/^regression {2,}a 1-16-1 sigmoid network learns y = 2x \+ 1/m);
    expect(out).toMatch(/^house-prices {2,}linear regression of Boston house prices/m);
  });

  it('train runs an example into --out and prints its results', async () => {
    const outDir = await folder();
    const { code, out, err } = await cli('train', 'house-prices', '--backend', 'cpu', '--epochs', '3', '--seed', '1', '--out', outDir);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('house-prices: backend cpu, seed 1, 3 epochs');
    expect(out).toMatch(/test RMSE ratio SGD \/ least squares: \d\.\d{4}/);
    const history = JSON.parse(await readFile(join(outDir, 'history.json'), 'utf8'));
    expect(history).toMatchObject({ example: 'house-prices', backend: 'cpu', seed: 1, epochs: 3 });
  });

  it('--resume continues from the saved epoch', async () => {
    const outDir = await folder();
    expect((await cli('train', 'regression', '--backend', 'cpu', '--epochs', '2', '--out', outDir)).code).toBe(0);
    const { code, out } = await cli('train', 'regression', '--backend', 'cpu', '--epochs', '3', '--out', outDir, '--resume', join(outDir, 'checkpoint.safetensors'));
    expect(code).toBe(0);
    expect(out).toContain(`regression: backend cpu, seed 0, 3 epochs, resuming from ${join(outDir, 'checkpoint.safetensors')}`);
    expect(JSON.parse(await readFile(join(outDir, 'history.json'), 'utf8')).loss).toHaveLength(3);
  });

  it('--lr, --batch-size and --steps reach the run and are reused by --resume', async () => {
    const outDir = await folder();
    const first = await cli('train', 'regression', '--backend', 'cpu', '--epochs', '2', '--lr', '0.05', '--batch-size', '8', '--steps', '3', '--out', outDir);
    expect(first.err).toBe('');
    expect(first.out).toContain('regression: backend cpu, seed 0, 2 epochs, learningRate 0.05, batchSize 8, stepsPerEpoch 3');
    expect(JSON.parse(await readFile(join(outDir, 'history.json'), 'utf8')).steps).toBe(6);
    const resumed = await cli('train', 'regression', '--backend', 'cpu', '--epochs', '3', '--out', outDir, '--resume', join(outDir, 'checkpoint.safetensors'));
    expect(resumed.out).toContain('3 epochs, learningRate 0.05, batchSize 8, stepsPerEpoch 3, resuming from');
    expect(JSON.parse(await readFile(join(outDir, 'history.json'), 'utf8')).steps).toBe(9);
  });

  it.each(['house-prices'])('%s honours --steps and --batch-size', async (name) => {
    const outDir = await folder();
    const { code, err } = await cli('train', name, '--backend', 'cpu', '--epochs', '1', '--steps', '2', '--batch-size', '4', '--out', outDir);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(await readFile(join(outDir, 'history.json'), 'utf8')).steps).toBe(2);
  });

  it('an unknown example exits with 1 and lists the valid ones', async () => {
    const { code, out, err } = await cli('train', 'mnist');
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(`error: unknown example "mnist". Valid examples: ${examples.map((example) => example.name).join(', ')} (see "tensorzoo list").\n`);
  });

  it.each([
    [['--epochs', 'ten'], `error: option '--epochs <n>' argument 'ten' is invalid. --epochs must be a whole number from 1 to 1000000, received "ten".`],
    [['--epochs', '0'], '--epochs must be a whole number from 1 to 1000000, received "0".'],
    [['--epochs', '2.5'], '--epochs must be a whole number from 1 to 1000000, received "2.5".'],
    [['--seed', '-1'], '--seed must be a whole number from 0 to 4294967295, received "-1".'],
    [['--seed', '1e3'], '--seed must be a whole number from 0 to 4294967295, received "1e3".'],
    [['--lr', '0'], '--lr must be a number > 0, e.g. 0.001 or 3e-4, received "0".'],
    [['--lr', 'fast'], '--lr must be a number > 0, e.g. 0.001 or 3e-4, received "fast".'],
    [['--batch-size', '0'], '--batch-size must be a whole number from 1 to 1000000, received "0".'],
    [['--steps', '1.5'], '--steps must be a whole number from 1 to 1000000, received "1.5".'],
    [['--backend', 'cuda'], `error: option '--backend <name>' argument 'cuda' is invalid. Allowed choices are auto, cpu, wasm, webgpu, tensorflow.`],
  ])('rejects %j with a clear message and exit code 1', async (flags, message) => {
    const { code, err } = await cli('train', 'regression', ...flags);
    expect(code).toBe(1);
    expect(err).toContain(message);
  });

  it('a missing example argument and an unknown command are errors', async () => {
    expect(await cli('train')).toMatchObject({ code: 1, err: expect.stringContaining("missing required argument 'example'") });
    expect(await cli('predict')).toMatchObject({ code: 1, err: expect.stringContaining("unknown command 'predict'") });
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s before the first epoch ends exits with %i and says no checkpoint was written', async (signal, exitCode) => {
    const controller = new AbortController();
    controller.abort(interruptReason(signal));
    let err = '';
    const outDir = await folder();
    const code = await main(['node', 'tensorzoo', 'train', 'regression', '--backend', 'cpu', '--out', outDir], { out: () => {}, err: (text) => (err += text) }, { signal: controller.signal, progress: 'none' });
    expect(code).toBe(exitCode);
    expect(err).toBe(`\ninterrupted (${signal}). regression: stopped during epoch 1 of 200 before finishing an epoch, so no checkpoint was written.\n`);
  });

  it('--out naming a file, or a folder under a file, is a clear error', async () => {
    const file = join(await folder(), 'notes.txt');
    await writeFile(file, 'not a folder');
    expect(await cli('train', 'regression', '--backend', 'cpu', '--out', file)).toMatchObject({
      code: 1,
      err: `error: --out ${file} is a file, not a folder; pass a folder for the run's files (it is created if missing), e.g. --out runs/my-run.\n`,
    });
    expect(await cli('train', 'regression', '--backend', 'cpu', '--out', join(file, 'run'))).toMatchObject({
      code: 1,
      err: `error: --out ${join(file, 'run')}: cannot create the folder (a parent of it is a file); pass a folder path, e.g. --out runs/my-run.\n`,
    });
  });

  it('--help exits with 0', async () => {
    const { code, out } = await cli('train', '--help');
    expect(code).toBe(0);
    expect(out).toContain('--resume <checkpoint>');
  });
});
