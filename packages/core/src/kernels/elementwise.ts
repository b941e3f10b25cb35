/**
 * Float32 element-wise kernels for the operations around every convolution: the bias add
 * (a broadcast over the last axes, which tfjs's cpu kernel does through per-element index
 * arithmetic), ReLU, and ReLU's gradient (`Step`, `Multiply`). One plain loop per
 * operation, so V8 compiles each to tight machine code; every result is bit-identical to
 * the stock kernel's (the same float64 arithmetic, rounded to float32 on store).
 * @internal
 * @packageDocumentation
 */

/** The binary operations with a fast path. */
export type BinaryOperation = 'add' | 'sub' | 'mul';

/** `true` when `small` (leading 1s ignored) equals the trailing dimensions of `full`. */
function isTrailing(small: readonly number[], full: readonly number[]): boolean {
  let first = 0;
  while (first < small.length && small[first] === 1) first++;
  const core = small.slice(first);
  if (core.length > full.length) return false;
  const offset = full.length - core.length;
  return core.every((dim, index) => dim === full[offset + index]);
}

/**
 * `a op b` with NumPy broadcasting, when one operand's layout is the output's and the other
 * repeats along the leading axes (same shape, a scalar, or a bias over the last axes).
 * @returns the values (shape `outShape`), or `undefined` for other broadcasts.
 */
export function broadcastBinary(
  operation: BinaryOperation,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  outShape: readonly number[],
): Float32Array | undefined {
  const size = outShape.reduce((x, y) => x * y, 1);
  if (a.length === size && isTrailing(bShape, outShape)) return repeatRight(operation, a, b, size);
  if (b.length === size && isTrailing(aShape, outShape)) return repeatLeft(operation, a, b, size);
  return undefined;
}

/** `out[i] = a[i] op b[i mod |b|]`. */
function repeatRight(operation: BinaryOperation, a: Float32Array, b: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  const period = b.length;
  if (operation === 'add') {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[start + j] + b[j];
  } else if (operation === 'sub') {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[start + j] - b[j];
  } else {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[start + j] * b[j];
  }
  return out;
}

/** `out[i] = a[i mod |a|] op b[i]`. */
function repeatLeft(operation: BinaryOperation, a: Float32Array, b: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  const period = a.length;
  if (operation === 'add') {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[j] + b[start + j];
  } else if (operation === 'sub') {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[j] - b[start + j];
  } else {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[j] * b[start + j];
  }
  return out;
}

/** `max(0, x)` per element (tfjs's `Relu`: NaN stays NaN, -0 becomes 0). */
export function relu(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    out[i] = value > 0 || value !== value ? value : 0; // = Math.max(0, value), which V8 runs slowly
  }
  return out;
}

/** `1` where `x > 0`, `alpha` elsewhere, NaN for NaN (tfjs's `Step`, ReLU's derivative). */
export function step(x: Float32Array, alpha: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const value = x[i];
    out[i] = value > 0 ? 1 : value !== value ? NaN : alpha;
  }
  return out;
}

/**
 * Permutes the axes of `x` (shape `shape`): output axis `i` is input axis `perm[i]`. Walks
 * the output in order with a running source offset (tfjs's cpu kernel recomputes every
 * index from scratch), the innermost axis in a tight strided loop.
 */
export function transpose(x: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const out = new Float32Array(x.length);
  if (x.length === 0) return out;
  const outShape = perm.map((axis) => shape[axis]);
  const inStrides = new Array<number>(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    inStrides[axis] = stride;
    stride *= shape[axis];
  }
  const sourceStride = perm.map((axis) => inStrides[axis]); // source step per output axis
  const innerSize = outShape[rank - 1];
  const innerStride = sourceStride[rank - 1];
  const counter = new Array<number>(rank).fill(0);
  let source = 0;
  for (let at = 0; at < out.length; ) {
    for (let j = 0, from = source; j < innerSize; j++, from += innerStride) out[at++] = x[from];
    // Advance the odometer over the outer axes.
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      source += sourceStride[axis];
      if (counter[axis] < outShape[axis]) break;
      source -= sourceStride[axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
  return out;
}
