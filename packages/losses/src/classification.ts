// Classification losses: binary and categorical cross-entropy (probabilities or logits),
// TF.js's log loss and the Keras hinge. Values and gradients match PyTorch in float64
// (see scripts/reference/losses.py and test/parity.test.ts).
import * as tf from '@tensorflow/tfjs-core';
import { ShapeError, formatShape, fusedSoftmaxCrossEntropy, nanUnless } from '@tensorzoo/core';
import { asFloat, clampedLog } from './math';
import type { CustomGradientFunction } from './math';
import { meanOverLastAxis, reduceLoss, resolveReduction } from './reduction';
import type { LossOutput, Reduction, ReductionOptions } from './reduction';
import {
  assertDtype,
  assertClassLabels,
  assertHasAxis,
  assertLabelSmoothing,
  assertNonNegative,
  assertPair,
  assertProbabilities,
  assertTensor,
} from './validation';

/** PyTorch's BCELoss backward divides by `max(p (1 - p), BCE_GRADIENT_EPSILON)`. */
const BCE_GRADIENT_EPSILON = 1e-12;

/** Options of {@link binaryCrossEntropy}. */
export interface BinaryCrossEntropyOptions<R extends Reduction = Reduction> extends ReductionOptions<R> {
  /**
   * `yPred` holds logits (any real number) instead of probabilities; the loss then applies
   * the sigmoid itself in a numerically stable way. Default `false`.
   */
  fromLogits?: boolean;
  /**
   * Without `fromLogits`, check that `yPred` holds probabilities in [0, 1] and throw an
   * `ArgumentError` otherwise (logits passed by mistake give a negative loss). The check reads
   * `yPred`'s min and max: free on cpu/wasm/tensorflow, a pipeline stall on webgl/webgpu.
   * Default `true`.
   */
  validate?: boolean;
}

/** Options of {@link categoricalCrossEntropy} and {@link sparseCategoricalCrossEntropy}. */
export interface CrossEntropyOptions<R extends Reduction = Reduction> extends ReductionOptions<R> {
  /**
   * `yPred` holds logits (unnormalised scores) instead of probabilities; the loss then
   * applies `logSoftmax` over the last axis itself. Default `false`.
   */
  fromLogits?: boolean;
  /**
   * Mixes the targets with the uniform distribution: `t' = (1 - s) t + s / C`, as PyTorch's
   * `CrossEntropyLoss(label_smoothing=s)` and Keras. Must be in [0, 1). Default `0`.
   */
  labelSmoothing?: number;
  /**
   * {@link sparseCategoricalCrossEntropy} only: check that every label is in `[0, C)` and
   * throw an `ArgumentError` otherwise (an out-of-range label would silently add nothing to
   * the loss). The check reads the labels' min and max: free on cpu/wasm/tensorflow, a
   * pipeline stall on webgl/webgpu. Default `true`.
   */
  validate?: boolean;
}

/** Options of {@link logLoss}. */
export interface LogLossOptions<R extends Reduction = Reduction> extends ReductionOptions<R> {
  /** Added to `p` and `1 - p` inside the logs; must be >= 0. Default `1e-7` (TF.js). */
  epsilon?: number;
}

/**
 * Element-wise BCE on probabilities with PyTorch's clamped value and PyTorch's backward,
 * `dL/dp = (p - y) / max(p (1 - p), 1e-12)`, which stays finite (and pushes back) when a
 * sigmoid saturates to exactly 0 or 1.
 */
function binaryCrossEntropyOnProbabilities(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor {
  const forward = (target: tf.Tensor, probability: tf.Tensor, save: tf.GradSaveFunc) => {
    const logP = clampedLog(probability);
    const logOneMinusP = clampedLog(tf.sub(1, probability));
    const value = tf.neg(tf.add(tf.mul(target, logP), tf.mul(tf.sub(1, target), logOneMinusP)));
    save([target, probability]);
    const gradFunc = (dy: tf.Tensor, [y, p]: tf.Tensor[]): tf.Tensor[] => {
      const denominator = tf.maximum(tf.mul(p, tf.sub(1, p)), BCE_GRADIENT_EPSILON);
      const gradPred = tf.mul(dy, tf.div(tf.sub(p, y), denominator));
      const gradTrue = tf.mul(dy, tf.sub(clampedLog(tf.sub(1, p)), clampedLog(p)));
      return [gradTrue, gradPred];
    };
    return { value, gradFunc };
  };
  return tf.customGrad(forward as CustomGradientFunction)(yTrue, yPred);
}

/**
 * Element-wise BCE on logits, `max(x, 0) - x y + log(1 + exp(-|x|))` as PyTorch's
 * BCEWithLogitsLoss, with its exact gradient `sigmoid(x) - y` (autodiff through `|x|` would be
 * wrong at `x = 0`).
 */
function binaryCrossEntropyOnLogits(yTrue: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  const forward = (target: tf.Tensor, x: tf.Tensor, save: tf.GradSaveFunc) => {
    const value = tf.add(tf.sub(tf.relu(x), tf.mul(x, target)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    save([target, x]);
    const gradFunc = (dy: tf.Tensor, [y, savedX]: tf.Tensor[]): tf.Tensor[] => [
      tf.mul(dy, tf.neg(savedX)),
      tf.mul(dy, tf.sub(tf.sigmoid(savedX), y)),
    ];
    return { value, gradFunc };
  };
  return tf.customGrad(forward as CustomGradientFunction)(yTrue, logits);
}

/**
 * Binary cross-entropy, element-wise `-(y log p + (1 - y) log(1 - p))`, averaged over the
 * last axis per sample.
 *
 * - Probabilities (default): logs are clamped to >= -100 and the gradient is PyTorch's,
 *   `(p - y) / max(p (1 - p), 1e-12)`; `'mean'` equals `nn.BCELoss()(yPred, yTrue)`.
 * - `fromLogits: true`: `yPred` are logits `x`, loss `max(x, 0) - x y + log(1 + e^-|x|)`,
 *   gradient `sigmoid(x) - y`; `'mean'` equals `nn.BCEWithLogitsLoss()(yPred, yTrue)`.
 *
 * Shapes: `yTrue` (targets in [0, 1], hard or soft) and `yPred` are equal, `[N, D]` or
 * `[..., D]`; rank 1 `[N]` is read as `[N, 1]`. `'none'` returns `[N]`.
 *
 * @throws ArgumentError (`'not-probabilities'`) without `fromLogits` when `yPred` holds a
 *   value outside [0, 1] (unless `validate: false`).
 * @example
 * ```ts
 * const loss = binaryCrossEntropy(tf.tensor2d([[1], [0]]), tf.tensor2d([[0.8], [0.2]])); // 0.2231
 * const fromLogits = binaryCrossEntropy(tf.tensor1d([1, 0]), tf.tensor1d([2.5, -1]), { fromLogits: true });
 * ```
 */
export function binaryCrossEntropy<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: BinaryCrossEntropyOptions<R> = {},
): LossOutput<R> {
  const where = 'binaryCrossEntropy';
  assertPair(where, yTrue, yPred);
  const reduction = resolveReduction(where, options) as R;
  const checked = options.fromLogits || options.validate === false || assertProbabilities(where, yPred);
  const elementwiseLoss = options.fromLogits ? binaryCrossEntropyOnLogits : binaryCrossEntropyOnProbabilities;
  return tf.tidy(() => {
    const elementwise = elementwiseLoss(asFloat(yTrue), yPred);
    // Not readable synchronously (webgpu): NaN where yPred is not a probability.
    // Only ops with gradients on yPred's path (GreaterEqual, Select; not LogicalAnd / LessEqual), so
    // tf.grad through this loss works where the guard is used (webgpu in browsers).
    const atLeastZero = tf.greaterEqual(yPred, 0);
    const guarded = checked ? elementwise : nanUnless(tf.where(atLeastZero, tf.greaterEqual(1, yPred), atLeastZero), elementwise);
    return reduceLoss(meanOverLastAxis(guarded), reduction);
  });
}

/**
 * Log loss as `tf.losses.logLoss`: element-wise `-y log(p + ε) - (1 - y) log(1 - p + ε)`,
 * averaged over the last axis per sample. Unlike {@link binaryCrossEntropy} it never clamps;
 * `ε` keeps the logs finite for `p` in [0, 1].
 *
 * Shapes and reductions as {@link binaryCrossEntropy}.
 *
 * @throws ArgumentError when `epsilon` is negative or not finite.
 * @example
 * ```ts
 * const loss = logLoss(tf.tensor1d([1, 0]), tf.tensor1d([0.9, 0.3]), { epsilon: 1e-7 });
 * ```
 */
export function logLoss<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: LogLossOptions<R> = {},
): LossOutput<R> {
  const where = 'logLoss';
  assertPair(where, yTrue, yPred);
  const reduction = resolveReduction(where, options) as R;
  const epsilon = options.epsilon ?? 1e-7;
  assertNonNegative(where, 'epsilon', epsilon);
  return tf.tidy(() => {
    const target = asFloat(yTrue);
    const positive = tf.mul(target, tf.log(tf.add(yPred, epsilon)));
    const negative = tf.mul(tf.sub(1, target), tf.log(tf.add(tf.sub(1, yPred), epsilon)));
    return reduceLoss(meanOverLastAxis(tf.neg(tf.add(positive, negative))), reduction);
  });
}

/**
 * `-Σ_c t_c log q_c` over the last axis, with `log q` from logits (logSoftmax) or from
 * probabilities (clamped log). `targets` are float32 `[..., C]`.
 */
function crossEntropyPerSample(targets: tf.Tensor, yPred: tf.Tensor, fromLogits: boolean, labelSmoothing: number): tf.Tensor {
  const classes = yPred.shape[yPred.rank - 1];
  const logProbabilities = fromLogits ? tf.logSoftmax(yPred) : clampedLog(yPred); // [..., C]
  const smoothed = labelSmoothing > 0 ? tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / classes) : targets;
  return tf.neg(tf.sum(tf.mul(smoothed, logProbabilities), -1)); // [...]
}

function crossEntropySettings(where: string, options: CrossEntropyOptions): { fromLogits: boolean; labelSmoothing: number } {
  const labelSmoothing = options.labelSmoothing ?? 0;
  assertLabelSmoothing(where, labelSmoothing);
  return { fromLogits: options.fromLogits ?? false, labelSmoothing };
}

/**
 * Categorical cross-entropy with one-hot or probability targets: per sample
 * `-Σ_c t_c log q_c` over the last (class) axis.
 *
 * - `fromLogits: true`: `log q = logSoftmax(yPred)`; equals PyTorch's
 *   `nn.CrossEntropyLoss(label_smoothing=s)(yPred, yTrue)` with probability targets.
 * - probabilities (default): `log q = log(yPred)` clamped to >= -100 (PyTorch's BCELoss
 *   convention); `yPred` is used as given, not renormalised, so the gradient is `-t / q`.
 * - `labelSmoothing: s` replaces the targets by `(1 - s) t + s / C`.
 *
 * Shapes: `yTrue` and `yPred` are equal, `[N, C]` (or `[..., C]`, e.g. `[B, T, C]`).
 * `'none'` returns `[N]` (`[...]`).
 *
 * @throws ArgumentError when `labelSmoothing` is outside [0, 1).
 * @example
 * ```ts
 * const oneHot = tf.oneHot(tf.tensor1d([2, 0], 'int32'), 3); // [N, C]
 * const logits = tf.tensor2d([[0.5, 1, 3], [2, 0, -1]]);     // [N, C]
 * const loss = categoricalCrossEntropy(oneHot, logits, { fromLogits: true, labelSmoothing: 0.1 });
 * ```
 */
export function categoricalCrossEntropy<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: CrossEntropyOptions<R> = {},
): LossOutput<R> {
  const where = 'categoricalCrossEntropy';
  assertPair(where, yTrue, yPred, 'a class axis');
  const reduction = resolveReduction(where, options) as R;
  const { fromLogits, labelSmoothing } = crossEntropySettings(where, options);
  return tf.tidy(() => reduceLoss(crossEntropyPerSample(asFloat(yTrue), yPred, fromLogits, labelSmoothing), reduction));
}

/**
 * Categorical cross-entropy with integer class targets: per sample `-log q[label]`
 * (with label smoothing `-(1 - s) log q[label] - (s / C) Σ_c log q_c`).
 *
 * Equals PyTorch's `nn.CrossEntropyLoss(label_smoothing=s)(logits, labels)` with
 * `fromLogits: true`; with probabilities (default) it is `NLLLoss` on the clamped
 * `log(yPred)`, as {@link categoricalCrossEntropy}.
 *
 * Shapes: `yTrue` int32 `[N]` (or `[...]`, e.g. `[B, T]` for a language model), `yPred`
 * float32 `[N, C]` (`[..., C]`) with `C >= 2`. `'none'` returns `yTrue`'s shape.
 * Labels outside `[0, C)` throw (PyTorch raises too); the check reads the labels' min and max
 * (see `validate`). With `validate: false` such a label's one-hot row is all zeros, so it
 * silently adds only the smoothing term.
 *
 * @throws ShapeError when `yTrue` is not int32 or its shape is not `yPred.shape` without the last axis.
 * @throws ArgumentError (`'label-out-of-range'`) when a label is outside `[0, C)` (unless `validate: false`).
 * @throws ArgumentError when `labelSmoothing` is outside [0, 1).
 * @example
 * ```ts
 * const labels = tf.tensor1d([2, 0], 'int32');   // [N]
 * const logits = tf.randomNormal([2, 3]);        // [N, C]
 * const loss = sparseCategoricalCrossEntropy(labels, logits, { fromLogits: true });
 * ```
 */
export function sparseCategoricalCrossEntropy<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: CrossEntropyOptions<R> = {},
): LossOutput<R> {
  const where = 'sparseCategoricalCrossEntropy';
  assertTensor(where, 'yTrue', yTrue);
  assertTensor(where, 'yPred', yPred);
  assertDtype(where, 'yTrue', yTrue, ['int32'], ' (class indices)');
  assertDtype(where, 'yPred', yPred, ['float32']);
  assertHasAxis(where, 'yPred', yPred, 'a class axis');
  const classes = yPred.shape[yPred.rank - 1];
  const expected = yPred.shape.slice(0, -1);
  if (yTrue.rank !== expected.length || !expected.every((size, axis) => size === yTrue.shape[axis])) {
    throw new ShapeError(
      'shape-mismatch',
      `${where}: yTrue shape ${formatShape(yTrue.shape)} must equal yPred shape ${formatShape(yPred.shape)} without its last (class) axis, ${formatShape(expected)}.`,
    );
  }
  if (classes < 2) {
    throw new ShapeError('too-few-classes', `${where}: yPred shape ${formatShape(yPred.shape)} must have at least 2 classes on its last axis.`);
  }
  const reduction = resolveReduction(where, options) as R;
  const { fromLogits, labelSmoothing } = crossEntropySettings(where, options);
  const checked = options.validate === false || assertClassLabels(where, yTrue, yPred, classes);
  return tf.tidy(() => {
    // cpu and wasm: one kernel forward and one backward for the common case (labels checked).
    const verified = options.validate !== false && checked === true; // validate: false keeps the composite's 0 for a bad row
    const fused = verified && fromLogits && labelSmoothing === 0 ? fusedSoftmaxCrossEntropy(yPred, yTrue) : undefined;
    if (fused) return reduceLoss(fused, reduction);
    // Cast rather than oneHot(..., 'float32'): tfjs-backend-wasm 4.22's OneHot ignores dtype
    // and returns int32 bits read as float32 (denormals), which silently zeroes the loss.
    const targets = tf.cast(tf.oneHot(yTrue, classes), 'float32'); // [..., C]
    const perSample = crossEntropyPerSample(targets, yPred, fromLogits, labelSmoothing); // [...]
    // Not readable synchronously (webgpu): NaN for labels outside [0, C).
    const guarded = checked ? perSample : nanUnless(tf.logicalAnd(tf.greaterEqual(yTrue, 0), tf.less(yTrue, classes)), perSample);
    return reduceLoss(guarded, reduction);
  });
}

/**
 * Hinge loss as Keras: per sample `mean_j max(1 - y ŷ, 0)` over the last axis.
 * Targets are in {-1, 1}; when every target is 0 or 1 they are first mapped to {-1, 1} by
 * `2y - 1` (decided on the device, no read-back).
 *
 * Shapes: `yTrue` and `yPred` are equal, `[N, D]` (rank 1 `[N]` is read as `[N, 1]`).
 * `'none'` returns `[N]`.
 *
 * @example
 * ```ts
 * const loss = hingeLoss(tf.tensor1d([1, -1]), tf.tensor1d([0.3, -2])); // 0.35
 * ```
 */
export function hingeLoss<R extends Reduction = 'mean'>(
  yTrue: tf.Tensor,
  yPred: tf.Tensor,
  options: ReductionOptions<R> = {},
): LossOutput<R> {
  const where = 'hingeLoss';
  assertPair(where, yTrue, yPred);
  const reduction = resolveReduction(where, options) as R;
  return tf.tidy(() => {
    const target = asFloat(yTrue);
    const isBinary = tf.all(tf.logicalOr(tf.equal(target, 0), tf.equal(target, 1))); // scalar bool
    // 2y - 1 = y + (y - 1): add (y - 1) only when the targets are {0, 1}.
    const signed = tf.add(target, tf.mul(tf.cast(isBinary, 'float32'), tf.sub(target, 1)));
    const elementwise = tf.relu(tf.sub(1, tf.mul(signed, yPred)));
    return reduceLoss(meanOverLastAxis(elementwise), reduction);
  });
}
