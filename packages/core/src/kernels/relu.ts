/**
 * ReLU's and leaky ReLU's gradients as one kernel each instead of tfjs's three launches:
 * - `TensorZooReluGrad(dy, x) = dy · step(x)` for `Step`, `Cast`, `Multiply` (on `wasm` the
 *   `Cast` is a copy): `dy · 1` or `dy · 0` (so `-0`, and NaN for an infinite `dy`), and NaN
 *   for a NaN `x` (tfjs's `Step`);
 * - `TensorZooLeakyReluGrad(dy, x; alpha) = x > 0 ? dy : dy · alpha` for `Greater`,
 *   `Multiply`, `Select` (float32 `alpha`, as `tf.mul(dy, alpha)` rounds it).
 *
 * They replace tfjs's gradients of `Relu` and `LeakyRelu` (every `tf.relu`, `tf.leakyRelu`,
 * {@link ReLU}, {@link LeakyReLU}) through {@link RELU_GRADIENT} and {@link LEAKY_RELU_GRADIENT},
 * which run the kernels where the active backend has them and tfjs's own composite elsewhere,
 * or when the gradient is itself differentiated. The numbers are the composite's.
 * @internal
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Name of the gradient kernel: inputs `dy` and `x` (ReLU's input), output `dx`. */
export const RELU_GRAD_KERNEL = 'TensorZooReluGrad';
/** Name of leaky ReLU's gradient kernel: inputs `dy` and `x`, attribute `alpha`, output `dx`. */
export const LEAKY_RELU_GRAD_KERNEL = 'TensorZooLeakyReluGrad';

/** `x > 0 ? dy : dy · alpha` (float32 `alpha`), tfjs's `where(greater(x, 0), dy, mul(dy, alpha))`. @internal */
export function leakyReluGradArrays(dy: Float32Array, x: Float32Array, alpha: number): Float32Array {
  const out = new Float32Array(dy.length);
  const a = Math.fround(alpha);
  for (let i = 0; i < dy.length; i++) out[i] = x[i] > 0 ? dy[i] : dy[i] * a;
  return out;
}

/** While a gradient runs, a recording tape (depth >= 1) means an outer tf.grad will differentiate it. */
const recorded = () => (tf.engine().state as { gradientDepth?: number }).gradientDepth! > 0;

/** tfjs's gradient of `LeakyRelu` with the fused kernel where the active backend has it. @internal */
export const LEAKY_RELU_GRADIENT: tf.GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const dyTensor = dy as tf.Tensor;
    const alpha = (attrs as { alpha: number }).alpha;
    return {
      x: () => {
        const fused = x.dtype === 'float32' && dyTensor.dtype === 'float32' && !recorded() && tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
        return fused ? (tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy: dyTensor, x }, { alpha }) as tf.Tensor) : tf.where(tf.greater(x, 0), dyTensor, tf.mul(dyTensor, alpha));
      },
    };
  },
};

/** `dy · step(x)` with tfjs's `Step` (NaN for a NaN `x`). @internal */
export function reluGradArrays(dy: Float32Array, x: Float32Array): Float32Array {
  const out = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; i++) {
    const value = x[i];
    out[i] = dy[i] * (value > 0 ? 1 : value === value ? 0 : Number.NaN);
  }
  return out;
}

/** tfjs's gradient of `Relu` with the fused kernel where the active backend has it. @internal */
export const RELU_GRADIENT: tf.GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const dyTensor = dy as tf.Tensor;
    return {
      x: () => {
        // Differentiated again (an outer tf.grad records): the composite ops, whose gradients exist.
        const fused = x.dtype === 'float32' && dyTensor.dtype === 'float32' && !recorded() && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
        return fused ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dyTensor, x }) as tf.Tensor) : tf.mul(dyTensor, tf.cast(tf.step(x), 'float32'));
      },
    };
  },
};
