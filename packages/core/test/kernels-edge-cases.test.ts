import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerNorm, fastKernelsInstalled, gelu, installFastKernels, restoreStockKernels, setBackend } from '@tensorzoo/core';

// The replacement cpu kernels must agree with tfjs's stock kernels on every input stock
// accepts: malformed-but-accepted shapes (tfjs does not check dy's spatial size), the 1x1
// max pool that stock returns unchanged, and shapes above the GEMM's 256-row block.

let previousBackend = '';
beforeAll(async () => {
  previousBackend = tf.getBackend();
  await setBackend('cpu');
});
afterAll(async () => {
  installFastKernels('cpu');
  if (previousBackend && previousBackend !== 'cpu') await tf.setBackend(previousBackend);
});

/** Values of `compute()` with the stock kernels, then with ours (or the error each threw). */
async function stockThenOurs(compute: () => tf.Tensor): Promise<[unknown, unknown]> {
  const run = async () => {
    try {
      const result = compute();
      const values = { shape: result.shape, values: Array.from(await result.data()) };
      result.dispose();
      return values;
    } catch (error) {
      return { error: String((error as Error).message) };
    }
  };
  restoreStockKernels('cpu');
  const stock = await run();
  installFastKernels('cpu');
  return [stock, await run()];
}

type Result = { shape?: number[]; values?: number[]; error?: string };

/** Same shape, and every value within 1e-5 times the largest |stock value| (the SIMD GEMM sums in float32, so errors scale with the whole row, not each element). */
function expectWithinScale(ours: unknown, stock: unknown, label = ''): void {
  const [actual, expected] = [ours as Result, stock as Result];
  expect(actual.shape, label).toEqual(expected.shape);
  const scale = Math.max(1e-30, ...expected.values!.map(Math.abs));
  const worst = Math.max(0, ...actual.values!.map((value, i) => Math.abs(value - expected.values![i])));
  expect(worst / scale, label).toBeLessThan(1e-5);
}

function filled(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 3), shape, 'float32');
}

describe('Conv2DBackpropInput and Conv2DBackpropFilter with a dy of another spatial size', () => {
  // The conv is x [1, 6, 6, 2] * filter [3, 3, 2, 4], stride 1, 'valid': its output is [1, 4, 4, 4].
  for (const dyShape of [[1, 4, 4, 4], [1, 5, 5, 4], [1, 3, 4, 4], [1, 6, 2, 4], [1, 2, 2, 4]]) {
    const wellFormed = dyShape.join() === '1,4,4,4'; // the fast path; others defer to stock, bit for bit
    const agree = (ours: unknown, stock: unknown) => (wellFormed ? expectWithinScale(ours, stock) : expect(ours).toEqual(stock));
    it(`dy ${JSON.stringify(dyShape)} gives stock's answer (NaN included)`, async () => {
      const filter = filled([3, 3, 2, 4], 1);
      const dy = filled(dyShape, 2);
      const x = filled([1, 6, 6, 2], 3);
      const [stockInput, oursInput] = await stockThenOurs(() =>
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 6, 6, 2] }) as tf.Tensor,
      );
      agree(oursInput, stockInput);
      const [stockFilter, oursFilter] = await stockThenOurs(() =>
        tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [3, 3, 2, 4] }) as tf.Tensor,
      );
      agree(oursFilter, stockFilter);
      tf.dispose([filter, dy, x]);
    });
  }

  it('conv2dTranspose with an input of the wrong spatial size (accepted by tfjs) matches stock', async () => {
    const x = filled([1, 5, 3, 4], 4); // a stride-2 'same' transpose to [1, 8, 8, 2] expects [1, 4, 4, 4]
    const filter = filled([3, 3, 2, 4], 5);
    const [stock, ours] = await stockThenOurs(() => tf.conv2dTranspose(x as tf.Tensor4D, filter as tf.Tensor4D, [1, 8, 8, 2], 2, 'same'));
    expect(ours).toEqual(stock);
    tf.dispose([x, filter]);
  });
});

describe('MaxPool with a 1x1 window', () => {
  it('returns x unchanged where stock does (output shape = input shape, any padding and strides), and its gradient matches', async () => {
    let identities = 0;
    for (const [height, width] of [[1, 1], [3, 3], [4, 5], [5, 2]]) {
      for (const strides of [[1, 1], [2, 1], [1, 3], [2, 2], [3, 2]] as Array<[number, number]>) {
        for (const pad of ['same', 'valid', 0, 1, 2] as const) {
          const x = filled([2, height, width, 3], height * 10 + width);
          const label = `x [2, ${height}, ${width}, 3], strides ${strides}, pad ${pad}`;
          const [stock, ours] = await stockThenOurs(() => tf.maxPool(x as tf.Tensor4D, 1, strides, pad));
          expect(ours, label).toEqual(stock);
          if ((stock as { shape?: number[] }).shape?.join() === x.shape.join()) identities++;
          const [stockGrad, oursGrad] = await stockThenOurs(() => {
            const weights = tf.maxPool(x as tf.Tensor4D, 1, strides, pad);
            const dx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(input as tf.Tensor4D, 1, strides, pad), weights)))(x);
            weights.dispose();
            return dx;
          });
          expect(oursGrad, `gradient, ${label}`).toEqual(stockGrad);
          x.dispose();
        }
      }
    }
    expect(identities).toBeGreaterThan(10);
  });

  it('the case from the report: pad 1, stride 2 on 3x3 keeps x (no -Infinity)', async () => {
    const x = filled([1, 3, 3, 1], 9);
    const y = tf.maxPool(x as tf.Tensor4D, 1, 2, 1);
    expect(Array.from(await y.data())).toEqual(Array.from(await x.data()));
    tf.dispose([x, y]);
  });
});

describe('shapes above the GEMM block (256 rows) and the conv pixel block', () => {
  it('BatchMatMul with 300-700 rows, all transposes, batched', async () => {
    for (const [rows, columns, depth, batch] of [[300, 37, 45, 1], [700, 9, 130, 2], [513, 70, 3, 1]]) {
      for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const aShape = [batch, ...(transposeA ? [depth, rows] : [rows, depth])];
        const bShape = [batch, ...(transposeB ? [columns, depth] : [depth, columns])];
        const a = filled(aShape, rows);
        const b = filled(bShape, columns);
        const [stock, ours] = await stockThenOurs(() => tf.matMul(a, b, transposeA, transposeB));
        expectWithinScale(ours, stock, `${aShape} x ${bShape}`);
        tf.dispose([a, b]);
      }
    }
  });

  it('convolution gradients over 1,152 pixels (more than one 452-row block)', async () => {
    const x = filled([2, 24, 24, 16], 1);
    const filter = filled([3, 3, 16, 8], 2);
    for (const compute of [
      () => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'),
      () => tf.grad((input: tf.Tensor) => tf.sum(tf.square(tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 1, 'same'))))(x),
      () => tf.grad((kernel: tf.Tensor) => tf.sum(tf.square(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'))))(filter),
    ]) {
      const [stock, ours] = await stockThenOurs(compute);
      expectWithinScale(ours, stock);
    }
    tf.dispose([x, filter]);
  });
});

describe('after restoreStockKernels', () => {
  it('every replaced cpu kernel runs as stock, and restoreStockKernels() with no name restores all', async () => {
    const names = fastKernelsInstalled('cpu');
    expect(names.length).toBeGreaterThan(10);
    restoreStockKernels();
    expect(fastKernelsInstalled('cpu')).toEqual([]);
    // Every kernel tfjs has is back; the fused ones (TensorZoo*) are ours alone: gone, and
    // optimizers, LayerNorm and gelu fall back to the composite ops.
    for (const name of names) expect(tf.getKernel(name, 'cpu') !== undefined, name).toBe(!name.startsWith('TensorZoo'));
    const x = filled([1, 4, 4, 2], 1);
    const filter = filled([2, 2, 2, 3], 2);
    const layerNorm = new LayerNorm(2);
    const outputs = [
      tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid'),
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')))([x, filter]),
      tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x),
      tf.sum(x, [1, 2]),
      tf.relu(tf.sub(tf.add(x, 1), tf.mul(x, 2))),
      tf.transpose(x, [0, 3, 1, 2]),
      tf.matMul(tf.reshape(x, [8, 4]), tf.reshape(x, [4, 8])),
      tf.div(tf.softmax(x), tf.add(tf.abs(x), 1)),
      tf.unsortedSegmentSum(tf.reshape(x, [16, 2]), tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3], 'int32'), 4),
      tf.grad((a: tf.Tensor) => tf.sum(layerNorm.call(gelu(a))))(x), // the composite LayerNorm and GELU
    ].flat();
    for (const output of outputs) expect((await output.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, filter, ...outputs]);
    layerNorm.dispose();
    installFastKernels('cpu');
    expect(fastKernelsInstalled('cpu')).toEqual(names);
  });
});
