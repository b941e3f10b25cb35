// Cross-entropy that skips padding: PyTorch's CrossEntropyLoss(ignore_index=...), the loss of
// sequence models trained on padded rows (GPT on names, seq2seq decoders).
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, describeValue, formatShape, readValueRange } from '@tensorzoo/core';
import { sparseCategoricalCrossEntropy, type CrossEntropyOptions } from './classification';
import { resolveReduction, type LossOutput, type Reduction } from './reduction';

/** Options of {@link maskedCrossEntropy}. */
export interface MaskedCrossEntropyOptions<R extends Reduction = Reduction> extends CrossEntropyOptions<R> {
  /** Targets equal to this id (the padding id) add nothing to the loss or its gradient. Required. */
  ignoreIndex: number;
}

/**
 * Sparse categorical cross-entropy that ignores the targets equal to `ignoreIndex`, as
 * PyTorch's `nn.CrossEntropyLoss(ignore_index=i)`: `'mean'` divides by the number of counted
 * targets (not all positions), `'sum'` adds the counted ones, `'none'` gives 0 at ignored
 * positions. When every target is ignored, `'mean'` is 0 (PyTorch gives NaN), so a batch of
 * padding cannot stop a training run.
 *
 * Shapes: `yTrue` int32 `[...]` (e.g. `[B, T]`), `yPred` float32 `[..., C]` (e.g. `[B, T, V]`).
 * Counted labels must be in `[0, C)`; `ignoreIndex` may be any integer (PyTorch's default is
 * -100). Other options as {@link sparseCategoricalCrossEntropy} (`fromLogits`,
 * `labelSmoothing`, `validate`).
 *
 * @throws ArgumentError when `ignoreIndex` is not an integer, or (`'label-out-of-range'`) when
 *   a counted label is outside `[0, C)` (unless `validate: false`).
 * @example
 * ```ts
 * const targets = tf.tensor2d([[5, 2, 0, 0]], [1, 4], 'int32');  // [B, T], 0 is <pad>
 * const logits = model.call(inputs);                              // [B, T, V]
 * const loss = maskedCrossEntropy(targets, logits, { ignoreIndex: 0, fromLogits: true });
 * ```
 */
export function maskedCrossEntropy<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: MaskedCrossEntropyOptions<R>,
): LossOutput<R> {
  const where = 'maskedCrossEntropy';
  const ignoreIndex = options?.ignoreIndex;
  if (typeof ignoreIndex !== 'number' || !Number.isInteger(ignoreIndex)) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: ignoreIndex (${describeValue(ignoreIndex)}) must be an integer, the padding id to skip, e.g. { ignoreIndex: tokenizer.specialTokenId('<pad>') }.`,
    );
  }
  const reduction = resolveReduction(where, options) as R;
  const checked = options.validate === false || assertCountedLabels(where, yTrue, yPred, ignoreIndex);
  return tf.tidy(() => {
    const counted = tf.notEqual(yTrue, ignoreIndex); // [...] bool
    // Ignored positions read class 0 (any valid class): their loss is masked to 0 below.
    const labels = tf.where(counted, yTrue, tf.zerosLike(yTrue));
    // Not readable synchronously (webgpu): the inner loss gives NaN for bad labels.
    const perToken = sparseCategoricalCrossEntropy(labels, yPred, { ...options, reduction: 'none', validate: !checked }); // [...]
    const mask = tf.cast(counted, 'float32');
    const masked = tf.mul(perToken, mask);
    if (reduction === 'none') return masked;
    const total = tf.sum(masked);
    return reduction === 'sum' ? total : tf.div(total, tf.maximum(tf.sum(mask), 1));
  }) as LossOutput<R>;
}

/** Labels other than `ignoreIndex` must be in `[0, C)`; false when the backend cannot read synchronously. */
function assertCountedLabels(where: string, yTrue: tf.Tensor, yPred: tf.Tensor, ignoreIndex: number): boolean {
  if (yPred.rank < 1 || yTrue.dtype !== 'int32') return true; // sparseCategoricalCrossEntropy reports these
  const classes = yPred.shape[yPred.rank - 1];
  const replaced = tf.tidy(() => tf.where(tf.notEqual(yTrue, ignoreIndex), yTrue, tf.zerosLike(yTrue)));
  try {
    const range = readValueRange(replaced);
    if (!range) return false;
    if (range.min >= 0 && range.max < classes) return true;
    const label = range.min < 0 ? range.min : range.max;
    throw new ArgumentError(
      'label-out-of-range',
      `${where}: yTrue holds label ${label}, outside the ${classes} classes [0, ${classes}) of yPred ${formatShape(yPred.shape)} ` +
        `and not the ignoreIndex ${ignoreIndex}; labels must be class indices 0..${classes - 1} or ${ignoreIndex}. ` +
        "Check the padding id and the model's vocabulary size (pass { validate: false } to skip this check).",
    );
  } finally {
    replaced.dispose();
  }
}
