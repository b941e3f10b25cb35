/**
 * The shared conformance suite every TensorZoo module passes (import from
 * `@tensorzoo/core/testing` in a Vitest test file). It checks what every layer and model
 * must do, so a new module gets these tests by writing one call:
 *
 * - the forward pass gives the expected output shape;
 * - the forward pass agrees across backends: the active backend's output (same weights, same
 *   input) against tfjs's stock `cpu` kernels, within {@link expectClose}'s tolerance. On the
 *   `cpu` backend itself that compares TensorZoo's fast kernels ({@link installFastKernels})
 *   with tfjs's own;
 * - every parameter receives a finite gradient, and at least one element of each is non-zero;
 * - save -> load through safetensors is bit-exact (variables and outputs);
 * - repeated training steps leak no tensors;
 * - a few dozen steps overfit one fixed batch;
 * - with `modelClass`: `fromConfig(getConfig())` rebuilds the same architecture, and
 *   `encodeModel` -> `loadModel` rebuilds the model with bit-identical outputs.
 *
 * {@link describeModuleNames} checks that a package's Module classes keep their names when
 * minified (a static `moduleName` each) and that its model list can be loaded by `loadModel`.
 *
 * @example
 * ```ts
 * import { describeModuleConformance } from '@tensorzoo/core/testing';
 * describeModuleConformance('Linear', {
 *   create: (seed) => new Linear(3, 2, { rng: seed }),
 *   input: () => tf.randomNormal([4, 3], 0, 1, 'float32', 1),
 *   outputShape: [4, 2],
 * });
 * ```
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  Module,
  decodeCheckpoint,
  encodeCheckpoint,
  encodeModel,
  fastKernelsInstalled,
  installFastKernels,
  loadModel,
  restoreStockKernels,
  setBackend,
  type ModelClass,
  type SerializableModule,
} from '@tensorzoo/core';
import { expectClose } from './compare';

/** Options of {@link describeModuleConformance}. */
export interface ConformanceOptions<Input> {
  /** Builds the module; different seeds must give different initial weights. */
  create: (seed: number) => Module<Input, tf.Tensor, never>;
  /** A fixed input batch (called once per check; the suite disposes it if it is a tensor). */
  input: () => Input;
  /** Expected output shape. */
  outputShape: number[];
  /**
   * Loss for the gradient and overfit checks, from the output. Default: mean squared
   * distance to a fixed random target of the output's shape.
   */
  loss?: (output: tf.Tensor) => tf.Scalar;
  /**
   * Overfit check: SGD steps, learning rate, and the factor the loss must fall by. Default 60
   * steps, lr 0.05, 0.5. On non-cpu backends at most 12 steps run and the loss must only fall.
   */
  overfit?: { steps?: number; lr?: number; factor?: number } | false;
  /** Parameters allowed an all-zero gradient (e.g. unused by the default loss). */
  zeroGradientAllowed?: string[];
  /** Per-test timeout in ms (CNNs on the cpu backend are slow). Default 60,000. */
  timeout?: number;
  /**
   * The module's class (with `static moduleName` and `static fromConfig`): adds the model
   * round-trip check. Give it for every model whose instances have `getConfig()`.
   */
  modelClass?: ModelClass;
  /** Further classes `loadModel` may need for the children of a container `modelClass` (e.g. `coreLayers` for a `Sequential`). */
  models?: readonly ModelClass[];
}

function variableShapes(module: Module<never, unknown, never>): Array<[string, number[]]> {
  return module.namedVariables().map(([name, variable]) => [name, variable.shape]);
}

function disposeInput(input: unknown): void {
  if (input instanceof tf.Tensor) input.dispose();
  else if (Array.isArray(input)) tf.dispose(input.filter((x) => x instanceof tf.Tensor));
  else if (input && typeof input === 'object') tf.dispose(Object.values(input).filter((x) => x instanceof tf.Tensor));
}

/** Eval-mode forward output and variables of a fresh `create(seed)` module on the active backend. */
async function forwardSnapshot<Input>(
  options: ConformanceOptions<Input>,
  seed: number,
  weights?: Array<[string, { shape: number[]; dtype: tf.DataType; values: tf.TypedArray }]>,
): Promise<{ output: Float32Array | Int32Array | Uint8Array; shape: number[]; weights: Array<[string, { shape: number[]; dtype: tf.DataType; values: tf.TypedArray }]> }> {
  const module = options.create(seed);
  module.eval();
  if (weights) {
    const tensors = Object.fromEntries(weights.map(([name, { shape, dtype, values }]) => [name, tf.tensor(values, shape, dtype)]));
    module.loadStateDict(tensors);
    tf.dispose(Object.values(tensors));
  }
  const input = options.input();
  const output = module.call(input);
  const result = { output: (await output.data()) as Float32Array, shape: output.shape };
  const snapshot: Array<[string, { shape: number[]; dtype: tf.DataType; values: tf.TypedArray }]> = [];
  for (const [name, variable] of module.namedVariables()) {
    snapshot.push([name, { shape: variable.shape, dtype: variable.dtype, values: (await variable.data()) as tf.TypedArray }]);
  }
  output.dispose();
  disposeInput(input);
  module.dispose();
  return { ...result, weights: snapshot };
}

/**
 * Runs `body` on tfjs's `cpu` backend with its stock kernels, then puts the previous backend
 * and kernels back (even when `body` throws).
 */
async function onStockCpu<T>(body: () => Promise<T>): Promise<T> {
  const previous = tf.getBackend();
  const hadFastKernels = tf.findBackend('cpu') !== null && fastKernelsInstalled('cpu').length > 0;
  if (previous !== 'cpu') await setBackend('cpu'); // loads tfjs-backend-cpu where needed (and installs ours)
  restoreStockKernels('cpu');
  try {
    return await body();
  } finally {
    if (hadFastKernels) installFastKernels('cpu');
    if (previous !== 'cpu') await tf.setBackend(previous);
  }
}

/** Registers the conformance tests for one module under `describe(name)`. */
export function describeModuleConformance<Input = tf.Tensor>(name: string, options: ConformanceOptions<Input>): void {
  const timeout = options.timeout ?? 60_000;
  const lossOf = (output: tf.Tensor, target: tf.Tensor | undefined): tf.Scalar =>
    options.loss ? options.loss(output) : (tf.mean(tf.square(tf.sub(output, target!))) as tf.Scalar);
  const makeTarget = (): tf.Tensor | undefined =>
    options.loss ? undefined : tf.randomUniform(options.outputShape, -1, 1, 'float32', 1234);

  describe(`${name} conformance`, () => {
    it('forward gives the expected shape and finite values', async () => {
      const module = options.create(1);
      const input = options.input();
      const output = module.call(input);
      expect(output.shape).toEqual(options.outputShape);
      const values = await output.data();
      expect(Array.from(values).every(Number.isFinite)).toBe(true);
      output.dispose();
      disposeInput(input);
      module.dispose();
    }, timeout);

    it('forward agrees with tfjs\'s stock cpu kernels (same weights, same input)', async () => {
      const backend = tf.getBackend();
      const active = await forwardSnapshot(options, 8);
      const stock = await onStockCpu(() => forwardSnapshot(options, 8, active.weights));
      expect(stock.shape).toEqual(active.shape);
      const actual = tf.tensor(active.output, active.shape);
      // The stock cpu result is the reference; the active backend's loosening applies.
      await expectClose(actual, stock.output, { backend, label: `${name} forward on ${backend} vs stock cpu` });
      actual.dispose();
    }, timeout);

    it('every parameter gets a finite, non-zero gradient', async () => {
      const module = options.create(2);
      const input = options.input();
      const target = makeTarget();
      const named = module.namedParameters();
      expect(named.length).toBeGreaterThan(0);
      const { value, grads } = tf.variableGrads(() => lossOf(module.call(input), target), named.map(([, v]) => v));
      for (const [parameterName, variable] of named) {
        const gradient = grads[variable.name];
        expect(gradient, `gradient of ${parameterName}`).toBeDefined();
        expect(gradient.shape, `gradient shape of ${parameterName}`).toEqual(variable.shape);
        const values = Array.from(await gradient.data());
        expect(values.every(Number.isFinite), `finite gradient of ${parameterName}`).toBe(true);
        if (!options.zeroGradientAllowed?.includes(parameterName)) {
          expect(values.some((g) => g !== 0), `non-zero gradient of ${parameterName}`).toBe(true);
        }
      }
      tf.dispose([value, ...Object.values(grads)]);
      target?.dispose();
      disposeInput(input);
      module.dispose();
    }, timeout);

    it('save -> load through safetensors is bit-exact', async () => {
      const source = options.create(3);
      const copy = options.create(4);
      source.eval();
      copy.eval();
      await decodeCheckpoint(await encodeCheckpoint(source), copy);
      const sourceVariables = source.namedVariables();
      const copyVariables = copy.namedVariables();
      expect(copyVariables.map(([n]) => n)).toEqual(sourceVariables.map(([n]) => n));
      for (let i = 0; i < sourceVariables.length; i++) {
        expect(Array.from(await copyVariables[i][1].data()), sourceVariables[i][0]).toEqual(Array.from(await sourceVariables[i][1].data()));
      }
      const input = options.input();
      const a = source.call(input);
      const b = copy.call(input);
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([a, b]);
      disposeInput(input);
      source.dispose();
      copy.dispose();
    }, timeout);

    it('repeated training steps leak no tensors', async () => {
      const module = options.create(5);
      const input = options.input();
      const target = makeTarget();
      const parameters = module.parameters();
      const step = () => {
        const { value, grads } = tf.variableGrads(() => lossOf(module.call(input), target), parameters);
        tf.tidy(() => {
          for (const variable of parameters) variable.assign(tf.sub(variable, tf.mul(grads[variable.name], 1e-3)));
        });
        tf.dispose([value, ...Object.values(grads)]);
      };
      step();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) step();
      expect(tf.memory().numTensors).toBe(before);
      target?.dispose();
      disposeInput(input);
      module.dispose();
    }, timeout);

    const modelClass = options.modelClass;
    if (modelClass) {
      it('getConfig -> fromConfig -> encodeModel -> loadModel rebuilds the model exactly', async () => {
        const source = options.create(7) as unknown as SerializableModule & Module<Input, tf.Tensor, never>;
        expect(Object.prototype.hasOwnProperty.call(modelClass, 'moduleName'), 'the class declares its own static moduleName').toBe(true);
        expect(source.typeName).toBe(modelClass.moduleName);
        expect(typeof source.getConfig, 'getConfig()').toBe('function');
        const config = source.getConfig();
        const json: unknown = JSON.parse(JSON.stringify(config));
        expect(json, 'the config survives JSON').toEqual(config);
        const models = [modelClass, ...(options.models ?? [])];
        const fromConfig = modelClass.fromConfig as unknown as (config: unknown, context: { models: readonly ModelClass[] }) => SerializableModule;
        const rebuilt = fromConfig.call(modelClass, json, { models });
        expect(rebuilt.getConfig(), 'fromConfig(getConfig()).getConfig()').toEqual(config);
        expect(variableShapes(rebuilt), 'parameter names and shapes').toEqual(variableShapes(source));
        rebuilt.dispose();

        source.eval();
        const loaded = await loadModel<Module<Input, tf.Tensor, never>>(await encodeModel(source), { models });
        loaded.eval();
        expect(loaded.typeName).toBe(modelClass.moduleName);
        const input = options.input();
        const expected = source.call(input);
        const actual = loaded.call(input);
        expect(Array.from(await actual.data()), 'outputs after loadModel').toEqual(Array.from(await expected.data()));
        tf.dispose([expected, actual]);
        disposeInput(input);
        source.dispose();
        loaded.dispose();
      }, timeout);
    }

    if (options.overfit !== false) {
      it('overfits one batch', async () => {
        const requested = { steps: 60, lr: 0.05, factor: 0.5, ...(options.overfit || {}) };
        // Software GPUs (SwiftShader in CI) run a step in ~0.1-1 s: there, a short run must
        // only lower the loss; the full overfit criterion is checked on cpu.
        const quick = tf.getBackend() !== 'cpu';
        const steps = quick ? Math.min(requested.steps, 12) : requested.steps;
        const factor = quick ? 0.999 : requested.factor;
        const { lr } = requested;
        const module = options.create(6);
        module.eval(); // deterministic: no dropout
        const input = options.input();
        const target = makeTarget();
        const parameters = module.parameters();
        const losses: number[] = [];
        for (let i = 0; i < steps; i++) {
          const { value, grads } = tf.variableGrads(() => lossOf(module.call(input), target), parameters);
          losses.push((await value.data())[0]);
          tf.tidy(() => {
            for (const variable of parameters) variable.assign(tf.sub(variable, tf.mul(grads[variable.name], lr)));
          });
          tf.dispose([value, ...Object.values(grads)]);
        }
        expect(losses[losses.length - 1]).toBeLessThan(losses[0] * factor);
        target?.dispose();
        disposeInput(input);
        module.dispose();
      }, timeout);
    }
  });
}

/**
 * Registers checks of a package's public classes: every exported `Module` subclass declares
 * its own `static moduleName` equal to its export name (bundlers minify class names, and
 * errors and checkpoints use this one), and every class in `models` (the package's list for
 * `loadModel`) has `static fromConfig` and an instance `getConfig()`.
 * @example
 * ```ts
 * import * as cnn from '@tensorzoo/cnn';
 * describeModuleNames('@tensorzoo/cnn', cnn, cnn.cnnModels);
 * ```
 */
export function describeModuleNames(packageName: string, exports: Record<string, unknown>, models: readonly ModelClass[] = []): void {
  describe(`${packageName} module names`, () => {
    const moduleClasses = Object.entries(exports).filter(
      ([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Module,
    ) as Array<[string, ModelClass]>;

    it('every exported Module class declares its own static moduleName, equal to its export name', () => {
      expect(moduleClasses.length).toBeGreaterThan(0);
      const names = moduleClasses.map(([exportName, value]) => [exportName, Object.prototype.hasOwnProperty.call(value, 'moduleName') ? value.moduleName : undefined]);
      expect(names).toEqual(moduleClasses.map(([exportName]) => [exportName, exportName]));
    });

    if (models.length > 0) {
      it('every listed model has static fromConfig and getConfig(), and is exported', () => {
        for (const model of models) {
          const name = model.moduleName ?? '(no moduleName)';
          expect(typeof model.fromConfig, `${name}.fromConfig`).toBe('function');
          expect(typeof (model as unknown as { prototype: { getConfig?: unknown } }).prototype.getConfig, `${name}.prototype.getConfig`).toBe('function');
          expect(exports[name], `${name} is exported under its moduleName`).toBe(model);
        }
      });
    }
  });
}
