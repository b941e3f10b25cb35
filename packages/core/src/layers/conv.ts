import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError } from '../errors';
import { resolveGenerator, torchDefaultBias, torchDefaultWeight, type Initializer } from '../init';
import { fusedConvWithBias, type ConvActivation } from '../kernels/fused-conv';
import { Module, parameter } from '../module';
import { ReLU } from './activations';
import type { Generator } from '../rng';
import { assertInteger, assertShape, describeValue, formatShape } from '../shape';

/** A size given once for both spatial dimensions, or as `[height, width]`. */
export type Size2d = number | readonly [number, number];

/**
 * Convolution padding: a number or `[height, width]` of zeros added on both sides (like
 * PyTorch), `'valid'` (none) or `'same'` (output size `ceil(input / stride)`, the extra
 * row/column going to the bottom/right as in TensorFlow and PyTorch).
 */
export type Padding2d = Size2d | 'same' | 'valid';

/**
 * Reads a {@link Size2d} argument as `[height, width]`, checking each is an integer >= `min`.
 * @internal
 */
export function toPair(where: string, name: string, value: unknown, min = 1): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : value;
  const ok =
    Array.isArray(pair) && pair.length === 2 && pair.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= min);
  if (!ok) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: ${name} (${Array.isArray(value) ? `[${value.join(', ')}]` : describeValue(value)}) must be an integer >= ${min} or a pair [height, width] of them.`,
    );
  }
  return pair as [number, number];
}

/** Reads a {@link Padding2d} argument. @internal */
export function toPadding(where: string, value: unknown): [number, number] | 'same' | 'valid' {
  if (value === 'same' || value === 'valid') return value;
  return toPair(where, 'padding', value, 0);
}

/** Output length of a convolution along one axis (PyTorch's formula). @internal */
export function convOutputSize(size: number, kernel: number, stride: number, pad: number, dilation = 1): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Spreads a `[kh, kw, in, out]` filter to its dilated form, zeros between the taps (differentiable). */
function dilateFilter(filter: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  const [kh, kw, inC, outC] = filter.shape;
  // Rank <= 4 throughout: some backends (webgpu) have no higher-rank pad.
  const rows = tf.pad(filter.reshape([kh, 1, kw * inC * outC]), [[0, 0], [0, dh - 1], [0, 0]]); // [kh, dh, kw*in*out]
  const tallHeight = (kh - 1) * dh + 1;
  const tall = tf.slice(rows.reshape([kh * dh, kw * inC * outC]), [0, 0], [tallHeight, kw * inC * outC]);
  const columns = tf.pad(tall.reshape([tallHeight, kw, 1, inC * outC]), [[0, 0], [0, 0], [0, dw - 1], [0, 0]]); // [KH, kw, dw, in*out]
  const wide = columns.reshape([tallHeight, kw * dw, inC, outC]);
  return tf.slice(wide, [0, 0, 0, 0], [tallHeight, (kw - 1) * dw + 1, inC, outC]) as tf.Tensor4D; // [KH, KW, in, out]
}

/** Options of {@link Conv2d}. */
export interface Conv2dOptions {
  /** Step between windows, a number or `[height, width]`. Default `1`. */
  stride?: Size2d;
  /** Zero padding: a number, `[height, width]`, `'valid'` or `'same'`. Default `0`. */
  padding?: Padding2d;
  /** Spacing between kernel taps, a number or `[height, width]`. Default `1`. */
  dilation?: Size2d;
  /**
   * Split the channels into this many independent groups (PyTorch's `groups`): each group of
   * `inChannels / groups` input channels feeds its own `outChannels / groups` outputs.
   * `groups == inChannels` is a depthwise convolution. Both channel counts must be divisible
   * by it. Default `1`.
   */
  groups?: number;
  /** Add a learned bias. Default `true`. */
  bias?: boolean;
  /** Randomness for initialisation: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
  /** Weight initializer (`[out, in / groups, kh, kw]` layout). Default: PyTorch's (U(±1/sqrt(in/groups·kh·kw))). */
  weightInit?: Initializer;
  /** Bias initializer. Default: PyTorch's (U(±1/sqrt(in/groups·kh·kw))). */
  biasInit?: Initializer;
}

/**
 * 2-D convolution (PyTorch `nn.Conv2d`, Keras `Conv2D`) on channels-last images.
 *
 * Parameters are stored in PyTorch's layout, `weight` `[out, in / groups, kh, kw]` and `bias`
 * `[out]`, so `state_dict`s move both ways unchanged; the forward pass transposes the weight
 * to tfjs's `[kh, kw, in, out]`. Activations are NHWC, tfjs's native layout.
 *
 * With `groups > 1` the channels split into independent groups (ResNeXt); with
 * `groups == inChannels` it is a depthwise convolution (MobileNet), run as one
 * `tf.depthwiseConv2d`. Other group counts run one convolution per group and concatenate.
 * Stock tfjs-wasm has no depthwise gradient kernels, so depthwise layers train on cpu and
 * webgpu (and infer everywhere).
 *
 * Input `[N, H, W, inChannels]` float32 -> output `[N, H', W', outChannels]` with
 * `H' = floor((H + 2·padding - dilation·(kh - 1) - 1) / stride) + 1` (likewise `W'`).
 *
 * `'same'` padding with a stride above 1 follows TensorFlow (PyTorch rejects it).
 * @example
 * ```ts
 * const conv = new Conv2d(1, 32, 3, { padding: 1, rng: 0 });
 * conv.call(tf.zeros([8, 28, 28, 1])).shape; // [8, 28, 28, 32]
 * const depthwise = new Conv2d(32, 32, 3, { padding: 1, groups: 32, bias: false, rng: 0 });
 * depthwise.weight.shape; // [32, 1, 3, 3]
 * ```
 */
export class Conv2d extends Module {
  static override readonly moduleName: string = 'Conv2d';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'same' | 'valid';
  readonly dilation: [number, number];
  /** Number of channel groups (1: a plain convolution; `inChannels`: depthwise). */
  readonly groups: number;
  /** `[outChannels, inChannels / groups, kh, kw]` */
  weight: tf.Variable;
  /** `[outChannels]`, or absent when `bias: false`. */
  bias?: tf.Variable;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2d, options: Conv2dOptions = {}) {
    super();
    this.inChannels = assertInteger('Conv2d', 'inChannels', inChannels);
    this.outChannels = assertInteger('Conv2d', 'outChannels', outChannels);
    this.kernelSize = toPair('Conv2d', 'kernelSize', kernelSize);
    this.stride = toPair('Conv2d', 'stride', options.stride ?? 1);
    this.padding = toPadding('Conv2d', options.padding ?? 0);
    this.dilation = toPair('Conv2d', 'dilation', options.dilation ?? 1);
    this.groups = assertInteger('Conv2d', 'groups', options.groups ?? 1);
    for (const [name, channels] of [['inChannels', inChannels], ['outChannels', outChannels]] as const) {
      if (channels % this.groups !== 0) {
        throw new ArgumentError(
          'bad-argument',
          `Conv2d: groups (${this.groups}) must divide ${name} (${channels}); use a group count that divides both inChannels (${inChannels}) and outChannels (${outChannels}).`,
        );
      }
    }
    const rng = resolveGenerator(options.rng);
    const groupInChannels = inChannels / this.groups;
    const fanIn = groupInChannels * this.kernelSize[0] * this.kernelSize[1];
    this.weight = parameter((options.weightInit ?? torchDefaultWeight)([outChannels, groupInChannels, ...this.kernelSize], rng));
    if (options.bias ?? true) this.bias = parameter((options.biasInit ?? torchDefaultBias(fanIn))([outChannels], rng));
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    return this.convolve(input, 'linear');
  }

  /**
   * {@link Sequential}'s fusion: this convolution and a plain {@link ReLU} after it as one
   * `FusedConv2D` kernel with the ReLU inside (the same values; on wasm XNNPACK clamps while it
   * writes the output, and the ReLU's own pass over the activations is gone). `undefined` when
   * `next` is anything else or either layer is a subclass (whose forward may differ). @internal
   */
  callWithNext(input: tf.Tensor, next: unknown): tf.Tensor | undefined {
    if (Object.getPrototypeOf(this) !== Conv2d.prototype || !(next instanceof ReLU) || Object.getPrototypeOf(next) !== ReLU.prototype) return undefined;
    return tf.tidy(() => this.convolve(input, 'relu'));
  }

  /** The forward pass, followed by `activation`. */
  private convolve(input: tf.Tensor, activation: ConvActivation): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, null, this.inChannels], 'float32');
    const [, height, width] = input.shape;
    const [kh, kw] = this.kernelSize;
    const [dh, dw] = this.dilation;
    if (Array.isArray(this.padding) || this.padding === 'valid') {
      const [ph, pw] = this.padding === 'valid' ? [0, 0] : this.padding;
      const outHeight = convOutputSize(height, kh, this.stride[0], ph, dh);
      const outWidth = convOutputSize(width, kw, this.stride[1], pw, dw);
      if (outHeight < 1 || outWidth < 1) {
        throw new ShapeError(
          'input-too-small',
          `${this.path}: input ${formatShape(input.shape)} is too small for kernel ${formatShape(this.kernelSize)} with padding ${formatShape([ph, pw])} and dilation ${formatShape(this.dilation)}.`,
        );
      }
    }
    const pad = Array.isArray(this.padding) ? explicit(this.padding) : this.padding;
    let output: tf.Tensor;
    const fused = this.groups === 1 && this.bias ? fusedConvWithBias(input as tf.Tensor4D, this.tfFilter(this.weight) as tf.Tensor4D, this.bias, this.stride, pad, activation) : undefined;
    if (fused) return fused; // one kernel with the bias and activation (kernels/fused-conv.ts)
    if (this.groups === 1) {
      output = tf.conv2d(input as tf.Tensor4D, this.tfFilter(this.weight), this.stride, pad); // [N, H', W', out]
    } else if (this.groups === this.inChannels) {
      // Depthwise: PyTorch's output channel o = c·m + j (m = out / in) is tfjs's channel c, multiplier j.
      const multiplier = this.outChannels / this.inChannels;
      const weight = tf.reshape(this.weight, [this.inChannels, multiplier, kh, kw]); // [in, m, kh, kw]
      output = tf.depthwiseConv2d(input as tf.Tensor4D, this.tfFilter(weight, [2, 3, 0, 1]), this.stride, pad); // [N, H', W', in·m]
    } else {
      const inputs = tf.split(input, this.groups, 3); // groups × [N, H, W, in/groups]
      const weights = tf.split(this.weight, this.groups, 0); // groups × [out/groups, in/groups, kh, kw]
      const outputs = inputs.map((part, group) => tf.conv2d(part as tf.Tensor4D, this.tfFilter(weights[group]), this.stride, pad));
      output = tf.concat(outputs, 3); // [N, H', W', out]
    }
    if (this.bias) output = tf.add(output, this.bias);
    return activation === 'relu' ? tf.relu(output) : output;
  }

  /**
   * PyTorch weight -> tfjs filter: `[out, in, kh, kw]` -> `[kh, kw, in, out]` by default;
   * depthwise passes `[2, 3, 0, 1]` to turn `[in, m, kh, kw]` into `[kh, kw, in, m]`.
   * Taps are spread when dilated.
   */
  private tfFilter(weight: tf.Tensor, permutation = [2, 3, 1, 0]): tf.Tensor4D {
    const filter = tf.transpose(weight, permutation) as tf.Tensor4D;
    // tfjs has no gradient for dilated convolutions: spread the taps instead (exact, differentiable).
    const [dh, dw] = this.dilation;
    return dh > 1 || dw > 1 ? dilateFilter(filter, this.dilation) : filter;
  }
}

/** Symmetric explicit padding for tfjs's NHWC ops. */
function explicit([ph, pw]: readonly [number, number]): [[number, number], [number, number], [number, number], [number, number]] {
  return [[0, 0], [ph, ph], [pw, pw], [0, 0]];
}

/** Options of {@link ConvTranspose2d}. */
export interface ConvTranspose2dOptions {
  /** Upsampling factor, a number or `[height, width]`. Default `1`. */
  stride?: Size2d;
  /** Rows/columns removed from each side of the full output (PyTorch's `padding`). Default `0`. */
  padding?: Size2d;
  /** Extra rows/columns added at the bottom/right to pick the output size; must be < stride. Default `0`. */
  outputPadding?: Size2d;
  /** Add a learned bias. Default `true`. */
  bias?: boolean;
  /** Randomness for initialisation: a Generator, a seed, or the default generator. */
  rng?: Generator | number;
  /** Weight initializer (`[in, out, kh, kw]` layout). Default: PyTorch's. */
  weightInit?: Initializer;
  /** Bias initializer. Default: PyTorch's (U(±1/sqrt(out·kh·kw))). */
  biasInit?: Initializer;
}

/**
 * Transposed 2-D convolution (PyTorch `nn.ConvTranspose2d`, Keras `Conv2DTranspose`): the
 * gradient of a convolution with respect to its input, used to upsample in DCGAN-style
 * generators.
 *
 * `weight` is stored `[inChannels, outChannels, kh, kw]` like PyTorch. Input
 * `[N, H, W, inChannels]` float32 -> output `[N, H', W', outChannels]` with
 * `H' = (H - 1)·stride - 2·padding + kh + outputPadding` (likewise `W'`), exactly PyTorch's size.
 * @example
 * ```ts
 * const up = new ConvTranspose2d(64, 32, 4, { stride: 2, padding: 1, rng: 0 });
 * up.call(tf.zeros([8, 7, 7, 64])).shape; // [8, 14, 14, 32]
 * ```
 */
export class ConvTranspose2d extends Module {
  static override readonly moduleName: string = 'ConvTranspose2d';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  /** `[inChannels, outChannels, kh, kw]` */
  weight: tf.Variable;
  /** `[outChannels]`, or absent when `bias: false`. */
  bias?: tf.Variable;

  constructor(inChannels: number, outChannels: number, kernelSize: Size2d, options: ConvTranspose2dOptions = {}) {
    super();
    this.inChannels = assertInteger('ConvTranspose2d', 'inChannels', inChannels);
    this.outChannels = assertInteger('ConvTranspose2d', 'outChannels', outChannels);
    this.kernelSize = toPair('ConvTranspose2d', 'kernelSize', kernelSize);
    this.stride = toPair('ConvTranspose2d', 'stride', options.stride ?? 1);
    this.padding = toPair('ConvTranspose2d', 'padding', options.padding ?? 0, 0);
    this.outputPadding = toPair('ConvTranspose2d', 'outputPadding', options.outputPadding ?? 0, 0);
    for (const axis of [0, 1]) {
      if (this.outputPadding[axis] >= this.stride[axis]) {
        throw new ArgumentError(
          'bad-argument',
          `ConvTranspose2d: outputPadding (${formatShape(this.outputPadding)}) must be smaller than stride (${formatShape(this.stride)}).`,
        );
      }
    }
    const rng = resolveGenerator(options.rng);
    // PyTorch computes the fan-in of a transposed conv from weight dim 1 (outChannels).
    const fanIn = outChannels * this.kernelSize[0] * this.kernelSize[1];
    this.weight = parameter((options.weightInit ?? torchDefaultWeight)([inChannels, outChannels, ...this.kernelSize], rng));
    if (options.bias ?? true) this.bias = parameter((options.biasInit ?? torchDefaultBias(fanIn))([outChannels], rng));
  }

  /** Output `[H', W']` for an input of `[H, W]`. */
  outputSize(height: number, width: number): [number, number] {
    const size = (length: number, axis: 0 | 1) =>
      (length - 1) * this.stride[axis] - 2 * this.padding[axis] + this.kernelSize[axis] + this.outputPadding[axis];
    return [size(height, 0), size(width, 1)];
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, null, this.inChannels], 'float32');
    const [batch, height, width] = input.shape;
    const [outHeight, outWidth] = this.outputSize(height, width);
    if (outHeight < 1 || outWidth < 1) {
      throw new ShapeError(
        'input-too-small',
        `${this.path}: input ${formatShape(input.shape)} gives an empty output ${formatShape([outHeight, outWidth])} with padding ${formatShape(this.padding)}.`,
      );
    }
    const filter = tf.transpose(this.weight, [2, 3, 1, 0]) as tf.Tensor4D; // [kh, kw, out, in]
    // The convolution this transposes pads `padding` on both sides; it maps [H', W'] back to [H, W].
    const shape: [number, number, number, number] = [batch, outHeight, outWidth, this.outChannels];
    let output = tf.conv2dTranspose(input as tf.Tensor4D, filter, shape, this.stride, explicit(this.padding)); // [N, H', W', out]
    if (this.bias) output = tf.add(output, this.bias);
    return output;
  }
}
