/**
 * ReLU's gradient as one kernel, `TensorZooReluGrad(dy, x) = dy · step(x)`, instead of tfjs's
 * three launches (`Step`, `Cast`, `Multiply`; on `wasm` the `Cast` is a copy). It replaces
 * tfjs's gradient of `Relu` (every `tf.relu`, {@link ReLU}) through {@link RELU_GRADIENT},
 * which runs the kernel where the active backend has it and tfjs's own composite elsewhere, or
 * when the gradient is itself differentiated. The numbers are the composite's on each backend:
 * `dy · 1` or `dy · 0` (so `-0`, and NaN for an infinite `dy`), and NaN for a NaN `x` (tfjs's
 * `Step`).
 * @internal
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';

/** Name of the gradient kernel: inputs `dy` and `x` (ReLU's input), output `dx`. */
export const RELU_GRAD_KERNEL = 'TensorZooReluGrad';

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
        // While the gradient runs, a recording tape (depth >= 1) means an outer tf.grad will
        // differentiate it: the composite ops then, whose gradients exist.
        const recorded = (tf.engine().state as { gradientDepth?: number }).gradientDepth! > 0;
        const fused = x.dtype === 'float32' && dyTensor.dtype === 'float32' && !recorded && tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
        return fused ? (tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dyTensor, x }) as tf.Tensor) : tf.mul(dyTensor, tf.cast(tf.step(x), 'float32'));
      },
    };
  },
};
