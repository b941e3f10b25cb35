// dcgan-mnist and vae-mnist with tiny settings (one or two short epochs): files, grids,
// summaries, --resume and tensor leaks. The full-length numbers are in the issue notes.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d } from '@tensorzoo/core';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { imageGridPng } from '../src/image-grid';
import { runExample } from '../src/index';
import { lineCollector } from './line-collector';
import { temporaryFolders } from './temporary-folders';

const folder = temporaryFolders();
const quiet = { backend: 'cpu', progress: 'none', warn: () => {} } as const;

/**
 * Tensors one batch-norm layer leaks when it is built: 1 while core's BatchNorm keeps the
 * int32 scalar it makes `num_batches_tracked` from (layers/batch-norm.ts), 0 once fixed.
 * dcgan-mnist's generator has two batch-norm layers, and so has its moving average.
 */
function batchNormLeak(): number {
  const before = tf.memory().numTensors;
  new BatchNorm2d(1).dispose();
  return tf.memory().numTensors - before;
}

async function pngSize(path: string): Promise<[number, number]> {
  const png = pngjs.PNG.sync.read(await readFile(path));
  return [png.width, png.height];
}

describe('imageGrid', () => {
  it('tiles NHWC images into a PNG with the given columns, scale and gap', () => {
    // Two 2x3 grey images, values in [-1, 1]: one black, one white.
    const pixels = [...new Array(6).fill(-1), ...new Array(6).fill(1)];
    const png = pngjs.PNG.sync.read(imageGridPng(pixels, [2, 2, 3, 1], { columns: 2, range: [-1, 1], scale: 3, gap: 1 }));
    expect([png.width, png.height]).toEqual([2 * (3 * 3 + 1) + 1, 2 * 3 + 1 + 1]);
    const at = (x: number, y: number) => png.data[(y * png.width + x) * 4];
    expect(at(1, 1)).toBe(0); // inside the first image
    expect(at(11, 1)).toBe(255); // inside the second
    expect(at(0, 0)).toBe(128); // the gap
    expect(() => imageGridPng([0, 0], [1, 1, 1, 2])).toThrow(/images expected shape \[N, H, W, 1 or 3\], received \[1, 1, 1, 2\]/);
  });
});

describe('dcgan-mnist (tiny)', () => {
  it('trains, writes the sample grid, judges the digits, resumes, and leaks no tensors', async () => {
    const outDir = await folder();
    const output = lineCollector();
    const leakPerRun = 4 * batchNormLeak();
    const before = tf.memory().numTensors;
    const first = await runExample('dcgan-mnist', { ...quiet, epochs: 1, outDir, log: output.log });
    expect(tf.memory().numTensors).toBe(before + leakPerRun);
    expect(first.loss).toHaveLength(1);
    expect(first.valLoss).toHaveLength(1);
    expect(first.summary.steps).toBeGreaterThan(0);
    expect(await pngSize(join(outDir, 'samples.png'))).toEqual([10 * 58 + 2, 10 * 58 + 2]); // 10x10 grid (a digit per column), 28 px x2 + 2 px gaps
    expect((await pngSize(first.files.lossCurve))[0]).toBe(640);
    const { generatedConfidence, realConfidence, classifierAccuracy, frechetDistance, realFrechetDistance } = first.summary;
    expect(classifierAccuracy).toBeGreaterThan(0.85);
    expect(realConfidence).toBeGreaterThan(0.8);
    expect(generatedConfidence).toBeGreaterThan(0.1);
    expect(generatedConfidence).toBeLessThanOrEqual(1);
    expect(first.summary.generatedAsAsked).toBeGreaterThanOrEqual(0); // untrained: about chance (0.1)
    expect(first.summary.generatedAsAsked).toBeLessThanOrEqual(1);
    expect(frechetDistance).toBeGreaterThan(realFrechetDistance); // an untrained generator is far from real digits
    const histogram = Array.from({ length: 10 }, (_, digit) => first.summary[`generatedDigit${digit}`]);
    expect(histogram.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(output.text()).toContain('mean max-softmax confidence');

    // --resume continues the same run: the first epoch's numbers are kept, one more is added.
    const resumed = await runExample('dcgan-mnist', { ...quiet, epochs: 2, outDir, resume: first.files.checkpoint, log: () => {} });
    expect(resumed.loss).toHaveLength(2);
    expect(resumed.loss[0]).toBe(first.loss[0]);
    expect(resumed.summary.steps).toBe(2 * first.summary.steps);
    expect(tf.memory().numTensors).toBe(before + 2 * leakPerRun);
  }, 240_000);
});

describe('vae-mnist (tiny)', () => {
  it('trains, reports the test negative ELBO, writes the three grids; 1 + 1 resumed epochs equal 2 straight', async () => {
    const outDir = await folder();
    const output = lineCollector();
    const before = tf.memory().numTensors;
    const first = await runExample('vae-mnist', { ...quiet, epochs: 1, outDir, log: output.log });
    expect(tf.memory().numTensors).toBe(before);
    const { testNegativeElbo, testReconstruction, testKl } = first.summary;
    expect(testNegativeElbo).toBeCloseTo(testReconstruction + testKl, 3);
    expect(testNegativeElbo).toBeLessThan(784 * Math.LN2); // better than predicting 0.5 everywhere
    expect(testKl).toBeGreaterThan(0);
    expect(output.text()).toContain('PyTorch examples vae/main.py');
    const files = await readdir(outDir);
    for (const name of ['vae-samples.png', 'vae-reconstructions.png', 'vae-interpolations.png', 'checkpoint.safetensors']) expect(files).toContain(name);
    expect(await pngSize(join(outDir, 'vae-samples.png'))).toEqual([8 * 58 + 2, 8 * 58 + 2]);
    expect(await pngSize(join(outDir, 'vae-interpolations.png'))).toEqual([10 * 58 + 2, 8 * 58 + 2]);

    const resumed = await runExample('vae-mnist', { ...quiet, epochs: 2, outDir, resume: first.files.checkpoint, log: () => {} });
    const straight = await runExample('vae-mnist', { ...quiet, epochs: 2, outDir: await folder(), log: () => {} });
    expect(resumed.loss).toEqual(straight.loss);
    expect(resumed.valLoss).toEqual(straight.valLoss);
    expect(resumed.summary.testNegativeElbo).toBe(straight.summary.testNegativeElbo);
    expect(tf.memory().numTensors).toBe(before);
  }, 240_000);
});
