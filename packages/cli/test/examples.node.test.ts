import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, CheckpointError, Linear, saveCheckpoint } from '@tensorzoo/core';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { examples, runExample, type RunResult } from '../src/index';
import { lineCollector } from './line-collector';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();
const quiet = { backend: 'cpu', progress: 'none', warn: () => {} } as const;

async function expectRunFiles(result: RunResult): Promise<void> {
  for (const path of Object.values(result.files)) expect((await stat(path)).size).toBeGreaterThan(0);
  const png = pngjs.PNG.sync.read(await readFile(result.files.lossCurve));
  expect([png.width, png.height]).toEqual([640, 400]);
  const saved = JSON.parse(await readFile(result.files.history, 'utf8')) as RunResult;
  expect(saved.loss).toEqual(result.loss);
  expect(saved.valLoss).toEqual(result.valLoss);
  expect(saved.summary).toEqual(result.summary);
}

// The tabular examples; the image and text examples have their own files with tiny settings.
describe.each(['regression', 'house-prices'])('%s with a few epochs', (name) => {
  it('writes loss.png (640 × 400), checkpoint.safetensors and history.json; the loss falls; no tensor leaks', async () => {
    const outDir = await folder();
    const tensorsBefore = tf.memory().numTensors;
    const result = await runExample(name, { ...quiet, epochs: 5, outDir, log: () => {} });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.files.lossCurve).toBe(join(outDir, 'loss.png'));
    expect(result.loss).toHaveLength(5);
    expect(result.valLoss).toHaveLength(5);
    expect(result.loss[4]).toBeLessThan(result.loss[0]);
    expect(result.valLoss[4]).toBeLessThan(result.valLoss[0]);
    await expectRunFiles(result);
  });
});

describe('results with the default settings', () => {
  it('regression learns y = 2x + 1 to a max error < 0.05 on [-1, 1] and prints the mapping', async () => {
    const output = lineCollector();
    const result = await runExample('regression', { ...quiet, outDir: await folder(), log: output.log });
    expect(result.epochs).toBe(200);
    expect(result.summary.maxError).toBeLessThan(0.05);
    expect(output.text()).toMatch(/^ +-0\.50 +-?\d\.\d{4} +0\.0000/m);
    expect(output.text()).toContain(`max |prediction - (2x + 1)| on [-1, 1] (201 points): ${result.summary.maxError.toFixed(4)} (< 0.05)`);
  });

  it("house-prices: the SGD model's test RMSE is within 2% of the exact least-squares one", async () => {
    const output = lineCollector();
    const result = await runExample('house-prices', { ...quiet, outDir: await folder(), log: output.log });
    const { testRmse, exactTestRmse, testRmseRatio } = result.summary;
    expect(testRmseRatio).toBeCloseTo(testRmse / exactTestRmse, 12);
    expect(Math.abs(testRmseRatio - 1)).toBeLessThanOrEqual(0.02);
    expect(testRmse).toBeGreaterThan(2); // in $1000s: a linear model is not that good
    expect(testRmse).toBeLessThan(8);
    expect(output.text()).toContain(`test RMSE ratio SGD / least squares: ${testRmseRatio.toFixed(4)} (within 2%)`);
    expect(result.valLabel).toBe('test');
  });
});

describe('--resume', () => {
  it('2 epochs + 2 resumed epochs give exactly the history, weights and results of 4 straight epochs', async () => {
    const [first, resumed, straight] = [await folder(), await folder(), await folder()];
    const options = { ...quiet, log: () => {}, seed: 7 };
    await runExample('regression', { ...options, epochs: 2, outDir: first });
    const continued = await runExample('regression', { ...quiet, log: () => {}, epochs: 4, outDir: resumed, resume: join(first, 'checkpoint.safetensors') });
    const reference = await runExample('regression', { ...options, epochs: 4, outDir: straight });
    expect(continued.seed).toBe(7); // taken from the checkpoint
    expect(continued.loss).toEqual(reference.loss);
    expect(continued.valLoss).toEqual(reference.valLoss);
    expect(continued.steps).toBe(reference.steps);
    expect(continued.summary).toEqual(reference.summary);
    const checkpoint = (dir: string) => readFile(join(dir, 'checkpoint.safetensors'));
    expect(Buffer.compare(await checkpoint(resumed), await checkpoint(straight))).toBe(0);
  });

  it('rejects a checkpoint of another example, a different seed and a total below the saved epoch', async () => {
    const outDir = await folder();
    await runExample('house-prices', { ...quiet, log: () => {}, epochs: 3, outDir });
    const checkpoint = join(outDir, 'checkpoint.safetensors');
    const wrongExample = runExample('regression', { ...quiet, log: () => {}, resume: checkpoint, outDir: await folder() });
    await expect(wrongExample).rejects.toSatisfy((error) => CheckpointError.isInstance(error));
    await expect(wrongExample).rejects.toThrow(/is a checkpoint of "house-prices", not "regression"/);
    await expect(runExample('house-prices', { ...quiet, log: () => {}, resume: checkpoint, seed: 5, outDir: await folder() })).rejects.toThrow(
      /seed 5 differs from the seed 0 of/,
    );
    await expect(runExample('house-prices', { ...quiet, log: () => {}, resume: checkpoint, epochs: 2, outDir: await folder() })).rejects.toThrow(
      /is at epoch 3, past the requested total of 2 epochs/,
    );
    await expect(runExample('house-prices', { ...quiet, log: () => {}, resume: join(outDir, 'missing.safetensors'), outDir: await folder() })).rejects.toThrow(/cannot read the file/);
  });

  it('rejects a file that is not a checkpoint, and a checkpoint not written by the CLI', async () => {
    const outDir = await folder();
    const text = join(outDir, 'notes.txt');
    await writeFile(text, 'not a checkpoint');
    await expect(runExample('regression', { ...quiet, resume: text, outDir })).rejects.toThrow(`${text}: not a safetensors checkpoint`);
    const plain = join(outDir, 'plain.safetensors');
    const model = new Linear(1, 1, { rng: 0 });
    await saveCheckpoint(plain, model);
    model.dispose();
    await expect(runExample('regression', { ...quiet, resume: plain, outDir })).rejects.toThrow(
      `${plain} was not written by "tensorzoo train" (it has no tensorzoo.cli.example metadata), so it cannot be resumed.`,
    );
  });
});

describe('argument errors', () => {
  it('an unknown example name lists the valid ones', async () => {
    const run = runExample('mnist', quiet);
    await expect(run).rejects.toSatisfy((error) => ArgumentError.isInstance(error));
    await expect(run).rejects.toThrow(`unknown example "mnist". Valid examples: ${examples.map((example) => example.name).join(', ')} (see "tensorzoo list").`);
  });

  it('bad epochs, seed and backend are named', async () => {
    await expect(runExample('regression', { ...quiet, epochs: 0 })).rejects.toThrow('runExample: epochs (0) must be an integer >= 1.');
    await expect(runExample('regression', { ...quiet, seed: 1.5 })).rejects.toThrow('runExample: seed (1.5) must be an integer in [0, 4294967295].');
    await expect(runExample('regression', { ...quiet, backend: 'cuda' as 'cpu' })).rejects.toThrow(
      'runExample: backend "cuda" is not one of auto, cpu, wasm, webgpu, tensorflow.',
    );
    await expect(runExample('regression', { ...quiet, hyperparameters: { learningRate: -1 } })).rejects.toThrow('runExample: learningRate (-1) must be a finite number > 0.');
    await expect(runExample('regression', { ...quiet, hyperparameters: { stepsPerEpoch: 2.5 } })).rejects.toThrow('runExample: stepsPerEpoch (2.5) must be an integer >= 1.');
  });
});

describe('stopping', () => {
  it('an aborted signal stops training with a TrainingError "aborted", writes no checkpoint and leaks nothing', async () => {
    const outDir = await folder();
    const controller = new AbortController();
    controller.abort(new Error('Ctrl-C'));
    const tensorsBefore = tf.memory().numTensors;
    await expect(runExample('regression', { ...quiet, log: () => {}, outDir, signal: controller.signal })).rejects.toMatchObject({
      name: 'TrainingError',
      code: 'aborted',
    });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    await expect(stat(join(outDir, 'checkpoint.safetensors'))).rejects.toThrow(/ENOENT/);
  });
});
