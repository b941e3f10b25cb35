import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, addMany, describeValue } from '@tensorzoo/core';
import { assertKnownOptions, assertPositive } from './validation';

/**
 * Gradient clipping applied by an optimizer's `step()` before its update rule (and before
 * weight decay is added), like calling torch's `clip_grad_value_` then `clip_grad_norm_`
 * before `optimizer.step()`. When both are set, values are clipped first, then the global norm.
 */
export interface ClipOptions {
  /** Clamp every gradient element to `[-value, value]`, > 0. Default: no value clipping. */
  value?: number;
  /** Rescale all gradients together so their global L2 norm is at most this, > 0. Default: no norm clipping. */
  globalNorm?: number;
}

/** What {@link clipGradientsByGlobalNorm} returns; the caller disposes every tensor. */
export interface GlobalNormClipResult {
  /** Clipped gradients, new tensors under the same names. */
  gradients: Record<string, tf.Tensor>;
  /** Global L2 norm of the gradients before clipping, a scalar. */
  globalNorm: tf.Scalar;
}

/** Same epsilon as torch.nn.utils.clip_grad_norm_: `coefficient = maxNorm / (norm + 1e-6)`. */
const NORM_EPSILON = 1e-6;

function checkGradients(where: string, gradients: unknown): Record<string, tf.Tensor> {
  if (gradients === null || typeof gradients !== 'object' || Array.isArray(gradients)) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: gradients must be a record of tensors keyed by parameter name, received ${describeValue(gradients)}.`,
    );
  }
  for (const [name, gradient] of Object.entries(gradients)) {
    if (!(gradient instanceof tf.Tensor)) {
      throw new ArgumentError('bad-argument', `${where}: gradient "${name}" must be a tf.Tensor, received ${describeValue(gradient)}.`);
    }
  }
  return gradients as Record<string, tf.Tensor>;
}

/** Applies `transform` to every entry, keeping the names. */
function mapRecord(record: Record<string, tf.Tensor>, transform: (tensor: tf.Tensor) => tf.Tensor): Record<string, tf.Tensor> {
  const result: Record<string, tf.Tensor> = {};
  for (const [name, tensor] of Object.entries(record)) result[name] = transform(tensor);
  return result;
}

/**
 * Clamps every gradient element to `[-limit, limit]`, like `torch.nn.utils.clip_grad_value_`.
 *
 * @param gradients tensors keyed by parameter name; not disposed.
 * @param limit the largest allowed magnitude, > 0.
 * @returns new tensors under the same names; the caller disposes them.
 * @example
 * ```ts
 * const clipped = clipGradientsByValue(grads, 1.0);
 * optimizer.step(parameters, clipped);
 * tf.dispose(Object.values(clipped));
 * ```
 */
export function clipGradientsByValue(gradients: Record<string, tf.Tensor>, limit: number): Record<string, tf.Tensor> {
  checkGradients('clipGradientsByValue', gradients);
  assertPositive('clipGradientsByValue', 'limit', limit);
  return tf.tidy(() => mapRecord(gradients, (gradient) => tf.clipByValue(gradient, -limit, limit)));
}

/** Global L2 norm: `sqrt(sum over tensors of sum(g ** 2))`, 0 for an empty record. */
function computeGlobalNorm(gradients: Record<string, tf.Tensor>): tf.Scalar {
  const squares = Object.values(gradients).map((gradient) => tf.sum(tf.square(gradient)));
  return squares.length === 0 ? tf.scalar(0) : tf.sqrt(addMany(squares) as tf.Scalar); // addN in groups: WebGPU reads at most 8 buffers
}

/**
 * Rescales all gradients together so that their global L2 norm (as if concatenated into one
 * vector) is at most `maxNorm`, exactly as `torch.nn.utils.clip_grad_norm_`:
 * `g * min(1, maxNorm / (norm + 1e-6))`. Runs on the device, without reading the norm back.
 *
 * @param gradients tensors keyed by parameter name; not disposed.
 * @param maxNorm the largest allowed global norm, > 0.
 * @returns clipped copies and the norm before clipping; the caller disposes all of them.
 * @example
 * ```ts
 * const { gradients: clipped, globalNorm } = clipGradientsByGlobalNorm(grads, 1.0);
 * optimizer.step(parameters, clipped);
 * console.log('grad norm', (await globalNorm.data())[0]);
 * tf.dispose([...Object.values(clipped), globalNorm]);
 * ```
 */
export function clipGradientsByGlobalNorm(gradients: Record<string, tf.Tensor>, maxNorm: number): GlobalNormClipResult {
  checkGradients('clipGradientsByGlobalNorm', gradients);
  assertPositive('clipGradientsByGlobalNorm', 'maxNorm', maxNorm);
  const globalNorm = tf.tidy(() => computeGlobalNorm(gradients));
  const clipped = tf.tidy(() => {
    const coefficient = tf.minimum(tf.div(maxNorm, tf.add(globalNorm, NORM_EPSILON)), 1); // []
    return mapRecord(gradients, (gradient) => tf.mul(gradient, coefficient));
  });
  return { gradients: clipped, globalNorm };
}

/** Validates a `clip` option. @internal */
export function checkClipOptions(where: string, clip: unknown): ClipOptions | undefined {
  if (clip === undefined) return undefined;
  assertKnownOptions(`${where}: clip`, clip, ['value', 'globalNorm']);
  const { value, globalNorm } = clip as ClipOptions;
  if (value !== undefined) assertPositive(where, 'clip.value', value);
  if (globalNorm !== undefined) assertPositive(where, 'clip.globalNorm', globalNorm);
  return { ...(clip as ClipOptions) };
}

/**
 * Applies `clip` inside the caller's `tf.tidy`: returns new tensors (or the inputs when
 * nothing is clipped). @internal
 */
export function applyClip(gradients: Record<string, tf.Tensor>, clip: ClipOptions | undefined): Record<string, tf.Tensor> {
  let result = gradients;
  if (clip?.value !== undefined) {
    const limit = clip.value;
    result = mapRecord(result, (gradient) => tf.clipByValue(gradient, -limit, limit));
  }
  if (clip?.globalNorm !== undefined) {
    const coefficient = tf.minimum(tf.div(clip.globalNorm, tf.add(computeGlobalNorm(result), NORM_EPSILON)), 1); // []
    result = mapRecord(result, (gradient) => tf.mul(gradient, coefficient));
  }
  return result;
}
