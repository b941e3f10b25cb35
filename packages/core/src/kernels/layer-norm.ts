/**
 * Layer normalisation over the last axis as two kernels, one for the forward pass and one for
 * its gradient, instead of the ~9 forward and ~25 backward element-wise and reduction
 * launches of the composite (`moments`, `sub`, `sqrt`, `div`, `mul`, `add` and their
 * gradients, several of them broadcasts). Registered for `cpu` and `wasm` by
 * `installFastKernels`, and for `webgpu` as WGSL programs (`kernels/webgpu/layer-norm.ts`);
 * {@link fusedLayerNorm} runs them where registered and tells the caller to use the composite
 * ops elsewhere (webgl, tensorflow).
 *
 * Per row of `C` values, accumulated in float64 and rounded once per output (PyTorch's
 * `native_layer_norm` and its backward):
 *
 * ```text
 * mean = Σx / C,  rstd = 1 / sqrt(Σ(x - mean)² / C + eps),  x̂ = (x - mean)·rstd
 * y    = x̂·weight + bias
 * g    = dy·weight
 * dx   = rstd·(g - mean(g) - x̂·mean(g·x̂))
 * dweight = Σ_rows dy·x̂,  dbias = Σ_rows dy
 * ```
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { recordingHigherOrder } from './fusion';

/** Name of the forward kernel in tfjs's kernel registry: inputs `x` (and `weight`, `bias`), outputs `y`, `mean`, `rstd`. */
export const LAYER_NORM_KERNEL = 'TensorZooLayerNorm';
/** Name of the gradient kernel: inputs `dy`, `x`, `mean`, `rstd` (and `weight`), outputs `dx` (and `dweight`, `dbias`). */
export const LAYER_NORM_GRAD_KERNEL = 'TensorZooLayerNormGrad';

/**
 * Forward pass over `x` viewed as `[rows, C]`; writes `y` (`rows·C`), `mean` and `rstd` (`rows`).
 * `weight`/`bias` absent: no affine step.
 * @internal
 */
export function layerNormArrays(
  x: Float32Array,
  columns: number,
  eps: number,
  weight: Float32Array | undefined,
  bias: Float32Array | undefined,
  out: { y: Float32Array; mean: Float32Array; rstd: Float32Array },
): void {
  const rows = columns === 0 ? 0 : x.length / columns;
  for (let row = 0, offset = 0; row < rows; row++, offset += columns) {
    let sum = 0;
    for (let c = 0; c < columns; c++) sum += x[offset + c];
    const mean = sum / columns;
    let squares = 0;
    for (let c = 0; c < columns; c++) {
      const centred = x[offset + c] - mean;
      squares += centred * centred;
    }
    const rstd = 1 / Math.sqrt(squares / columns + eps);
    out.mean[row] = mean;
    out.rstd[row] = rstd;
    if (weight && bias) {
      for (let c = 0; c < columns; c++) out.y[offset + c] = (x[offset + c] - mean) * rstd * weight[c] + bias[c];
    } else {
      for (let c = 0; c < columns; c++) out.y[offset + c] = (x[offset + c] - mean) * rstd;
    }
  }
}

/**
 * Gradient of {@link layerNormArrays}: writes `dx` (`rows·C`) and, with `weight`, `dweight`
 * and `dbias` (`C`). `mean`/`rstd` are the forward pass's (float32, as stored).
 * @internal
 */
export function layerNormGradArrays(
  dy: Float32Array,
  x: Float32Array,
  mean: Float32Array,
  rstd: Float32Array,
  weight: Float32Array | undefined,
  out: { dx: Float32Array; dweight?: Float32Array; dbias?: Float32Array },
): void {
  const rows = mean.length;
  const columns = rows === 0 ? 0 : x.length / rows;
  const dweight = weight ? new Float64Array(columns) : undefined;
  const dbias = weight ? new Float64Array(columns) : undefined;
  for (let row = 0, offset = 0; row < rows; row++, offset += columns) {
    const rowMean = mean[row];
    const rowRstd = rstd[row];
    let sumG = 0;
    let sumGXhat = 0;
    for (let c = 0; c < columns; c++) {
      const xhat = (x[offset + c] - rowMean) * rowRstd;
      const g = weight ? dy[offset + c] * weight[c] : dy[offset + c];
      sumG += g;
      sumGXhat += g * xhat;
      if (dweight && dbias) {
        dweight[c] += dy[offset + c] * xhat;
        dbias[c] += dy[offset + c];
      }
    }
    const meanG = sumG / columns;
    const meanGXhat = sumGXhat / columns;
    for (let c = 0; c < columns; c++) {
      const xhat = (x[offset + c] - rowMean) * rowRstd;
      const g = weight ? dy[offset + c] * weight[c] : dy[offset + c];
      out.dx[offset + c] = rowRstd * (g - meanG - xhat * meanGXhat);
    }
  }
  if (dweight && dbias && out.dweight && out.dbias) {
    out.dweight.set(dweight);
    out.dbias.set(dbias);
  }
}

/**
 * `(x - mean) / sqrt(var + eps) · weight + bias` over the last axis of `x` with the fused
 * kernels (forward and gradient), or `undefined` when the active backend does not have them
 * (then compute it with the composite ops). `weight` and `bias` are `[C]`, both or neither.
 * @internal
 */
export function fusedLayerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor | undefined {
  if (recordingHigherOrder()) return undefined; // second-order gradients: the composite ops
  const backend = tf.getBackend();
  if (tf.getKernel(LAYER_NORM_KERNEL, backend) === undefined || tf.getKernel(LAYER_NORM_GRAD_KERNEL, backend) === undefined) return undefined;
  const columns = x.shape[x.rank - 1];
  if (x.dtype !== 'float32' || x.rank === 0 || columns === 0) return undefined;
  if ((weight === undefined) !== (bias === undefined)) return undefined; // the kernels take both or neither
  const affine = weight !== undefined && bias !== undefined;
  if (affine && !(weight.dtype === 'float32' && bias.dtype === 'float32' && weight.size === columns && bias.size === columns)) return undefined;
  const attrs = { eps };
  const run = (name: string, inputs: Record<string, tf.Tensor>) => tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[];
  if (affine) {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [input, gamma, beta, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      const [y, mean, rstd] = run(LAYER_NORM_KERNEL, { x: input, weight: gamma, bias: beta });
      save([input, mean, rstd, gamma]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [savedX, savedMean, savedRstd, savedWeight] = saved;
          const [dx, dweight, dbias] = run(LAYER_NORM_GRAD_KERNEL, { dy, x: savedX, mean: savedMean, rstd: savedRstd, weight: savedWeight });
          return [dx, tf.reshape(dweight, gamma.shape), tf.reshape(dbias, beta.shape)];
        },
      };
    })(x, weight, bias);
  }
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [input, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [y, mean, rstd] = run(LAYER_NORM_KERNEL, { x: input });
    save([input, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedMean, savedRstd] = saved;
        return [run(LAYER_NORM_GRAD_KERNEL, { dy, x: savedX, mean: savedMean, rstd: savedRstd })[0]];
      },
    };
  })(x);
}
