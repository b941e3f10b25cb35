// MobileNetV2 (Sandler et al., 2018) with torchvision's exact layout and parameter names
// (torchvision.models.mobilenetv2), so torchvision state_dicts load unchanged.
import * as tf from '@tensorflow/tfjs-core';
import {
  BatchNorm2d,
  Conv2d,
  Dropout,
  GlobalAvgPool2d,
  Linear,
  Module,
  Sequential,
  assertInRange,
  assertPositive,
  assertShape,
  normal,
  resolveGenerator,
  zeros,
  type Generator,
} from '@tensorzoo/core';
import { kaimingNormalFanOut } from './torchvision-resnet';
import { positiveInteger } from './validate';

/** `min(max(x, 0), 6)`, MobileNet's activation (PyTorch `nn.ReLU6`). */
export class ReLU6 extends Module {
  static override readonly moduleName: string = 'ReLU6';
  protected forward(input: tf.Tensor): tf.Tensor {
    return tf.relu6(input);
  }
}

/**
 * torchvision's `_make_divisible`: rounds `value` to the nearest multiple of `divisor` (at
 * least `divisor`), going up one step when rounding down would lose more than 10%.
 * @example
 * ```ts
 * makeDivisible(32 * 0.75, 8); // 24
 * makeDivisible(16 * 0.35, 8); // 8
 * ```
 */
export function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

/**
 * torchvision's `Conv2dNormActivation`: `Sequential(Conv2d (no bias, "same" padding), BatchNorm2d, ReLU6)`,
 * children named `0`, `1`, `2`.
 */
function convNormReLU6(inChannels: number, outChannels: number, kernelSize: number, options: { stride?: number; groups?: number; rng: Generator }): Sequential {
  const { stride = 1, groups = 1, rng } = options;
  const padding = (kernelSize - 1) / 2;
  const conv = new Conv2d(inChannels, outChannels, kernelSize, { stride, padding, groups, bias: false, rng, weightInit: kaimingNormalFanOut });
  return new Sequential(conv, new BatchNorm2d(outChannels), new ReLU6());
}

/**
 * MobileNetV2's inverted residual block (torchvision's `InvertedResidual`): an optional 1x1
 * expansion to `inChannels · expandRatio` channels (Conv-BN-ReLU6), a 3x3 depthwise
 * Conv-BN-ReLU6 with the stride, and a linear 1x1 projection (Conv-BN), all in `conv`;
 * the input is added back when the stride is 1 and the channel count is unchanged.
 *
 * Names: `conv.0.0.weight` (expansion, when `expandRatio != 1`), ..., `conv.<last>.running_var`.
 *
 * Input `[N, H, W, inChannels]` -> output `[N, ceil(H / stride), ceil(W / stride), outChannels]`.
 * @example
 * ```ts
 * const block = new InvertedResidual(16, 24, { stride: 2, expandRatio: 6, rng: 0 });
 * block.call(tf.zeros([1, 112, 112, 16])).shape; // [1, 56, 56, 24]
 * ```
 */
export class InvertedResidual extends Module {
  static override readonly moduleName: string = 'InvertedResidual';
  readonly inChannels: number;
  readonly outChannels: number;
  /** True when the block adds its input to its output. */
  readonly useResidual: boolean;
  conv: Sequential;

  constructor(inChannels: number, outChannels: number, options: { stride?: number; expandRatio?: number; rng?: Generator | number } = {}) {
    super();
    const where = 'InvertedResidual';
    this.inChannels = positiveInteger(where, 'inChannels', inChannels);
    this.outChannels = positiveInteger(where, 'outChannels', outChannels);
    const stride = positiveInteger(where, 'stride', options.stride ?? 1);
    const expandRatio = assertInRange(where, 'expandRatio', options.expandRatio ?? 6, 1, 64);
    const rng = resolveGenerator(options.rng);
    const hidden = Math.round(inChannels * expandRatio);
    this.useResidual = stride === 1 && inChannels === outChannels;
    const layers = [];
    if (expandRatio !== 1) layers.push(convNormReLU6(inChannels, hidden, 1, { rng: rng.fork() }));
    layers.push(
      convNormReLU6(hidden, hidden, 3, { stride, groups: hidden, rng: rng.fork() }),
      new Conv2d(hidden, outChannels, 1, { bias: false, rng: rng.fork(), weightInit: kaimingNormalFanOut }),
      new BatchNorm2d(outChannels),
    );
    this.conv = new Sequential(...layers);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, null, this.inChannels], 'float32');
    const output = this.conv.call(input); // [N, H/s, W/s, out]
    return this.useResidual ? tf.add(input, output) : output;
  }
}

/** Options of {@link MobileNetV2}; every field is optional. */
export interface MobileNetV2Config {
  /** Number of classes (logits). Default `1000` (ImageNet). */
  numClasses?: number;
  /** Scales every layer's channels (rounded by {@link makeDivisible} to multiples of 8). Default `1`. */
  widthMultiplier?: number;
  /** Channels of the input images. Default `3` (RGB). */
  inputChannels?: number;
  /** Dropout before the classifier. Default `0.2`. */
  dropout?: number;
  /** Randomness for the initial weights and dropout: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of a {@link MobileNetV2} (every default filled in, no `rng`). */
export type ResolvedMobileNetV2Config = Required<Omit<MobileNetV2Config, 'rng'>>;

/** torchvision's `inverted_residual_setting`: expansion t, channels c, repeats n, first stride s. */
const INVERTED_RESIDUAL_SETTING: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/**
 * MobileNetV2 with torchvision's layout: `features.0` Conv-BN-ReLU6 3x3 stride 2, then 17
 * {@link InvertedResidual} blocks (`features.1`..`features.17`), `features.18` 1x1
 * Conv-BN-ReLU6 to 1280 channels (more when `widthMultiplier > 1`), global average pooling,
 * and `classifier` = `[Dropout, Linear]` (weights `classifier.1.weight`). Depthwise
 * convolutions are `Conv2d` with `groups == channels`. Initialised like torchvision.
 *
 * Names are torchvision's (`features.1.conv.0.0.weight`, `features.2.conv.1.1.running_mean`,
 * `classifier.1.bias`, ...) in `state_dict` order, so a torchvision checkpoint saved as
 * safetensors loads with `loadCheckpoint(path, mobilenetV2())`.
 *
 * Input `[N, H, W, inputChannels]` float32 (normalised RGB, channels last; 224x224 for
 * ImageNet weights) -> logits `[N, numClasses]`. Call `model.eval()` for inference.
 * Training needs the depthwise gradient kernels, which stock tfjs-wasm lacks (cpu and webgpu have them).
 *
 * @throws ArgumentError when a config value is invalid.
 * @example
 * ```ts
 * const model = mobilenetV2({ widthMultiplier: 0.5, numClasses: 10 });
 * model.eval().call(tf.zeros([1, 224, 224, 3])).shape; // [1, 10]
 * ```
 */
export class MobileNetV2 extends Module {
  static override readonly moduleName: string = 'MobileNetV2';
  /** The configuration, every default filled in. */
  readonly config: ResolvedMobileNetV2Config;
  features: Sequential;
  /** `[Dropout, Linear]`. */
  classifier: Sequential;
  /** Mean over height and width (no parameters). */
  pool = new GlobalAvgPool2d();

  constructor(config: MobileNetV2Config = {}) {
    super();
    const where = 'MobileNetV2';
    this.config = {
      numClasses: positiveInteger(where, 'numClasses', config.numClasses ?? 1000),
      widthMultiplier: assertPositive(where, 'widthMultiplier', config.widthMultiplier ?? 1),
      inputChannels: positiveInteger(where, 'inputChannels', config.inputChannels ?? 3),
      dropout: assertInRange(where, 'dropout', config.dropout ?? 0.2, 0, 1),
    };
    const { numClasses, widthMultiplier, inputChannels, dropout } = this.config;
    const rng = resolveGenerator(config.rng);
    let channels = makeDivisible(32 * widthMultiplier);
    const lastChannels = makeDivisible(1280 * Math.max(1, widthMultiplier));
    const layers: Module[] = [convNormReLU6(inputChannels, channels, 3, { stride: 2, rng: rng.fork() })];
    for (const [expandRatio, width, repeats, firstStride] of INVERTED_RESIDUAL_SETTING) {
      const outChannels = makeDivisible(width * widthMultiplier);
      for (let index = 0; index < repeats; index++) {
        layers.push(new InvertedResidual(channels, outChannels, { stride: index === 0 ? firstStride : 1, expandRatio, rng: rng.fork() }));
        channels = outChannels;
      }
    }
    layers.push(convNormReLU6(channels, lastChannels, 1, { rng: rng.fork() }));
    this.features = new Sequential(...layers);
    // torchvision: classifier Linear ~ N(0, 0.01), bias zeros.
    const head = new Linear(lastChannels, numClasses, { rng: rng.fork(), weightInit: normal({ std: 0.01 }), biasInit: zeros });
    this.classifier = new Sequential(new Dropout(dropout, { rng: rng.fork() }), head);
  }

  /** Rebuilds a model from {@link getConfig}'s output (fresh random weights). */
  static fromConfig(config: MobileNetV2Config): MobileNetV2 {
    return new MobileNetV2(config);
  }

  /** The configuration with every default filled in (a copy). */
  getConfig(): ResolvedMobileNetV2Config {
    return { ...this.config };
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'images', images, [null, null, null, this.config.inputChannels], 'float32');
    const features = this.features.call(images); // [N, H/32, W/32, lastChannels]
    return this.classifier.call(this.pool.call(features)); // [N, lastChannels] -> [N, numClasses]
  }
}

/**
 * MobileNetV2 (torchvision `mobilenet_v2`): 3.5M parameters at width 1 and 1,000 classes.
 * @example
 * ```ts
 * const model = mobilenetV2();
 * await loadCheckpoint('mobilenet_v2.safetensors', model); // a torchvision state_dict
 * model.eval().call(images); // [N, 1000] logits
 * ```
 */
export function mobilenetV2(options: MobileNetV2Config = {}): MobileNetV2 {
  return new MobileNetV2(options);
}
