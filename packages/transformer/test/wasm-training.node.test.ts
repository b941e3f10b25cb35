import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { setBackend } from '@tensorzoo/core';
import { sparseCategoricalCrossEntropy } from '../../losses/src/index'; // TODO(integrator): '@tensorzoo/losses' once it is a devDependency
import { adamW } from '../../optimizers/src/index'; // TODO(integrator): '@tensorzoo/optimizers' once it is a devDependency
import { GPT, Seq2SeqTransformer } from '../src/index';

// Stock tfjs-wasm has no UnsortedSegmentSum (the gradient of every embedding lookup), so
// without TensorZoo's kernel neither model can train there. Each backend trains the same
// model from the same seed; wasm must give cpu's losses and fall like it.

afterAll(async () => {
  await setBackend('cpu');
});

const crossEntropy = (labels: tf.Tensor, logits: tf.Tensor) => sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true });

/** Losses of `steps` AdamW steps on `backend`, and the tensor count before and after the last ones. */
async function train(backend: 'cpu' | 'wasm', build: () => { model: GPT | Seq2SeqTransformer; loss: () => tf.Scalar; dispose: () => void }, steps: number) {
  await setBackend(backend);
  const { model, loss, dispose } = build();
  const optimizer = adamW({ lr: 1e-2, weightDecay: 0.01 });
  const parameters = model.parameterRecord();
  const names = new Map(Object.entries(parameters).map(([name, variable]) => [variable.name, name]));
  const losses: number[] = [];
  const tensors: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { value, grads } = tf.variableGrads(loss, Object.values(parameters));
    optimizer.step(parameters, Object.fromEntries(Object.entries(grads).map(([id, gradient]) => [names.get(id)!, gradient])));
    losses.push((await value.data())[0]);
    tf.dispose([value, ...Object.values(grads)]);
    tensors.push(tf.memory().numTensors);
  }
  optimizer.dispose();
  model.dispose();
  dispose();
  return { losses, tensors };
}

function gpt() {
  const text = Array.from({ length: 40 }, (_, i) => [3, 1, 4, 1, 5, 9, 2, 6][i % 8]);
  const windows = Array.from({ length: 8 }, (_, start) => text.slice(start, start + 11));
  const x = tf.tensor2d(windows.map((w) => w.slice(0, -1)), [8, 10], 'int32');
  const y = tf.tensor2d(windows.map((w) => w.slice(1)), [8, 10], 'int32');
  const model = new GPT({ vocabSize: 10, contextLength: 10, dModel: 16, numHeads: 2, numLayers: 1, rng: 7 });
  return { model, loss: () => crossEntropy(y, model.call(x)) as tf.Scalar, dispose: () => tf.dispose([x, y]) };
}

function seq2seq() {
  const sources = [[2, 3, 4, 5], [5, 4, 7, 2], [6, 6, 3, 2], [7, 2, 5, 3]];
  const source = tf.tensor2d(sources, [4, 4], 'int32');
  const target = tf.tensor2d(sources.map((row) => [0, ...[...row].reverse()]), [4, 5], 'int32');
  const labels = tf.tensor2d(sources.map((row) => [...[...row].reverse(), 1]), [4, 5], 'int32');
  const model = new Seq2SeqTransformer({
    sourceVocabSize: 8, targetVocabSize: 8, dModel: 16, numHeads: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32, dropout: 0, maxLength: 8, rng: 3,
  });
  return { model, loss: () => crossEntropy(labels, model.call({ source, target })) as tf.Scalar, dispose: () => tf.dispose([source, target, labels]) };
}

describe('GPT and Seq2SeqTransformer train on the wasm backend', () => {
  for (const [name, build] of [['GPT', gpt], ['Seq2SeqTransformer', seq2seq]] as const) {
    it(`${name}: the same losses as on cpu over 30 AdamW steps, falling, without leaks`, async () => {
      const cpu = await train('cpu', build, 30);
      const wasm = await train('wasm', build, 30);
      for (let step = 0; step < 30; step++) expect(wasm.losses[step], `step ${step}`).toBeCloseTo(cpu.losses[step], step < 10 ? 4 : 2);
      expect(wasm.losses[29]).toBeLessThan(wasm.losses[0] / 3);
      expect(wasm.tensors[29]).toBe(wasm.tensors[5]);
    }, 120_000);
  }
});
