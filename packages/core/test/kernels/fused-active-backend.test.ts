import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerNorm, fastKernelsInstalled, gelu, installFastKernels, restoreStockKernels } from '@tensorzoo/core';
import { ADAM_UPDATE_KERNEL, adamUpdateArrays, fusedAdamUpdate, type AdamUpdateSettings } from '../../src/kernels/adam';
import { GELU_GRAD_KERNEL, GELU_KERNEL, fusedGelu } from '../../src/kernels/gelu';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL, fusedLayerNorm } from '../../src/kernels/layer-norm';

// The fused Adam / AdamW, LayerNorm and GELU kernels on the ACTIVE backend (cpu in the node
// project; the WGSL programs of kernels/webgpu/ in node-webgpu and the browser) against the
// composite tensor ops they replace on the same backend, on random shapes (sizes beyond a
// workgroup, ranks 1-5, NaN and ±Infinity), with their launch and dispatch counts and no leaks.
// Values are read with `await data()` only (webgpu reads back asynchronously).

const backendName = () => tf.getBackend();
const FUSED = [ADAM_UPDATE_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL, GELU_KERNEL, GELU_GRAD_KERNEL];

/** Deterministic pseudo-random numbers (a small LCG), so failures reproduce. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return {
    integer: (low: number, high: number) => low + Math.floor(next() * (high - low + 1)),
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

type Random = ReturnType<typeof randomSource>;
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Random float32 values, scaled; with `special`, NaN, ±Infinity and 0 at the start. */
function randomValues(random: Random, size: number, scale = 1, special = false): Float32Array {
  const values = Float32Array.from({ length: size }, () => random.normal() * scale);
  if (special) [NaN, Infinity, -Infinity, 0].slice(0, size).forEach((value, i) => (values[i] = value));
  return values;
}

/** Every value within `tolerance·max(1, |expected|)`; non-finite values must match exactly. */
function expectValuesClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, label: string): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [got, want] = [actual[i], expected[i]];
    if (!Number.isFinite(want)) {
      if (!Object.is(got, want) && !(Number.isNaN(got) && Number.isNaN(want))) expect.fail(`${label}[${i}]: got ${got}, expected ${want}`);
    } else if (!(Math.abs(got - want) <= tolerance * Math.max(1, Math.abs(want)))) {
      expect.fail(`${label}[${i}]: got ${got}, expected ${want} (tolerance ${tolerance})`);
    }
  }
}

/** Counts the GPU programs a webgpu backend runs (`runWebGPUProgram` calls); `undefined` elsewhere. */
function dispatchCounter(): { count: () => number | undefined; restore: () => void } {
  const backend = tf.backend() as unknown as { runWebGPUProgram?: (...args: unknown[]) => unknown };
  if (backendName() !== 'webgpu' || !backend.runWebGPUProgram) return { count: () => undefined, restore: () => {} };
  const original = backend.runWebGPUProgram;
  let dispatches = 0;
  backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
    dispatches++;
    return original.apply(this, args);
  };
  return { count: () => dispatches, restore: () => void (backend.runWebGPUProgram = original) };
}

/** Kernel names launched by `compute` (tf.profile) and the GPU dispatches (webgpu); disposes the result. */
async function launches(compute: () => tf.Tensor | tf.Tensor[]): Promise<{ kernels: string[]; dispatches: number | undefined }> {
  const counter = dispatchCounter();
  try {
    let result: tf.Tensor | tf.Tensor[] = [];
    const profile = await tf.profile(() => (result = tf.tidy(compute)));
    tf.dispose(result);
    // tf.customGrad's wrapper (around every fused forward) and tidy scopes are listed too, unnamed: not kernels.
    const kernels = profile.kernels.map((kernel) => kernel.name).filter((name) => name !== '' && name !== 'unnamed scope');
    return { kernels, dispatches: counter.count() };
  } finally {
    counter.restore();
  }
}

/** Runs `check` and asserts it leaves no tensor or data buffer behind. */
async function withoutLeaks(check: () => Promise<void>): Promise<void> {
  const before = tf.memory();
  await check();
  const after = tf.memory();
  expect(after.numTensors, 'tensors').toBe(before.numTensors);
  expect(after.numDataBuffers, 'data buffers').toBe(before.numDataBuffers);
}

let previousKernels: string[] = [];
beforeAll(() => {
  // setBackend (test/setup) installed the fused kernels on the active backend where it has them.
  previousKernels = fastKernelsInstalled();
});
afterAll(() => {
  if (previousKernels.length > 0) installFastKernels();
});

describe(`fused kernels on the active backend`, () => {
  it('are installed on cpu, wasm and webgpu', () => {
    if (['cpu', 'wasm', 'webgpu'].includes(backendName())) expect(fastKernelsInstalled()).toEqual(expect.arrayContaining(FUSED));
    else expect(fastKernelsInstalled()).toEqual([]);
  });
});

const SHAPES: number[][] = [[1], [63], [64], [65], [1000], [3, 5, 7], [2, 3, 1, 4, 5], [129, 3]];

describe('TensorZooAdamUpdate', () => {
  const variants: Array<[string, Partial<AdamUpdateSettings>, { moments: boolean; maximum: boolean }]> = [
    ['adam, first step (no moments yet)', { weightDecay: 0, decoupled: false }, { moments: false, maximum: false }],
    ['adam', { weightDecay: 0, decoupled: false }, { moments: true, maximum: false }],
    ['adam, coupled weight decay', { weightDecay: 0.1, decoupled: false }, { moments: true, maximum: false }],
    ['adamW', { weightDecay: 0.01, decoupled: true }, { moments: true, maximum: false }],
    ['adamW, amsgrad, first maximum', { weightDecay: 0.05, decoupled: true, amsgrad: true }, { moments: true, maximum: false }],
    ['adam, amsgrad, coupled', { weightDecay: 0.1, decoupled: false, amsgrad: true, beta1: 0.8, beta2: 0.99 }, { moments: true, maximum: true }],
  ];
  variants.forEach(([label, overrides, present], variant) => {
    it(`${label}: the float64 reference and the composite ops on ${SHAPES.length} shapes, NaN/±Infinity gradients, 3 dispatches (4 amsgrad) on webgpu`, async () => {
      const random = randomSource(100 + variant);
      for (const [index, shape] of SHAPES.entries()) {
        const settings: AdamUpdateSettings = { lr: 1e-2, step: 1 + index, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false, amsgrad: false, ...overrides };
        const size = sizeOf(shape);
        const arrays = {
          parameter: randomValues(random, size),
          gradient: randomValues(random, size, 1, index % 2 === 1),
          expAvg: present.moments ? randomValues(random, size, 0.1) : undefined,
          expAvgSq: present.moments ? randomValues(random, size, 0.1).map(Math.abs) : undefined,
          maxExpAvgSq: present.maximum ? randomValues(random, size, 0.1).map(Math.abs) : undefined,
        };
        const expected = {
          parameter: new Float32Array(size),
          expAvg: new Float32Array(size),
          expAvgSq: new Float32Array(size),
          maxExpAvgSq: settings.amsgrad ? new Float32Array(size) : undefined,
        };
        adamUpdateArrays(arrays, settings, expected);
        await withoutLeaks(async () => {
          const tensors = Object.fromEntries(Object.entries(arrays).filter(([, values]) => values !== undefined).map(([name, values]) => [name, tf.tensor(values!, shape)]));
          const inputs = tensors as unknown as Parameters<typeof fusedAdamUpdate>[0];
          const fused = fusedAdamUpdate(inputs, settings);
          expect(fused, 'fused kernel ran').toBeDefined();
          const composite = compositeAdam(inputs, settings);
          const names: Array<'parameter' | 'expAvg' | 'expAvgSq' | 'maxExpAvgSq'> = ['parameter', 'expAvg', 'expAvgSq', ...(settings.amsgrad ? (['maxExpAvgSq'] as const) : [])];
          for (const name of names) {
            const values = await fused![name]!.data();
            const where = `${label}, shape [${shape}], ${name}`;
            expect(fused![name]!.shape, where).toEqual(shape);
            expectValuesClose(values, expected[name]!, 2e-6, `${where} vs reference`);
            expectValuesClose(values, await composite[name]!.data(), 1e-5, `${where} vs composite`);
          }
          const { kernels, dispatches } = await launches(() => Object.values(fusedAdamUpdate(inputs, settings)!));
          expect(kernels, `${label}: launches`).toEqual([ADAM_UPDATE_KERNEL]);
          if (dispatches !== undefined) expect(dispatches, `${label}: dispatches`).toBe(settings.amsgrad ? 4 : 3);
          tf.dispose([...Object.values(tensors), ...Object.values(fused!), ...Object.values(composite)]);
        });
      }
    });
  });

  it('takes far fewer dispatches than the composite ops on webgpu', async () => {
    const settings: AdamUpdateSettings = { lr: 1e-3, step: 3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, amsgrad: false };
    const tensors = { parameter: tf.ones([8, 8]), gradient: tf.ones([8, 8]), expAvg: tf.zeros([8, 8]), expAvgSq: tf.zeros([8, 8]) };
    const fused = await launches(() => Object.values(fusedAdamUpdate(tensors, settings)!));
    const composite = await launches(() => Object.values(compositeAdam(tensors, settings)));
    expect(fused.kernels.length).toBe(1);
    expect(composite.kernels.length).toBeGreaterThanOrEqual(8);
    if (fused.dispatches !== undefined) expect(composite.dispatches!).toBeGreaterThanOrEqual(3 * fused.dispatches);
    tf.dispose(Object.values(tensors));
  });
});

/** The Adam / AdamW step as tensor ops (torch's `_single_tensor_adam` order, as @tensorzoo/optimizers' composite path). */
function compositeAdam(inputs: Parameters<typeof fusedAdamUpdate>[0], settings: AdamUpdateSettings): Record<string, tf.Tensor> {
  const { lr, step, beta1, beta2, eps, weightDecay, decoupled, amsgrad } = settings;
  return tf.tidy(() => {
    let parameter = inputs.parameter;
    let gradient = inputs.gradient;
    if (decoupled) parameter = weightDecay === 0 ? parameter : tf.mul(parameter, 1 - lr * weightDecay);
    else if (weightDecay !== 0) gradient = tf.add(gradient, tf.mul(parameter, weightDecay));
    const expAvg = tf.add(tf.mul(inputs.expAvg ?? tf.zerosLike(gradient), beta1), tf.mul(gradient, 1 - beta1));
    const expAvgSq = tf.add(tf.mul(inputs.expAvgSq ?? tf.zerosLike(gradient), beta2), tf.mul(tf.mul(gradient, gradient), 1 - beta2));
    const maxExpAvgSq = amsgrad ? (inputs.maxExpAvgSq ? tf.maximum(inputs.maxExpAvgSq, expAvgSq) : expAvgSq.clone()) : undefined;
    const denominator = tf.add(tf.div(tf.sqrt(maxExpAvgSq ?? expAvgSq), Math.sqrt(1 - beta2 ** step)), eps);
    const next = tf.sub(parameter, tf.mul(tf.div(expAvg, denominator), lr / (1 - beta1 ** step)));
    return { parameter: next, expAvg, expAvgSq, ...(maxExpAvgSq ? { maxExpAvgSq } : {}) };
  });
}

/** LayerNorm over the last axis with tensor ops (what `LayerNorm` computes without the kernels). */
function compositeLayerNorm(x: tf.Tensor, eps: number, weight?: tf.Tensor, bias?: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  const normalised = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  return weight && bias ? tf.add(tf.mul(normalised, weight), bias) : normalised;
}

describe('TensorZooLayerNorm and TensorZooLayerNormGrad', () => {
  // Ranks up to 4: tfjs-webgpu 4.22's composite gradient fails to compile for rank 5 ("cannot index type 'vec5'").
  const shapes: number[][] = [[5], [3, 1], [4, 64], [2, 3, 65], [7, 130], [2, 3, 1, 33], [300, 8]];
  for (const affine of [true, false]) {
    it(`${affine ? 'affine' : 'no weight or bias'}: output and all gradients equal the composite ops on ${shapes.length} shapes (NaN row included)`, async () => {
      const random = randomSource(affine ? 7 : 8);
      for (const [index, shape] of shapes.entries()) {
        const columns = shape[shape.length - 1];
        const values = randomValues(random, sizeOf(shape), 2);
        if (index === 2) values[5] = NaN; // row 0 of [4, 64] becomes NaN, the others stay finite
        const upstream = randomValues(random, sizeOf(shape));
        await withoutLeaks(async () => {
          const x = tf.tensor(values, shape);
          const dy = tf.tensor(upstream, shape);
          const weight = affine ? tf.tensor(randomValues(random, columns), [columns]) : undefined;
          const bias = affine ? tf.tensor(randomValues(random, columns), [columns]) : undefined;
          const run = (layerNorm: typeof compositeLayerNorm) =>
            tf.tidy(() => {
              const loss = (...args: tf.Tensor[]) => tf.sum(tf.mul(layerNorm(args[0], 1e-5, args[1], args[2]), dy));
              const y = layerNorm(x, 1e-5, weight, bias);
              const gradients = tf.grads(loss)(affine ? [x, weight!, bias!] : [x]);
              return [y, ...gradients];
            });
          const fusedLayerNormOrFail: typeof compositeLayerNorm = (...args) => {
            const y = fusedLayerNorm(...args);
            if (!y) throw new Error('the fused LayerNorm did not run');
            return y;
          };
          const fused = run(fusedLayerNormOrFail);
          const composite = run(compositeLayerNorm);
          for (const [output, tensor] of fused.entries()) {
            const label = `shape [${shape}], ${['y', 'dx', 'dweight', 'dbias'][output]}`;
            expect(tensor.shape, label).toEqual(composite[output].shape);
            expectValuesClose(await tensor.data(), await composite[output].data(), 1e-4, label);
          }
          const { kernels, dispatches } = await launches(() => run(fusedLayerNormOrFail));
          expect(kernels.filter((name) => name.startsWith('TensorZoo'))).toEqual([LAYER_NORM_KERNEL, LAYER_NORM_KERNEL, LAYER_NORM_GRAD_KERNEL]);
          const composed = await launches(() => run(compositeLayerNorm));
          if (dispatches !== undefined) expect(dispatches, `shape [${shape}]: dispatches`).toBeLessThan(composed.dispatches!);
          const mean = tf.mean(x, -1);
          const rstd = tf.ones(mean.shape);
          const gradient = await launches(() => tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy, x, mean, rstd, ...(affine ? { weight: weight! } : {}) }, {}) as tf.Tensor[]);
          expect(gradient.kernels).toEqual([LAYER_NORM_GRAD_KERNEL]);
          if (gradient.dispatches !== undefined) expect(gradient.dispatches, `shape [${shape}]: gradient dispatches`).toBe(affine ? 3 : 1);
          tf.dispose([mean, rstd]);
          tf.dispose([x, dy, ...(weight ? [weight, bias!] : []), ...fused, ...composite]);
        });
      }
    });
  }

  it('LayerNorm uses the fused kernels: 3 dispatches forward on webgpu', async () => {
    const layer = new LayerNorm(48);
    const x = tf.randomNormal([6, 48], 0, 1, 'float32', 3);
    const { kernels, dispatches } = await launches(() => layer.call(x));
    expect(kernels).toEqual([LAYER_NORM_KERNEL]);
    if (dispatches !== undefined) expect(dispatches).toBe(3);
    x.dispose();
    layer.dispose();
  });
});

describe('TensorZooGelu and TensorZooGeluGrad', () => {
  const compositeGelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
  const fusedGeluOrFail = (x: tf.Tensor) => {
    const y = fusedGelu(x);
    if (!y) throw new Error('the fused GELU did not run');
    return y;
  };
  it(`equals the composite ops forward and backward on ${SHAPES.length} shapes (±Infinity, NaN, large |x|)`, async () => {
    const random = randomSource(11);
    for (const [index, shape] of SHAPES.entries()) {
      const values = randomValues(random, sizeOf(shape), index % 3 === 0 ? 6 : 1.5, index % 2 === 1);
      const upstream = randomValues(random, sizeOf(shape));
      await withoutLeaks(async () => {
        const x = tf.tensor(values, shape);
        const dy = tf.tensor(upstream, shape);
        const run = (activation: (x: tf.Tensor) => tf.Tensor) =>
          tf.tidy(() => {
            const { value, grad } = tf.valueAndGrad((input: tf.Tensor) => tf.sum(tf.mul(activation(input), dy)))(x);
            return [activation(x), grad, value];
          });
        const fused = run(fusedGeluOrFail);
        const composite = run(compositeGelu);
        for (const output of [0, 1]) {
          const label = `shape [${shape}], ${['y', 'dx'][output]}`;
          expect(fused[output].shape, label).toEqual(shape);
          expectValuesClose(await fused[output].data(), await composite[output].data(), 1e-5, label);
        }
        tf.dispose([x, dy, ...fused, ...composite]);
      });
    }
  });

  it('gelu uses the fused kernels: 2 dispatches forward and 1 backward on webgpu', async () => {
    const x = tf.randomNormal([5, 70], 0, 1, 'float32', 4);
    const dy = tf.randomNormal([5, 70], 0, 1, 'float32', 5);
    const forward = await launches(() => gelu(x));
    expect(forward.kernels).toEqual([GELU_KERNEL]);
    if (forward.dispatches !== undefined) expect(forward.dispatches).toBe(2);
    const backward = await launches(() => tf.grad((input: tf.Tensor) => tf.mul(gelu(input), dy))(x));
    expect(backward.kernels.filter((name) => name.startsWith('TensorZoo'))).toEqual([GELU_KERNEL, GELU_GRAD_KERNEL]);
    tf.dispose([x, dy]);
  });
});

describe('restoreStockKernels on the active backend', () => {
  it('sends the callers to the composite ops, installFastKernels back to the fused kernels', async () => {
    const x = tf.randomNormal([4, 16], 0, 1, 'float32', 6);
    restoreStockKernels(backendName());
    try {
      expect(fusedGelu(x)).toBeUndefined();
      expect(fusedLayerNorm(x, 1e-5)).toBeUndefined();
    } finally {
      installFastKernels(backendName());
    }
    if (['cpu', 'wasm', 'webgpu'].includes(backendName())) {
      const y = fusedGelu(x);
      expect(y).toBeDefined();
      y?.dispose();
    }
    x.dispose();
  });
});
