import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import {
  binaryCrossEntropy,
  categoricalCrossEntropy,
  hingeLoss,
  logLoss,
  sparseCategoricalCrossEntropy,
} from '../src/classification';

describe('classification losses: validation', () => {
  it.each([
    ['binaryCrossEntropy', binaryCrossEntropy],
    ['logLoss', logLoss],
    ['categoricalCrossEntropy', categoricalCrossEntropy],
    ['hingeLoss', hingeLoss],
  ] as const)('%s rejects a shape mismatch', (name, loss) => {
    const yTrue = tf.zeros([4, 1]);
    const yPred = tf.zeros([4, 2]);
    expect(() => loss(yTrue, yPred)).toThrow(ShapeError);
    expect(() => loss(yTrue, yPred)).toThrow(`${name}: yTrue shape [4, 1] must equal yPred shape [4, 2].`);
    tf.dispose([yTrue, yPred]);
  });

  it('sparseCategoricalCrossEntropy wants int32 labels shaped like yPred without its class axis', () => {
    const logits = tf.zeros([4, 3]);
    const floatLabels = tf.zeros([4]);
    const columnLabels = tf.zeros([4, 1], 'int32');
    const oneClass = tf.zeros([4, 1]);
    const labels = tf.zeros([4], 'int32');
    expect(() => sparseCategoricalCrossEntropy(floatLabels, logits)).toThrow(ShapeError);
    expect(() => sparseCategoricalCrossEntropy(floatLabels, logits)).toThrow(
      `sparseCategoricalCrossEntropy: yTrue dtype float32 must be int32 (class indices); convert it with tf.cast(yTrue, 'int32').`,
    );
    expect(() => sparseCategoricalCrossEntropy(columnLabels, logits)).toThrow(ShapeError);
    expect(() => sparseCategoricalCrossEntropy(columnLabels, logits)).toThrow(
      'sparseCategoricalCrossEntropy: yTrue shape [4, 1] must equal yPred shape [4, 3] without its last (class) axis, [4].',
    );
    expect(() => sparseCategoricalCrossEntropy(labels, oneClass)).toThrow(
      'sparseCategoricalCrossEntropy: yPred shape [4, 1] must have at least 2 classes on its last axis.',
    );
    tf.dispose([logits, floatLabels, columnLabels, oneClass, labels]);
  });

  it.each([1, -0.1, 1.5, Number.NaN])('rejects labelSmoothing %s', (labelSmoothing) => {
    const probabilities = tf.fill([2, 3], 1 / 3);
    const labels = tf.tensor1d([0, 2], 'int32');
    expect(() => categoricalCrossEntropy(probabilities, probabilities, { labelSmoothing })).toThrow(ArgumentError);
    expect(() => categoricalCrossEntropy(probabilities, probabilities, { labelSmoothing })).toThrow(
      `categoricalCrossEntropy: labelSmoothing (${labelSmoothing}) must be in [0, 1).`,
    );
    expect(() => sparseCategoricalCrossEntropy(labels, probabilities, { labelSmoothing })).toThrow(
      `sparseCategoricalCrossEntropy: labelSmoothing (${labelSmoothing}) must be in [0, 1).`,
    );
    tf.dispose([probabilities, labels]);
  });

  it('rejects a negative logLoss epsilon and an unknown reduction', () => {
    const x = tf.fill([2], 0.5);
    expect(() => logLoss(x, x, { epsilon: -1 })).toThrow('logLoss: epsilon (-1) must be a finite number >= 0.');
    expect(() => hingeLoss(x, x, { reduction: 'batchmean' as 'mean' })).toThrow(
      `hingeLoss: reduction ("batchmean") must be one of 'mean', 'sum', 'none'.`,
    );
    x.dispose();
  });
});

describe('classification losses: behaviour', () => {
  it('binaryCrossEntropy on saturated probabilities: clamped value, finite PyTorch gradient', async () => {
    const yTrue = tf.tensor1d([1, 1, 0, 0]);
    const yPred = tf.tensor1d([0, 1, 0, 1]);
    const value = binaryCrossEntropy(yTrue, yPred, { reduction: 'none' });
    await expectClose(value, [100, 0, 0, 100], { label: 'value' });
    const gradient = tf.grad((prediction: tf.Tensor) => binaryCrossEntropy(yTrue, prediction, { reduction: 'sum' }))(yPred);
    await expectClose(gradient, [-1e12, 0, 0, 1e12], { label: 'gradient' });
    tf.dispose([yTrue, yPred, value, gradient]);
  });

  it('binaryCrossEntropy fromLogits is stable for large logits and exact at 0', async () => {
    const yTrue = tf.tensor1d([1, 1, 0, 1, 0]);
    const logits = tf.tensor1d([100, -100, -100, 0, 0]);
    const value = binaryCrossEntropy(yTrue, logits, { fromLogits: true, reduction: 'none' });
    await expectClose(value, [0, 100, 0, Math.LN2, Math.LN2], { label: 'value' });
    const gradient = tf.grad((x: tf.Tensor) => binaryCrossEntropy(yTrue, x, { fromLogits: true, reduction: 'sum' }))(logits);
    await expectClose(gradient, [0, -1, 0, -0.5, 0.5], { label: 'gradient' });
    tf.dispose([yTrue, logits, value, gradient]);
  });

  it('categorical cross-entropy on probabilities gives finite values and gradients at p = 0', async () => {
    const yTrue = tf.tensor2d([[1, 0, 0]]);
    const yPred = tf.tensor2d([[0, 0.5, 0.5]]);
    const value = categoricalCrossEntropy(yTrue, yPred);
    await expectClose(value, [100], { label: 'value' });
    const gradient = tf.grad((prediction: tf.Tensor) => categoricalCrossEntropy(yTrue, prediction))(yPred);
    const data = Array.from(await gradient.data());
    expect(data.every(Number.isFinite)).toBe(true);
    tf.dispose([yTrue, yPred, value, gradient]);
  });

  it('sparse and one-hot cross-entropy agree, with label smoothing, on logits and probabilities', async () => {
    const labels = tf.tensor2d([[2, 0, 1], [1, 1, 3]], [2, 3], 'int32');
    const logits = tf.randomNormal([2, 3, 4], 0, 2, 'float32', 7);
    const probabilities = tf.softmax(logits);
    const oneHot = tf.oneHot(labels, 4, 1, 0, 'float32');
    for (const [yPred, fromLogits] of [[logits, true], [probabilities, false]] as const) {
      const options = { fromLogits, labelSmoothing: 0.1, reduction: 'none' } as const;
      const sparse = sparseCategoricalCrossEntropy(labels, yPred, options);
      const dense = categoricalCrossEntropy(oneHot, yPred, options);
      expect(sparse.shape).toEqual([2, 3]);
      await expectClose(sparse, Array.from(await dense.data()), { label: `fromLogits ${fromLogits}` });
      tf.dispose([sparse, dense]);
    }
    tf.dispose([labels, logits, probabilities, oneHot]);
  });

  it('hingeLoss maps {0, 1} targets to {-1, 1}', async () => {
    const yPred = tf.tensor2d([[0.3, -2], [0.5, 1.5]]);
    const signed = hingeLoss(tf.tensor2d([[1, -1], [-1, 1]]), yPred, { reduction: 'none' });
    const binary = hingeLoss(tf.tensor2d([[1, 0], [0, 1]]), yPred, { reduction: 'none' });
    await expectClose(signed, [0.35, 0.75], { label: 'signed' });
    await expectClose(binary, [0.35, 0.75], { label: 'binary' });
    tf.dispose([yPred, signed, binary]);
  });

  it('logLoss follows tf.losses.logLoss', async () => {
    const value = logLoss(tf.tensor1d([1, 0]), tf.tensor1d([0.9, 0.3]), { epsilon: 0 });
    await expectClose(value, [(-Math.log(0.9) - Math.log(0.7)) / 2], { label: 'value' });
  });

  it.each(['mean', 'sum', 'none'] as const)('leaks no tensor with reduction %s, forward and backward', async (reduction) => {
    const binaryTargets = tf.tensor2d([[1, 0, 1], [0, 0, 1]]);
    const probabilities = tf.tensor2d([[0.9, 0, 1], [0.2, 0.5, 0.7]]);
    const logits = tf.tensor2d([[2, -1, 0], [0.5, 3, -2]]);
    const labels = tf.tensor1d([2, 0], 'int32');
    const oneHot = tf.oneHot(labels, 3, 1, 0, 'float32');
    const calls: [(prediction: tf.Tensor) => tf.Tensor, tf.Tensor][] = [
      [(p) => binaryCrossEntropy(binaryTargets, p, { reduction }), probabilities],
      [(p) => binaryCrossEntropy(binaryTargets, p, { reduction, fromLogits: true }), logits],
      [(p) => logLoss(binaryTargets, p, { reduction }), probabilities],
      [(p) => categoricalCrossEntropy(oneHot, p, { reduction, labelSmoothing: 0.1 }), probabilities],
      [(p) => categoricalCrossEntropy(oneHot, p, { reduction, fromLogits: true }), logits],
      [(p) => sparseCategoricalCrossEntropy(labels, p, { reduction, fromLogits: true, labelSmoothing: 0.2 }), logits],
      [(p) => hingeLoss(binaryTargets, p, { reduction }), logits],
    ];
    await expectNoLeak(() => {
      for (const [loss, input] of calls) {
        tf.dispose(loss(input));
        tf.dispose(tf.grad(loss)(input));
      }
    });
    tf.dispose([binaryTargets, probabilities, logits, labels, oneHot]);
  });
});
