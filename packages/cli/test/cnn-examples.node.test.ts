// cnn-mnist, cnn-binary and mlp-mnist with tiny settings (one or two 25-step epochs), and the
// helpers they share. The full-length numbers are in the issue notes.
import { stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { Generator } from '@tensorzoo/core';
import { loadMnist } from '@tensorzoo/datasets/mnist';
import { describe, expect, it } from 'vitest';
import { confusionMatrix, formatConfusion } from '../src/examples/helpers/confusion';
import { imageEpochs } from '../src/examples/helpers/images';
import { runExample, type RunResult } from '../src/index';
import { lineCollector } from './line-collector';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();
const quiet = { backend: 'cpu', progress: 'none', warn: () => {} } as const;

async function expectFiles(result: RunResult): Promise<void> {
  for (const path of Object.values(result.files)) expect((await stat(path)).size).toBeGreaterThan(0);
}

describe('image batches and confusion matrices', () => {
  it('imageEpochs: one epoch per loop, shifted copies of the images, drawn from the generator', async () => {
    const data = await loadMnist({ split: 'test', limit: 40 });
    const epochs = (maxShift: number, seed: number) => imageEpochs(data, { steps: 3, batchSize: 16, maxShift, rng: new Generator(seed) });
    const sums = async (source: Iterable<{ x: tf.Tensor; y: tf.Tensor }>) => {
      const out: number[] = [];
      for (const batch of source) {
        expect(batch.x.shape).toEqual([16, 28, 28, 1]);
        expect(batch.y.dtype).toBe('int32');
        const sum = tf.sum(batch.x);
        out.push((await sum.data())[0]);
        sum.dispose();
      }
      return out;
    };
    const before = tf.memory().numTensors;
    const unshifted = await sums(epochs(0, 1));
    expect(unshifted).toHaveLength(3);
    expect(await sums(epochs(0, 1))).toEqual(unshifted);
    // The same images moved by up to 2 pixels: a little ink near the border may fall off.
    const shifted = await sums(epochs(2, 1));
    expect(shifted).not.toEqual(unshifted);
    shifted.forEach((sum, index) => expect(Math.abs(sum - unshifted[index]) / unshifted[index]).toBeLessThan(0.02));
    expect(tf.memory().numTensors).toBe(before); // every batch was disposed
    expect(await sums(epochs(2, 2))).not.toEqual(shifted); // another generator draws other images
  });

  it('confusionMatrix counts true rows x predicted columns; formatConfusion lays it out', () => {
    const matrix = confusionMatrix([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], 2);
    expect(matrix).toEqual([[1, 1], [1, 2]]);
    expect(formatConfusion(matrix, ['Sneaker', 'Ankle boot'])).toEqual([
      'true \\ predicted      Sneaker Ankle boot',
      'Sneaker                     1          1',
      'Ankle boot                  1          2',
    ]);
  });
});

describe('cnn-mnist (tiny)', () => {
  it('trains LeNet-5, scores all 2,000 held-out digits with a confusion matrix, resumes, leaks nothing', async () => {
    const outDir = await folder();
    const output = lineCollector();
    const before = tf.memory().numTensors;
    const first = await runExample('cnn-mnist', { ...quiet, epochs: 1, outDir, log: output.log });
    expect(tf.memory().numTensors).toBe(before);
    expect(first.steps).toBe(25);
    expect(first.loss).toHaveLength(1);
    expect(first.valLabel).toBe('test (500 digits)');
    await expectFiles(first);
    const { testAccuracy, testErrors } = first.summary;
    expect(testAccuracy).toBeGreaterThan(0.3); // 25 steps: far above chance (0.1), far from done
    expect(testErrors).toBe(Math.round(2000 * (1 - testAccuracy)));
    const text = output.text();
    expect(text).toContain(`test accuracy: ${(testAccuracy * 100).toFixed(2)}% (${2000 - testErrors} / 2000 held-out digits)`);
    expect(text).toMatch(/^ {2}true \\ predicted +0 +1 +2 +3 +4 +5 +6 +7 +8 +9$/m);
    expect(text).toMatch(/^ {2}9 +(\d+ +){9}\d+$/m);
    // --resume continues the run with the saved generator: the first epoch is kept, one is added.
    const resumed = await runExample('cnn-mnist', { ...quiet, epochs: 2, outDir, resume: first.files.checkpoint, log: () => {} });
    expect(resumed.loss).toHaveLength(2);
    expect(resumed.loss[0]).toBe(first.loss[0]);
    expect(resumed.steps).toBe(50);
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);
});

describe('cnn-binary (tiny)', () => {
  it('trains the seed 003 network with a sigmoid unit; a 2x2 confusion matrix over the 2,800 held-out images', async () => {
    const outDir = await folder();
    const output = lineCollector();
    const before = tf.memory().numTensors;
    const result = await runExample('cnn-binary', { ...quiet, epochs: 1, outDir, log: output.log });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.steps).toBe(25);
    await expectFiles(result);
    const { testAccuracy, truePositives, falsePositives, trueNegatives, falseNegatives, precision, recall } = result.summary;
    expect(truePositives + falsePositives + trueNegatives + falseNegatives).toBe(2800);
    expect(truePositives + falseNegatives).toBe(1400); // ankle boots
    expect(testAccuracy).toBeCloseTo((truePositives + trueNegatives) / 2800, 12);
    expect(testAccuracy).toBeGreaterThan(0.6);
    expect(precision).toBeCloseTo(truePositives / Math.max(1, truePositives + falsePositives), 12);
    expect(recall).toBeCloseTo(truePositives / 1400, 12);
    const text = output.text();
    expect(text).toContain('data: Fashion-MNIST Sneaker (0) vs Ankle boot (1): 4000 training / 2800 held-out images');
    expect(text).toMatch(new RegExp(`^ {2}Sneaker +${trueNegatives} +${falsePositives}$`, 'm'));
    expect(text).toMatch(new RegExp(`^ {2}Ankle boot +${falseNegatives} +${truePositives}$`, 'm'));
  }, 240_000);
});

describe('mlp-mnist (tiny)', () => {
  it("trains seed 001's 784-2048-1024-10 MLP and scores the 2,000 held-out digits", async () => {
    const output = lineCollector();
    // wasm keeps this test off the cpu kernels exercised by the other examples (about 40-60 s here).
    const result = await runExample('mlp-mnist', { ...quiet, backend: 'wasm', epochs: 1, outDir: await folder(), log: output.log });
    expect(result.steps).toBe(25);
    expect(result.summary.testAccuracy).toBeGreaterThan(0.6);
    expect(output.text()).toContain('model: MLP 784-2048-1024-10 (ReLU): 3716106 parameters');
  }, 600_000);
});
