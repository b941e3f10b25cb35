import * as tf from '@tensorflow/tfjs-core';
import { addMany } from './add-many';
import { ArgumentError, ShapeError, TrainingError } from './errors';
import type { Module } from './module';
import { Generator } from './rng';
import { assertInRange, assertInteger, formatShape } from './shape';
import type { LossFn, Optimizer } from './types';

/** One batch: inputs and targets, with the same first dimension. */
export interface Batch {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** A metric: `(yTrue, yPred) => scalar`, averaged over batches (weighted by batch size). */
export type MetricFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

/** What `onStep` receives after each optimizer step. */
export interface StepInfo {
  /** Global step, 1-based, counting across epochs (and across a resumed run). */
  step: number;
  /** 0-based epoch. */
  epoch: number;
  /** Batch index within the epoch, 0-based. */
  batch: number;
  /** Batches per epoch. */
  batchesPerEpoch: number;
  /** Training loss of this batch. */
  loss: number;
  /** Training metrics of this batch. */
  metrics: Record<string, number>;
  /** Training throughput of this step, in samples per second. */
  samplesPerSecond: number;
}

/** What `onEpochEnd` receives. */
export interface EpochInfo {
  epoch: number;
  /** Global step after this epoch. */
  step: number;
  /** Mean training loss over the epoch (weighted by batch size). */
  loss: number;
  metrics: Record<string, number>;
  /** Validation loss, when there is validation data. */
  valLoss?: number;
  valMetrics?: Record<string, number>;
  /** Wall time of the epoch in seconds. */
  seconds: number;
}

/** Options of {@link fit}. */
export interface FitOptions {
  /** `(yTrue, yPred) => scalar`, e.g. from `@tensorzoo/losses`. */
  loss: LossFn;
  /** An optimizer, e.g. `adam()` from `@tensorzoo/optimizers`. */
  optimizer: Optimizer;
  /** Number of passes over the data. Default 1. */
  epochs?: number;
  /** Epoch to start at (for resuming a run; the shuffle generator must be restored too). Default 0. */
  initialEpoch?: number;
  /** Batch size when `data` is a whole `{x, y}` dataset. Default 32. */
  batchSize?: number;
  /** Shuffle the training rows each epoch. Default `true`. */
  shuffle?: boolean;
  /** Randomness for shuffling and the validation split: a Generator (its state advances) or a seed. Default seed 0. */
  rng?: Generator | number;
  /** Fraction in [0, 1) of the rows (taken from the end, before shuffling, like Keras) held out for validation. */
  validationSplit?: number;
  /** Explicit validation data (overrides `validationSplit`). */
  validationData?: Batch;
  /** Extra metrics computed on training batches and validation data. */
  metrics?: Record<string, MetricFn>;
  /** Changes gradients before the optimizer sees them (e.g. clipping). Must return new tensors or the same ones. */
  transformGradients?: (gradients: Record<string, tf.Tensor>) => Record<string, tf.Tensor>;
  /** Called after every step. May be async (awaited). */
  onStep?: (info: StepInfo) => void | Promise<void>;
  /** Called after every epoch. May be async (awaited). */
  onEpochEnd?: (info: EpochInfo) => void | Promise<void>;
  /** Stops training (throws a `TrainingError` with code `'aborted'`) at the next step boundary. */
  signal?: AbortSignal;
}

/** Per-epoch history returned by {@link fit}. */
export interface History {
  loss: number[];
  valLoss: number[];
  metrics: Record<string, number[]>;
  valMetrics: Record<string, number[]>;
  /** Global step at the end. */
  steps: number;
}

/**
 * Trains `model` on `data` with mini-batch gradient descent.
 *
 * Each step runs the forward pass and the loss under `tf.variableGrads`, hands the
 * gradients (keyed by parameter name) to the optimizer and disposes every temporary, so
 * `tf.memory().numTensors` stays flat. A non-finite loss stops training with a
 * `TrainingError` (code `'non-finite-loss'`) naming the step; the parameters are left as
 * they were before that step. After every update the parameters are checked too (one fused
 * reduction and one read per step, see {@link checkFiniteParameters}): an update that
 * overflows stops training with a `TrainingError` (`'non-finite-parameters'`) naming the step
 * and the parameter, so `fit` never returns normally with NaN or infinite weights.
 *
 * @param data a whole dataset `{x, y}` (batched and shuffled here), or an iterable of
 *   batches you own (not disposed here; not shuffled).
 * @example
 * ```ts
 * const history = await fit(model, { x, y }, {
 *   loss: meanSquaredError, optimizer: adam({ lr: 0.01 }), epochs: 100, batchSize: 16,
 *   onEpochEnd: ({ epoch, loss }) => console.log(epoch, loss),
 * });
 * ```
 */
export async function fit(
  model: Module,
  data: Batch | Iterable<Batch> | AsyncIterable<Batch>,
  options: FitOptions,
): Promise<History> {
  const epochs = assertInteger('fit', 'epochs', options.epochs ?? 1);
  const initialEpoch = assertInteger('fit', 'initialEpoch', options.initialEpoch ?? 0, 0);
  if (typeof options.loss !== 'function') throw new ArgumentError('bad-argument', 'fit: options.loss must be a function (yTrue, yPred) => scalar.');
  if (!options.optimizer || typeof options.optimizer.step !== 'function') {
    throw new ArgumentError('bad-argument', 'fit: options.optimizer must implement step(parameters, gradients).');
  }
  const rng = options.rng instanceof Generator ? options.rng : new Generator(options.rng ?? 0);
  const metrics = options.metrics ?? {};
  const parameters = model.parameterRecord();
  const names = Object.keys(parameters);
  if (names.length === 0) throw new ArgumentError('no-parameters', `fit: ${model.path} has no trainable parameters.`);
  const nameOf = new Map(names.map((name) => [parameters[name].name, name]));

  let source: BatchSource;
  let validation: Batch | undefined = options.validationData;
  const owned: tf.Tensor[] = [];
  if (isBatch(data)) {
    checkBatch('fit: data', data);
    const split = splitValidation(data, options.validationSplit ?? 0);
    if (split.validation) owned.push(split.validation.x, split.validation.y, split.train.x, split.train.y);
    validation ??= split.validation;
    source = tensorBatches(split.train, assertInteger('fit', 'batchSize', options.batchSize ?? 32), options.shuffle ?? true, rng);
  } else {
    source = { batchesPerEpoch: undefined, epoch: () => data };
  }
  if (validation) checkBatch('fit: validationData', validation);

  const history: History = { loss: [], valLoss: [], metrics: {}, valMetrics: {}, steps: options.optimizer.iterations };
  for (const key of Object.keys(metrics)) {
    history.metrics[key] = [];
    history.valMetrics[key] = [];
  }
  let step = options.optimizer.iterations;
  let lastYield = now();
  const wasTraining = model.training;
  model.train();
  try {
    for (let epoch = initialEpoch; epoch < initialEpoch + epochs; epoch++) {
      const started = now();
      let seen = 0;
      let lossSum = 0;
      const metricSums: Record<string, number> = Object.fromEntries(Object.keys(metrics).map((k) => [k, 0]));
      let batchIndex = 0;
      for await (const batch of source.epoch()) {
        if (options.signal?.aborted) throw new TrainingError('aborted', `fit: aborted at step ${step} (epoch ${epoch}).`, { cause: options.signal.reason });
        const stepStarted = now();
        const { loss, metricValues, size } = await trainStep(model, batch, options, parameters, nameOf, metrics, step + 1);
        step++;
        seen += size;
        lossSum += loss * size;
        for (const key of Object.keys(metricValues)) metricSums[key] += metricValues[key] * size;
        await options.onStep?.({
          step,
          epoch,
          batch: batchIndex,
          batchesPerEpoch: source.batchesPerEpoch ?? batchIndex + 1,
          loss,
          metrics: metricValues,
          samplesPerSecond: size / Math.max((now() - stepStarted) / 1000, 1e-9),
        });
        batchIndex++;
        if (now() - lastYield > YIELD_EVERY_MS) {
          // Let timers, I/O and signal handlers (Ctrl-C, UI events) run during long CPU-bound epochs.
          await new Promise((resolve) => setTimeout(resolve, 0));
          lastYield = now();
        }
      }
      if (seen === 0) throw new TrainingError('empty-data', `fit: epoch ${epoch} produced no batches.`);
      const info: EpochInfo = {
        epoch,
        step,
        loss: lossSum / seen,
        metrics: Object.fromEntries(Object.entries(metricSums).map(([k, v]) => [k, v / seen])),
        seconds: (now() - started) / 1000,
      };
      history.loss.push(info.loss);
      for (const key of Object.keys(metrics)) history.metrics[key].push(info.metrics[key]);
      if (validation) {
        const result = await evaluate(model, validation, { loss: options.loss, metrics, batchSize: options.batchSize ?? 32 });
        info.valLoss = result.loss;
        info.valMetrics = result.metrics;
        history.valLoss.push(result.loss);
        for (const key of Object.keys(metrics)) history.valMetrics[key].push(result.metrics[key]);
      }
      history.steps = step;
      await options.onEpochEnd?.(info);
    }
  } finally {
    model.train(wasTraining);
    for (const tensor of owned) tensor.dispose();
    source.dispose?.();
  }
  return history;
}

async function trainStep(
  model: Module,
  batch: Batch,
  options: FitOptions,
  parameters: Record<string, tf.Variable>,
  nameOf: Map<string, string>,
  metrics: Record<string, MetricFn>,
  step: number,
): Promise<{ loss: number; metricValues: Record<string, number>; size: number }> {
  checkBatch(`fit: batch at step ${step}`, batch);
  let prediction: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const output = model.call(batch.x);
    prediction = tf.keep(output);
    return options.loss(batch.y, output);
  }, Object.values(parameters));
  const byName: Record<string, tf.Tensor> = {};
  for (const [variableName, gradient] of Object.entries(grads)) byName[nameOf.get(variableName) ?? variableName] = gradient;
  let transformed: Record<string, tf.Tensor> = byName;
  try {
    const lossValue = (await value.data())[0];
    if (!Number.isFinite(lossValue)) {
      throw new TrainingError(
        'non-finite-loss',
        `fit: loss is ${lossValue} at step ${step}; parameters were not updated. Lower the learning rate, check the data for NaN/Inf, or clip gradients.`,
      );
    }
    if (options.transformGradients) transformed = options.transformGradients(byName);
    options.optimizer.step(parameters, transformed);
    await checkFiniteParameters(parameters, `fit: after the update at step ${step}`);
    const metricValues = await computeMetrics(metrics, batch.y, prediction!);
    return { loss: lossValue, metricValues, size: batch.x.shape[0] };
  } finally {
    value.dispose();
    prediction?.dispose();
    tf.dispose(Object.values(byName));
    if (transformed !== byName) tf.dispose(Object.values(transformed).filter((t) => !Object.values(byName).includes(t)));
  }
}

/**
 * Throws when any parameter holds NaN or an infinity. Costs one fused reduction over all
 * parameters (`sum(p * 0)` is 0 for finite values and NaN otherwise, so no sum can overflow)
 * and one scalar read; only when it fails are the parameters checked one by one, to name
 * the first bad one.
 *
 * @param parameters variables by name (e.g. `model.parameterRecord()`).
 * @param where start of the message, e.g. `'fit: after the update at step 12'`.
 * @throws {TrainingError} (`non-finite-parameters`) naming the parameter.
 * @example
 * ```ts
 * optimizer.step(parameters, gradients);
 * await checkFiniteParameters(parameters, `after step ${step}`);
 * ```
 */
export async function checkFiniteParameters(parameters: Record<string, tf.Variable>, where: string): Promise<void> {
  const entries = Object.entries(parameters).filter(([, variable]) => variable.dtype === 'float32');
  if (entries.length === 0) return;
  const poison = (variable: tf.Variable) => tf.sum(tf.mul(variable, 0));
  const total = tf.tidy(() => addMany(entries.map(([, variable]) => poison(variable)))); // addN in groups: WebGPU reads at most 8 buffers
  const finite = Number.isFinite((await total.data())[0]);
  total.dispose();
  if (finite) return;
  for (const [name, variable] of entries) {
    const values = await variable.data();
    const index = values.findIndex((value) => !Number.isFinite(value));
    if (index < 0) continue;
    throw new TrainingError(
      'non-finite-parameters',
      `${where}, parameter "${name}" ${formatShape(variable.shape)} holds ${values[index]} at flat index ${index}. The update overflowed: ` +
        'lower the learning rate, clip gradients, or resume from the last good checkpoint (these weights are unusable).',
    );
  }
}

async function computeMetrics(metrics: Record<string, MetricFn>, yTrue: tf.Tensor, yPred: tf.Tensor): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [key, metric] of Object.entries(metrics)) {
    const value = tf.tidy(() => metric(yTrue, yPred));
    out[key] = (await value.data())[0];
    value.dispose();
  }
  return out;
}

/**
 * Computes the mean loss and metrics of `model` on `data` in eval mode, batch by batch.
 * @returns numbers (weighted by batch size).
 */
export async function evaluate(
  model: Module,
  data: Batch,
  options: { loss: LossFn; metrics?: Record<string, MetricFn>; batchSize?: number },
): Promise<{ loss: number; metrics: Record<string, number> }> {
  checkBatch('evaluate: data', data);
  const batchSize = assertInteger('evaluate', 'batchSize', options.batchSize ?? 256);
  const metrics = options.metrics ?? {};
  const wasTraining = model.training;
  model.eval();
  const count = data.x.shape[0];
  let lossSum = 0;
  const sums: Record<string, number> = Object.fromEntries(Object.keys(metrics).map((k) => [k, 0]));
  try {
    for (let start = 0; start < count; start += batchSize) {
      const size = Math.min(batchSize, count - start);
      const [loss, ...metricValues] = tf.tidy(() => {
        const x = sliceRows(data.x, start, size);
        const y = sliceRows(data.y, start, size);
        const prediction = model.call(x);
        return [options.loss(y, prediction), ...Object.values(metrics).map((metric) => metric(y, prediction))];
      });
      lossSum += (await loss.data())[0] * size;
      for (const [index, key] of Object.keys(metrics).entries()) sums[key] += (await metricValues[index].data())[0] * size;
      tf.dispose([loss, ...metricValues]);
    }
  } finally {
    model.train(wasTraining);
  }
  return { loss: lossSum / count, metrics: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count])) };
}

interface BatchSource {
  batchesPerEpoch: number | undefined;
  epoch(): Iterable<Batch> | AsyncIterable<Batch>;
  dispose?(): void;
}

function tensorBatches(data: Batch, batchSize: number, shuffle: boolean, rng: Generator): BatchSource {
  const count = data.x.shape[0];
  return {
    batchesPerEpoch: Math.ceil(count / batchSize),
    *epoch() {
      const order = shuffle ? rng.permutation(count) : null;
      const indices = order ? tf.tensor1d(order, 'int32') : null;
      try {
        for (let start = 0; start < count; start += batchSize) {
          const size = Math.min(batchSize, count - start);
          const batch = tf.tidy(() => {
            if (!indices) return { x: sliceRows(data.x, start, size), y: sliceRows(data.y, start, size) };
            const rows = indices.slice(start, size);
            return { x: tf.gather(data.x, rows), y: tf.gather(data.y, rows) };
          });
          try {
            yield batch;
          } finally {
            tf.dispose([batch.x, batch.y]);
          }
        }
      } finally {
        indices?.dispose();
      }
    },
  };
}

function splitValidation(data: Batch, fraction: number): { train: Batch; validation?: Batch } {
  assertInRange('fit', 'validationSplit', fraction, 0, 1);
  if (fraction === 0) return { train: data };
  const count = data.x.shape[0];
  const held = Math.floor(count * fraction);
  if (held === 0 || held === count) {
    throw new ArgumentError('bad-argument', `fit: validationSplit ${fraction} of ${count} rows leaves an empty training or validation set.`);
  }
  const trainCount = count - held;
  return {
    train: { x: sliceRows(data.x, 0, trainCount), y: sliceRows(data.y, 0, trainCount) },
    validation: { x: sliceRows(data.x, trainCount, held), y: sliceRows(data.y, trainCount, held) },
  };
}

function sliceRows(tensor: tf.Tensor, start: number, size: number): tf.Tensor {
  return tf.slice(tensor, [start, ...tensor.shape.slice(1).map(() => 0)], [size, ...tensor.shape.slice(1)]);
}

function isBatch(value: unknown): value is Batch {
  return typeof value === 'object' && value !== null && 'x' in value && 'y' in value && !(Symbol.iterator in value);
}

function checkBatch(where: string, batch: Batch): void {
  if (!batch || !(batch.x instanceof tf.Tensor) || !(batch.y instanceof tf.Tensor)) {
    throw new ArgumentError('bad-batch', `${where}: expected { x: tf.Tensor, y: tf.Tensor }, received ${typeof batch}.`);
  }
  if (batch.x.rank === 0 || batch.y.rank === 0 || batch.x.shape[0] !== batch.y.shape[0]) {
    throw new ShapeError(
      'batch-mismatch',
      `${where}: x ${formatShape(batch.x.shape)} and y ${formatShape(batch.y.shape)} must have the same first (batch) dimension.`,
    );
  }
}

/** How often a long epoch yields to the event loop. */
const YIELD_EVERY_MS = 100;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());
