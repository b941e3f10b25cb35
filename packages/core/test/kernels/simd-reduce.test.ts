// The SIMD column sums of kernels/simd-reduce.ts (Sum and Mean over leading axes) against
// reduce.ts's JavaScript sumContiguous, bit for bit: float64 sums in row order, for Mean each
// float32 divided first; column counts that are not multiples of 16 or 4; NaN, ±Infinity, -0.
import { describe, expect, it } from 'vitest';
import { sumContiguous } from '../../src/kernels/reduce';
import { sumLeadingArrays } from '../../src/kernels/simd-reduce';

const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 3.4e38, 1e-40];

function values(length: number, seed: number, special: boolean): Float32Array {
  return Float32Array.from({ length }, (_, i) => (special && i % 97 === 5 ? SPECIAL[i % SPECIAL.length] : Math.sin(i * 0.37 + seed) * 1000 + (i % 7 === 0 ? -0 : 0)));
}

describe('SIMD leading-axis sums equal sumContiguous bit for bit', () => {
  const shapes: Array<[number, number, number]> = [
    [1, 12544, 24], // batch norm's [64, 14, 14, 24] over N, H, W
    [1, 64, 2352],
    [3, 17, 21], // 16 + 4 + 1 columns
    [2, 5, 4],
    [4, 1, 35],
  ];
  for (const [outer, reduced, inner] of shapes) {
    for (const mean of [false, true]) {
      it(`${mean ? 'Mean' : 'Sum'} of [${outer}, ${reduced}, ${inner}] over the middle axis`, () => {
        for (const special of [false, true]) {
          const x = values(outer * reduced * inner, outer + inner, special);
          const divisor = mean ? Math.fround(reduced) : undefined;
          const simd = sumLeadingArrays(x, outer, reduced, inner, divisor);
          const js = sumContiguous(x, outer, reduced, inner, divisor);
          expect(simd).toBeDefined();
          const first = js.findIndex((value, i) => !Object.is(value, simd![i]));
          expect(first, `${special ? 'with' : 'without'} NaN/Infinity: element ${first} (${simd![first]} vs ${js[first]})`).toBe(-1);
        }
      });
    }
  }
});
