import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conv2d, ConvTranspose2d, LayerNorm, ReLU, Sequential, gelu, fastKernelsInstalled, fusedAdamUpdate, fusedSgdUpdate, installFastKernels, MaxPool2d, restoreStockKernels, setBackend } from '@tensorzoo/core';
import { expectClose } from '../src/testing/index';
import { fusedLinear } from '../src/kernels/linear';
import { fusedAttention, fusedPackedAttention } from '../src/kernels/attention';

// The wasm backend has no Conv2DBackpropFilter of its own; TensorZoo adds one and replaces
// Conv2DBackpropInput and MaxPoolGrad. Results must equal the cpu backend's on the same data.

beforeAll(async () => {
  await setBackend('wasm');
});
afterAll(async () => {
  await setBackend('cpu');
});

/** Values of `compute(inputs)` on `backend`, the inputs rebuilt there from plain arrays. */
async function runOn(backend: 'cpu' | 'wasm', inputs: Array<{ values: Float32Array; shape: number[] }>, compute: (...tensors: tf.Tensor[]) => tf.Tensor[]) {
  await setBackend(backend);
  const tensors = inputs.map(({ values, shape }) => tf.tensor(values, shape));
  const outputs = compute(...tensors);
  const values = await Promise.all(outputs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([...tensors, ...outputs]);
  return values;
}

/**
 * Runs `run` (per case, its output arrays) on cpu, then twice on wasm (the first warms the heap
 * up) and expects the second wasm run to leave no tensors or heap data behind and to equal the
 * cpu arrays bit for bit.
 */
async function expectWasmEqualsCpu(run: () => Float32Array[][]): Promise<void> {
  await setBackend('cpu');
  const cpu = run();
  await setBackend('wasm');
  run();
  const backend = tf.engine().backend as unknown as { numDataIds(): number };
  const [tensors, dataIds] = [tf.memory().numTensors, backend.numDataIds()];
  const wasm = run();
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backend.numDataIds()).toBe(dataIds);
  wasm.forEach((arrays, index) => arrays.forEach((values, output) => {
    const expected = cpu[index][output];
    const first = expected.findIndex((value, i) => !Object.is(value, values[i]));
    expect(first, `case ${index}, output ${output}: element ${first} (${values[first]} vs ${expected[first]})`).toBe(-1);
  }));
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(randomValues(shape, seed).values, shape);
}

function randomValues(shape: number[], seed: number): { values: Float32Array; shape: number[] } {
  let state = seed;
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
  return { values, shape };
}

describe('wasm depthwise convolution gradients (stock tfjs-wasm has neither kernel)', () => {
  it('equal the cpu backend on strided, padded and channel-multiplier cases', async () => {
    const cases: Array<{ x: number[]; filter: number[]; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number] }> = [
      { x: [2, 7, 6, 4], filter: [3, 3, 4, 1], strides: [1, 1], pad: 'same', dilations: [1, 1] },
      { x: [1, 9, 8, 3], filter: [3, 3, 3, 2], strides: [2, 2], pad: 'same', dilations: [1, 1] },
      { x: [2, 8, 8, 2], filter: [3, 2, 2, 3], strides: [2, 1], pad: 'valid', dilations: [1, 1] }, // tfjs has no dilated depthwise gradient
    ];
    for (const [index, { x, filter, strides, pad, dilations }] of cases.entries()) {
      const inputs = [randomValues(x, 10 + index), randomValues(filter, 20 + index)];
      const gradients = (input: tf.Tensor, weights: tf.Tensor) => {
        const loss = (a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad, 'NHWC', dilations), 0.37));
        return tf.grads(loss)([input, weights]);
      };
      const [cpuDx, cpuDw] = await runOn('cpu', inputs, gradients);
      const [wasmDx, wasmDw] = await runOn('wasm', inputs, gradients);
      for (const [actual, expected] of [[wasmDx, cpuDx], [wasmDw, cpuDw]]) {
        const t = tf.tensor(actual);
        await expectClose(t, expected, { tolerance: 1e-5 });
        t.dispose();
      }
    }
  });
});

describe('wasm Conv2DBackpropInput, Conv2DBackpropFilter and MaxPoolGrad', () => {
  it('is installed by setBackend("wasm"), and the stock backend cannot train a convolution', async () => {
    await setBackend('wasm');
    expect(fastKernelsInstalled('wasm')).toEqual([
      'BatchMatMul', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter', 'MaxPoolGrad', 'UnsortedSegmentSum', 'Transpose', 'Sum', 'Mean', 'Identity', 'Cast', 'Unpack', 'GatherV2', 'TensorZooAdamUpdate', 'TensorZooSgdUpdate',
      'TensorZooLayerNorm', 'TensorZooLayerNormGrad', 'TensorZooGelu', 'TensorZooGeluGrad', 'TensorZooLinear', 'TensorZooLinearGrad', 'TensorZooSoftmaxCrossEntropy', 'TensorZooSoftmaxCrossEntropyGrad', 'TensorZooAttention', 'TensorZooAttentionGrad', 'TensorZooPackedAttention', 'TensorZooPackedAttentionGrad', 'TensorZooReluGrad', 'TensorZooLeakyReluGrad',
    ]);
    restoreStockKernels('wasm');
    const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
    const filter = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    expect(() => tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')))(filter)).toThrow(
      "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'",
    );
    installFastKernels('wasm');
    const gradient = tf.grad((f: tf.Tensor) => tf.sum(tf.conv2d(x, f as tf.Tensor4D, 1, 'valid')))(filter);
    expect(Array.from(await gradient.data())).toEqual([4, 4, 4, 4]);
    tf.dispose([x, filter, gradient]);
  });

  it('equals the cpu backend on strided, padded and transposed convolutions', async () => {
    type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
    const cases: Array<{ x: number[]; filter: number[]; strides: [number, number]; pad: Pad }> = [
      { x: [2, 7, 6, 3], filter: [3, 3, 3, 5], strides: [1, 1], pad: 'same' },
      // Explicit, not numeric, padding: tfjs-core sizes numeric pads from the kernel height and
      // stride height alone, and wasm's Conv2D then writes past its output for [3, 2] kernels.
      { x: [2, 8, 8, 2], filter: [3, 2, 2, 9], strides: [2, 1], pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
      { x: [1, 9, 7, 4], filter: [4, 4, 4, 3], strides: [2, 2], pad: 'valid' },
    ];
    for (const [index, { x, filter, strides, pad }] of cases.entries()) {
      const inputs = [randomValues(x, index + 1), randomValues(filter, index + 11)];
      const compute = (input: tf.Tensor, kernel: tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))))([input, kernel]);
      const [cpuDx, cpuDw] = await runOn('cpu', inputs, compute);
      const [wasmDx, wasmDw] = await runOn('wasm', inputs, compute);
      await setBackend('wasm');
      const check = async (values: Float32Array, expected: Float32Array) => {
        const t = tf.tensor(values);
        await expectClose(t, expected, { tolerance: 1e-4 });
        t.dispose();
      };
      await check(wasmDw, cpuDw);
      await check(wasmDx, cpuDx);
    }
  });

  it('the input and filter gradients computed in the heap equal the cpu kernels bit for bit, and free their scratch', async () => {
    const cases: Array<{ x: number[]; filter: number[]; strides: [number, number]; pad: 'same' | 'valid' }> = [
      { x: [64, 13, 13, 32], filter: [3, 3, 32, 64], strides: [1, 1], pad: 'valid' }, // the CNN's second layer: several blocks
      { x: [64, 28, 28, 1], filter: [3, 3, 1, 32], strides: [1, 1], pad: 'valid' }, // one input channel
      { x: [2, 7, 5, 3], filter: [3, 3, 3, 6], strides: [1, 1], pad: 'valid' }, // 30 output pixels: dY copied and padded to 32 rows
      { x: [1, 5, 5, 3], filter: [4, 4, 3, 5], strides: [2, 2], pad: 'same' }, // 9 pixels, strided and padded
      { x: [1, 5, 7, 2], filter: [2, 3, 2, 5], strides: [1, 2], pad: 'valid' }, // 12 pixels: dY read in place
      { x: [1, 3, 3, 2], filter: [1, 1, 2, 3], strides: [1, 1], pad: 'valid' }, // pointwise, 9 pixels
    ];
    const run = () => cases.map(({ x, filter, strides, pad }, index) => tf.tidy(() => {
      const input = randomTensor(x, index + 1);
      const kernel = randomTensor(filter, index + 21);
      const y = tf.conv2d(input as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad);
      const dy = randomTensor(y.shape, index + 41);
      const dx = tf.conv2dTranspose(dy as tf.Tensor4D, kernel as tf.Tensor4D, x as [number, number, number, number], strides, pad); // Conv2DBackpropInput
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: filter }) as tf.Tensor;
      return [dx, dw].map((t) => t.dataSync() as Float32Array);
    }));
    await expectWasmEqualsCpu(run);
  });

  it('Sequential(Conv2d, ReLU) runs one FusedConv2D with the ReLU inside (XNNPACK clamps) and equals the cpu backend', async () => {
    const run = async (backend: 'cpu' | 'wasm') => {
      await setBackend(backend);
      const model = new Sequential(new Conv2d(3, 8, 3, { rng: 1 }), new ReLU());
      const x = randomTensor([4, 9, 9, 3], 7);
      const profile = await tf.profile(() => tf.dispose(model.call(x)));
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.call(x))) as tf.Scalar, model.parameters());
      const result = { names: profile.kernels.map((kernel) => kernel.name), value: await value.data(), grads: await Promise.all(Object.values(grads).map((g) => g.data())) };
      tf.dispose([x, value, ...Object.values(grads)]);
      model.dispose();
      return result;
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    expect(wasm.names).toEqual(['Transpose', 'FusedConv2D']); // the weight to tfjs's filter layout, then one kernel
    expect(Math.abs(wasm.value[0] - cpu.value[0])).toBeLessThanOrEqual(1e-4 * Math.abs(cpu.value[0]));
    wasm.grads.forEach((values, index) => values.forEach((value, i) => expect(Math.abs(value - cpu.grads[index][i])).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(cpu.grads[index][i])))));
  });

  it('trains a Conv2d -> MaxPool2d -> ConvTranspose2d stack on wasm like on cpu', async () => {
    const input = randomValues([2, 6, 6, 2], 5);
    const compute = (x: tf.Tensor) => {
      const conv = new Conv2d(2, 4, 3, { padding: 1, rng: 1 });
      const pool = new MaxPool2d(2);
      const up = new ConvTranspose2d(4, 1, 4, { stride: 2, padding: 1, rng: 2 });
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(up.call(pool.call(conv.call(x))))) as tf.Scalar, [...conv.parameters(), ...up.parameters()]);
      const outputs = [value, ...conv.parameters().map((p) => grads[p.name]), ...up.parameters().map((p) => grads[p.name])];
      conv.dispose();
      up.dispose();
      return outputs;
    };
    const cpu = await runOn('cpu', [input], compute);
    const wasm = await runOn('wasm', [input], compute);
    await setBackend('wasm');
    for (let i = 0; i < cpu.length; i++) {
      const t = tf.tensor(wasm[i]);
      await expectClose(t, cpu[i], { tolerance: 1e-4 });
      t.dispose();
    }
  });

  it('MaxPoolGrad routes the gradient of windows whose maximum is negative (tfjs 4.22 wasm drops it)', async () => {
    await setBackend('wasm');
    const x = tf.tensor4d([-4, -1, -3, -2, 5, 6, 7, 8], [1, 2, 4, 1]); // windows [-4, -1, 5, 6] and [-3, -2, 7, 8]
    const negative = tf.tensor4d([-4, -1, -3, -2, -5, -6, -7, -8], [1, 2, 4, 1]);
    const gradient = (input: tf.Tensor4D) => tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(input);
    const [positive, allNegative] = [gradient(x), gradient(negative)];
    expect(Array.from(await positive.data())).toEqual([0, 0, 0, 0, 0, 1, 0, 1]);
    expect(Array.from(await allNegative.data())).toEqual([0, 1, 0, 1, 0, 0, 0, 0]);
    tf.dispose([x, negative, positive, allNegative]);
  });
});

describe('wasm fallbacks to the stock kernels (issue 10 item 9)', () => {
  /** `compute()`'s values with our kernels and then with stock's (or the error each threw). */
  async function oursThenStock(compute: () => tf.Tensor): Promise<[unknown, unknown]> {
    const run = async () => {
      try {
        const result = compute();
        const values = { dtype: result.dtype, shape: result.shape, values: Array.from(await result.data()) };
        result.dispose();
        return values;
      } catch (error) {
        return { error: String((error as Error).message) };
      }
    };
    installFastKernels('wasm');
    const ours = await run();
    restoreStockKernels('wasm');
    const stock = await run();
    installFastKernels('wasm');
    return [ours, stock];
  }

  it('an int32 conv2dTranspose goes to the stock kernel and gives its answer', async () => {
    await setBackend('wasm');
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2], 'int32');
    const filter = tf.tensor4d(Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => (i % 5) - 2), [2, 2, 3, 2], 'int32');
    const [ours, stock] = await oursThenStock(() => tf.conv2dTranspose(x, filter, [1, 3, 3, 3], 1, 'valid'));
    expect(ours).toEqual(stock);
    expect(ours).not.toHaveProperty('error');
    tf.dispose([x, filter]);
  });

  it('an NCHW Conv2DBackpropInput goes to the stock kernel and gives its answer', async () => {
    await setBackend('wasm');
    const dy = tf.tensor4d(Array.from({ length: 1 * 3 * 4 * 4 }, (_, i) => Math.cos(i)), [1, 3, 4, 4]); // NCHW
    const filter = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => Math.sin(i)), [3, 3, 2, 3]);
    const [ours, stock] = await oursThenStock(
      () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: [1, 1], pad: 'same', dataFormat: 'NCHW', inputShape: [1, 2, 4, 4] }) as tf.Tensor,
    );
    expect(ours).toEqual(stock);
    expect(ours).not.toHaveProperty('error');
    tf.dispose([dy, filter]);
  });

  it('a dy of another spatial size goes to the stock kernel (tfjs accepts it)', async () => {
    await setBackend('wasm');
    const dy = tf.tensor4d(Array.from({ length: 1 * 5 * 5 * 4 }, (_, i) => Math.cos(i)), [1, 5, 5, 4]); // the conv's output is [1, 4, 4, 4]
    const filter = tf.tensor4d(Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => Math.sin(i)), [3, 3, 2, 4]);
    const [ours, stock] = await oursThenStock(
      () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 6, 6, 2] }) as tf.Tensor,
    );
    expect(ours).toEqual(stock);
    tf.dispose([dy, filter]);
  });

  it('every kernel runs after restoreStockKernels("wasm"), also after switching backends back and forth', async () => {
    for (const round of [0, 1]) {
      await setBackend('wasm');
      restoreStockKernels('wasm');
      expect(fastKernelsInstalled('wasm')).toEqual([]);
      if (round === 1) {
        await tf.setBackend('cpu');
        await tf.setBackend('wasm');
      }
      const x = tf.tensor4d(Array.from({ length: 2 * 5 * 5 * 2 }, (_, i) => Math.sin(i)), [2, 5, 5, 2]);
      const filter = tf.tensor4d(Array.from({ length: 3 * 3 * 3 * 2 }, (_, i) => Math.cos(i)), [3, 3, 3, 2]);
      const transposed = tf.conv2dTranspose(x, filter, [2, 5, 5, 3], 1, 'same'); // Conv2DBackpropInput
      const poolGradient = tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 1, 'valid')))(x); // MaxPoolGrad
      expect((await transposed.data()).every(Number.isFinite)).toBe(true);
      expect((await poolGradient.data()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, filter, transposed, poolGradient]);
      installFastKernels('wasm');
    }
    expect(fastKernelsInstalled('wasm')).toEqual([
      'BatchMatMul', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropInput',
      'DepthwiseConv2dNativeBackpropFilter', 'MaxPoolGrad', 'UnsortedSegmentSum', 'Transpose', 'Sum', 'Mean', 'Identity', 'Cast', 'Unpack', 'GatherV2', 'TensorZooAdamUpdate', 'TensorZooSgdUpdate',
      'TensorZooLayerNorm', 'TensorZooLayerNormGrad', 'TensorZooGelu', 'TensorZooGeluGrad', 'TensorZooLinear', 'TensorZooLinearGrad', 'TensorZooSoftmaxCrossEntropy', 'TensorZooSoftmaxCrossEntropyGrad', 'TensorZooAttention', 'TensorZooAttentionGrad', 'TensorZooPackedAttention', 'TensorZooPackedAttentionGrad', 'TensorZooReluGrad', 'TensorZooLeakyReluGrad',
    ]);
  });
});

describe('wasm kernels installed before the backend is initialised', () => {
  it('keep the stock setup, so fallbacks and restoreStockKernels work on the new backend', async () => {
    await setBackend('cpu');
    const engine = tf.engine() as unknown as { registryFactory: Record<string, { factory: () => tf.KernelBackend | Promise<tf.KernelBackend>; priority: number }> };
    const { factory, priority } = engine.registryFactory.wasm;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', factory, priority);
    installFastKernels('wasm'); // registered while no wasm backend exists
    await tf.setBackend('wasm');
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2], 'int32');
    const filter = tf.tensor4d(Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => (i % 5) - 2), [2, 2, 3, 2], 'int32');
    const ours = tf.conv2dTranspose(x, filter, [1, 3, 3, 3], 1, 'valid');
    restoreStockKernels('wasm');
    const stock = tf.conv2dTranspose(x, filter, [1, 3, 3, 3], 1, 'valid');
    expect(Array.from(await ours.data())).toEqual(Array.from(await stock.data()));
    tf.dispose([x, filter, ours, stock]);
    installFastKernels('wasm');
    await setBackend('wasm');
  });
});

describe('wasm UnsortedSegmentSum (stock tfjs-wasm has none: embeddings could not train)', () => {
  it('equals the cpu backend on float32 and int32 values, ids out of range dropped', async () => {
    const ids = Int32Array.from({ length: 50 }, (_, i) => ((i * 7) % 13) - 1); // -1 and 11 fall outside 11 segments
    for (const dtype of ['float32', 'int32'] as const) {
      const values = Float32Array.from({ length: 50 * 6 }, (_, i) => (dtype === 'int32' ? (i % 9) - 4 : Math.sin(i) * 5));
      const results: Record<string, { dtype: string; shape: number[]; values: number[] }> = {};
      for (const backend of ['cpu', 'wasm'] as const) {
        await setBackend(backend);
        const x = tf.tensor(values, [50, 2, 3], dtype);
        const segmentIds = tf.tensor1d(ids, 'int32');
        const sum = tf.unsortedSegmentSum(x, segmentIds, 11);
        results[backend] = { dtype: sum.dtype, shape: sum.shape, values: Array.from(await sum.data()) };
        tf.dispose([x, segmentIds, sum]);
      }
      expect(results.wasm.shape).toEqual([11, 2, 3]);
      expect(results.wasm.values).toEqual(results.cpu.values);
      expect(results.wasm.dtype).toBe(dtype);
    }
  });
});

describe('wasm BatchMatMul with transposed operands (stock tfjs-wasm is ~40x slower there)', () => {
  it('goes through Transpose + the plain product and equals the stock kernel, batched and broadcast, leaking nothing', async () => {
    await setBackend('wasm');
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[64, 300], [64, 70], true, false], // a linear layer's weight gradient
      [[33, 64], [48, 64], false, true],
      [[2, 9, 5], [2, 7, 9], true, true],
      [[3, 5, 4], [4, 6], false, false],
      [[2, 4, 5], [1, 6, 5], false, true],
    ];
    for (const [aShape, bShape, transposeA, transposeB] of cases) {
      const a = tf.tensor(Array.from({ length: aShape.reduce((x, y) => x * y, 1) }, (_, i) => Math.sin(i * 0.37)), aShape);
      const b = tf.tensor(Array.from({ length: bShape.reduce((x, y) => x * y, 1) }, (_, i) => Math.cos(i * 0.21)), bShape);
      const before = tf.memory();
      const ours = tf.matMul(a, b, transposeA, transposeB);
      const oursValues = await ours.data();
      ours.dispose();
      expect(tf.memory().numTensors).toBe(before.numTensors);
      expect(tf.memory().numDataBuffers).toBe(before.numDataBuffers); // the transposed copies are freed
      restoreStockKernels('wasm');
      const stock = tf.matMul(a, b, transposeA, transposeB);
      const stockValues = await stock.data();
      installFastKernels('wasm');
      expect(Array.from(oursValues).map((value, i) => Math.abs(value - stockValues[i])).every((difference) => difference < 1e-4), `${aShape} x ${bShape}`).toBe(true);
      tf.dispose([a, b, stock]);
    }
  });
});

describe('wasm Transpose of rank 5 and up (stock tfjs-wasm takes a slow generic path there)', () => {
  it('equals the stock kernel bit for bit on float32, leaves int32 and lower ranks to it, and runs as one launch', async () => {
    await setBackend('wasm');
    const cases: Array<[number[], number[], tf.DataType]> = [
      [[4, 6, 3, 4, 5], [2, 0, 3, 1, 4], 'float32'], // attention's head split, small
      [[3, 2, 4, 5, 2, 3], [5, 4, 3, 2, 1, 0], 'float32'],
      [[2, 3, 4, 5, 6], [4, 3, 2, 1, 0], 'int32'],
      [[5, 7, 3], [2, 0, 1], 'float32'],
    ];
    for (const [shape, perm, dtype] of cases) {
      const size = shape.reduce((x, y) => x * y, 1);
      const x = tf.tensor(Array.from({ length: size }, (_, i) => (dtype === 'int32' ? i : Math.sin(i * 0.37))), shape, dtype);
      const profile = await tf.profile(() => {
        tf.transpose(x, perm).dispose();
      });
      expect(profile.kernels.map((kernel) => kernel.name)).toEqual(['Transpose']);
      const ours = tf.transpose(x, perm);
      const oursValues = Array.from(await ours.data());
      restoreStockKernels('wasm');
      const stock = tf.transpose(x, perm);
      const stockValues = Array.from(await stock.data());
      installFastKernels('wasm');
      expect(oursValues, `${shape} ${perm} ${dtype}`).toEqual(stockValues);
      expect(ours.shape).toEqual(stock.shape);
      tf.dispose([x, ours, stock]);
    }
  });
});

describe('wasm Sum over leading and middle axes (stock tfjs-wasm transposes first)', () => {
  it('equals the cpu backend within float32 rounding, keepDims included, and leaves innermost-axis sums to the stock kernel', async () => {
    const cases: Array<[number[], number[], boolean]> = [
      [[8, 6, 5, 7], [0, 1, 2], false], // a convolution's bias gradient
      [[8, 6, 5, 7], [1, 2], true],
      [[9, 13], [0], false],
      [[4, 5, 6], [0], true],
      [[4, 5, 6], [2], false], // innermost: stock
      [[4, 5, 6], [0, 2], false], // not contiguous: stock
    ];
    for (const [shape, axes, keepDims] of cases) {
      const inputs = [randomValues(shape, 31)];
      const wasm = await runOn('wasm', inputs, (x) => [tf.sum(x, axes, keepDims)]);
      const cpu = await runOn('cpu', inputs, (x) => [tf.sum(x, axes, keepDims)]);
      expect(wasm[0].length, `${shape} over ${axes}`).toBe(cpu[0].length);
      const ours = Math.max(...axes) < shape.length - 1 && axes.length === Math.max(...axes) - Math.min(...axes) + 1;
      // Ours on both backends (float64 sums, rounded once): the same bits; the stock wasm kernel sums in float32.
      if (ours) expect(Array.from(wasm[0]), `${shape} over ${axes}`).toEqual(Array.from(cpu[0]));
      else cpu[0].forEach((value, i) => expect(Math.abs(wasm[0][i] - value), `${shape} over ${axes}, element ${i}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(value))));
    }
    await setBackend('wasm');
    const x = tf.ones([3, 4, 5]);
    const profile = await tf.profile(() => {
      tf.sum(x, [0, 1]).dispose();
    });
    expect(profile.kernels.map((kernel) => kernel.name)).toEqual(['Sum']);
    const summed = tf.sum(x, [0, 1], true);
    expect(summed.shape).toEqual([1, 1, 5]);
    expect(Array.from(await summed.data())).toEqual([12, 12, 12, 12, 12]);
    tf.dispose([x, summed]);
  });
});

describe('wasm fused Adam and SGD updates (SIMD loops over the heap)', () => {
  it('equal the cpu backend bit for bit when allocating their outputs grows the heap', async () => {
    await setBackend('wasm');
    const heap = (tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } } }).wasm.asm.memory;
    // Three outputs of this size need more than the whole heap has now: it must grow.
    const size = Math.ceil(heap.buffer.byteLength / 4 / 2) + 3; // + 3: a tail past the last multiple of 4
    const inputs = [1, 2, 3, 4].map((seed) => randomValues([size], seed));
    inputs[3].values = inputs[3].values.map(Math.abs); // the second moment
    const adamSettings = { lr: 3e-3, step: 5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled: true, amsgrad: false };
    const sgdSettings = { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true, weightDecay: 0.01 };
    const compute = (parameter: tf.Tensor, gradient: tf.Tensor, expAvg: tf.Tensor, expAvgSq: tf.Tensor) => {
      const adam = fusedAdamUpdate({ parameter, gradient, expAvg, expAvgSq }, adamSettings)!;
      const sgd = fusedSgdUpdate({ parameter, gradient, momentumBuffer: expAvg }, sgdSettings)!;
      return [adam.parameter, adam.expAvg, adam.expAvgSq, sgd.parameter, sgd.momentumBuffer!];
    };
    const before = heap.buffer.byteLength;
    const wasm = await runOn('wasm', inputs, compute as (...tensors: tf.Tensor[]) => tf.Tensor[]);
    expect(heap.buffer.byteLength).toBeGreaterThan(before);
    const cpu = await runOn('cpu', inputs, compute as (...tensors: tf.Tensor[]) => tf.Tensor[]);
    await setBackend('wasm');
    cpu.forEach((expected, output) => {
      const first = expected.findIndex((value, i) => !Object.is(value, wasm[output][i]));
      expect(first, `output ${output}: element ${first} of ${size} is ${wasm[output][first]} on wasm, ${expected[first]} on cpu`).toBe(-1);
    });
  });
});

describe('wasm fused GELU', () => {
  it('equals the cpu backend: output and gradient', async () => {
    const inputs = [randomValues([6, 40], 21), randomValues([6, 40], 22)];
    const compute = (x: tf.Tensor, weighting: tf.Tensor) => [gelu(x), tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gelu(input), weighting)))(x)];
    const wasm = await runOn('wasm', inputs, compute as (...tensors: tf.Tensor[]) => tf.Tensor[]);
    const cpu = await runOn('cpu', inputs, compute as (...tensors: tf.Tensor[]) => tf.Tensor[]);
    await setBackend('wasm');
    expect(wasm.map((values) => Array.from(values))).toEqual(cpu.map((values) => Array.from(values)));
  });
});

describe('wasm fused LayerNorm', () => {
  it('equals the cpu backend: output, input gradient, weight and bias gradients', async () => {
    const inputs = [randomValues([3, 5, 24], 11), randomValues([3, 5, 24], 12), randomValues([24], 13), randomValues([24], 14)];
    const compute = (x: tf.Tensor, weighting: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor) => {
      const layer = new LayerNorm(24);
      layer.weight!.assign(weight);
      layer.bias!.assign(bias);
      const loss = () => tf.sum(tf.mul(layer.call(x), weighting)) as tf.Scalar;
      const { value, grads } = tf.variableGrads(loss, layer.parameters());
      const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.call(input), weighting)))(x);
      const results = [layer.call(x), gradient, value, grads[layer.weight!.name], grads[layer.bias!.name]];
      layer.dispose();
      return results;
    };
    const wasm = await runOn('wasm', inputs, compute as (...tensors: tf.Tensor[]) => tf.Tensor[]);
    const cpu = await runOn('cpu', inputs, compute as (...tensors: tf.Tensor[]) => tf.Tensor[]);
    await setBackend('wasm');
    for (let index = 0; index < cpu.length; index++) {
      const actual = tf.tensor(wasm[index]);
      await expectClose(actual, cpu[index], { tolerance: 1e-6, label: `output ${index}` });
      actual.dispose();
    }
  });
});

describe('wasm MaxPoolGrad 2x2 (SIMD, in the heap) and Identity (shared data)', () => {
  it('equal the cpu kernels bit for bit on a CNN-sized pooling with ties, NaN and odd sizes', async () => {
    const run = () => {
      const results: Float32Array[] = [];
      for (const shape of [[8, 26, 26, 32], [4, 11, 11, 64]] as Array<[number, number, number, number]>) {
        const size = shape.reduce((a, b) => a * b);
        const values = Float32Array.from({ length: size }, (_, i) => (i % 31 === 0 ? Number.NaN : Math.round(Math.sin(i) * 4) / 2));
        const x = tf.tensor4d(values, shape);
        const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), 3)))(x);
        results.push(dx.dataSync() as Float32Array);
        tf.dispose([x, dx]);
      }
      return results;
    };
    await setBackend('cpu');
    const cpu = run();
    await setBackend('wasm');
    const before = tf.memory().numTensors;
    const wasm = run();
    expect(tf.memory().numTensors).toBe(before);
    wasm.forEach((values, index) => expect(Array.from(values)).toEqual(Array.from(cpu[index])));
  });

  it('Identity and a same-dtype Cast share the data: the copy lives on after its source is disposed', async () => {
    await setBackend('wasm');
    const x = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(x); // Identity
    const cast = tf.engine().runKernel('Cast', { x }, { dtype: 'float32' }) as tf.Tensor;
    const ints = tf.cast(x, 'int32'); // a real conversion: stock
    x.dispose();
    expect(Array.from(await copy.data())).toEqual([1, 2, 3]);
    expect(Array.from(await cast.data())).toEqual([1, 2, 3]);
    expect(ints.dtype).toBe('int32');
    expect(Array.from(await ints.data())).toEqual([1, 2, 3]);
    tf.dispose([copy, cast, ints]);
  });
});

describe('wasm Sum over leading axes (SIMD, float64 sums) and the fused ReLU gradient', () => {
  it('Sum over leading and middle axes equals the cpu kernel bit for bit', async () => {
    const cases: Array<{ shape: number[]; axis: number[] }> = [
      { shape: [64, 26, 26, 32], axis: [0, 1, 2] },
      { shape: [5, 7, 21], axis: [0] },
      { shape: [3, 9, 6, 2], axis: [1, 2] },
      { shape: [2, 300, 3], axis: [0, 1] },
    ];
    const run = () => cases.map(({ shape, axis }) => {
      const size = shape.reduce((a, b) => a * b);
      const x = tf.tensor(Float32Array.from({ length: size }, (_, i) => (i % 13 === 0 ? -0 : Math.sin(i) * 1000)), shape);
      const total = tf.sum(x, axis);
      const values = total.dataSync() as Float32Array;
      tf.dispose([x, total]);
      return values;
    });
    await setBackend('cpu');
    const cpu = run();
    await setBackend('wasm');
    const wasm = run();
    wasm.forEach((values, index) => {
      expect(values.length).toBe(cpu[index].length);
      expect(values.every((value, i) => Object.is(value, cpu[index][i])), `case ${index}`).toBe(true);
    });
  });

  it('Mean over leading and middle axes (batch norm statistics) equals the cpu kernel bit for bit; innermost-axis means stay stock', async () => {
    const cases: Array<{ shape: number[]; axis: number[]; keepDims?: boolean }> = [
      { shape: [64, 14, 14, 24], axis: [0, 1, 2] },
      { shape: [64, 2352], axis: [0] },
      { shape: [3, 9, 6, 7], axis: [1, 2], keepDims: true },
      { shape: [5, 7, 3], axis: [0] }, // 3 columns: the JavaScript remainder
    ];
    const run = () => cases.map(({ shape, axis, keepDims }) => tf.tidy(() => {
      const size = shape.reduce((a, b) => a * b);
      const x = tf.tensor(Float32Array.from({ length: size }, (_, i) => (i % 13 === 0 ? -0 : Math.sin(i) * 1000)), shape);
      const mean = tf.mean(x, axis, keepDims);
      return { shape: mean.shape, values: mean.dataSync() as Float32Array };
    }));
    await setBackend('cpu');
    const cpu = run();
    await setBackend('wasm');
    const wasm = run();
    wasm.forEach(({ shape, values }, index) => {
      expect(shape).toEqual(cpu[index].shape);
      const first = cpu[index].values.findIndex((value, i) => !Object.is(value, values[i]));
      expect(first, `case ${index}: element ${first}`).toBe(-1);
    });
    const x = tf.ones([3, 4, 5]);
    const profile = await tf.profile(() => {
      tf.mean(x, [0, 1]).dispose();
      tf.mean(x, 2).dispose();
    });
    expect(profile.kernels.map((kernel) => kernel.name)).toEqual(['Mean', 'Mean']);
    expect(Array.from(tf.mean(x, 2).dataSync())).toEqual(Array(12).fill(1));
    x.dispose();
  });

  it('the ReLU gradient is one launch and equals tfjs composite (Step, Cast, Multiply) on cpu and wasm', async () => {
    const x = Float32Array.from({ length: 1031 }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : i % 29 === 0 ? Number.NaN : Math.sin(i)));
    const dy = Float32Array.from({ length: 1031 }, (_, i) => (i % 17 === 0 ? Number.POSITIVE_INFINITY : i % 19 === 0 ? -0 : Math.cos(i)));
    for (const backend of ['cpu', 'wasm'] as const) {
      await setBackend(backend);
      const [input, upstream] = [tf.tensor1d(x), tf.tensor1d(dy)];
      const fused = tf.grad((t: tf.Tensor) => tf.relu(t))(input, upstream);
      const composite = tf.mul(upstream, tf.cast(tf.step(input), 'float32'));
      const [a, b] = [await fused.data(), await composite.data()];
      expect(Array.from(a).every((value, i) => Object.is(value, b[i])), backend).toBe(true);
      const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.relu(t))(input, upstream));
      expect(profile.kernels.map((kernel) => kernel.name).filter((name) => name !== 'Identity')).toEqual(['Relu', 'TensorZooReluGrad']); // Identity: tf.grad's copy of dy
      // Second order: the composite again, so the gradient of the gradient exists.
      const second = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.grad((u: tf.Tensor) => tf.sum(tf.square(tf.relu(u))))(t), t)))(input);
      expect(Array.from(await second.data()).every((value, i) => Object.is(value, x[i] > 0 ? 4 * x[i] : x[i] === x[i] ? 0 : value))).toBe(true);
      tf.dispose([input, upstream, fused, composite, second]);
    }
  });
});

describe('wasm Linear products in the heap (heap-gemm.ts)', () => {
  it('forward, input and weight gradients equal the cpu backend bit for bit, and free their scratch', async () => {
    const cases: Array<[number, number, number]> = [[64, 784, 2048], [1024, 128, 384], [4, 8, 16], [12, 16, 8], [6, 16, 10], [1, 128, 512]]; // [rows, in, out]
    const run = () => cases.map(([rows, inFeatures, outFeatures]) => {
      const values = (size: number, seed: number) => Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37 + seed));
      const x = tf.tensor2d(values(rows * inFeatures, 1), [rows, inFeatures]);
      const weight = tf.tensor2d(values(outFeatures * inFeatures, 2), [outFeatures, inFeatures]);
      const bias = tf.tensor1d(values(outFeatures, 3));
      const upstream = tf.tensor2d(values(rows * outFeatures, 4), [rows, outFeatures]);
      const layer = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => fusedLinear(a, w, b)!;
      const y = layer(x, weight, bias);
      const grads = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => layer(a, w, b))([x, weight, bias], upstream);
      const arrays = [y, ...grads].map((t) => t.dataSync() as Float32Array);
      tf.dispose([x, weight, bias, upstream, y, ...grads]);
      return arrays;
    });
    await expectWasmEqualsCpu(run);
  });
});

describe('wasm Transpose (rank 5+) and Unpack write within the heap', () => {
  it('equal the cpu backend, including their gradients, for attention-shaped tensors', async () => {
    const run = () => tf.tidy(() => {
      const x = tf.tensor(Float32Array.from({ length: 2 * 8 * 3 * 4 * 16 }, (_, i) => Math.sin(i)), [2, 8, 3, 4, 16]);
      const weights = [0, 1, 2].map((i) => tf.randomNormal([2, 4, 8, 16], 0, 1, 'float32', i + 1));
      const parts = (t: tf.Tensor) => tf.unstack(tf.transpose(t, [2, 0, 3, 1, 4]));
      const [q, k, v] = parts(x);
      const dx = tf.grad((t: tf.Tensor) => tf.addN(parts(t).map((part, i) => tf.sum(tf.mul(part, weights[i])))))(x);
      const byAxis = tf.unstack(tf.reshape(x, [1, 2, 8, 192]), 1); // a leading 1, then the axis
      return [q, k, v, dx, ...byAxis].map((t) => Array.from(t.dataSync()));
    });
    await setBackend('cpu');
    const cpu = run();
    await setBackend('wasm');
    run(); // first use creates tfjs's cached scalars
    const before = tf.memory().numTensors;
    const wasm = run();
    expect(tf.memory().numTensors).toBe(before);
    expect(wasm).toEqual(cpu);
  });
});

describe('wasm fused attention in the heap', () => {
  it('output and the three gradients equal the cpu backend bit for bit (causal or not; sizes off the tiles fall back)', async () => {
    const cases: Array<{ shape: [number, number, number, number]; keys: number; causal: boolean }> = [
      { shape: [2, 4, 64, 32], keys: 64, causal: true },
      { shape: [1, 2, 8, 16], keys: 16, causal: false },
      { shape: [1, 2, 12, 8], keys: 24, causal: true },
      { shape: [1, 1, 6, 5], keys: 7, causal: false }, // the copying path
    ];
    const run = () => cases.map(({ shape: [b, h, tq, d], keys, causal }) => tf.tidy(() => {
      const values = (dims: number[], seed: number) => tf.tensor(Float32Array.from({ length: dims.reduce((x, y) => x * y) }, (_, i) => Math.sin(i * 0.61 + seed)), dims);
      const [q, k, v] = [values([b, h, tq, d], 1), values([b, h, keys, d], 2), values([b, h, keys, d], 3)];
      const upstream = values([b, h, tq, d], 4);
      const attend = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => fusedAttention(x, y, z, { scale: 1 / Math.sqrt(d), causal })!;
      const output = attend(q, k, v);
      const grads = tf.grads(attend)([q, k, v], upstream);
      return [output, ...grads].map((t) => t.dataSync() as Float32Array);
    }));
    await expectWasmEqualsCpu(run);
  });
});

describe('wasm packed self-attention in the heap', () => {
  it('output and the qkv gradient equal the cpu backend bit for bit, read and written by strides (sizes off the tiles fall back)', async () => {
    const cases: Array<{ shape: [number, number, number, number]; causal: boolean }> = [
      { shape: [2, 64, 4, 32], causal: true },
      { shape: [1, 16, 2, 8], causal: false },
      { shape: [1, 6, 1, 5], causal: true }, // the copying path
    ];
    const run = () => cases.map(({ shape: [b, t, h, d], causal }) => tf.tidy(() => {
      const values = (dims: number[], seed: number) => tf.tensor(Float32Array.from({ length: dims.reduce((x, y) => x * y) }, (_, i) => Math.sin(i * 0.61 + seed)), dims);
      const qkv = values([b, t, 3, h, d], 1);
      const upstream = values([b, t, h, d], 4);
      const attend = (x: tf.Tensor) => fusedPackedAttention(x, { scale: 1 / Math.sqrt(d), causal })!;
      return [attend(qkv), tf.grad(attend)(qkv, upstream)].map((t) => t.dataSync() as Float32Array);
    }));
    await expectWasmEqualsCpu(run);
  });
});

describe('wasm GatherV2 along axis 0 (row copies in the heap)', () => {
  it('equals the cpu backend for float32 rows, repeated and out-of-order ids; other dtypes and bad ids go to stock', async () => {
    const run = () => tf.tidy(() => {
      const table = tf.tensor2d(Float32Array.from({ length: 65 * 24 }, (_, i) => Math.sin(i)), [65, 24]);
      const ids = tf.tensor2d([[3, 64, 3, 0], [1, 1, 2, 63]], [2, 4], 'int32');
      const ints = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32');
      const embedded = tf.gather(table, ids);
      const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), embedded)))(table);
      return [embedded, gradient, tf.gather(ints, tf.tensor1d([2, 0], 'int32'))].map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
    });
    await setBackend('cpu');
    const cpu = run();
    await setBackend('wasm');
    expect(run()).toEqual(cpu);
    const table = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    expect(() => tf.gather(table, tf.tensor1d([5], 'int32')).dataSync()).toThrow();
    table.dispose();
  });
});

describe('the fused leaky ReLU gradient', () => {
  it('is one launch and equals tfjs composite (Greater, Multiply, Select) on cpu and wasm', async () => {
    const x = Float32Array.from({ length: 1031 }, (_, i) => (i % 7 === 0 ? 0 : i % 11 === 0 ? -0 : i % 29 === 0 ? Number.NaN : Math.sin(i)));
    const dy = Float32Array.from({ length: 1031 }, (_, i) => (i % 17 === 0 ? Number.POSITIVE_INFINITY : i % 19 === 0 ? -0 : Math.cos(i)));
    for (const backend of ['cpu', 'wasm'] as const) {
      await setBackend(backend);
      const [input, upstream] = [tf.tensor1d(x), tf.tensor1d(dy)];
      const fused = tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(input, upstream);
      const composite = tf.where(tf.greater(input, 0), upstream, tf.mul(upstream, 0.2));
      const [a, b] = [await fused.data(), await composite.data()];
      expect(Array.from(a).every((value, i) => Object.is(value, b[i])), backend).toBe(true);
      const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(input, upstream));
      expect(profile.kernels.map((kernel) => kernel.name).filter((name) => name !== 'Identity')).toEqual(['LeakyRelu', 'TensorZooLeakyReluGrad']);
      tf.dispose([input, upstream, fused, composite]);
    }
  });
});

describe('wasm LayerNorm and its gradient (float64 SIMD loops in the heap)', () => {
  it('equal the cpu kernels bit for bit, with and without the affine parameters, odd widths falling back', async () => {
    const run = () => [[6, 128, true], [5, 64, false], [3, 7, true]].map(([rows, columns, affine]) => tf.tidy(() => {
      const values = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => (i % 37 === 0 ? 3 : Math.sin(i * 0.83 + seed) * 2)), shape);
      const x = values([rows as number, columns as number], 1);
      const upstream = values([rows as number, columns as number], 2);
      const layer = new LayerNorm(columns as number, { elementwiseAffine: affine as boolean });
      if (affine) layer.parameters().forEach((p, i) => p.assign(values(p.shape, 3 + i)));
      const grads = tf.grads((input: tf.Tensor, ...params: tf.Tensor[]) => {
        void params;
        return layer.call(input);
      })([x, ...layer.parameters()], upstream);
      return [layer.call(x), ...grads].map((t) => Array.from(t.dataSync()));
    }));
    await setBackend('cpu');
    const cpu = run();
    await setBackend('wasm');
    expect(run()).toEqual(cpu);
  });
});
