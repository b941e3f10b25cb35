import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertShape, formatShape } from '@tensorzoo/core';

/** How a {@link KVCache} treats new keys and values. */
export type KVCacheMode = 'append' | 'static';

/** Options of {@link KVCache}. */
export interface KVCacheOptions {
  /**
   * - `'append'` (default): self-attention during incremental decoding; each call's keys and
   *   values are appended along the time axis.
   * - `'static'`: cross-attention over a fixed memory; the keys and values are projected on
   *   the first call and reused afterwards (later key/value inputs are ignored).
   */
  mode?: KVCacheMode;
}

/**
 * Keys and values of one attention layer, kept between calls for incremental decoding:
 * the prompt is processed once, then each new token attends to the cached keys instead of
 * recomputing them. Tensors are `[B, H, T, D]`; the cache owns them (they survive the
 * layer's `tf.tidy`) until {@link KVCache.reset} or {@link KVCache.dispose}.
 *
 * Pass one cache per attention layer as the `cache` option of `MultiHeadAttention.call`.
 * @example
 * ```ts
 * const cache = new KVCache();
 * attention.call(prompt, { causal: true, cache });      // [B, T, E], cache.length = T
 * attention.call(nextToken, { causal: true, cache });   // [B, 1, E], cache.length = T + 1
 * cache.dispose();
 * ```
 */
export class KVCache {
  readonly mode: KVCacheMode;
  private _keys: tf.Tensor | undefined;
  private _values: tf.Tensor | undefined;

  constructor(options: KVCacheOptions = {}) {
    const mode = options.mode ?? 'append';
    if (mode !== 'append' && mode !== 'static') {
      throw new ArgumentError('bad-argument', `KVCache: mode (${JSON.stringify(mode)}) must be 'append' or 'static'.`);
    }
    this.mode = mode;
  }

  /** Number of cached time steps (0 when empty). */
  get length(): number {
    return this._keys ? (this._keys.shape as number[])[2] : 0;
  }

  /** Cached keys `[B, H, T, D]`, or `undefined` when empty. Owned by the cache. */
  get keys(): tf.Tensor | undefined {
    return this._keys;
  }

  /** Cached values `[B, H, T, Dv]`, or `undefined` when empty. Owned by the cache. */
  get values(): tf.Tensor | undefined {
    return this._values;
  }

  /** True when a `'static'` cache has been filled and its keys/values are reused. */
  get filled(): boolean {
    return this.mode === 'static' && this._keys !== undefined;
  }

  /**
   * Adds new keys/values `[B, H, T, D]` and returns everything cached, `[B, H, length, D]`.
   * The returned tensors belong to the cache: do not dispose them.
   * @throws {ShapeError} when batch, heads or depth differ from what is cached.
   * @throws {ArgumentError} when a filled `'static'` cache is updated again.
   */
  update(keys: tf.Tensor, values: tf.Tensor): { keys: tf.Tensor; values: tf.Tensor } {
    assertShape('KVCache.update', 'keys', keys, [null, null, null, null], 'float32');
    const [batch, heads, length] = keys.shape as number[];
    assertShape('KVCache.update', 'values', values, [batch, heads, length, null], 'float32');
    const cachedKeys = this._keys;
    const cachedValues = this._values;
    if (cachedKeys === undefined || cachedValues === undefined) {
      this._keys = tf.keep(keys.clone());
      this._values = tf.keep(values.clone());
      return { keys: this._keys, values: this._values };
    }
    if (this.mode === 'static') {
      throw new ArgumentError('bad-state', 'KVCache.update: a static cache is filled once; call reset() before reusing it.');
    }
    const [cachedBatch, cachedHeads, , depth] = cachedKeys.shape as number[];
    if (batch !== cachedBatch || heads !== cachedHeads || keys.shape[3] !== depth || values.shape[3] !== cachedValues.shape[3]) {
      throw new ShapeError(
        'shape-mismatch',
        `KVCache.update: new keys ${formatShape(keys.shape)} / values ${formatShape(values.shape)} do not continue the cached ` +
          `${formatShape(cachedKeys.shape)} / ${formatShape(cachedValues.shape)} (batch, heads and depth must match).`,
      );
    }
    this._keys = tf.keep(tf.concat([cachedKeys, keys], 2));
    this._values = tf.keep(tf.concat([cachedValues, values], 2));
    cachedKeys.dispose();
    cachedValues.dispose();
    return { keys: this._keys, values: this._values };
  }

  /**
   * Keeps the batch rows `rows` (in that order; repeats allowed), e.g. to expand one prompt
   * to several beams or to follow the surviving beams of a beam search.
   */
  select(rows: readonly number[]): void {
    if (!this._keys || !this._values) return;
    const batch = this._keys.shape[0];
    if (!Array.isArray(rows) || rows.length === 0 || rows.some((row) => !Number.isInteger(row) || row < 0 || row >= batch)) {
      throw new ArgumentError('bad-argument', `KVCache.select: rows must be a non-empty list of integers in [0, ${batch}), received ${JSON.stringify(rows)}.`);
    }
    const [keys, values] = tf.tidy(() => {
      const indices = tf.tensor1d(rows as number[], 'int32');
      return [tf.gather(this._keys!, indices), tf.gather(this._values!, indices)];
    });
    this._keys.dispose();
    this._values.dispose();
    this._keys = keys;
    this._values = values;
  }

  /** Empties the cache (frees its tensors); it can be used again. */
  reset(): void {
    this._keys?.dispose();
    this._values?.dispose();
    this._keys = undefined;
    this._values = undefined;
  }

  /** Frees the cached tensors. */
  dispose(): void {
    this.reset();
  }
}
