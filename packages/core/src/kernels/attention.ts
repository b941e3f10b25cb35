/**
 * Scaled dot-product attention `softmax(Q·Kᵀ·scale [+ causal mask])·V` as two kernels, one
 * for the forward pass and one for its gradient, instead of the composite's two
 * `BatchMatMul`s, `Multiply`, the causal `Add`, `Softmax` and their ~15 backward and
 * reference-copy launches. Registered for `cpu` and `wasm` by `installFastKernels`;
 * {@link fusedAttention} runs them where registered and tells the caller to use the
 * composite ops elsewhere (and for explicit masks and attention dropout).
 *
 * Per batch-and-head item, with `P` the attention weights (kept for the backward pass):
 *
 * ```text
 * S  = Q·Kᵀ·scale, masked causally (query i sees keys 0..i + Tk - Tq)
 * P  = softmax(S) (row-wise, float64 sums; exp by gelu.ts's range reduction),   O = P·V
 * dV = Pᵀ·dO,   dP = dO·Vᵀ,   dS = P ⊙ (dP - rowsum(dP ⊙ P))·scale
 * dQ = dS·K,    dK = dSᵀ·Q
 * ```
 *
 * The products are the blocked GEMM of `BatchMatMul` (kernels/matmul.ts).
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordingHigherOrder } from './fusion';
import { batchMatMul } from './matmul';
import { expOfNonPositive } from './gelu';

/** Name of the forward kernel: inputs `query`, `key`, `value`; attributes `scale`, `causal`; outputs `output`, `weights`. */
export const ATTENTION_KERNEL = 'TensorZooAttention';
/** Name of the gradient kernel: inputs `dy`, `query`, `key`, `value`, `weights`; attribute `scale`; outputs `dquery`, `dkey`, `dvalue`. */
export const ATTENTION_GRAD_KERNEL = 'TensorZooAttentionGrad';

/** The sizes of one fused attention call: `items` batch-and-head matrices. */
export interface AttentionShape {
  items: number;
  queryLength: number;
  keyLength: number;
  depth: number;
  valueDepth: number;
}

/**
 * Forward pass on flat arrays `q` `[items, Tq, D]`, `k` `[items, Tk, D]`, `v` `[items, Tk, Dv]`.
 * @internal
 */
export function attentionArrays(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  shape: AttentionShape,
  scale: number,
  causal: boolean,
): { output: Float32Array; weights: Float32Array } {
  const { items, queryLength, keyLength, depth, valueDepth } = shape;
  const weights = batchMatMul(q, k, { batch: items, aBatch: items, bBatch: items, rows: queryLength, columns: keyLength, depth, transposeA: false, transposeB: true });
  const row = new Float64Array(keyLength);
  for (let item = 0; item < items; item++) softmaxScores(weights, item * queryLength * keyLength, queryLength, keyLength, scale, causal, row);
  const output = batchMatMul(weights, v, { batch: items, aBatch: items, bBatch: items, rows: queryLength, columns: valueDepth, depth: keyLength, transposeA: false, transposeB: false });
  return { output, weights };
}

/**
 * Gradient of {@link attentionArrays}: `dq`, `dk`, `dv` from `dy` `[items, Tq, Dv]` and the
 * forward pass's `weights` `[items, Tq, Tk]`.
 * @internal
 */
export function attentionGradArrays(
  dy: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  weights: Float32Array,
  shape: AttentionShape,
  scale: number,
): { dq: Float32Array; dk: Float32Array; dv: Float32Array } {
  const { items, queryLength, keyLength, depth, valueDepth } = shape;
  const batched = { batch: items, aBatch: items, bBatch: items };
  const dv = batchMatMul(weights, dy, { ...batched, rows: keyLength, columns: valueDepth, depth: queryLength, transposeA: true, transposeB: false });
  const ds = batchMatMul(dy, v, { ...batched, rows: queryLength, columns: keyLength, depth: valueDepth, transposeA: false, transposeB: true }); // dP, then dS in place
  scoreGradients(ds, 0, weights, 0, items * queryLength, keyLength, scale);
  const dq = batchMatMul(ds, k, { ...batched, rows: queryLength, columns: depth, depth: keyLength, transposeA: false, transposeB: false });
  const dk = batchMatMul(ds, q, { ...batched, rows: keyLength, columns: depth, depth: queryLength, transposeA: true, transposeB: false });
  return { dq, dk, dv };
}

/**
 * One item's scores `S` (`[queryLength, keyLength]` at `offset`) into attention weights in
 * place: `softmax(S·scale)` per row over the visible keys (all, or causally `0..i + Tk - Tq`),
 * float64 sums, zeros for hidden keys. `row`: scratch of `keyLength`. @internal
 */
export function softmaxScores(weights: Float32Array, offset: number, queryLength: number, keyLength: number, scale: number, causal: boolean, row: Float64Array): void {
  for (let i = 0; i < queryLength; i++) {
    const at = offset + i * keyLength;
    const visible = causal ? i + keyLength - queryLength + 1 : keyLength; // keys 0..visible-1
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < visible; j++) {
      row[j] = weights[at + j] * scale;
      if (row[j] > max || Number.isNaN(row[j])) max = row[j];
    }
    let sum = 0;
    for (let j = 0; j < visible; j++) sum += row[j] = expOfNonPositive(row[j] - max); // <= 0 (or NaN)
    for (let j = 0; j < visible; j++) weights[at + j] = row[j] / sum;
    for (let j = visible; j < keyLength; j++) weights[at + j] = 0;
  }
}

/**
 * `dP` (`rows` rows of `keyLength` at `dsOffset`) into `dS = P ⊙ (dP − rowsum(dP ⊙ P))·scale`
 * in place, `P` the weights at `weightsOffset`. @internal
 */
export function scoreGradients(ds: Float32Array, dsOffset: number, weights: Float32Array, weightsOffset: number, rows: number, keyLength: number, scale: number): void {
  for (let r = 0; r < rows; r++) {
    const d = dsOffset + r * keyLength;
    const w = weightsOffset + r * keyLength;
    let dot = 0;
    for (let j = 0; j < keyLength; j++) dot += ds[d + j] * weights[w + j];
    for (let j = 0; j < keyLength; j++) ds[d + j] = weights[w + j] * (ds[d + j] - dot) * scale;
  }
}

/**
 * `softmax(query·keyᵀ·scale)·value` over the last two axes (`query` `[..., Tq, D]`, `key`
 * `[..., Tk, D]`, `value` `[..., Tk, Dv]`, equal leading axes), causal when asked (query `i`
 * sees keys `0..i + Tk - Tq`, PyTorch's `is_causal`), with the fused kernels; `undefined`
 * when the active backend does not have them or the operands do not fit (then compute it with
 * the composite ops, which also report what is wrong). Differentiable in all three inputs.
 * @example
 * ```ts
 * const context = fusedAttention(q, k, v, { scale: 1 / Math.sqrt(32), causal: true }) ?? composite(q, k, v);
 * ```
 */
export function fusedAttention(query: tf.Tensor, key: tf.Tensor, value: tf.Tensor, options: { scale: number; causal: boolean }): tf.Tensor | undefined {
  if (recordingHigherOrder()) return undefined; // second-order gradients: the composite ops
  const backend = tf.getBackend();
  if (tf.getKernel(ATTENTION_KERNEL, backend) === undefined || tf.getKernel(ATTENTION_GRAD_KERNEL, backend) === undefined) return undefined;
  if (![query, key, value].every((tensor) => tensor.dtype === 'float32' && tensor.rank >= 2 && tensor.rank === query.rank)) return undefined;
  const leading = query.shape.slice(0, -2);
  if (![key, value].every((tensor) => tensor.shape.slice(0, -2).every((size, axis) => size === leading[axis]))) return undefined;
  const [queryLength, depth] = query.shape.slice(-2);
  const [keyLength, keyDepth] = key.shape.slice(-2);
  if (keyDepth !== depth || value.shape[value.rank - 2] !== keyLength || keyLength === 0 || (options.causal && queryLength > keyLength)) return undefined;
  if (!(options.scale >= 0 && Number.isFinite(options.scale))) return undefined;
  const attrs = { scale: options.scale, causal: options.causal };
  const run = (name: string, inputs: Record<string, tf.Tensor>) => tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[];
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [q, k, v, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const [output, weights] = run(ATTENTION_KERNEL, { query: q, key: k, value: v });
    save([q, k, v, weights]);
    return {
      value: output,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(ATTENTION_GRAD_KERNEL, { dy, query: saved[0], key: saved[1], value: saved[2], weights: saved[3] }),
    };
  })(query, key, value);
}
