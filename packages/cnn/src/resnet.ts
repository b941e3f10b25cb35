// A small ResNet (He et al., 2015) for 28x28 images: BasicBlocks with BatchNorm and identity
// or 1x1-projection shortcuts, global average pooling, one linear layer.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, BatchNorm2d, Conv2d, GlobalAvgPool2d, Linear, Module, Sequential, assertShape, resolveGenerator, type Generator, type Initializer } from '@tensorzoo/core';
import { positiveInteger, positiveIntegers } from './validate';

/** Options of {@link BasicBlock}. */
export interface BasicBlockOptions {
  /** Stride of `conv1` (and of the projection); 2 halves the map. Default `1`. */
  stride?: number;
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
  /** Initializer of the three convolutions' weights. Default: PyTorch's `nn.Conv2d` default. */
  convInit?: Initializer;
}

/**
 * The ResNet basic block (torchvision's names):
 * `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`, where `shortcut` is the identity,
 * or `downsample` = 1x1 conv (stride) + BatchNorm when the stride or the channel count changes.
 * The convolutions are 3x3, padding 1, without bias (BatchNorm adds the shift).
 *
 * Input `[N, H, W, inChannels]` -> output `[N, ceil(H / stride), ceil(W / stride), outChannels]`.
 * @example
 * ```ts
 * const block = new BasicBlock(16, 32, { stride: 2, rng: 0 }); // with a projection shortcut
 * block.call(tf.zeros([4, 28, 28, 16])).shape;                // [4, 14, 14, 32]
 * ```
 */
export class BasicBlock extends Module {
  static override readonly moduleName: string = 'BasicBlock';
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  conv2: Conv2d;
  bn2: BatchNorm2d;
  /** Projection shortcut `[Conv2d 1x1, BatchNorm2d]`, or `undefined` for the identity. */
  downsample?: Sequential;

  constructor(inChannels: number, outChannels: number, options: BasicBlockOptions = {}) {
    super();
    const where = 'BasicBlock';
    this.inChannels = positiveInteger(where, 'inChannels', inChannels);
    this.outChannels = positiveInteger(where, 'outChannels', outChannels);
    this.stride = positiveInteger(where, 'stride', options.stride ?? 1);
    const rng = resolveGenerator(options.rng);
    const weightInit = options.convInit;
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { stride: this.stride, padding: 1, bias: false, rng: rng.fork(), weightInit });
    this.bn1 = new BatchNorm2d(outChannels);
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, bias: false, rng: rng.fork(), weightInit });
    this.bn2 = new BatchNorm2d(outChannels);
    if (this.stride !== 1 || inChannels !== outChannels) {
      const projection = new Conv2d(inChannels, outChannels, 1, { stride: this.stride, bias: false, rng: rng.fork(), weightInit });
      this.downsample = new Sequential(projection, new BatchNorm2d(outChannels));
    }
  }

  /** The constructor arguments, `{ inChannels, outChannels, stride }` (no rng or initializer). */
  getConfig(): { inChannels: number; outChannels: number; stride: number } {
    return { inChannels: this.inChannels, outChannels: this.outChannels, stride: this.stride };
  }

  /** Builds a BasicBlock (fresh random weights) from {@link BasicBlock.getConfig}'s output. */
  static fromConfig(config: { inChannels: number; outChannels: number; stride?: number }): BasicBlock {
    return new BasicBlock(config.inChannels, config.outChannels, { stride: config.stride });
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'input', input, [null, null, null, this.inChannels], 'float32');
    const hidden = tf.relu(this.bn1.call(this.conv1.call(input))); // [N, H/s, W/s, out]
    const residual = this.bn2.call(this.conv2.call(hidden)); // [N, H/s, W/s, out]
    const shortcut = this.downsample ? this.downsample.call(input) : input; // [N, H/s, W/s, out]
    return tf.relu(tf.add(residual, shortcut));
  }
}

/** Options of {@link ResNet}; every field is optional. */
export interface ResNetConfig {
  /** Channels of the input images. Default `1` (MNIST). */
  inputChannels?: number;
  /** Channels of each stage (the stem has `widths[0]`). Default `[16, 32, 64]`. */
  widths?: readonly number[];
  /** BasicBlocks per stage, one entry per entry of `widths`. Default `[1, 1, 1]` (ResNet-8: 1 + 2·3 convs + fc). */
  blocks?: readonly number[];
  /** Number of classes (logits). Default `10`. */
  numClasses?: number;
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of a {@link ResNet} (every default filled in, no `rng`). */
export type ResolvedResNetConfig = Required<Omit<ResNetConfig, 'rng' | 'widths' | 'blocks'>> & { widths: number[]; blocks: number[] };

/**
 * A small CIFAR-style ResNet for small images: stem `conv1` 3x3 + `bn1` + ReLU, then one
 * stage of `blocks[i]` {@link BasicBlock}s per width (the first block of every stage after
 * the first has stride 2), global average pooling and `fc`.
 *
 * The defaults give ResNet-8 (widths 16/32/64, one block each, 78k parameters): on 28x28
 * digits the maps are 28 -> 28 -> 14 -> 7. Any image size works (the pooling is global).
 * Training mode normalises with batch statistics and updates the running ones; call
 * `model.eval()` before evaluating.
 *
 * Input `[N, H, W, inputChannels]` float32 -> logits `[N, numClasses]`. Names equal the
 * PyTorch reference `ResNet` in `scripts/reference/cnn.py` (`conv1.weight`, `bn1.running_mean`,
 * `layers.1.0.downsample.0.weight`, `fc.weight`, ...).
 *
 * @throws ArgumentError when a config value is invalid or `blocks` and `widths` differ in length.
 * @example
 * ```ts
 * const model = new ResNet({ rng: 0 });          // ResNet-8 for MNIST
 * model.call(tf.zeros([8, 28, 28, 1])).shape;   // [8, 10]
 * const deeper = new ResNet({ blocks: [2, 2, 2], rng: 0 }); // ResNet-14
 * ```
 */
export class ResNet extends Module {
  static override readonly moduleName: string = 'ResNet';
  /** The configuration, every default filled in. */
  readonly config: ResolvedResNetConfig;
  conv1: Conv2d;
  bn1: BatchNorm2d;
  /** One `Sequential` of BasicBlocks per stage (`layers.<stage>.<block>`). */
  layers: Sequential[];
  fc: Linear;
  /** Mean over height and width (no parameters). */
  pool = new GlobalAvgPool2d();

  constructor(config: ResNetConfig = {}) {
    super();
    const where = 'ResNet';
    this.config = {
      inputChannels: positiveInteger(where, 'inputChannels', config.inputChannels ?? 1),
      widths: positiveIntegers(where, 'widths', config.widths ?? [16, 32, 64]),
      blocks: positiveIntegers(where, 'blocks', config.blocks ?? [1, 1, 1]),
      numClasses: positiveInteger(where, 'numClasses', config.numClasses ?? 10),
    };
    const { inputChannels, widths, blocks, numClasses } = this.config;
    if (blocks.length !== widths.length) {
      throw new ArgumentError('bad-argument', `${where}: blocks ([${blocks.join(', ')}]) must have one entry per stage of widths ([${widths.join(', ')}]).`);
    }
    const rng = resolveGenerator(config.rng);
    this.conv1 = new Conv2d(inputChannels, widths[0], 3, { padding: 1, bias: false, rng: rng.fork() });
    this.bn1 = new BatchNorm2d(widths[0]);
    let inChannels = widths[0];
    this.layers = widths.map((width, stage) => {
      const stageBlocks = Array.from({ length: blocks[stage] }, (_, index) => {
        const block = new BasicBlock(inChannels, width, { stride: stage > 0 && index === 0 ? 2 : 1, rng: rng.fork() });
        inChannels = width;
        return block;
      });
      return new Sequential(...stageBlocks);
    });
    this.fc = new Linear(inChannels, numClasses, { rng: rng.fork() });
  }

  /** The configuration with every default filled in (a copy). */
  getConfig(): ResolvedResNetConfig {
    return { ...this.config, widths: [...this.config.widths], blocks: [...this.config.blocks] };
  }

  /** Builds a ResNet (fresh random weights) from {@link ResNet.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: ResNetConfig): ResNet {
    return new ResNet(config);
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    assertShape(this.path, 'images', images, [null, null, null, this.config.inputChannels], 'float32');
    let x = tf.relu(this.bn1.call(this.conv1.call(images))); // [N, H, W, widths[0]]
    for (const stage of this.layers) x = stage.call(x); // [N, H/2^k, W/2^k, widths[k]]
    return this.fc.call(this.pool.call(x)); // [N, widths.at(-1)] -> [N, numClasses]
  }
}
