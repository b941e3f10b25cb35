// The 2x2 / stride 2 max pooling SIMD loops (kernels/simd-pool.ts) against pool.ts's loops,
// bit for bit: ties (first maximum wins), NaN and -Infinity (never win), windows without a
// winner, -0 gradients, odd sizes whose last row and column no window covers.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { maxPoolBackprop, maxPoolForward } from '../../src/kernels/pool';
import { isPool2x2, poolArrays } from '../../src/kernels/simd-pool';

/** Deterministic values with many ties, NaN, -Infinity and all--Infinity stretches. */
function awkward(size: number, seed: number): Float32Array {
  return Float32Array.from({ length: size }, (_, i) => {
    const r = Math.abs(Math.sin(i * 12.9898 + seed) * 43758.5453) % 1;
    if (i % 97 < 8) return -Infinity; // whole windows without a winner
    if (r < 0.05) return Number.NaN;
    if (r < 0.1) return -Infinity;
    if (r < 0.4) return Math.round(r * 10) - 3; // ties
    return r - 0.5;
  });
}

function expectIdentical(actual: Float32Array | undefined, expected: Float32Array, label: string): void {
  expect(actual, label).toBeDefined();
  expect(actual!.length, `${label}: length`).toBe(expected.length);
  const first = expected.findIndex((value, i) => !Object.is(value, actual![i]));
  expect(first, `${label}: first differing element ${first} (${actual![first]} vs ${expected[first]})`).toBe(-1);
}

describe('2x2 max pooling SIMD loops equal pool.ts bit for bit', () => {
  const shapes: Array<[number, number, number, number]> = [[1, 2, 2, 4], [2, 5, 7, 4], [3, 11, 11, 8], [2, 26, 26, 32], [1, 3, 2, 12]];
  for (const shape of shapes) {
    it(`x [${shape.join(', ')}]`, () => {
      const info = tf.backend_util.computePool2DInfo(shape, 2, 2, 1, 'valid');
      expect(isPool2x2(info)).toBe(true);
      const x = awkward(shape.reduce((a, b) => a * b), shape[1]);
      const dy = Float32Array.from({ length: info.outShape.reduce((a, b) => a * b) }, (_, i) => (i % 5 === 0 ? -0 : Math.cos(i)));
      expectIdentical(poolArrays('forward', x, undefined, info), maxPoolForward(x, info), 'forward');
      expectIdentical(poolArrays('gradient', x, dy, info), maxPoolBackprop(dy, x, info), 'gradient');
    });
  }

  it('applies only to 2x2 windows with stride 2 inside the image and channels a multiple of 4', () => {
    const info = (shape: [number, number, number, number], size: number, stride: number, pad: 'valid' | 'same' | number) => tf.backend_util.computePool2DInfo(shape, size, stride, 1, pad);
    expect(isPool2x2(info([1, 4, 4, 4], 2, 2, 'same'))).toBe(true);
    expect(isPool2x2(info([1, 5, 5, 4], 2, 2, 'same'))).toBe(false); // the last window hangs over the edge
    expect(isPool2x2(info([1, 4, 4, 3], 2, 2, 'valid'))).toBe(false);
    expect(isPool2x2(info([1, 4, 4, 4], 2, 1, 'valid'))).toBe(false);
    expect(isPool2x2(info([1, 6, 6, 4], 3, 2, 'valid'))).toBe(false);
    expect(isPool2x2(info([1, 4, 4, 4], 2, 2, 1))).toBe(false);
  });
});
