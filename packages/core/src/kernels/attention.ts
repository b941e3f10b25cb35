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

/**
 * Name of the self-attention forward kernel on packed projections: input `qkv`
 * `[B, T, 3, H, D]` (queries, keys, values of each position side by side, as one `Linear`
 * with PyTorch's `in_proj_weight` makes them); attributes `scale`, `causal`; outputs `output`
 * `[B, T, H, D]` (heads merged, as the output projection reads them) and `weights` `[B, H, T, T]`.
 */
export const PACKED_ATTENTION_KERNEL = 'TensorZooPackedAttention';
/** Name of its gradient kernel: inputs `dy` `[B, T, H, D]`, `qkv`, `weights`; attribute `scale`; output `dqkv` `[B, T, 3, H, D]`. */
export const PACKED_ATTENTION_GRAD_KERNEL = 'TensorZooPackedAttentionGrad';

/** The sizes of a packed self-attention call: `qkv` is `[batch, length, 3, heads, depth]`. */
export interface PackedAttentionShape {
  batch: number;
  length: number;
  heads: number;
  depth: number;
}

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
 * Copies between the packed layout `[B, T, slots, H, D]` (slot `slot`) and the heads layout
 * `[B, H, T, D]`: `toHeads` reads packed and writes heads, otherwise the reverse.
 */
function copyHeads(packed: Float32Array, slots: number, slot: number, heads: Float32Array, shape: PackedAttentionShape, toHeads: boolean): void {
  const { batch, length, heads: h, depth } = shape;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < length; t++) {
      for (let head = 0; head < h; head++) {
        const p = (((b * length + t) * slots + slot) * h + head) * depth;
        const q = ((b * h + head) * length + t) * depth;
        if (toHeads) heads.set(packed.subarray(p, p + depth), q);
        else packed.set(heads.subarray(q, q + depth), p);
      }
    }
  }
}

/** The {@link AttentionShape} of a packed self-attention call: `B·H` items. */
const itemsOf = ({ batch, length, heads, depth }: PackedAttentionShape): AttentionShape => ({ items: batch * heads, queryLength: length, keyLength: length, depth, valueDepth: depth });

/**
 * Self-attention on packed projections `qkv` `[B, T, 3, H, D]`: {@link attentionArrays} on the
 * heads of each slot, the output with its heads merged (`[B, T, H, D]`). Bit for bit the
 * transposes and {@link attentionArrays}. @internal
 */
export function packedAttentionArrays(qkv: Float32Array, shape: PackedAttentionShape, scale: number, causal: boolean): { output: Float32Array; weights: Float32Array } {
  const size = shape.batch * shape.length * shape.heads * shape.depth;
  const [q, k, v] = [0, 1, 2].map((slot) => {
    const heads = new Float32Array(size);
    copyHeads(qkv, 3, slot, heads, shape, true);
    return heads;
  });
  const { output, weights } = attentionArrays(q, k, v, itemsOf(shape), scale, causal);
  const merged = new Float32Array(size);
  copyHeads(merged, 1, 0, output, shape, false);
  return { output: merged, weights };
}

/** Gradient of {@link packedAttentionArrays}: `dqkv` `[B, T, 3, H, D]` from `dy` `[B, T, H, D]`. @internal */
export function packedAttentionGradArrays(dy: Float32Array, qkv: Float32Array, weights: Float32Array, shape: PackedAttentionShape, scale: number): Float32Array {
  const size = shape.batch * shape.length * shape.heads * shape.depth;
  const [q, k, v, dyHeads] = [0, 1, 2, 3].map(() => new Float32Array(size));
  [q, k, v].forEach((heads, slot) => copyHeads(qkv, 3, slot, heads, shape, true));
  copyHeads(dy, 1, 0, dyHeads, shape, true);
  const { dq, dk, dv } = attentionGradArrays(dyHeads, q, k, v, weights, itemsOf(shape), scale);
  const dqkv = new Float32Array(3 * size);
  [dq, dk, dv].forEach((heads, slot) => copyHeads(dqkv, 3, slot, heads, shape, false));
  return dqkv;
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

/**
 * Self-attention `softmax(Q·Kᵀ·scale)·V` per head on packed projections `qkv`
 * `[B, T, 3, H, D]` (slot 0 queries, 1 keys, 2 values: a `Linear` with PyTorch's packed
 * `in_proj_weight`, reshaped), with the heads merged in the output `[B, T, H, D]`: one kernel
 * each way, where {@link fusedAttention} needs transposes to split and merge the heads (and
 * their gradients). `undefined` when the active backend does not have the kernels or `qkv`
 * does not fit; then split the heads and use {@link fusedAttention} or the composite ops.
 * @example
 * ```ts
 * const context = fusedPackedAttention(linear(x, inProjWeight).reshape([B, T, 3, H, D]), { scale: 1 / Math.sqrt(D), causal: true });
 * ```
 */
export function fusedPackedAttention(qkv: tf.Tensor, options: { scale: number; causal: boolean }): tf.Tensor | undefined {
  if (recordingHigherOrder()) return undefined; // second-order gradients: the composite ops
  const backend = tf.getBackend();
  if (tf.getKernel(PACKED_ATTENTION_KERNEL, backend) === undefined || tf.getKernel(PACKED_ATTENTION_GRAD_KERNEL, backend) === undefined) return undefined;
  if (qkv.dtype !== 'float32' || qkv.rank !== 5 || qkv.shape[2] !== 3 || qkv.shape[1] === 0 || qkv.shape[4] === 0) return undefined;
  if (!(options.scale >= 0 && Number.isFinite(options.scale))) return undefined;
  const attrs = { scale: options.scale, causal: options.causal };
  const run = (name: string, inputs: Record<string, tf.Tensor>) => tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[];
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [packed, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [output, weights] = run(PACKED_ATTENTION_KERNEL, { qkv: packed });
    save([packed, weights]);
    return {
      value: output,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(PACKED_ATTENTION_GRAD_KERNEL, { dy, qkv: saved[0], weights: saved[1] }, attrs) as tf.Tensor,
    };
  })(qkv);
}
