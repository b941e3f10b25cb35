/**
 * Sum over a contiguous run of axes on a raw float32 array, without the transpose tfjs's
 * cpu `Sum` kernel makes first. This is the gradient of every broadcast bias add
 * (`Σ over N, H, W` of a `[N, H, W, C]` gradient), which on the stock kernel costs more
 * than the convolution itself.
 * @internal
 * @packageDocumentation
 */

/**
 * Views `shape` as `[outer, reduced, inner]` when `axes` (sorted, distinct) are contiguous;
 * `undefined` otherwise.
 */
export function contiguousReduction(shape: readonly number[], axes: readonly number[]): [number, number, number] | undefined {
  if (axes.length === 0) return undefined;
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (last - first + 1 !== axes.length) return undefined;
  const product = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  return [product(0, first), product(first, last + 1), product(last + 1, shape.length)];
}

/**
 * `out[o, i] = Σ_r x[o, r, i]` for `x` viewed as `[outer, reduced, inner]`, summed in float64.
 * With `divisor`: `Σ_r fround(x[o, r, i] / divisor)`, tfjs's cpu `Mean` (it divides, in
 * float32, then sums), bit for bit.
 */
export function sumContiguous(x: Float32Array, outer: number, reduced: number, inner: number, divisor?: number): Float32Array {
  const out = new Float32Array(outer * inner);
  if (divisor !== undefined) {
    if (inner === 1) {
      for (let o = 0; o < outer; o++) {
        let total = 0;
        const base = o * reduced;
        for (let r = 0; r < reduced; r++) total += Math.fround(x[base + r] / divisor);
        out[o] = total;
      }
      return out;
    }
    const totals = new Float64Array(inner);
    for (let o = 0; o < outer; o++) {
      totals.fill(0);
      let source = o * reduced * inner;
      for (let r = 0; r < reduced; r++, source += inner) {
        for (let i = 0; i < inner; i++) totals[i] += Math.fround(x[source + i] / divisor);
      }
      out.set(totals, o * inner);
    }
    return out;
  }
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let total = 0;
      const base = o * reduced;
      for (let r = 0; r < reduced; r++) total += x[base + r];
      out[o] = total;
    }
    return out;
  }
  const totals = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    totals.fill(0);
    let source = o * reduced * inner;
    for (let r = 0; r < reduced; r++, source += inner) {
      for (let i = 0; i < inner; i++) totals[i] += x[source + i];
    }
    out.set(totals, o * inner);
  }
  return out;
}
