// Data-dependent checks (item 8 of issue 10): out-of-range labels and probabilities throw
// instead of giving a silent 0 or a negative loss. Where the backend cannot read values
// synchronously (webgpu), the bad entries give NaN instead: that case is asserted too.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, readValueRange } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import { binaryCrossEntropy, sparseCategoricalCrossEntropy } from '../src/classification';

/** False only where readValueRange cannot read synchronously (webgpu). */
const checksRun = () => {
  const probe = tf.scalar(1);
  const readable = readValueRange(probe) !== undefined;
  probe.dispose();
  return readable;
};

describe('sparseCategoricalCrossEntropy: label range', () => {
  it.each([
    [7, 'sparseCategoricalCrossEntropy: yTrue holds label 7, outside the 3 classes [0, 3) of yPred [2, 3]; labels must be class indices 0..2.'],
    [-1, 'sparseCategoricalCrossEntropy: yTrue holds label -1, outside the 3 classes [0, 3) of yPred [2, 3]; labels must be class indices 0..2.'],
  ])('label %i for 3 classes throws an ArgumentError with the rule and the fix', async (bad, message) => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
    const labels = tf.tensor1d([0, bad], 'int32');
    await expectNoLeak(async () => {
      if (checksRun()) {
        expect(() => sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true })).toThrow(ArgumentError);
        expect(() => sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true })).toThrow(message);
        expect(() => sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true })).toThrow(
          "Check the label encoding or the model's number of outputs (pass { validate: false } to skip this check).",
        );
      } else {
        const loss = sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true, reduction: 'none' });
        const values = await loss.data();
        expect([values[0], Number.isNaN(values[1])]).toEqual([expect.any(Number), true]);
        expect(Number.isNaN(values[0])).toBe(false);
        loss.dispose();
      }
    });
    tf.dispose([logits, labels]);
  });

  it('validate: false skips the check (the bad row then adds nothing, as before)', async () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
    const labels = tf.tensor1d([2, 7], 'int32');
    const perSample = sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true, reduction: 'none', validate: false });
    await expectClose(perSample, [Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 0], { label: 'per-sample loss' });
    tf.dispose([logits, labels, perSample]);
  });

  it('valid labels at both ends pass', async () => {
    const logits = tf.tensor2d([[1, 2, 3], [0, 0, 1]]);
    const labels = tf.tensor1d([0, 2], 'int32');
    const loss = sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true });
    expect(loss.shape).toEqual([]);
    tf.dispose([logits, labels, loss]);
  });
});

describe('binaryCrossEntropy: probabilities', () => {
  it.each([
    [[0.2, 2.5], 'binaryCrossEntropy: yPred holds 2.5, outside [0, 1]; without fromLogits it must hold probabilities.'],
    [[-1, 0.5], 'binaryCrossEntropy: yPred holds -1, outside [0, 1]; without fromLogits it must hold probabilities.'],
  ])('logits %j without fromLogits throw an ArgumentError (PyTorch raises too)', async (values, message) => {
    const targets = tf.tensor1d([1, 0]);
    const logits = tf.tensor1d(values);
    await expectNoLeak(async () => {
      if (checksRun()) {
        expect(() => binaryCrossEntropy(targets, logits)).toThrow(ArgumentError);
        expect(() => binaryCrossEntropy(targets, logits)).toThrow(message);
        expect(() => binaryCrossEntropy(targets, logits)).toThrow('If yPred are logits (no sigmoid applied), pass { fromLogits: true }');
      } else {
        const loss = binaryCrossEntropy(targets, logits);
        expect(Number.isNaN((await loss.data())[0])).toBe(true);
        loss.dispose();
      }
    });
    // The same values are fine as logits, and validate: false restores the unchecked loss.
    const asLogits = binaryCrossEntropy(targets, logits, { fromLogits: true });
    const unchecked = binaryCrossEntropy(targets, logits, { validate: false });
    expect(asLogits.shape).toEqual([]);
    expect(unchecked.shape).toEqual([]);
    tf.dispose([targets, logits, asLogits, unchecked]);
  });

  it('probabilities of exactly 0 and 1 pass', () => {
    const targets = tf.tensor1d([1, 0]);
    const probabilities = tf.tensor1d([1, 0]);
    const loss = binaryCrossEntropy(targets, probabilities);
    expect(loss.shape).toEqual([]);
    tf.dispose([targets, probabilities, loss]);
  });
});
