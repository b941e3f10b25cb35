import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAM_UPDATE_KERNEL, fastKernelsInstalled, fusedAdamUpdate, installFastKernels, restoreStockKernels, setBackend, type BackendName } from '@tensorzoo/core';
import { adam, adamW } from '../src/adam';

// On cpu and wasm the Adam / AdamW update runs as one fused kernel per parameter; elsewhere
// (and after restoreStockKernels) as composite tensor ops. Both must follow the same
// trajectory, non-finite gradients included. Runs on cpu, and on wasm in Node.

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
const backends: BackendName[] = isNode ? ['cpu', 'wasm'] : ['cpu'];
let previousBackend = '';
beforeAll(() => {
  previousBackend = tf.getBackend();
});
afterAll(async () => {
  await tf.setBackend(previousBackend);
});

type Factory = typeof adam | typeof adamW;

/** Parameters, slots and step counts after `steps` updates with seeded gradients. */
async function trajectory(factory: Factory, options: Parameters<typeof adam>[0], steps: number, withNonFinite: boolean) {
  const parameters = {
    weight: tf.variable(tf.randomNormal([37, 29], 0, 1, 'float32', 1)),
    bias: tf.variable(tf.randomNormal([29], 0, 1, 'float32', 2)),
  };
  const optimizer = factory(options);
  for (let step = 0; step < steps; step++) {
    const gradients = tf.tidy(() => {
      const weight = tf.randomNormal([37, 29], 0, step + 1, 'float32', 10 + step);
      const bias = tf.randomNormal([29], 0, 1, 'float32', 20 + step);
      if (!withNonFinite || step !== 2) return { weight, bias };
      const special = tf.tensor1d([NaN, Infinity, -Infinity, 0, ...Array.from({ length: 25 }, () => 1)]);
      return { weight, bias: tf.mul(bias, special) };
    });
    optimizer.step(parameters, gradients);
    tf.dispose(Object.values(gradients));
  }
  const state = optimizer.getState();
  const values = {
    parameters: Object.fromEntries(await Promise.all(Object.entries(parameters).map(async ([name, variable]) => [name, Array.from(await variable.data())]))),
    slots: Object.fromEntries(await Promise.all(Object.entries(state.tensors).map(async ([name, tensor]) => [name, Array.from(await tensor.data())]))),
    scalars: state.scalars,
  };
  tf.dispose([...Object.values(parameters), ...Object.values(state.tensors)]);
  optimizer.dispose();
  return values;
}

function expectSameValues(actual: Record<string, number[]>, expected: Record<string, number[]>, label: string): void {
  expect(Object.keys(actual).sort(), label).toEqual(Object.keys(expected).sort());
  for (const [name, values] of Object.entries(expected)) {
    values.forEach((value, i) => {
      const got = actual[name][i];
      if (!Number.isFinite(value)) expect(got, `${label} ${name}[${i}]`).toBe(value);
      else expect(Math.abs(got - value), `${label} ${name}[${i}]: ${got} vs ${value}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(value)));
    });
  }
}

for (const backend of backends) describe(`fused Adam / AdamW update on ${backend}`, () => {
  beforeAll(async () => {
    await setBackend(backend);
  });
  afterAll(() => {
    installFastKernels(backend);
  });

  const cases: Array<[string, Factory, Parameters<typeof adam>[0]]> = [
    ['adam', adam, { lr: 1e-2 }],
    ['adam, coupled weight decay, amsgrad', adam, { lr: 3e-2, weightDecay: 0.1, amsgrad: true, betas: [0.8, 0.99] }],
    ['adamW', adamW, { lr: 1e-2 }],
    ['adamW, amsgrad, no decay', adamW, { lr: 1e-3, weightDecay: 0, amsgrad: true, eps: 1e-6 }],
    ['adamW, clipped', adamW, { lr: 1e-2, weightDecay: 0.05, clip: { globalNorm: 1 } }],
  ];
  for (const [label, factory, options] of cases) {
    it(`${label}: the composite ops' trajectory over 6 steps (NaN and ±Infinity gradients included)`, async () => {
      expect(fastKernelsInstalled(backend)).toContain(ADAM_UPDATE_KERNEL);
      const fused = await trajectory(factory, options, 6, true);
      // The reference is cpu's composite ops: wasm's stock Maximum drops NaN (torch keeps it).
      await tf.setBackend('cpu');
      restoreStockKernels('cpu');
      const composite = await trajectory(factory, options, 6, true);
      installFastKernels('cpu');
      await tf.setBackend(backend);
      expectSameValues(fused.parameters, composite.parameters, 'parameter');
      expectSameValues(fused.slots, composite.slots, 'slot');
      expect(fused.scalars).toEqual(composite.scalars);
    });
  }

  it('a step with both moments (the WebAssembly SIMD loop) equals the composite ops bit for bit, odd sizes and NaN/Inf included', async () => {
    for (const [size, decay] of [[1, 0], [7, 0.05], [1026, 0], [4099, 0.01]] as const) {
      const random = (seed: number, scale = 1) => tf.mul(tf.randomNormal([size], 0, 1, 'float32', seed), scale);
      const special = tf.tensor1d(Array.from({ length: size }, (_, i) => [Number.NaN, Number.POSITIVE_INFINITY, 1e30, -0][i % 97] ?? 1));
      const parameter = random(1);
      const gradient = tf.mul(random(2), special);
      const expAvg = random(3, 0.1);
      const expAvgSq = tf.abs(random(4, 0.01));
      const settings = { lr: 3e-3, step: 5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: decay, decoupled: true, amsgrad: false };
      const fused = fusedAdamUpdate({ parameter, gradient, expAvg, expAvgSq }, settings)!;
      // compositeAdamUpdate's operations, in its order, on cpu's stock kernels.
      const values = await Promise.all([parameter, gradient, expAvg, expAvgSq].map((t) => t.data()));
      await tf.setBackend('cpu');
      restoreStockKernels('cpu');
      const [p, g, m, v] = values.map((data) => tf.tensor1d(data as Float32Array));
      const shrunk = decay === 0 ? p : tf.mul(p, 1 - settings.lr * decay);
      const m2 = tf.add(tf.mul(m, settings.beta1), tf.mul(g, 1 - settings.beta1));
      const v2 = tf.add(tf.mul(v, settings.beta2), tf.mul(tf.mul(g, g), 1 - settings.beta2));
      const denominator = tf.add(tf.div(tf.sqrt(v2), Math.sqrt(1 - settings.beta2 ** settings.step)), settings.eps);
      const p2 = tf.sub(shrunk, tf.mul(tf.div(m2, denominator), settings.lr / (1 - settings.beta1 ** settings.step)));
      const expected = await Promise.all([p2, m2, v2].map((t) => t.data()));
      installFastKernels('cpu');
      await setBackend(backend);
      const actual = await Promise.all([fused.parameter, fused.expAvg, fused.expAvgSq].map((t) => t.data()));
      ['parameter', 'expAvg', 'expAvgSq'].forEach((name, output) => {
        const first = expected[output].findIndex((value, i) => !Object.is(value, actual[output][i]));
        expect(first, `${name} of ${size}: element ${first} is ${actual[output][first]}, composite ${expected[output][first]}`).toBe(-1);
      });
      tf.dispose([parameter, gradient, expAvg, expAvgSq, special, fused.parameter, fused.expAvg, fused.expAvgSq, p, g, m, v, shrunk, m2, v2, denominator, p2]);
    }
  });

  it('launches one kernel per parameter and leaks nothing', async () => {
    const parameters = { a: tf.variable(tf.ones([8, 8])), b: tf.variable(tf.ones([8])), c: tf.variable(tf.ones([3, 2, 2])) };
    const gradients = { a: tf.fill([8, 8], 0.5), b: tf.fill([8], -1), c: tf.fill([3, 2, 2], 2) };
    const optimizer = adamW({ lr: 1e-2, amsgrad: true });
    optimizer.step(parameters, gradients); // creates the slots
    const before = tf.memory().numTensors;
    const profile = await tf.profile(() => optimizer.step(parameters, gradients));
    expect(profile.kernels.map((kernel) => kernel.name)).toEqual([ADAM_UPDATE_KERNEL, ADAM_UPDATE_KERNEL, ADAM_UPDATE_KERNEL]);
    optimizer.step(parameters, gradients);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...Object.values(parameters), ...Object.values(gradients)]);
    optimizer.dispose();
  });
});
