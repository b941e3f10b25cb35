// The float32 SIMD GELU loop (kernels/simd-gelu.ts) against gelu.ts's JavaScript, bit for bit:
// every operation in the same order and precision, the lanes past |x| > 13 (where gelu.ts
// takes Math.exp) recomputed by gelu.ts, lengths that are not multiples of 4.
import { describe, expect, it } from 'vitest';
import { geluArrays } from '../../src/kernels/gelu';
import { geluArraysSimd } from '../../src/kernels/simd-gelu';
import { multiplyOn } from '../../src/kernels/simd-elementwise';

const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 13.19, -13.19, 13.2, -13.2, 14, -14, 1e-40, -1e-40, 3.4e38, -3.4e38, 5e-8];

function values(length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => (i % 11 === 0 ? SPECIAL[(i / 11) % SPECIAL.length] : Math.sin(i * 1.3) * (i % 9)));
}

function expectIdentical(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  const first = expected.findIndex((value, i) => !Object.is(value, actual[i]));
  expect(first, `${label}: first differing element ${first} (${actual[first]} vs ${expected[first]})`).toBe(-1);
}

describe('SIMD GELU equals gelu.ts bit for bit', () => {
  for (const length of [1, 3, 4, 7, 176, 4099]) {
    it(`${length} values with NaN, ±Infinity, ±0, |x| around 13.2, subnormals`, () => {
      const x = values(length);
      const simd = geluArraysSimd(x);
      const js = geluArrays(x);
      expect(simd).toBeDefined();
      expectIdentical(simd!.y, js.y, 'y');
      expectIdentical(simd!.derivative, js.derivative, 'derivative');
    });
  }

  it('the SIMD multiply (GELU gradient) equals float32 multiplication', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const multiply = multiplyOn(memory)!;
    const floats = new Float32Array(memory.buffer);
    const [a, b] = [values(64), values(64).reverse()];
    floats.set(a, 0);
    floats.set(b, 64);
    multiply(0, 256, 512, 256);
    expectIdentical(floats.slice(128, 192), a.map((value, i) => value * b[i]), 'products');
  });
});
