import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, readFileBytes, setBackend } from '@tensorzoo/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every guide snippet (apps/docs/snippets/*.ts, shown in the pages with `<<< @/snippets/...`)
// is imported here, which runs it; the assertions check what the guide says it does.
const snippets = fileURLToPath(new URL('../snippets/', import.meta.url));
const run = (name: string) => import(/* @vite-ignore */ join(snippets, name));
let folder: string;
const startFolder = process.cwd();

// scripts/torch-round-trip.mjs passes a folder where PyTorch just wrote fresh files (kept afterwards).
const givenFolder = process.env.DOCS_SNIPPETS_FOLDER;

beforeAll(async () => {
  await setBackend('cpu');
  folder = givenFolder ?? mkdtempSync(join(tmpdir(), 'tensorzoo-docs-'));
  for (const name of readdirSync(join(snippets, 'fixtures'))) {
    if (!existsSync(join(folder, name))) copyFileSync(join(snippets, 'fixtures', name), join(folder, name));
  }
  process.chdir(folder);
});

afterAll(() => {
  process.chdir(startFolder);
  if (!givenFolder) rmSync(folder, { recursive: true, force: true });
});

describe('guide snippets', () => {
  it('quick-start trains y = 2x + 1 and saves a checkpoint with PyTorch names', async () => {
    const { history } = await run('quick-start.ts');
    expect(history.loss.at(-1)).toBeLessThan(history.loss[0] / 10);
    const saved = decodeSafetensors(await readFileBytes('line.safetensors'));
    expect(Object.keys(saved.tensors).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    expect(saved.tensors['0.weight'].shape).toEqual([16, 1]);
  });

  it('bundler: auto selects a working backend after importing the backend packages', async () => {
    const { skipped } = await run('bundler.ts');
    expect(['tensorflow', 'webgpu', 'cpu']).toContain(tf.getBackend());
    expect(Array.isArray(skipped)).toBe(true);
    await setBackend('cpu');
  });

  it('backends: a backend that cannot run here throws a BackendError naming the package', async () => {
    const { message } = await run('backends.ts');
    expect(message).toContain('@tensorflow/tfjs-node-gpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('custom-module: fields become PyTorch-style parameter names; loadStateDict copies by name', async () => {
    const { names, output, model, copy } = await run('custom-module.ts');
    expect(names).toEqual(['scale [2]', 'hidden.weight [8,4]', 'hidden.bias [8]', 'out.weight [2,8]', 'out.bias [2]']);
    expect(output.shape).toEqual([3, 2]);
    copy.eval();
    const input = tf.randomNormal([5, 4], 0, 1, 'float32', 3);
    expect(Array.from(await copy.call(input).data())).toEqual(Array.from(await model.call(input).data()));
  });

  it('custom-loop: the loss falls and no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const { losses } = await run('custom-loop.ts');
    expect(losses.at(-1)).toBeLessThan(losses[0] / 4);
    // x, y, the model's 4 variables and AdamW's slots (2 per parameter) remain; nothing per step.
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(2 + 4 + 8);
  });

  it('training-fit: validation accuracy is reached and a NaN loss stops with TrainingError', async () => {
    const { history, stopped } = await run('training-fit.ts');
    expect(history.valMetrics.accuracy.at(-1)).toBeGreaterThan(0.9);
    expect(stopped?.code).toBe('non-finite-loss');
  });

  it('checkpoint-resume: the resumed run continues the exact same loss curve', async () => {
    const { curveA, curveB, info } = await run('checkpoint-resume.ts');
    expect(info.epoch).toBe(2);
    expect(info.hasOptimizerState && info.hasRngState).toBe(true);
    expect(curveB.length).toBe(curveA.length / 2);
    expect(curveB).toEqual(curveA.slice(curveA.length / 2));
  });

  it('masks: causalMask (true = may attend) and attentionMask (true = blocked) agree', async () => {
    const { viaCausal, viaMask, viaAttentionMask, viaCausalFlag, padded, difference } = await run('masks.ts');
    expect(difference(viaCausal, viaMask)).toBe(0);
    expect(difference(viaAttentionMask, viaCausalFlag)).toBeLessThan(1e-6);
    expect(padded.shape).toEqual([2, 4, 8]);
  });

  it('errors: each example throws the documented class with a code', async () => {
    const { caught } = await run('errors.ts');
    expect(caught).toHaveLength(3);
    expect(caught[0]).toMatch(/^ShapeError /);
    expect(caught[1]).toMatch(/^ArgumentError /);
    expect(caught[2]).toMatch(/^CheckpointError /);
  });

  it('torch-interop: PyTorch weights load by name and reproduce PyTorch output; the tuned weights save in its layout', async () => {
    const { before } = await run('torch-interop.ts');
    expect(before).toBeLessThan(1e-5);
    const tuned = decodeSafetensors(await readFileBytes('encoder_layer_tuned.safetensors'));
    const original = decodeSafetensors(await readFileBytes('encoder_layer.safetensors'));
    expect(Object.keys(tuned.tensors).sort()).toEqual(Object.keys(original.tensors).sort());
    expect(existsSync('encoder_layer_tuned_io.safetensors')).toBe(true);
  });
});

describe('model page snippets', () => {
  it('cnn: every classifier gives the documented output shape', async () => {
    const { simpleShapes, lenetShape, resnetShape, mlpShape } = await run('models-cnn.ts');
    expect(simpleShapes).toEqual([[8, 10], [8, 1]]);
    expect([lenetShape, resnetShape, mlpShape]).toEqual([[8, 10], [8, 10], [8, 10]]);
  });

  it('gan: the trainer runs steps, samples a grid and saves one checkpoint; the conditional generator draws the asked digit', async () => {
    const { history, samples, checkpoint, sevens } = await run('models-gan.ts');
    expect(samples.shape.slice(1)).toEqual([28, 28, 1]);
    expect(sevens.shape).toEqual([4, 28, 28, 1]);
    expect(checkpoint.byteLength).toBeGreaterThan(1000);
    expect(history).toBeDefined();
  });

  it('vae: forward, −ELBO, sampling and interpolation shapes', async () => {
    const { reconstruction, mu, loss, digits, path } = await run('models-vae.ts');
    expect(reconstruction.shape).toEqual([8, 28, 28, 1]);
    expect(mu.shape).toEqual([8, 20]);
    expect(Number.isFinite((await loss.data())[0])).toBe(true);
    expect(digits.shape).toEqual([16, 28, 28, 1]);
    expect(path.shape[0]).toBe(8);
  });

  it('gpt: logits [B, T, V] and a streamed continuation', async () => {
    const { logits, continuation } = await run('models-gpt.ts');
    expect(logits.shape.slice(0, 2)).toEqual([2, 4]);
    expect(continuation).toHaveLength(6);
  });

  it('seq2seq: teacher-forced logits and greedy decoding', async () => {
    const { logits, decoded } = await run('models-seq2seq.ts');
    expect(logits.shape).toEqual([2, 5, 13]);
    expect(decoded).toHaveLength(2);
  });

  it('layers and attention: the documented shapes', async () => {
    const { encoded, decoded, encoder, attended, crossed } = await run('models-layers.ts');
    expect([encoded.shape, decoded.shape, attended.shape, crossed.shape]).toEqual([[2, 7, 16], [2, 7, 16], [2, 7, 16], [2, 7, 16]]);
    expect(encoder.namedParameters().some(([name]: [string]) => name.startsWith('layers.2.'))).toBe(true);
  });
});
