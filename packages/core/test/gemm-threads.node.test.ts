import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ArgumentError, Conv2d, Linear, Sequential, ReLU, getNumThreads, setBackend, setNumThreads, threadsUnavailableReason } from '@tensorzoo/core';
import { gemmThreadActivity } from '../src/kernels/simd-gemm';

// Multi-threaded matrix products (kernels/gemm-threads.ts): every product on cpu and wasm is
// split between this thread and worker threads over one shared WebAssembly memory. Each
// output element is still computed by one thread in the same order, so the results must be
// bit-identical to one thread's.

/** Waits until `count` threads run the products (workers start asynchronously). */
async function threadsReady(count: number): Promise<void> {
  for (let waited = 0; getNumThreads() < count; waited += 10) {
    if (waited > 10_000) throw new Error(`only ${getNumThreads()} of ${count} threads started within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** `compute()`'s outputs on one thread and on `threads`, as arrays. */
async function oneAndMany(threads: number, compute: () => tf.Tensor[]): Promise<[Float32Array[], Float32Array[]]> {
  const values = async () => {
    const outputs = compute();
    const arrays = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(outputs);
    return arrays;
  };
  setNumThreads(1);
  const one = await values();
  expect(setNumThreads(threads)).toBe(threads);
  await threadsReady(threads);
  const many = await values();
  return [one, many];
}

function expectIdentical(one: Float32Array[], many: Float32Array[], label: string): void {
  expect(many.length).toBe(one.length);
  one.forEach((expected, output) => {
    const actual = many[output];
    expect(actual.length, `${label}, output ${output}: length`).toBe(expected.length);
    const first = expected.findIndex((value, i) => !Object.is(value, actual[i]));
    expect(first, `${label}, output ${output}: element ${first} is ${actual[first]} with threads, ${expected[first]} without`).toBe(-1);
  });
}

afterAll(async () => {
  setNumThreads(1);
  await setBackend('cpu');
});

describe('setNumThreads', () => {
  it('rejects counts that are not whole numbers from 1 to 8, saying what it got', () => {
    for (const count of [0, -1, 1.5, 9, Number.NaN]) {
      expect(() => setNumThreads(count)).toThrow(ArgumentError);
      expect(() => setNumThreads(count)).toThrow(`expected a whole number of threads from 1 to 8, received ${String(count)}`);
    }
  });

  it('starts workers on this Node, and stops them again at 1', async () => {
    expect(threadsUnavailableReason()).toBeUndefined();
    expect(setNumThreads(3)).toBe(3);
    await threadsReady(3);
    expect(getNumThreads()).toBe(3);
    expect(setNumThreads(1)).toBe(1);
    expect(getNumThreads()).toBe(1);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`products on 2 and 3 threads equal 1 thread bit for bit (${backend})`, () => {
    beforeAll(async () => {
      await setBackend(backend);
    });

    // tfjs-wasm's BatchMatMul stays (XNNPACK); there the threads serve TensorZoo's Linear and convolution-gradient kernels.
    if (backend === 'cpu') it('matMul split by panels (wide) and by row tiles (narrow), transposed, batched', async () => {
      const cases: Array<[number[], number[], boolean, boolean]> = [
        [[64, 784], [2048, 784], false, true], // a Linear layer's forward: many panels
        [[1024, 1100], [1100, 8], false, false], // one panel, 64 row tiles per 256-row block (2.25 M multiply-adds): split by rows
        [[300, 1100], [1100, 260], false, false], // packed B over 1 MiB: panels-outer order
        [[1100, 300], [260, 1100], true, true],
        [[3, 130, 70], [3, 70, 90], false, false], // batched
        [[16, 16], [16, 16], false, false], // below the threshold: one thread
      ];
      for (const threads of [2, 3]) {
        for (const [aShape, bShape, transposeA, transposeB] of cases) {
          const a = tf.randomNormal(aShape, 0, 1, 'float32', 1);
          const b = tf.randomNormal(bShape, 0, 1, 'float32', 2);
          const [one, many] = await oneAndMany(threads, () => [tf.matMul(a, b, transposeA, transposeB)]);
          expectIdentical(one, many, `${threads} threads, matMul ${aShape} x ${bShape} (${transposeA}, ${transposeB})`);
          tf.dispose([a, b]);
        }
      }
    });

    it('a convolution and a Linear layer, forward and every gradient', async () => {
      const conv = new Conv2d(8, 32, 3, { padding: 'same', rng: 3 });
      const dense = new Linear(32 * 12 * 12, 100, { rng: 4 });
      const x = tf.randomNormal([16, 12, 12, 8], 0, 1, 'float32', 5);
      const compute = () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(dense.call(tf.reshape(conv.call(x), [16, -1])))));
        return [value, ...Object.keys(grads).sort().map((name) => grads[name])];
      };
      const [one, many] = await oneAndMany(2, compute);
      expect(one.length).toBeGreaterThanOrEqual(5);
      expectIdentical(one, many, '2 threads, conv + linear gradients');
      tf.dispose(x);
      conv.dispose();
      dense.dispose();
    });
  });
}

describe('the workers', () => {
  it('take chunks of large products (not only the calling thread)', async () => {
    await setBackend('cpu');
    expect(setNumThreads(2)).toBe(2);
    await threadsReady(2);
    const a = tf.randomNormal([512, 512], 0, 1, 'float32', 1);
    const b = tf.randomNormal([512, 512], 0, 1, 'float32', 2);
    // A worker that is slow to wake leaves its chunks to the caller; some product soon gets one.
    for (let attempt = 0; attempt < 50 && (gemmThreadActivity()?.chunksByWorkers ?? 0) === 0; attempt++) {
      tf.matMul(a, b).dispose();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const activity = gemmThreadActivity()!;
    expect(activity.products).toBeGreaterThan(0);
    expect(activity.chunksByWorkers).toBeGreaterThan(0);
    expect(activity.chunksByWorkers).toBeLessThanOrEqual(activity.chunks);
    tf.dispose([a, b]);
    setNumThreads(1);
  });
});

describe('training on 2 threads', () => {
  it('gives the same losses as 1 thread and leaks no tensors', async () => {
    await setBackend('cpu');
    const train = async (threads: number) => {
      setNumThreads(threads);
      await threadsReady(threads);
      const model = new Sequential(new Linear(784, 256, { rng: 1 }), new ReLU(), new Linear(256, 10, { rng: 2 }));
      const x = tf.randomNormal([64, 784], 0, 1, 'float32', 3);
      const y = tf.oneHot(tf.tensor1d([...Array(64).keys()].map((i) => i % 10), 'int32'), 10);
      const optimizer = tf.train.sgd(0.05);
      const losses: number[] = [];
      let tensors = 0;
      for (let step = 0; step < 5; step++) {
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.call(x) as tf.Tensor2D), true)!;
        losses.push((await loss.data())[0]);
        loss.dispose();
        if (step === 1) tensors = tf.memory().numTensors;
      }
      const leaked = tf.memory().numTensors - tensors;
      optimizer.dispose();
      tf.dispose([x, y]);
      model.dispose();
      return { losses, leaked };
    };
    const one = await train(1);
    const two = await train(2);
    expect(two.losses).toEqual(one.losses);
    expect(two.losses[4]).toBeLessThan(two.losses[0]);
    expect(two.leaked).toBe(0);
    setNumThreads(1);
  });
});

describe('where workers cannot start', () => {
  it('setNumThreads falls back to one thread and says why (Node without process.getBuiltinModule)', async () => {
    vi.resetModules();
    const getBuiltinModule = process.getBuiltinModule;
    // @ts-expect-error -- simulating Node before 20.16
    process.getBuiltinModule = undefined;
    try {
      const threads = await import('../src/kernels/simd-gemm');
      expect(threads.threadsUnavailableReason()).toMatch(/worker_threads is unreachable \(process\.getBuiltinModule needs Node 20\.16 or later; this is Node /);
      expect(threads.setNumThreads(2)).toBe(1);
      expect(threads.getNumThreads()).toBe(1);
    } finally {
      process.getBuiltinModule = getBuiltinModule;
      vi.resetModules();
    }
  });
});
