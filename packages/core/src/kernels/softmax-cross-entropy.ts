/**
 * Softmax cross-entropy from logits with integer class labels (the language-model and
 * classifier loss) as two kernels, one for the per-sample losses and one for their gradient,
 * instead of the composite's `OneHot`, `Cast`, log-softmax (`Max`, `Sub`, `Exp`, `Sum`, `Log`,
 * `Sub`), `Multiply`, `Sum`, `Neg` and their ~20 backward and reference-copy launches.
 * Registered for `cpu` and `wasm` by `installFastKernels`; {@link fusedSoftmaxCrossEntropy}
 * runs them where registered and tells the caller to use the composite ops elsewhere.
 *
 * Per row of `C` logits `z` with label `y`, in float64, rounded once per output:
 *
 * ```text
 * lse  = max(z) + log Σ_j exp(z_j - max(z))
 * loss = lse - z_y
 * dz_j = dloss · (exp(z_j - lse) - [j = y])
 * ```
 *
 * A label outside `[0, C)` gives a NaN loss and NaN gradients for its row (callers check
 * labels first where they can read them).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordingHigherOrder } from './fusion';

/** Name of the forward kernel: inputs `logits` `[..., C]`, `labels` int32 `[...]`; outputs `loss` and `logSumExp` `[...]`. */
export const SOFTMAX_CROSS_ENTROPY_KERNEL = 'TensorZooSoftmaxCrossEntropy';
/** Name of the gradient kernel: inputs `dy` `[...]`, `logits`, `labels`, `logSumExp`; output `dlogits` `[..., C]`. */
export const SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL = 'TensorZooSoftmaxCrossEntropyGrad';

/**
 * Per-row losses and log-sum-exps of `logits` viewed as `[rows, classes]`.
 * @internal
 */
export function softmaxCrossEntropyArrays(logits: Float32Array, labels: Int32Array, classes: number): { loss: Float32Array; logSumExp: Float32Array } {
  const rows = labels.length;
  const loss = new Float32Array(rows);
  const logSumExp = new Float32Array(rows);
  for (let row = 0, offset = 0; row < rows; row++, offset += classes) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < classes; j++) if (logits[offset + j] > max || Number.isNaN(logits[offset + j])) max = logits[offset + j];
    let sum = 0;
    for (let j = 0; j < classes; j++) sum += Math.exp(logits[offset + j] - max);
    const lse = max + Math.log(sum);
    const label = labels[row];
    logSumExp[row] = lse;
    loss[row] = label >= 0 && label < classes ? lse - logits[offset + label] : Number.NaN;
  }
  return { loss, logSumExp };
}

/**
 * Gradient of {@link softmaxCrossEntropyArrays} with respect to the logits.
 * @internal
 */
export function softmaxCrossEntropyGradArrays(dy: Float32Array, logits: Float32Array, labels: Int32Array, logSumExp: Float32Array, classes: number): Float32Array {
  const dlogits = new Float32Array(logits.length);
  for (let row = 0, offset = 0; row < labels.length; row++, offset += classes) {
    const scale = dy[row];
    const lse = logSumExp[row];
    const label = labels[row];
    const valid = label >= 0 && label < classes;
    for (let j = 0; j < classes; j++) {
      const probability = Math.exp(logits[offset + j] - lse);
      dlogits[offset + j] = valid ? scale * (probability - (j === label ? 1 : 0)) : Number.NaN;
    }
  }
  return dlogits;
}

/**
 * Per-sample softmax cross-entropy `logsumexp(logits) - logits[label]` over the last axis,
 * `[..., C]` logits and int32 `[...]` labels -> `[...]`, with the fused kernels, or
 * `undefined` when the active backend does not have them (then compute it with the composite
 * ops). Differentiable with respect to the logits.
 * @example
 * ```ts
 * const perToken = fusedSoftmaxCrossEntropy(logits, targets) ?? compositeCrossEntropy(logits, targets);
 * ```
 */
export function fusedSoftmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor | undefined {
  if (recordingHigherOrder()) return undefined; // second-order gradients: the composite ops
  const backend = tf.getBackend();
  if (tf.getKernel(SOFTMAX_CROSS_ENTROPY_KERNEL, backend) === undefined || tf.getKernel(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, backend) === undefined) return undefined;
  if (logits.dtype !== 'float32' || labels.dtype !== 'int32' || logits.rank !== labels.rank + 1) return undefined;
  if (!labels.shape.every((size, axis) => size === logits.shape[axis])) return undefined;
  const run = (name: string, inputs: Record<string, tf.Tensor>) => tf.engine().runKernel(name, inputs, {}) as unknown as tf.Tensor | tf.Tensor[];
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [loss, logSumExp] = run(SOFTMAX_CROSS_ENTROPY_KERNEL, { logits: input, labels }) as tf.Tensor[];
    save([input, labels, logSumExp]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [run(SOFTMAX_CROSS_ENTROPY_GRAD_KERNEL, { dy, logits: saved[0], labels: saved[1], logSumExp: saved[2] }) as tf.Tensor],
    };
  })(logits);
}
