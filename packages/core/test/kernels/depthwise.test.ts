// The depthwise convolution kernels (gradients for backends without them, e.g. tfjs-wasm;
// a forward for cpu) against the active backend's own depthwise convolution and gradients.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseForward } from '../../src/kernels/depthwise';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const cases: Array<{ x: [number, number, number, number]; kernel: [number, number]; multiplier: number; stride: number; pad: Pad }> = [
  { x: [2, 7, 6, 3], kernel: [3, 3], multiplier: 1, stride: 1, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [1, 8, 9, 4], kernel: [3, 3], multiplier: 1, stride: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]] },
  { x: [2, 5, 5, 2], kernel: [3, 2], multiplier: 2, stride: 1, pad: 'valid' },
  { x: [1, 6, 7, 3], kernel: [5, 5], multiplier: 3, stride: 2, pad: 'same' },
];

function random(size: number, seed: number): Float32Array {
  return Float32Array.from({ length: size }, (_, index) => Math.sin(index * 12.9898 + seed) * 0.5);
}

describe('depthwise convolution kernels (forward and both gradients)', () => {
  for (const { x: xShape, kernel, multiplier, stride, pad } of cases) {
    it(`x ${xShape.join('x')}, kernel ${kernel.join('x')}, multiplier ${multiplier}, stride ${stride}, pad ${JSON.stringify(pad)}`, async () => {
      const filterShape: [number, number, number, number] = [...kernel, xShape[3], multiplier];
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad, undefined, true, 'channelsLast');
      const xValues = random(xShape.reduce((a, b) => a * b), 1);
      const filterValues = random(filterShape.reduce((a, b) => a * b), 2);
      const dyValues = random(info.outShape.reduce((a, b) => a * b), 3);
      const x = tf.tensor4d(xValues, xShape);
      const filter = tf.tensor4d(filterValues, filterShape);
      const dy = tf.tensor4d(dyValues, info.outShape);
      const y = tf.depthwiseConv2d(x, filter, stride, pad);
      const expectedY = await y.data();
      const actualY = depthwiseForward(xValues, filterValues, info);
      expect(actualY.length).toBe(expectedY.length);
      actualY.forEach((value, index) => expect(Math.abs(value - expectedY[index])).toBeLessThan(1e-5));
      const [dx, dw] = tf.grads((input: tf.Tensor, weights: tf.Tensor) => tf.depthwiseConv2d(input as tf.Tensor4D, weights as tf.Tensor4D, stride, pad))([x, filter], dy);
      const expectedDx = await dx.data();
      const expectedDw = await dw.data();
      const actualDx = depthwiseBackpropInput(dyValues, filterValues, info);
      const actualDw = depthwiseBackpropFilter(xValues, dyValues, info);
      expect(actualDx.length).toBe(expectedDx.length);
      expect(actualDw.length).toBe(expectedDw.length);
      actualDx.forEach((value, index) => expect(Math.abs(value - expectedDx[index])).toBeLessThan(1e-5));
      actualDw.forEach((value, index) => expect(Math.abs(value - expectedDw[index])).toBeLessThan(1e-5));
      tf.dispose([x, filter, dy, y, dx, dw]);
    });
  }
});
