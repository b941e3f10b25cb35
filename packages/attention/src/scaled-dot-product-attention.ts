import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  ShapeError,
  assertInRange,
  assertInteger,
  assertShape,
  describeValue,
  formatShape,
  resolveGenerator,
  type Generator,
} from '@tensorzoo/core';

/**
 * The score given to blocked query/key pairs. It is finite (not `-Infinity`) so that a row
 * whose keys are all blocked gives uniform weights instead of NaN, on every backend; any
 * real score minus 1e30 underflows `exp` to exactly 0, so allowed rows are unchanged.
 */
export const BLOCKED_SCORE = -1e30;

/** Masking options shared by {@link attentionWeights} and {@link scaledDotProductAttention}. */
export interface AttentionMaskOptions {
  /**
   * A mask broadcastable to the scores `[..., Tq, Tk]` (for example `[Tq, Tk]`, `[B, 1, 1, Tk]`).
   * - `bool`: `true` = the query may attend to that key (the convention of PyTorch's
   *   `F.scaled_dot_product_attention`; note that `nn.MultiheadAttention` uses the opposite).
   * - `float32`: added to the scores (`0` keeps, `-Infinity` or a large negative number blocks).
   */
  mask?: tf.Tensor;
  /**
   * Block keys that come after the query. Aligned bottom-right: query `i` of `Tq` sits at
   * position `i + Tk - Tq` and sees keys `0..i + Tk - Tq`, which is PyTorch's `is_causal`
   * when `Tq = Tk` and the right mask for a query appended to a KV cache. Default `false`.
   */
  causal?: boolean;
  /** Multiplies `q·k`. Default `1 / sqrt(D)`. */
  scale?: number;
}

/** Options of {@link scaledDotProductAttention}. */
export interface ScaledDotProductAttentionOptions extends AttentionMaskOptions {
  /**
   * Probability of dropping an attention weight (inverted dropout, rescaling the rest by
   * `1/(1-p)`). Applied whenever it is > 0: pass 0 at inference. Default 0.
   */
  dropout?: number;
  /** Randomness of the dropout mask: a Generator (advances) or a seed. Default: the global generator. */
  rng?: Generator | number;
}

/**
 * A boolean causal mask `[queryLength, keyLength]`: `true` where query `i` may attend key `j`,
 * i.e. `j <= i + keyLength - queryLength` (bottom-right aligned, see
 * {@link AttentionMaskOptions.causal}).
 * @example
 * ```ts
 * causalMask(3).arraySync(); // [[true, false, false], [true, true, false], [true, true, true]]
 * ```
 */
export function causalMask(queryLength: number, keyLength: number = queryLength): tf.Tensor2D {
  assertInteger('causalMask', 'queryLength', queryLength);
  assertInteger('causalMask', 'keyLength', keyLength);
  if (keyLength < queryLength) {
    throw new ArgumentError('bad-argument', `causalMask: keyLength (${keyLength}) must be >= queryLength (${queryLength}).`);
  }
  const allowed = new Uint8Array(queryLength * keyLength);
  const shift = keyLength - queryLength;
  for (let i = 0; i < queryLength; i++) allowed.fill(1, i * keyLength, i * keyLength + i + shift + 1);
  return tf.tensor2d(allowed, [queryLength, keyLength], 'bool');
}

/**
 * The causal mask as additive scores `[queryLength, keyLength]`: 0 where query `i` may attend
 * key `j`, {@link BLOCKED_SCORE} elsewhere. Adding it equals `where(causalMask, scores,
 * BLOCKED_SCORE)` exactly (a float32 score of magnitude below ~1e22 vanishes next to 1e30)
 * but broadcasts as one element-wise add over `[..., Tq, Tk]`, and its gradient passes `dy`
 * through, where `where` needs a tiled boolean mask, a select and a zero tensor.
 */
function causalBias(queryLength: number, keyLength: number): tf.Tensor2D {
  const bias = new Float32Array(queryLength * keyLength);
  const shift = keyLength - queryLength;
  for (let i = 0; i < queryLength; i++) bias.fill(BLOCKED_SCORE, i * keyLength + i + shift + 1, (i + 1) * keyLength);
  return tf.tensor2d(bias, [queryLength, keyLength]);
}

/**
 * Converts a boolean "may attend" mask to an additive one (`0` allowed, {@link BLOCKED_SCORE}
 * blocked); a float mask is returned as is.
 */
export function additiveMask(mask: tf.Tensor): tf.Tensor {
  if (mask.dtype !== 'bool') return mask;
  return tf.tidy(() => tf.where(mask, tf.scalar(0), tf.scalar(BLOCKED_SCORE)));
}

/**
 * Attention probabilities `softmax(q·kᵀ·scale + mask)` over the keys.
 *
 * Shapes: `query [..., Tq, D]`, `key [..., Tk, D]` with the same leading dimensions
 * (`[B, T, D]` or `[B, H, T, D]`) -> `[..., Tq, Tk]`, each row summing to 1.
 * @example
 * ```ts
 * const weights = attentionWeights(q, k, { causal: true }); // [B, H, T, T], lower triangular
 * ```
 */
export function attentionWeights(query: tf.Tensor, key: tf.Tensor, options: AttentionMaskOptions = {}): tf.Tensor {
  return computeWeights('attentionWeights', query, key, options);
}

function computeWeights(where: string, query: tf.Tensor, key: tf.Tensor, options: AttentionMaskOptions): tf.Tensor {
  checkQueryKey(where, query, key);
  const depth = query.shape[query.rank - 1];
  const scale = options.scale === undefined ? 1 / Math.sqrt(depth) : assertInRange(where, 'scale', options.scale, 0, Infinity);
  const queryLength = query.shape[query.rank - 2];
  const keyLength = key.shape[key.rank - 2];
  if (options.mask !== undefined) checkMask(where, options.mask, [...query.shape.slice(0, -1), keyLength]);
  if (options.causal && queryLength > keyLength) {
    throw new ArgumentError('bad-argument', `${where}: causal attention needs at least as many keys (${keyLength}) as queries (${queryLength}).`);
  }
  return tf.tidy(() => {
    let scores = tf.mul(tf.matMul(query, key, false, true), scale); // [..., Tq, Tk]
    if (options.causal) scores = tf.add(scores, causalBias(queryLength, keyLength)); // = where(causalMask, scores, BLOCKED_SCORE)
    const mask = options.mask;
    if (mask !== undefined) scores = mask.dtype === 'bool' ? tf.where(mask, scores, tf.scalar(BLOCKED_SCORE)) : tf.add(scores, mask);
    return tf.softmax(scores); // [..., Tq, Tk]
  });
}

/**
 * Scaled dot-product attention (Vaswani et al., 2017, "Attention is all you need"):
 *
 * ```text
 * Attention(Q, K, V) = softmax(Q·Kᵀ / sqrt(D) + mask) · V
 * ```
 *
 * Shapes: `query [..., Tq, D]`, `key [..., Tk, D]`, `value [..., Tk, Dv]`, where `...` is
 * `[B]` or `[B, H]` and equal for all three -> `[..., Tq, Dv]`. Differentiable in all
 * inputs (matMul/softmax only, no einsum). See {@link AttentionMaskOptions} for masks.
 * @example
 * ```ts
 * const q = tf.randomNormal([2, 4, 7, 8]);                     // [B, H, T, D]
 * const out = scaledDotProductAttention(q, q, q, { causal: true }); // [2, 4, 7, 8]
 * ```
 */
export function scaledDotProductAttention(
  query: tf.Tensor,
  key: tf.Tensor,
  value: tf.Tensor,
  options: ScaledDotProductAttentionOptions = {},
): tf.Tensor {
  const where = 'scaledDotProductAttention';
  checkQueryKey(where, query, key);
  assertShape(where, 'value', value, [...key.shape.slice(0, -1), null], 'float32');
  const dropout = assertInRange(where, 'dropout', options.dropout ?? 0, 0, 1);
  return tf.tidy(() => {
    let weights = computeWeights(where, query, key, options); // [..., Tq, Tk]
    if (dropout > 0) weights = dropWeights(weights, dropout, resolveGenerator(options.rng));
    return tf.matMul(weights, value); // [..., Tq, Dv]
  });
}

/** Inverted dropout of attention weights with a mask drawn from `rng`. @internal */
export function dropWeights(weights: tf.Tensor, p: number, rng: Generator): tf.Tensor {
  return tf.tidy(() => {
    const keep = tf.greaterEqual(tf.randomUniform(weights.shape, 0, 1, 'float32', rng.seed()), p);
    return tf.mul(weights, tf.mul(tf.cast(keep, 'float32'), 1 / (1 - p)));
  });
}

function checkQueryKey(where: string, query: tf.Tensor, key: tf.Tensor): void {
  assertShape(where, 'query', query, ['...', null, null], 'float32');
  if (query.rank !== 3 && query.rank !== 4) {
    throw new ShapeError('shape-mismatch', `${where}: query must be [B, T, D] or [B, H, T, D], received ${formatShape(query.shape)}.`);
  }
  const leading = query.shape.slice(0, -2);
  assertShape(where, 'key', key, [...leading, null, query.shape[query.rank - 1]], 'float32');
}

/** Throws unless `mask` is bool or float32 and broadcastable to `scoresShape`. */
export function checkMask(where: string, mask: tf.Tensor, scoresShape: readonly number[], name = 'mask'): void {
  if (mask === null || typeof mask !== 'object' || !Array.isArray((mask as tf.Tensor).shape)) {
    throw new ArgumentError('not-a-tensor', `${where}: ${name} must be a bool or float32 tf.Tensor, received ${describeValue(mask)}.`);
  }
  if (mask.dtype !== 'bool' && mask.dtype !== 'float32') {
    throw new ShapeError(
      'dtype-mismatch',
      `${where}: ${name} expected dtype bool or float32, received ${mask.dtype}; convert it with tf.cast(${name}, 'bool').`,
    );
  }
  const offset = scoresShape.length - mask.rank;
  const fits = offset >= 0 && mask.shape.every((dim, i) => dim === 1 || dim === scoresShape[offset + i]);
  if (!fits) {
    throw new ShapeError(
      'shape-mismatch',
      `${where}: ${name} ${formatShape(mask.shape)} must broadcast to the attention scores ${formatShape(scoresShape)}.`,
    );
  }
}
