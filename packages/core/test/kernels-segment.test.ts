import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFastKernels, restoreStockKernels, setBackend } from '@tensorzoo/core';

// UnsortedSegmentSum (the gradient of every embedding lookup) against tfjs's stock cpu kernel.

let previousBackend = '';
beforeAll(async () => {
  previousBackend = tf.getBackend();
  await setBackend('cpu');
});
afterAll(async () => {
  installFastKernels('cpu');
  if (previousBackend && previousBackend !== 'cpu') await tf.setBackend(previousBackend);
});

function randomSource(seed: number) {
  let state = seed >>> 0;
  return (low: number, high: number) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + (state % (high - low + 1));
  };
}

async function stockAndOurs(compute: () => tf.Tensor) {
  restoreStockKernels('cpu');
  const stock = compute();
  installFastKernels('cpu');
  const ours = compute();
  const result = { stock: { dtype: stock.dtype, shape: stock.shape, values: Array.from(await stock.data()) }, ours: { dtype: ours.dtype, shape: ours.shape, values: Array.from(await ours.data()) } };
  tf.dispose([stock, ours]);
  return result;
}

describe('UnsortedSegmentSum on cpu', () => {
  it('is bit-identical to stock on 40 random shapes (inner rank 0-2, no rows, ids out of range dropped)', async () => {
    const random = randomSource(3);
    for (let trial = 0; trial < 40; trial++) {
      const idsShape = [random(0, 40)];
      const inner = [[], [random(1, 9)], [random(1, 4), random(1, 5)]][random(0, 2)];
      const numSegments = random(1, 12);
      const idCount = idsShape.reduce((a, b) => a * b, 1);
      const ids = tf.tensor(Array.from({ length: idCount }, () => random(-2, numSegments + 1)), idsShape, 'int32');
      const x = tf.randomNormal([...idsShape, ...inner], 0, 3, 'float32', trial + 1);
      const { stock, ours } = await stockAndOurs(() => tf.unsortedSegmentSum(x, ids as tf.Tensor1D, numSegments));
      expect(ours, `x ${x.shape}, ids ${idsShape}, ${numSegments} segments`).toEqual(stock);
      tf.dispose([ids, x]);
    }
  });

  it('the embedding gradient of a GPT-sized lookup ([4, 64] ids into 65 rows of 128)', async () => {
    const table = tf.randomNormal([65, 128], 0, 1, 'float32', 1);
    const random = randomSource(9);
    const ids = tf.tensor2d(Array.from({ length: 4 * 64 }, () => random(0, 64)), [4, 64], 'int32');
    const weights = tf.randomNormal([4, 64, 128], 0, 1, 'float32', 2);
    const { stock, ours } = await stockAndOurs(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, ids), weights)))(table));
    expect(ours).toEqual(stock);
    tf.dispose([table, ids, weights]);
  });

  it('keeps NaN and ±Infinity in their own segment (stock spreads them as 0 · Infinity = NaN)', async () => {
    const x = tf.tensor2d([[1, NaN], [Infinity, 2], [3, 4], [-Infinity, 5]]);
    const ids = tf.tensor1d([0, 1, 2, 1], 'int32');
    const sum = tf.unsortedSegmentSum(x, ids, 3);
    expect(Array.from(await sum.data())).toEqual([1, NaN, NaN, 7, 3, 4]);
    tf.dispose([x, ids, sum]);
  });

  it('leaves ids of rank 2 (stock sums them per column) to the stock kernel', async () => {
    const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
    const ids = tf.tensor2d([[0, 1, 1], [1, 1, 0]], [2, 3], 'int32');
    const { stock, ours } = await stockAndOurs(() => tf.unsortedSegmentSum(x, ids as unknown as tf.Tensor1D, 2));
    expect(ours).toEqual(stock);
    tf.dispose([x, ids]);
  });

  it('leaves int32 values to the stock kernel', async () => {
    const x = tf.tensor1d([1, 2, 3, 4], 'int32');
    const ids = tf.tensor1d([1, 0, 1, 1], 'int32');
    const { stock, ours } = await stockAndOurs(() => tf.unsortedSegmentSum(x, ids, 2));
    expect(ours).toEqual(stock);
    expect(ours.values).toEqual([2, 8]);
    tf.dispose([x, ids]);
  });
});
