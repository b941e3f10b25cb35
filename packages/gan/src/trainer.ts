// Alternating GAN training: discriminator update(s), then a generator update, with two
// optimizers, fixed-noise samples and one resumable checkpoint for both networks.
import * as tf from '@tensorflow/tfjs-core';
import {
  ArgumentError,
  CheckpointError,
  Generator,
  Module,
  ShapeError,
  TrainingError,
  assertInteger,
  checkFiniteParameters,
  checkOptimizerState,
  decodeCheckpoint,
  encodeCheckpoint,
  formatShape,
  type CheckpointInfo,
  type JsonValue,
  type Optimizer,
  type OptimizerState,
  type TensorModule,
} from '@tensorzoo/core';
import { checkGANLoss, nonSaturatingGANLoss, type GANLoss } from './losses';

/** What a class-conditional {@link GANPair} (and generator and discriminator) take besides the tensor. */
export interface ConditionalCallOptions {
  /** Class labels int32 `[N]`. */
  labels?: tf.Tensor;
}

/** A real batch with its class labels, what {@link GANTrainer.train} needs for a class-conditional GAN. */
export interface LabeledBatch {
  /** Real images `[N, H, W, C]`. */
  images: tf.Tensor;
  /** Their classes, int32 `[N]` in `[0, numClasses)`. */
  labels: tf.Tensor;
}

/** A module called as `call(x)` or, conditional, `call(x, { labels })`. */
type ConditionalModule = Module<tf.Tensor, tf.Tensor, ConditionalCallOptions>;

/**
 * The two networks of a GAN as one module, so one checkpoint holds both: variables are
 * named `generator.<name>` and `discriminator.<name>`, and, when the trainer keeps a moving
 * average of the generator's weights, `generatorEma.<name>`. Calling it maps noise to
 * scores, `D(G(z))` (or, class-conditional, `D(G(z, y), y)` with `call(z, { labels })`).
 * @example
 * ```ts
 * // Load the weights of a GANTrainer checkpoint without its optimizers:
 * await decodeCheckpoint(bytes, new GANPair(generator, discriminator));
 * // ... of one trained with `ema`:
 * await decodeCheckpoint(bytes, new GANPair(generator, discriminator, averagedGenerator));
 * ```
 */
export class GANPair extends Module<tf.Tensor, tf.Tensor, ConditionalCallOptions> {
  static override readonly moduleName: string = 'GANPair';
  generator: TensorModule;
  discriminator: TensorModule;
  /** The moving average of the generator's weights ({@link GANTrainerOptions.ema}), if kept. */
  generatorEma: TensorModule | undefined;

  constructor(generator: TensorModule, discriminator: TensorModule, generatorEma?: TensorModule) {
    super();
    if (!Module.isModule(generator) || !Module.isModule(discriminator) || (generatorEma !== undefined && !Module.isModule(generatorEma))) {
      throw new ArgumentError('bad-argument', 'GANPair: generator, discriminator (and generatorEma when given) must be Modules.');
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.generatorEma = generatorEma;
  }

  /** `z` `[N, latentDim]` -> D(G(z)) `[N, 1]`; with `{ labels }`, D(G(z, y), y). */
  protected forward(z: tf.Tensor, options?: ConditionalCallOptions): tf.Tensor {
    const generator = this.generator as ConditionalModule;
    const discriminator = this.discriminator as ConditionalModule;
    if (options?.labels === undefined) return discriminator.call(generator.call(z));
    return discriminator.call(generator.call(z, options), options);
  }
}

/** A discriminator bound to one batch's labels: what a conditional GAN's loss sees as `discriminator`. */
class LabelBoundDiscriminator extends Module {
  static override readonly moduleName: string = 'LabelBoundDiscriminator';
  constructor(
    readonly discriminator: ConditionalModule,
    private readonly labels: tf.Tensor,
  ) {
    super();
  }

  protected forward(images: tf.Tensor): tf.Tensor {
    return this.discriminator.call(images, { labels: this.labels });
  }
}

/** Options of {@link GANTrainer}. */
export interface GANTrainerOptions {
  /**
   * Maps noise `[N, latentDim]` to images `[N, H, W, C]`, e.g. {@link DCGANGenerator}; a
   * class-conditional one (`numClasses > 0`) is called as `call(z, { labels })`.
   */
  generator: TensorModule | ConditionalModule;
  /**
   * Maps images to scores `[N, 1]`, e.g. {@link DCGANDiscriminator}; a class-conditional one
   * as `call(images, { labels })`.
   */
  discriminator: TensorModule | ConditionalModule;
  /** Updates the generator, e.g. `adam({ lr: 2e-4, betas: [0.5, 0.999] })`. */
  generatorOptimizer: Optimizer;
  /** Updates the discriminator. */
  discriminatorOptimizer: Optimizer;
  /**
   * The objective. Default: {@link nonSaturatingGANLoss} (seed 001), from logits when the
   * discriminator has `outputActivation: 'none'`.
   */
  loss?: GANLoss;
  /** Length of z. Default: the generator's `latentDim`. */
  latentDim?: number;
  /**
   * Classes of a class-conditional GAN (both networks take `{ labels }`). The batches given
   * to {@link GANTrainer.train} are then {@link LabeledBatch}es; each discriminator update
   * generates its fakes with the real batch's labels, each generator update draws labels
   * uniformly, and the fixed samples cycle through the classes (`i % numClasses`).
   * Default: the generator's `numClasses` (0, unconditional, when it has none).
   */
  numClasses?: number;
  /** Discriminator updates per generator update (WGAN-GP uses 5). Default 1. */
  discriminatorSteps?: number;
  /** Randomness for the noise and penalties: a Generator (its state advances) or a seed. Default seed 0. */
  rng?: Generator | number;
  /**
   * Number of fixed noise vectors for {@link GANTrainer.samples}. They are drawn at
   * construction from a fork of `rng`, so a trainer built with the same options (as when
   * resuming) draws the same ones. Default 64.
   */
  sampleCount?: number;
  /**
   * Keep an exponential moving average (EMA) of the generator's weights and draw
   * {@link GANTrainer.samples} from it (Yazıcı et al. 2019, "The Unusual Effectiveness of
   * Averaging in GAN Training"; used by ProGAN, StyleGAN, BigGAN). The average smooths out
   * the generator's oscillation around the equilibrium and usually gives visibly cleaner
   * samples at no training cost. After each generator update every averaged parameter moves
   * `ema ← d·ema + (1 − d)·w` with `d = min(decay, (1 + step) / (10 + step))` (the warm-up
   * of TensorFlow's `ExponentialMovingAverage`, so early steps are not pinned to the initial
   * weights); buffers (batch-norm statistics) are copied. Default: none.
   */
  ema?: GeneratorEmaOptions;
}

/** Options of {@link GANTrainerOptions.ema}. */
export interface GeneratorEmaOptions {
  /** The decay `d`: 0.999 averages over roughly the last 1,000 generator updates. In (0, 1). */
  decay: number;
  /**
   * A second generator of the same architecture that holds the average (its initial weights
   * are overwritten with the generator's). Default: built by the generator's class from its
   * `getConfig()` (`fromConfig`), as every zoo generator supports.
   */
  generator?: TensorModule;
}

/** Numbers of one discriminator update. */
export interface DiscriminatorStepResult {
  loss: number;
  /** Mean discriminator output on the real batch (a probability or a logit). */
  realScore: number;
  /** Mean discriminator output on the generated batch. */
  fakeScore: number;
}

/** What `onStep` receives after each generator update. */
export interface GANStepInfo {
  /** Generator updates so far (1 after the first). */
  step: number;
  /** Loss of the last discriminator update. */
  discriminatorLoss: number;
  generatorLoss: number;
  realScore: number;
  fakeScore: number;
  /** Wall time of the whole iteration, in seconds. */
  seconds: number;
}

/** Options of {@link GANTrainer.train}. */
export interface GANTrainOptions {
  /** Train until {@link GANTrainer.step} reaches this many generator updates (a resumed trainer does only the rest). */
  steps: number;
  /** Call `onSamples` when {@link GANTrainer.step} reaches a multiple of this. Default: never. */
  sampleEvery?: number;
  /**
   * Receives the fixed-noise samples `[sampleCount, H, W, C]` (disposed when the returned
   * promise settles) and the step.
   */
  onSamples?: (images: tf.Tensor, step: number) => void | Promise<void>;
  /** Called after every generator update. */
  onStep?: (info: GANStepInfo) => void | Promise<void>;
  /** Stops at the next step boundary with a `TrainingError` (code `'aborted'`). */
  signal?: AbortSignal;
}

/** Per-step losses of one {@link GANTrainer.train} call. */
export interface GANHistory {
  discriminatorLoss: number[];
  generatorLoss: number[];
  realScore: number[];
  fakeScore: number[];
}

/** Both optimizers as one, so a checkpoint stores them under `generator.` and `discriminator.` prefixes. */
/** The part of a paired state under `prefix` (`generator` or `discriminator`), prefix removed. */
function splitState(state: OptimizerState, prefix: 'generator' | 'discriminator'): OptimizerState {
  const scalars = state.scalars[prefix];
  if (scalars === null || typeof scalars !== 'object' || Array.isArray(scalars)) {
    throw new CheckpointError('bad-optimizer-state', `GANTrainer: the checkpoint has no "${prefix}" optimizer state.`);
  }
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, tensor] of Object.entries(state.tensors)) {
    if (name.startsWith(`${prefix}.`)) tensors[name.slice(prefix.length + 1)] = tensor;
  }
  return { tensors, scalars };
}

function pairOptimizer(generator: Optimizer, discriminator: Optimizer): Optimizer {
  const parts = { generator, discriminator } as const;
  return {
    step() {
      throw new ArgumentError('bad-call', 'GANTrainer: the paired optimizer only saves and restores state.');
    },
    get iterations() {
      return generator.iterations;
    },
    getState(): OptimizerState {
      const tensors: Record<string, tf.Tensor> = {};
      const scalars: Record<string, JsonValue> = {};
      for (const [prefix, optimizer] of Object.entries(parts)) {
        const state = optimizer.getState();
        for (const [name, tensor] of Object.entries(state.tensors)) tensors[`${prefix}.${name}`] = tensor;
        scalars[prefix] = state.scalars;
      }
      return { tensors, scalars };
    },
    checkState(state: OptimizerState, parameters: Record<string, tf.Variable>) {
      for (const [prefix, optimizer] of Object.entries(parts) as Array<[keyof typeof parts, Optimizer]>) {
        const part = splitState(state, prefix);
        const own = Object.fromEntries(
          Object.entries(parameters).filter(([name]) => name.startsWith(`${prefix}.`)).map(([name, variable]) => [name.slice(prefix.length + 1), variable]),
        );
        if (optimizer.checkState) optimizer.checkState(part, own);
        else checkOptimizerState(part, new Map(Object.entries(own)), `GANTrainer: ${prefix} optimizer`);
      }
    },
    setState(state: OptimizerState) {
      const generatorPart = splitState(state, 'generator');
      const discriminatorPart = splitState(state, 'discriminator');
      // Each optimizer validates before changing anything; undo the first if the second refuses.
      const previous = generator.getState();
      try {
        generator.setState(generatorPart);
        try {
          discriminator.setState(discriminatorPart);
        } catch (error) {
          generator.setState(previous);
          throw error;
        }
      } finally {
        tf.dispose(Object.values(previous.tensors));
      }
    },
    dispose() {},
  };
}

/**
 * Trains a GAN by alternating updates (Goodfellow et al. 2014, Algorithm 1): for each real
 * batch, `discriminatorSteps` discriminator updates on the real batch and a generated one,
 * then one generator update on fresh noise, each with its own optimizer.
 *
 * Every step runs under `tf.variableGrads` over one network's parameters and disposes all
 * temporaries (`tf.memory().numTensors` stays flat). A non-finite loss stops training with a
 * `TrainingError` (`'non-finite-loss'`) before the update is applied; an update that leaves
 * NaN or infinite weights stops it with `'non-finite-parameters'` naming the parameter.
 *
 * Checkpoints ({@link GANTrainer.save}) are ONE safetensors file: both networks (through
 * {@link GANPair}: `generator.*`, `discriminator.*`), both optimizers' slots
 * (`optimizer/generator.*`, `optimizer/discriminator.*`), the trainer's generator state and
 * the step, so a trainer built with the same options and {@link GANTrainer.load}ed continues
 * the exact same run (given the same batches).
 * @example
 * ```ts
 * const trainer = new GANTrainer({
 *   generator: new DCGANGenerator({ rng: 1 }), discriminator: new DCGANDiscriminator({ rng: 2 }),
 *   generatorOptimizer: adam({ lr: 2e-4, betas: [0.5, 0.999] }),
 *   discriminatorOptimizer: adam({ lr: 2e-4, betas: [0.5, 0.999] }),
 * });
 * await trainer.train(realBatches, { steps: 1000, sampleEvery: 100, onSamples: (images, step) => save(images, step) });
 * const bytes = await trainer.save();
 * ```
 */
export class GANTrainer {
  readonly generator: TensorModule | ConditionalModule;
  readonly discriminator: TensorModule | ConditionalModule;
  readonly generatorOptimizer: Optimizer;
  readonly discriminatorOptimizer: Optimizer;
  readonly loss: GANLoss;
  readonly latentDim: number;
  /** Classes of a class-conditional GAN; 0 when unconditional. */
  readonly numClasses: number;
  readonly discriminatorSteps: number;
  /** Draws the noise and the loss's random numbers; saved in checkpoints. */
  readonly rng: Generator;
  /** Both networks as one module (what checkpoints store). */
  readonly pair: GANPair;
  private readonly fixedNoise: Float32Array;
  private readonly sampleCount: number;
  private readonly optimizers: Optimizer;
  private generatorSteps = 0;
  /** {@link GeneratorEmaOptions.decay}, when the trainer keeps an average. */
  readonly emaDecay: number | undefined;
  /** Whether the trainer built the averaged generator (then {@link dispose} frees it). */
  private readonly ownsAverage: boolean = false;

  constructor(options: GANTrainerOptions) {
    const where = 'GANTrainer';
    if (!options || typeof options !== 'object') throw new ArgumentError('bad-argument', `${where}: options must be an object.`);
    this.generator = options.generator;
    this.discriminator = options.discriminator;
    for (const key of ['generatorOptimizer', 'discriminatorOptimizer'] as const) {
      if (typeof options[key]?.step !== 'function') throw new ArgumentError('bad-argument', `${where}: ${key} must be an Optimizer (e.g. adam()).`);
    }
    this.generatorOptimizer = options.generatorOptimizer;
    this.discriminatorOptimizer = options.discriminatorOptimizer;
    if (options.generatorOptimizer === options.discriminatorOptimizer) {
      throw new ArgumentError('bad-argument', `${where}: generatorOptimizer and discriminatorOptimizer must be two different optimizers.`);
    }
    const outputActivation = (options.discriminator as { outputActivation?: unknown }).outputActivation;
    this.loss = checkGANLoss(where, options.loss ?? nonSaturatingGANLoss({ fromLogits: outputActivation === 'none' }));
    if (outputActivation === 'sigmoid' && this.loss.scores === 'logits') {
      throw new ArgumentError('bad-argument', `${where}: loss "${this.loss.name}" needs raw scores (logits) but the discriminator ends with a sigmoid; build it with outputActivation: 'none'.`);
    }
    if (outputActivation === 'none' && this.loss.scores === 'probabilities') {
      throw new ArgumentError('bad-argument', `${where}: loss "${this.loss.name}" expects probabilities but the discriminator outputs logits; use nonSaturatingGANLoss({ fromLogits: true }).`);
    }
    const latentDim = options.latentDim ?? (options.generator as { latentDim?: unknown }).latentDim;
    this.latentDim = assertInteger(where, 'latentDim', latentDim);
    this.numClasses = assertInteger(where, 'numClasses', options.numClasses ?? (options.generator as { numClasses?: unknown }).numClasses ?? 0, 0);
    for (const [role, network] of [['generator', options.generator], ['discriminator', options.discriminator]] as const) {
      const classes = (network as { numClasses?: unknown }).numClasses;
      if (classes !== undefined && classes !== this.numClasses) {
        throw new ArgumentError(
          'bad-argument',
          `${where}: the ${role} has numClasses ${String(classes)} but the trainer ${this.numClasses}; a conditional GAN needs both networks built with the same numClasses (0 for neither).`,
        );
      }
    }
    this.discriminatorSteps = assertInteger(where, 'discriminatorSteps', options.discriminatorSteps ?? 1);
    this.rng = options.rng instanceof Generator ? options.rng : new Generator(options.rng ?? 0);
    this.sampleCount = assertInteger(where, 'sampleCount', options.sampleCount ?? 64);
    this.fixedNoise = this.rng.fork().normalArray(this.sampleCount * this.latentDim);
    this.optimizers = pairOptimizer(this.generatorOptimizer, this.discriminatorOptimizer);
    let averaged: TensorModule | undefined;
    if (options.ema !== undefined) {
      const decay = options.ema?.decay;
      if (typeof decay !== 'number' || !(decay > 0 && decay < 1)) {
        throw new ArgumentError('bad-argument', `${where}: ema.decay must be a number in (0, 1), e.g. 0.999; received ${String(decay)}.`);
      }
      this.emaDecay = decay;
      averaged = options.ema.generator ?? cloneArchitecture(where, options.generator);
      this.ownsAverage = options.ema.generator === undefined;
      copyVariables(where, options.generator as Module, averaged as Module);
    }
    this.pair = new GANPair(options.generator, options.discriminator, averaged);
  }

  /**
   * The moving average of the generator's weights ({@link GANTrainerOptions.ema}), or
   * `undefined` when the trainer keeps none. It is what {@link samples} draws from; use it
   * (in eval mode) to generate with the trained model.
   */
  get generatorEma(): TensorModule | undefined {
    return this.pair.generatorEma;
  }

  /** Generator updates done so far (restored by {@link load}). */
  get step(): number {
    return this.generatorSteps;
  }

  /**
   * The classes of the fixed samples ({@link samples}), `i % numClasses` for sample `i`, so a
   * grid of `numClasses` columns shows one class per column; empty when unconditional.
   */
  get sampleLabels(): Int32Array {
    return this.numClasses === 0 ? new Int32Array(0) : Int32Array.from({ length: this.sampleCount }, (_, index) => index % this.numClasses);
  }

  /** Fresh noise `[count, latentDim]` from the trainer's generator. */
  noise(count: number): tf.Tensor2D {
    assertInteger('GANTrainer.noise', 'count', count);
    return tf.tensor2d(this.rng.normalArray(count * this.latentDim), [count, this.latentDim]);
  }

  /**
   * One discriminator update on `real` `[N, H, W, C]` (not disposed) and `N` generated images.
   * A class-conditional GAN needs the real images' `labels` (int32 `[N]`, not disposed); the
   * generated images are drawn with the same labels.
   */
  async discriminatorStep(real: tf.Tensor, labels?: tf.Tensor): Promise<DiscriminatorStepResult> {
    this.checkReal(real);
    this.checkLabels('GANTrainer.discriminatorStep', labels, real.shape[0]);
    this.setTraining();
    const count = real.shape[0];
    const options = labels === undefined ? undefined : { labels };
    const generator = this.generator as ConditionalModule;
    const discriminator = this.discriminator as ConditionalModule;
    const fake = tf.tidy(() => generator.call(this.noise(count), options)); // [N, H, W, C], no gradient
    const parameters = discriminator.parameterRecord();
    const bound: Module = labels === undefined ? (this.discriminator as Module) : new LabelBoundDiscriminator(discriminator, labels);
    let scores: tf.Tensor | undefined;
    try {
      const { value, grads } = tf.variableGrads(() => {
        const realScores = discriminator.call(real, options); // [N, 1]
        const fakeScores = discriminator.call(fake, options); // [N, 1]
        scores = tf.keep(tf.stack([tf.mean(realScores), tf.mean(fakeScores)]));
        return this.loss.discriminatorLoss({ realScores, fakeScores, discriminator: bound, real, fake, rng: this.rng, labels });
      }, Object.values(parameters));
      const loss = await this.applyGradients('discriminator', value, grads, parameters, this.discriminatorOptimizer);
      const [realScore, fakeScore] = await scores!.data();
      return { loss, realScore, fakeScore };
    } finally {
      tf.dispose([fake, scores!].filter(Boolean));
    }
  }

  /**
   * One generator update on `batchSize` fresh noise vectors (and, class-conditional, labels
   * drawn uniformly); returns the generator loss.
   */
  async generatorStep(batchSize: number): Promise<number> {
    assertInteger('GANTrainer.generatorStep', 'batchSize', batchSize);
    this.setTraining();
    const noise = this.noise(batchSize); // [N, latentDim]
    const labels = this.numClasses === 0 ? undefined : tf.tensor1d(Int32Array.from({ length: batchSize }, () => this.rng.integer(this.numClasses)), 'int32');
    const options = labels === undefined ? undefined : { labels };
    const parameters = (this.generator as Module).parameterRecord();
    try {
      const { value, grads } = tf.variableGrads(() => {
        const fakeScores = (this.discriminator as ConditionalModule).call((this.generator as ConditionalModule).call(noise, options), options); // [N, 1]
        return this.loss.generatorLoss(fakeScores);
      }, Object.values(parameters));
      const loss = await this.applyGradients('generator', value, grads, parameters, this.generatorOptimizer);
      this.generatorSteps += 1;
      this.updateAverage();
      return loss;
    } finally {
      noise.dispose();
      labels?.dispose();
    }
  }

  /**
   * Trains until {@link step} reaches `options.steps`. Each generator update consumes
   * `discriminatorSteps` batches `[N, H, W, C]` from `batches` (yours: not disposed); it
   * stops early when they run out. A class-conditional GAN takes {@link LabeledBatch}es
   * (an unconditional one accepts them too and ignores the labels).
   */
  async train(
    batches: Iterable<tf.Tensor | LabeledBatch> | AsyncIterable<tf.Tensor | LabeledBatch>,
    options: GANTrainOptions,
  ): Promise<GANHistory> {
    const where = 'GANTrainer.train';
    const steps = assertInteger(where, 'steps', options?.steps, 0);
    const sampleEvery = options.sampleEvery === undefined ? undefined : assertInteger(where, 'sampleEvery', options.sampleEvery);
    const history: GANHistory = { discriminatorLoss: [], generatorLoss: [], realScore: [], fakeScore: [] };
    const source = Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : (batches as Iterable<tf.Tensor | LabeledBatch>)[Symbol.iterator]();
    let lastYield = performance.now();
    try {
      while (this.generatorSteps < steps) {
        if (options.signal?.aborted) throw new TrainingError('aborted', `${where}: aborted at step ${this.generatorSteps}.`, { cause: options.signal.reason });
        const started = performance.now();
        let result: DiscriminatorStepResult | undefined;
        let batchSize = 0;
        for (let update = 0; update < this.discriminatorSteps; update++) {
          const next = await source.next();
          if (next.done) return history;
          const batch = next.value;
          const labeled = !(batch instanceof tf.Tensor) && batch !== null && typeof batch === 'object' && 'images' in batch;
          const images = labeled ? (batch as LabeledBatch).images : (batch as tf.Tensor);
          if (this.numClasses > 0 && !labeled) {
            throw new ArgumentError('bad-argument', `${where}: this GAN is class-conditional (numClasses ${this.numClasses}); the batches must be { images, labels }, received a ${images instanceof tf.Tensor ? `tensor ${formatShape(images.shape)}` : typeof batch}.`);
          }
          result = await this.discriminatorStep(images, this.numClasses > 0 ? (batch as LabeledBatch).labels : undefined);
          batchSize = images.shape[0];
        }
        const generatorLoss = await this.generatorStep(batchSize);
        const info: GANStepInfo = {
          step: this.generatorSteps,
          discriminatorLoss: result!.loss,
          generatorLoss,
          realScore: result!.realScore,
          fakeScore: result!.fakeScore,
          seconds: (performance.now() - started) / 1000,
        };
        history.discriminatorLoss.push(info.discriminatorLoss);
        history.generatorLoss.push(generatorLoss);
        history.realScore.push(info.realScore);
        history.fakeScore.push(info.fakeScore);
        await options.onStep?.(info);
        if (options.onSamples && sampleEvery !== undefined && this.generatorSteps % sampleEvery === 0) {
          const images = this.samples();
          try {
            await options.onSamples(images, this.generatorSteps);
          } finally {
            images.dispose();
          }
        }
        if (performance.now() - lastYield > 100) {
          await new Promise((resolve) => setTimeout(resolve, 0)); // let signals and timers run
          lastYield = performance.now();
        }
      }
      return history;
    } finally {
      await source.return?.();
    }
  }

  /**
   * The generator's images for the fixed noise, `[sampleCount, H, W, C]`, in eval mode
   * (batch norm uses running statistics); from the averaged generator when the trainer keeps
   * one ({@link GANTrainerOptions.ema}). The caller disposes the result.
   */
  samples(): tf.Tensor {
    const generator = (this.pair.generatorEma ?? this.generator) as ConditionalModule;
    const wasTraining = generator.training;
    generator.eval();
    try {
      return tf.tidy(() => {
        const noise = tf.tensor2d(this.fixedNoise, [this.sampleCount, this.latentDim]);
        if (this.numClasses === 0) return generator.call(noise);
        return generator.call(noise, { labels: tf.tensor1d(this.sampleLabels, 'int32') });
      });
    } finally {
      generator.train(wasTraining);
    }
  }

  /**
   * The whole training state as safetensors bytes (one file; see the class notes for its
   * names). `metadata` (strings) and `epoch` are stored too and returned by {@link load};
   * `checksum` (default true) stores SHA-256 checksums verified on load (see `encodeCheckpoint`).
   */
  async save(options: { metadata?: Record<string, string>; epoch?: number; checksum?: boolean } = {}): Promise<Uint8Array> {
    const epoch = assertInteger('GANTrainer.save', 'epoch', options.epoch ?? 0, 0);
    return encodeCheckpoint(this.pair, {
      optimizer: this.optimizers,
      rng: this.rng,
      step: this.generatorSteps,
      epoch,
      metadata: options.metadata,
      checksum: options.checksum,
    });
  }

  /**
   * Restores a {@link save}d state: weights, both optimizers, the generator state and the
   * step. Validates everything first; a file from other networks throws a `CheckpointError`.
   */
  async load(source: Uint8Array | ArrayBuffer | Blob): Promise<CheckpointInfo> {
    const info = await decodeCheckpoint(source, this.pair, { optimizer: this.optimizers, rng: this.rng });
    this.generatorSteps = info.step;
    return info;
  }

  /**
   * Frees what the trainer created: the averaged generator it built for
   * {@link GANTrainerOptions.ema}. The networks and optimizers you passed in stay yours to dispose.
   */
  dispose(): void {
    if (this.ownsAverage) this.pair.generatorEma?.dispose();
  }

  /** Moves the averaged generator towards the generator (see {@link GANTrainerOptions.ema}). */
  private updateAverage(): void {
    const averaged = this.pair.generatorEma as Module | undefined;
    if (averaged === undefined || this.emaDecay === undefined) return;
    const decay = Math.min(this.emaDecay, (1 + this.generatorSteps) / (10 + this.generatorSteps));
    const source = new Map((this.generator as Module).namedVariables());
    const parameterNames = new Set((this.generator as Module).namedParameters().map(([name]) => name));
    tf.tidy(() => {
      for (const [name, target] of averaged.namedVariables()) {
        const current = source.get(name)!;
        // Parameters: ema + (1 - d)(w - ema); buffers (batch-norm statistics): copied.
        target.assign(parameterNames.has(name) ? tf.add(target, tf.mul(tf.sub(current, target), 1 - decay)) : current.clone());
      }
    });
  }

  private setTraining(): void {
    (this.generator as Module).train();
    (this.discriminator as Module).train();
  }

  private checkLabels(where: string, labels: tf.Tensor | undefined, count: number): void {
    if (this.numClasses === 0) {
      if (labels !== undefined) throw new ArgumentError('bad-argument', `${where}: received labels, but the GAN is unconditional (numClasses 0).`);
      return;
    }
    if (!(labels instanceof tf.Tensor) || labels.dtype !== 'int32' || labels.rank !== 1 || labels.shape[0] !== count) {
      throw new ShapeError(
        'shape-mismatch',
        `${where}: a class-conditional GAN needs the real batch's labels, int32 [${count}] in [0, ${this.numClasses}); received ${labels instanceof tf.Tensor ? `${labels.dtype} ${formatShape(labels.shape)}` : String(labels)}.`,
      );
    }
  }

  private checkReal(real: tf.Tensor): void {
    if (!(real instanceof tf.Tensor) || real.rank < 2 || real.shape[0] < 1) {
      throw new ShapeError('shape-mismatch', `GANTrainer: real batch expected a tensor [N, H, W, C], received ${real instanceof tf.Tensor ? formatShape(real.shape) : typeof real}.`);
    }
  }

  private async applyGradients(
    which: 'generator' | 'discriminator',
    value: tf.Scalar,
    grads: tf.NamedTensorMap,
    parameters: Record<string, tf.Variable>,
    optimizer: Optimizer,
  ): Promise<number> {
    const byName: Record<string, tf.Tensor> = {};
    const nameOf = new Map(Object.entries(parameters).map(([name, variable]) => [variable.name, name]));
    for (const [variableName, gradient] of Object.entries(grads)) byName[nameOf.get(variableName) ?? variableName] = gradient;
    try {
      const loss = (await value.data())[0];
      if (!Number.isFinite(loss)) {
        throw new TrainingError(
          'non-finite-loss',
          `GANTrainer: ${which} loss is ${loss} at step ${this.generatorSteps + 1}; parameters were not updated. Lower the learning rates or check the data for NaN/Inf.`,
        );
      }
      optimizer.step(parameters, byName);
      await checkFiniteParameters(parameters, `GANTrainer: after the ${which} update at step ${this.generatorSteps + 1}`);
      return loss;
    } finally {
      tf.dispose([value, ...Object.values(byName)]);
    }
  }
}

/** A fresh module of `generator`'s architecture, from its class's `fromConfig(getConfig())`. */
function cloneArchitecture(where: string, generator: TensorModule): TensorModule {
  const modelClass = (generator as object).constructor as { fromConfig?: (config: unknown) => unknown; name?: string };
  const getConfig = (generator as { getConfig?: () => unknown }).getConfig;
  if (typeof getConfig !== 'function' || typeof modelClass.fromConfig !== 'function') {
    throw new ArgumentError(
      'bad-argument',
      `${where}: ema needs a second generator to hold the average; ${(generator as Module).typeName} has no getConfig()/static fromConfig() to build one, so pass ema.generator (a new instance of the same architecture).`,
    );
  }
  const clone = modelClass.fromConfig(getConfig.call(generator));
  if (!Module.isModule(clone)) throw new ArgumentError('bad-argument', `${where}: ${(generator as Module).typeName}.fromConfig did not return a Module; pass ema.generator.`);
  return clone as TensorModule;
}

/** Copies every variable of `source` into `target` (same names and shapes, or an error that lists the first difference). */
function copyVariables(where: string, source: Module, target: Module): void {
  const targetVariables = new Map(target.namedVariables());
  const sourceVariables = source.namedVariables();
  for (const [name, variable] of sourceVariables) {
    const other = targetVariables.get(name);
    if (!other || other.shape.join() !== variable.shape.join()) {
      throw new ShapeError(
        'shape-mismatch',
        `${where}: ema.generator must have the generator's architecture; its "${name}" is ${other ? formatShape(other.shape) : 'missing'}, the generator's is ${formatShape(variable.shape)}.`,
      );
    }
  }
  if (targetVariables.size !== sourceVariables.length) {
    throw new ShapeError('shape-mismatch', `${where}: ema.generator has ${targetVariables.size} variables, the generator ${sourceVariables.length}; they must have the same architecture.`);
  }
  for (const [name, variable] of sourceVariables) targetVariables.get(name)!.assign(variable);
}
