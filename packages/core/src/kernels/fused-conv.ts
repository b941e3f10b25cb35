/**
 * A convolution with its bias as one `FusedConv2D` kernel (linear activation, NHWC): wasm's
 * XNNPACK adds the bias inside the convolution and webgpu saves a dispatch, instead of
 * `Conv2D` then `Add` over the whole output. tfjs runs `tf.fused.conv2d` through `customGrad`,
 * which computes every input's gradient even where none is needed (a first layer's input
 * gradient: 4 ms of a CNN step); {@link FUSED_CONV2D_GRADIENT} is a registered gradient with
 * one lazy closure per input instead, the same kernels `Conv2D`'s own gradient uses.
 * @internal
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';
import { recordingHigherOrder } from './fusion';
import { RELU_GRAD_KERNEL } from './relu';

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];

/** The activations {@link fusedConvWithBias} takes into the convolution. @internal */
export type ConvActivation = 'linear' | 'relu';

/**
 * {@link FUSED_CONV2D_GRADIENT}'s `outputsToSave`, which tfjs reads as each kernel runs:
 * `[true]` only while {@link fusedConvWithBias} runs a ReLU variant (its gradient needs the
 * output; saving it costs tfjs a clone, an `Identity` launch, that the linear one need not pay).
 */
const savesOutput = [false];

/**
 * The gradient of `FusedConv2D` with a linear or ReLU activation: per input, lazily; for ReLU
 * the output's gradient is first masked where the (saved) output is not positive, by the fused
 * `TensorZooReluGrad` kernel where registered (`dy · step(y)`, tfjs's ReLU gradient: `y > 0`
 * exactly where the pre-activation is). @internal
 */
export const FUSED_CONV2D_GRADIENT: GradConfig = {
  kernelName: 'FusedConv2D',
  inputsToSave: ['x', 'filter'],
  outputsToSave: savesOutput,
  gradFunc: (dy, saved, attrs) => {
    const [x, filter, y] = saved;
    const { strides, pad, dataFormat, dimRoundingMode, activation } = attrs as NamedAttrMap & { activation?: string };
    const kind = activation ?? 'linear';
    if ((kind !== 'linear' && kind !== 'relu') || (kind === 'relu' && y === undefined)) {
      throw new Error(`TensorZoo's FusedConv2D gradient handles the linear activation, and relu as fusedConvWithBias runs it (saving the output); got '${String(activation)}'.`);
    }
    const common = { strides, pad, dataFormat, dimRoundingMode } as NamedAttrMap;
    // Computed here, not in the closures: each runs in a tidy of its own, which would dispose it.
    const gradient = kind === 'relu' ? reluGradient(dy as tf.Tensor, y) : (dy as tf.Tensor);
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: gradient, filter }, { ...common, inputShape: x.shape }) as tf.Tensor,
      filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: gradient }, { ...common, filterShape: filter.shape }) as tf.Tensor,
      bias: () => tf.sum(gradient, [0, 1, 2]),
    };
  },
};

/** `dy · step(y)`: one `TensorZooReluGrad` launch where the backend has it, else tfjs's composite. */
function reluGradient(dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  if (tf.getKernel(RELU_GRAD_KERNEL, tf.getBackend()) !== undefined) return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x: y }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(y), 'float32'));
}

/**
 * `conv2d(x, filter) + bias` (NHWC, bias `[outChannels]`, no dilation), with `activation`
 * `'relu'` then `relu(...)`, as one `FusedConv2D` kernel with {@link FUSED_CONV2D_GRADIENT}
 * (XNNPACK on wasm clamps inside the convolution); `undefined` where the composite should run
 * instead: while a gradient is itself differentiated, or when another `FusedConv2D` gradient
 * is registered. @internal
 */
export function fusedConvWithBias(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor, strides: [number, number], pad: Pad, activation: ConvActivation = 'linear'): tf.Tensor4D | undefined {
  if (recordingHigherOrder() || x.dtype !== 'float32' || filter.dtype !== 'float32' || bias.dtype !== 'float32' || bias.rank !== 1) return undefined;
  const registered = tf.getGradient('FusedConv2D');
  if (registered === undefined) tf.registerGradient(FUSED_CONV2D_GRADIENT);
  else if (registered !== FUSED_CONV2D_GRADIENT) return undefined;
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation } as unknown as NamedAttrMap;
  savesOutput[0] = activation === 'relu';
  try {
    return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs) as tf.Tensor4D;
  } finally {
    savesOutput[0] = false;
  }
}
