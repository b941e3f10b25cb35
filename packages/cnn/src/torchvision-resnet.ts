// ResNet-18/34/50 for ImageNet-size images with torchvision's exact layout and parameter names
// (He et al., 2015; torchvision.models.resnet), so torchvision state_dicts load unchanged.
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  BatchNorm2d,
  Conv2d,
  GlobalAvgPool2d,
  Linear,
  MaxPool2d,
  Module,
  Sequential,
  assertShape,
  computeFans,
  normal,
  resolveGenerator,
  type Generator,
  type Initializer,
} from '@tensorzoo/core';
import { BasicBlock } from './resnet';
import { oneOf, positiveInteger, positiveIntegers } from './validate';

/**
 * torchvision's convolution init: `kaiming_normal_(mode='fan_out', nonlinearity='relu')`,
 * N(0, 2 / (out·kh·kw)).
 */
export const kaimingNormalFanOut: Initializer = (shape, rng) => normal({ std: Math.sqrt(2 / computeFans(shape).fanOut) })(shape, rng);

/** Options of {@link Bottleneck}. */
export interface BottleneckOptions {
  /** Stride of the 3x3 `conv2` (torchvision's "ResNet v1.5") and of the projection. Default `1`. */
  stride?: number;
  /** Channel groups of `conv2` (ResNeXt). Default `1`. */
  groups?: number;
  /** Channels per group of `conv2` at `planes` 64 (torchvision's `base_width`). Default `64`. */
  widthPerGroup?: number;
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
  /** Initializer of the convolutions' weights. Default: PyTorch's `nn.Conv2d` default. */
  convInit?: Initializer;
}

/**
 * The ResNet bottleneck block (torchvision's `Bottleneck`, expansion 4):
 * `relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x))` with `conv1` 1x1
 * (`inChannels -> width`), `conv2` 3x3 with the stride and `groups`, `conv3` 1x1
 * (`width -> 4·planes`), where `width = planes · widthPerGroup / 64 · groups`. The shortcut
 * is the identity, or `downsample` = 1x1 conv (stride) + BatchNorm when the shape changes.
 *
 * Input `[N, H, W, inChannels]` -> output `[N, ceil(H / stride), ceil(W / stride), 4·planes]`.
 * @example
 * ```ts
 * const block = new Bottleneck(64, 64, { rng: 0 });  // layer1.0 of ResNet-50
 * block.call(tf.zeros([1, 56, 56, 64])).shape;       // [1, 56, 56, 256]
 * ```
 */
export class Bottleneck extends Module {
  static override readonly moduleName: string = 'Bottleneck';
  /** Output channels are `expansion · planes`. */
  static readonly expansion = 4;
  readonly inChannels: number;
  readonly outChannels: number;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  conv3: Conv2d;
  bn3: BatchNorm2d;
  /** Projection shortcut `[Conv2d 1x1, BatchNorm2d]`, or `undefined` for the identity. */
  downsample?: Sequential;

  /**
   * @param inChannels channels of the input.
   * @param planes the block's base width; it outputs `4 · planes` channels.
   */
  constructor(inChannels: number, planes: number, options: BottleneckOptions = {}) {
    super();
    const where = 'Bottleneck';
    this.inChannels = positiveInteger(where, 'inChannels', inChannels);
    positiveInteger(where, 'planes', planes);
    const stride = positiveInteger(where, 'stride', options.stride ?? 1);
    const groups = positiveInteger(where, 'groups', options.groups ?? 1);
    const widthPerGroup = positiveInteger(where, 'widthPerGroup', options.widthPerGroup ?? 64);
    const width = Math.floor(planes * (widthPerGroup / 64)) * groups;
    this.outChannels = planes * Bottleneck.expansion;
    const rng = resolveGenerator(options.rng);
    const weightInit = options.convInit;
    this.conv1 = new Conv2d(inChannels, width, 1, { bias: false, rng: rng.fork(), weightInit });
    this.bn1 = new BatchNorm2d(width);
    this.conv2 = new Conv2d(width, width, 3, { stride, padding: 1, groups, bias: false, rng: rng.fork(), weightInit });
    this.bn2 = new BatchNorm2d(width);
    this.conv3 = new Conv2d(width, this.outChannels, 1, { bias: false, rng: rng.fork(), weightInit });
    this.bn3 = new BatchNorm2d(this.outChannels);
    if (stride !== 1 || inChannels !== this.outChannels) {
      const projection = new Conv2d(inChannels, this.outChannels, 1, { stride, bias: false, rng: rng.fork(), weightInit });
      this.downsample = new Sequential(projection, new BatchNorm2d(this.outChannels));
    }
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, null, this.inChannels], 'float32');
    let x = tf.relu(this.bn1.call(this.conv1.call(input))); // [N, H, W, width]
    x = tf.relu(this.bn2.call(this.conv2.call(x))); // [N, H/s, W/s, width]
    x = this.bn3.call(this.conv3.call(x)); // [N, H/s, W/s, 4·planes]
    const shortcut = this.downsample ? this.downsample.call(input) : input; // [N, H/s, W/s, 4·planes]
    return tf.relu(tf.add(x, shortcut));
  }
}

/** Options of {@link ImageNetResNet}; every field is optional. */
export interface ImageNetResNetConfig {
  /** `'basic'` (ResNet-18/34) or `'bottleneck'` (ResNet-50 and deeper). Default `'basic'`. */
  block?: 'basic' | 'bottleneck';
  /** Blocks in each of the four stages. Default `[2, 2, 2, 2]` (ResNet-18). */
  layers?: readonly number[];
  /** Number of classes (logits). Default `1000` (ImageNet). */
  numClasses?: number;
  /** Channels of the input images. Default `3` (RGB). */
  inputChannels?: number;
  /** Channel groups of the bottleneck 3x3 convolutions (ResNeXt: 32). Default `1`. */
  groups?: number;
  /** Channels per group of the bottleneck 3x3 convolutions (ResNeXt-50 32x4d: 4; Wide ResNet-50-2: 128). Default `64`. */
  widthPerGroup?: number;
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of an {@link ImageNetResNet} (every default filled in, no `rng`). */
export type ResolvedImageNetResNetConfig = Required<Omit<ImageNetResNetConfig, 'rng' | 'layers'>> & { layers: number[] };

/**
 * torchvision's ResNet for ImageNet-size images: stem `conv1` 7x7 stride 2 + `bn1` + ReLU +
 * 3x3 stride-2 max pooling, four stages `layer1`..`layer4` of {@link BasicBlock}s or
 * {@link Bottleneck}s (64, 128, 256, 512 planes; stages 2-4 start with stride 2), global
 * average pooling and `fc`. Initialised like torchvision (Kaiming-normal fan-out convolutions,
 * BatchNorm 1/0, PyTorch's default `Linear`).
 *
 * Parameter and buffer names are torchvision's (`conv1.weight`, `bn1.running_mean`,
 * `layer1.0.conv1.weight`, `layer2.0.downsample.0.weight`, `fc.bias`, ...) in `state_dict`
 * order, so a torchvision checkpoint saved as safetensors loads with
 * `loadCheckpoint(path, resnet18())` - no renaming.
 *
 * Input `[N, H, W, inputChannels]` float32 (normalised RGB, channels last; 224x224 for
 * ImageNet weights, any size >= 32 works) -> logits `[N, numClasses]`. Call `model.eval()`
 * before inference: training mode normalises with batch statistics.
 *
 * @throws ArgumentError when a config value is invalid, or `groups`/`widthPerGroup` are set with BasicBlocks.
 * @example
 * ```ts
 * const model = new ImageNetResNet({ block: 'bottleneck', layers: [3, 4, 6, 3] }); // ResNet-50
 * model.eval().call(tf.zeros([1, 224, 224, 3])).shape; // [1, 1000]
 * ```
 */
export class ImageNetResNet extends Module {
  static override readonly moduleName: string = 'ImageNetResNet';
  /** The configuration, every default filled in. */
  readonly config: ResolvedImageNetResNetConfig;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  layer1: Sequential;
  layer2: Sequential;
  layer3: Sequential;
  layer4: Sequential;
  fc: Linear;
  /** 3x3 stride-2 max pooling after the stem (no parameters). */
  maxpool = new MaxPool2d(3, { stride: 2, padding: 1 });
  /** Mean over height and width (no parameters). */
  avgpool = new GlobalAvgPool2d();

  constructor(config: ImageNetResNetConfig = {}) {
    super();
    const where = 'ImageNetResNet';
    this.config = {
      block: oneOf(where, 'block', config.block ?? 'basic', ['basic', 'bottleneck'] as const),
      layers: positiveIntegers(where, 'layers', config.layers ?? [2, 2, 2, 2], 4),
      numClasses: positiveInteger(where, 'numClasses', config.numClasses ?? 1000),
      inputChannels: positiveInteger(where, 'inputChannels', config.inputChannels ?? 3),
      groups: positiveInteger(where, 'groups', config.groups ?? 1),
      widthPerGroup: positiveInteger(where, 'widthPerGroup', config.widthPerGroup ?? 64),
    };
    const { block, layers, numClasses, inputChannels, groups, widthPerGroup } = this.config;
    if (block === 'basic' && (groups !== 1 || widthPerGroup !== 64)) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: BasicBlock supports only groups 1 and widthPerGroup 64, received groups ${groups} and widthPerGroup ${widthPerGroup}. Use block: 'bottleneck'.`,
      );
    }
    const rng = resolveGenerator(config.rng);
    const convInit = kaimingNormalFanOut;
    this.conv1 = new Conv2d(inputChannels, 64, 7, { stride: 2, padding: 3, bias: false, rng: rng.fork(), weightInit: convInit });
    this.bn1 = new BatchNorm2d(64);
    let inChannels = 64;
    const stage = (planes: number, blocks: number, stride: number): Sequential => {
      const modules = Array.from({ length: blocks }, (_, index) => {
        const options = { stride: index === 0 ? stride : 1, rng: rng.fork(), convInit };
        const module = block === 'basic' ? new BasicBlock(inChannels, planes, options) : new Bottleneck(inChannels, planes, { ...options, groups, widthPerGroup });
        inChannels = module.outChannels;
        return module;
      });
      return new Sequential(...modules);
    };
    this.layer1 = stage(64, layers[0], 1);
    this.layer2 = stage(128, layers[1], 2);
    this.layer3 = stage(256, layers[2], 2);
    this.layer4 = stage(512, layers[3], 2);
    this.fc = new Linear(inChannels, numClasses, { rng: rng.fork() });
  }

  /** Rebuilds a model from {@link getConfig}'s output (fresh random weights). */
  static fromConfig(config: ImageNetResNetConfig): ImageNetResNet {
    return new ImageNetResNet(config);
  }

  /** The configuration with every default filled in (a copy). */
  getConfig(): ResolvedImageNetResNetConfig {
    return { ...this.config, layers: [...this.config.layers] };
  }

  /** Pooled features before `fc`: `[N, H, W, C]` -> `[N, 512·expansion]` (for fine-tuning heads). */
  features(images: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      assertShape(this.path, 'images', images, [null, null, null, this.config.inputChannels], 'float32');
      let x = tf.relu(this.bn1.call(this.conv1.call(images))); // [N, H/2, W/2, 64]
      x = this.maxpool.call(x); // [N, H/4, W/4, 64]
      for (const layer of [this.layer1, this.layer2, this.layer3, this.layer4]) x = layer.call(x); // [N, H/32, W/32, 512·e]
      return this.avgpool.call(x); // [N, 512·e]
    });
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    return this.fc.call(this.features(images)); // [N, numClasses]
  }
}

/** Options of the ResNet factories ({@link resnet18}, {@link resnet34}, {@link resnet50}). */
export type ResNetFactoryOptions = Pick<ImageNetResNetConfig, 'numClasses' | 'inputChannels' | 'rng'>;

/**
 * ResNet-18 (torchvision `resnet18`): BasicBlocks `[2, 2, 2, 2]`, 11.7M parameters at 1,000 classes.
 * @example
 * ```ts
 * const model = resnet18();
 * await loadCheckpoint('resnet18.safetensors', model); // a torchvision state_dict
 * model.eval().call(images); // [N, 1000] logits
 * ```
 */
export function resnet18(options: ResNetFactoryOptions = {}): ImageNetResNet {
  return new ImageNetResNet({ ...options, block: 'basic', layers: [2, 2, 2, 2] });
}

/**
 * ResNet-34 (torchvision `resnet34`): BasicBlocks `[3, 4, 6, 3]`, 21.8M parameters.
 * @example
 * ```ts
 * const model = resnet34({ numClasses: 10 });
 * ```
 */
export function resnet34(options: ResNetFactoryOptions = {}): ImageNetResNet {
  return new ImageNetResNet({ ...options, block: 'basic', layers: [3, 4, 6, 3] });
}

/**
 * ResNet-50 (torchvision `resnet50`, v1.5: stride on the 3x3): Bottlenecks `[3, 4, 6, 3]`, 25.6M parameters.
 * @example
 * ```ts
 * const model = resnet50();
 * model.eval().call(tf.zeros([1, 224, 224, 3])).shape; // [1, 1000]
 * ```
 */
export function resnet50(options: ResNetFactoryOptions = {}): ImageNetResNet {
  return new ImageNetResNet({ ...options, block: 'bottleneck', layers: [3, 4, 6, 3] });
}
