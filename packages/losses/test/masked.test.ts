import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, readValueRange } from '@tensorzoo/core';
import { expectClose, expectNoLeak } from '@tensorzoo/core/testing';
import { maskedCrossEntropy } from '../src/masked';

// PyTorch reference (float64), target 0 is the padding:
//   logits = torch.tensor(LOGITS, dtype=torch.float64, requires_grad=True)       # [B, T, V]
//   F.cross_entropy(logits.permute(0, 2, 1), torch.tensor(TARGETS), ignore_index=0, reduction=...)
const LOGITS = [[[1, 2, 0.5], [0.1, -1, 2], [0.3, 0.3, 0.3]], [[-0.5, 1.5, 0], [2, 1, -1], [0, 0, 3]]];
const TARGETS = [[2, 0, 0], [1, 0, 0]];
const TORCH = {
  mean: 1.1353622481685457,
  sum: 2.2707244963370914,
  none: [1.964368784107945, 0, 0, 0.30635571222914665, 0, 0],
  labelSmoothing01: 1.1603622481685458,
  gradient: [
    0.11561194881107452, 0.3142658596058812, -0.4298778084169558, 0, 0, 0, 0, 0, 0,
    0.04981182403115915, -0.1319376378437031, 0.0821258138125439, 0, 0, 0, 0, 0, 0,
  ],
};

describe('maskedCrossEntropy', () => {
  it("matches PyTorch's cross_entropy(ignore_index=0): mean, sum, none, label smoothing and the gradient", async () => {
    const logits = tf.tensor3d(LOGITS);
    const targets = tf.tensor2d(TARGETS, [2, 3], 'int32');
    await expectNoLeak(async () => {
      const options = { ignoreIndex: 0, fromLogits: true } as const;
      const mean = maskedCrossEntropy(targets, logits, options);
      const sum = maskedCrossEntropy(targets, logits, { ...options, reduction: 'sum' });
      const none = maskedCrossEntropy(targets, logits, { ...options, reduction: 'none' });
      const smoothed = maskedCrossEntropy(targets, logits, { ...options, labelSmoothing: 0.1 });
      const gradient = tf.grad((x: tf.Tensor) => maskedCrossEntropy(targets, x, options))(logits);
      expect(none.shape).toEqual([2, 3]);
      await expectClose(mean, [TORCH.mean], { label: 'mean' });
      await expectClose(sum, [TORCH.sum], { label: 'sum' });
      await expectClose(none, TORCH.none, { label: 'none' });
      await expectClose(smoothed, [TORCH.labelSmoothing01], { label: 'label smoothing 0.1' });
      await expectClose(gradient, TORCH.gradient, { label: 'gradient' });
      tf.dispose([mean, sum, none, smoothed, gradient]);
    });
    tf.dispose([logits, targets]);
  });

  it('is 0 when every target is padding (PyTorch: NaN), so a padding-only batch cannot stop training', async () => {
    const logits = tf.tensor3d(LOGITS);
    const padding = tf.zeros([2, 3], 'int32');
    const loss = maskedCrossEntropy(padding, logits, { ignoreIndex: 0, fromLogits: true });
    await expectClose(loss, [0], { label: 'all ignored' });
    tf.dispose([logits, padding, loss]);
  });

  it('rejects a missing ignoreIndex and counted labels outside the classes; ignoreIndex itself may be outside', async () => {
    const logits = tf.tensor3d(LOGITS);
    const targets = tf.tensor2d([[2, -100, -100], [1, 3, -100]], [2, 3], 'int32');
    expect(() => maskedCrossEntropy(targets, logits, {} as { ignoreIndex: number })).toThrow(
      "maskedCrossEntropy: ignoreIndex (undefined) must be an integer, the padding id to skip, e.g. { ignoreIndex: tokenizer.specialTokenId('<pad>') }.",
    );
    const probe = tf.scalar(1);
    const checksRun = readValueRange(probe) !== undefined;
    probe.dispose();
    if (checksRun) {
      expect(() => maskedCrossEntropy(targets, logits, { ignoreIndex: -100, fromLogits: true })).toThrow(ArgumentError);
      expect(() => maskedCrossEntropy(targets, logits, { ignoreIndex: -100, fromLogits: true })).toThrow(
        'maskedCrossEntropy: yTrue holds label 3, outside the 3 classes [0, 3) of yPred [2, 3, 3] and not the ignoreIndex -100; labels must be class indices 0..2 or -100.',
      );
    } else {
      const loss = maskedCrossEntropy(targets, logits, { ignoreIndex: -100, fromLogits: true });
      expect(Number.isNaN((await loss.data())[0])).toBe(true); // webgpu: NaN, not a silent number
      loss.dispose();
    }
    const valid = tf.tensor2d([[2, -100, -100], [1, 0, -100]], [2, 3], 'int32');
    const loss = maskedCrossEntropy(valid, logits, { ignoreIndex: -100, fromLogits: true, reduction: 'none' });
    expect(loss.shape).toEqual([2, 3]);
    tf.dispose([logits, targets, valid, loss]);
  });
});
