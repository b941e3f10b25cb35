// Seed article 001's digit classifier: a multilayer perceptron 784 -> 2048 -> 1024 -> 10.
import * as tf from '@tensorflow/tfjs-core';
import { Flatten, Linear, Module, ReLU, Sequential, ShapeError, assertShape, formatShape, resolveGenerator, type Generator } from '@tensorzoo/core';
import { oneOf, positiveInteger, positiveIntegers } from './validate';

/** Options of {@link MLPClassifier}; every field is optional. */
export interface MLPClassifierConfig {
  /** Features per example; images are flattened first. Default `784` (28·28). */
  inputSize?: number;
  /** Units of each hidden layer (each followed by ReLU); `[]` gives a linear classifier. Default `[2048, 1024]` (seed 001). */
  hiddenSizes?: readonly number[];
  /** Number of classes. Default `10`. */
  numClasses?: number;
  /**
   * `'logits'`: raw scores (train with `sparseCategoricalCrossEntropy(..., { fromLogits: true })`);
   * `'softmax'`: class probabilities, as seed 001's softmax output layer. Default `'logits'`.
   */
  output?: 'logits' | 'softmax';
  /** Randomness for the initial weights: a Generator or a seed. Default: core's default generator. */
  rng?: Generator | number;
}

/** The resolved configuration of an {@link MLPClassifier} (every default filled in, no `rng`). */
export type ResolvedMLPClassifierConfig = Required<Omit<MLPClassifierConfig, 'rng' | 'hiddenSizes'>> & { hiddenSizes: number[] };

/**
 * Multilayer perceptron classifier: flatten, then `Linear -> ReLU` per hidden size, then
 * `Linear(numClasses)` (and a softmax with `output: 'softmax'`). The defaults are seed 001's
 * MNIST network, 784 -> 2048 -> 1024 -> 10 (3.7M parameters).
 *
 * Input `[N, inputSize]`, or images `[N, H, W, C]` with `H·W·C = inputSize` (flattened in
 * PyTorch's `(C, H, W)` order) -> output `[N, numClasses]`. Names equal the PyTorch reference
 * `MLPClassifier` in `scripts/reference/cnn.py`: `layers.0.weight` `[2048, 784]`,
 * `layers.2.weight`, `layers.4.weight` (the ReLUs are children 1 and 3).
 *
 * @throws ArgumentError when a config value is invalid.
 * @example
 * ```ts
 * const model = new MLPClassifier({ rng: 0 });
 * model.call(tf.zeros([8, 28, 28, 1])).shape;        // [8, 10]
 * const small = new MLPClassifier({ hiddenSizes: [128], rng: 0 });
 * ```
 */
export class MLPClassifier extends Module {
  static override readonly moduleName: string = 'MLPClassifier';
  /** The configuration, every default filled in. */
  readonly config: ResolvedMLPClassifierConfig;
  /** `Linear, ReLU, ..., Linear`. */
  layers: Sequential;
  /** Images -> vectors in PyTorch's `(C, H, W)` order (no parameters). */
  flatten = new Flatten();

  constructor(config: MLPClassifierConfig = {}) {
    super();
    const where = 'MLPClassifier';
    const hiddenSizes = config.hiddenSizes ?? [2048, 1024];
    this.config = {
      inputSize: positiveInteger(where, 'inputSize', config.inputSize ?? 784),
      hiddenSizes: hiddenSizes.length === 0 ? [] : positiveIntegers(where, 'hiddenSizes', hiddenSizes),
      numClasses: positiveInteger(where, 'numClasses', config.numClasses ?? 10),
      output: oneOf(where, 'output', config.output ?? 'logits', ['logits', 'softmax'] as const),
    };
    const rng = resolveGenerator(config.rng);
    const modules = [];
    let inFeatures = this.config.inputSize;
    for (const size of this.config.hiddenSizes) {
      modules.push(new Linear(inFeatures, size, { rng: rng.fork() }), new ReLU());
      inFeatures = size;
    }
    modules.push(new Linear(inFeatures, this.config.numClasses, { rng: rng.fork() }));
    this.layers = new Sequential(...modules);
  }

  /** The configuration with every default filled in (a copy). */
  getConfig(): ResolvedMLPClassifierConfig {
    return { ...this.config, hiddenSizes: [...this.config.hiddenSizes] };
  }

  /** Builds an MLPClassifier (fresh random weights) from {@link MLPClassifier.getConfig}'s output; `loadModel` uses it. */
  static fromConfig(config: MLPClassifierConfig): MLPClassifier {
    return new MLPClassifier(config);
  }

  protected forward(input: tf.Tensor): tf.Tensor {
    const { inputSize } = this.config;
    assertShape(this.path, 'input', input, ['...', null], 'float32');
    if (input.rank < 2 || input.size / Math.max(input.shape[0], 1) !== inputSize) {
      throw new ShapeError(
        'shape-mismatch',
        `${this.path}: input expected shape [N, ${inputSize}] or [N, H, W, C] with H·W·C = ${inputSize}, received ${formatShape(input.shape)}.`,
      );
    }
    const flat = input.rank === 2 ? input : this.flatten.call(input); // [N, inputSize]
    const scores = this.layers.call(flat); // [N, numClasses]
    return this.config.output === 'softmax' ? tf.softmax(scores) : scores;
  }
}
