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
export type BinaryOperation = 'add' | 'sub' | 'mul' | 'div';

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
 * `a op b` with NumPy broadcasting. Same shape, scalars and biases over the last axes run
 * as one flat loop; every other broadcast (e.g. `[B, T, 1]` with `[B, T, C]`: LayerNorm,
 * softmax gradients) as a strided walk over the output with runs of the innermost axes.
 * tfjs's cpu kernel recomputes every element's indices (~100 ns per element).
 * @returns the values (shape `outShape`).
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
  if (operation !== 'div') {
    if (a.length === size && isTrailing(bShape, outShape)) return repeatRight(operation, a, b, size);
    if (b.length === size && isTrailing(aShape, outShape)) return repeatLeft(operation, a, b, size);
  }
  return strided(operation, a, aShape, b, bShape, outShape, size);
}

/** Element strides of `shape` (right-aligned to `outShape`) per output axis, 0 where it broadcasts. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = new Array<number>(outShape.length).fill(0);
  for (let axis = shape.length - 1, stride = 1; axis >= 0; axis--) {
    const outAxis = axis + outShape.length - shape.length;
    strides[outAxis] = shape[axis] === 1 ? 0 : stride;
    stride *= shape[axis];
  }
  return strides;
}

/**
 * The general broadcast: the output's axes merged where both operands are contiguous
 * across them, then an odometer over the outer axes and a tight loop over the last one.
 */
function strided(
  operation: BinaryOperation,
  a: Float32Array,
  aShape: readonly number[],
  b: Float32Array,
  bShape: readonly number[],
  outShape: readonly number[],
  size: number,
): Float32Array {
  const out = new Float32Array(size);
  if (size === 0) return out;
  const aFull = broadcastStrides(aShape, outShape);
  const bFull = broadcastStrides(bShape, outShape);
  // Merge axis i into the run of i + 1 when both operands step through them as one axis.
  const dims: number[] = [];
  const aStrides: number[] = [];
  const bStrides: number[] = [];
  for (let axis = outShape.length - 1; axis >= 0; axis--) {
    const dim = outShape[axis];
    if (dim === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && aFull[axis] === aStrides[last] * dims[last] && bFull[axis] === bStrides[last] * dims[last]) {
      dims[last] *= dim;
    } else {
      dims.push(dim);
      aStrides.push(aFull[axis]);
      bStrides.push(bFull[axis]);
    }
  }
  if (dims.length === 0) {
    out[0] = apply(operation, a[0], b[0]);
    return out;
  }
  // dims[0] is the innermost run.
  const inner = dims[0];
  const [aStep, bStep] = [aStrides[0], bStrides[0]];
  const outer = dims.length - 1;
  const counter = new Array<number>(outer).fill(0);
  let aAt = 0;
  let bAt = 0;
  for (let at = 0; at < size; ) {
    runInner(operation, a, aAt, aStep, b, bAt, bStep, out, at, inner);
    at += inner;
    for (let axis = 1; axis <= outer; axis++) {
      aAt += aStrides[axis];
      bAt += bStrides[axis];
      if (++counter[axis - 1] < dims[axis]) break;
      counter[axis - 1] = 0;
      aAt -= aStrides[axis] * dims[axis];
      bAt -= bStrides[axis] * dims[axis];
    }
  }
  return out;
}

function apply(operation: BinaryOperation, x: number, y: number): number {
  return operation === 'add' ? x + y : operation === 'sub' ? x - y : operation === 'mul' ? x * y : x / y;
}

/** `out[at + j] = a[aAt + j·aStep] op b[bAt + j·bStep]` for `j < count`. */
function runInner(
  operation: BinaryOperation,
  a: Float32Array,
  aAt: number,
  aStep: number,
  b: Float32Array,
  bAt: number,
  bStep: number,
  out: Float32Array,
  at: number,
  count: number,
): void {
  const end = at + count;
  if (bStep === 0) {
    const y = b[bAt];
    if (operation === 'add') for (let i = at, k = aAt; i < end; i++, k += aStep) out[i] = a[k] + y;
    else if (operation === 'sub') for (let i = at, k = aAt; i < end; i++, k += aStep) out[i] = a[k] - y;
    else if (operation === 'mul') for (let i = at, k = aAt; i < end; i++, k += aStep) out[i] = a[k] * y;
    else for (let i = at, k = aAt; i < end; i++, k += aStep) out[i] = a[k] / y;
  } else if (aStep === 0) {
    const x = a[aAt];
    if (operation === 'add') for (let i = at, k = bAt; i < end; i++, k += bStep) out[i] = x + b[k];
    else if (operation === 'sub') for (let i = at, k = bAt; i < end; i++, k += bStep) out[i] = x - b[k];
    else if (operation === 'mul') for (let i = at, k = bAt; i < end; i++, k += bStep) out[i] = x * b[k];
    else for (let i = at, k = bAt; i < end; i++, k += bStep) out[i] = x / b[k];
  } else if (operation === 'add') for (let i = at, j = aAt, k = bAt; i < end; i++, j += aStep, k += bStep) out[i] = a[j] + b[k];
  else if (operation === 'sub') for (let i = at, j = aAt, k = bAt; i < end; i++, j += aStep, k += bStep) out[i] = a[j] - b[k];
  else if (operation === 'mul') for (let i = at, j = aAt, k = bAt; i < end; i++, j += aStep, k += bStep) out[i] = a[j] * b[k];
  else for (let i = at, j = aAt, k = bAt; i < end; i++, j += aStep, k += bStep) out[i] = a[j] / b[k];
}

/** `out[i] = a[i] op b[i mod |b|]`. */
function repeatRight(operation: BinaryOperation, a: Float32Array, b: Float32Array, size: number): Float32Array {
  const out = new Float32Array(size);
  const period = b.length;
  if (period === 1) {
    const y = b[0];
    if (operation === 'add') for (let i = 0; i < size; i++) out[i] = a[i] + y;
    else if (operation === 'sub') for (let i = 0; i < size; i++) out[i] = a[i] - y;
    else for (let i = 0; i < size; i++) out[i] = a[i] * y;
    return out;
  }
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
  if (period === 1) {
    const x = a[0];
    if (operation === 'add') for (let i = 0; i < size; i++) out[i] = x + b[i];
    else if (operation === 'sub') for (let i = 0; i < size; i++) out[i] = x - b[i];
    else for (let i = 0; i < size; i++) out[i] = x * b[i];
    return out;
  }
  if (operation === 'add') {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[j] + b[start + j];
  } else if (operation === 'sub') {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[j] - b[start + j];
  } else {
    for (let start = 0; start < size; start += period) for (let j = 0; j < period; j++) out[start + j] = a[j] * b[start + j];
  }
  return out;
}

/** `-x` per element (tfjs's `Neg` multiplies by -1: the same bits). */
export function negate(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
  return out;
}

/** `e^x` per element (tfjs's cpu `Exp`: `Math.exp`, rounded to float32). */
export function exponential(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.exp(x[i]);
  return out;
}

/**
 * The error function per element, tfjs's cpu `Erf` formula term for term (Abramowitz and
 * Stegun 7.1.26 with tfjs's constants), so the bits match. GELU's forward and gradient.
 */
export function errorFunction(x: Float32Array, constants: { p: number; a1: number; a2: number; a3: number; a4: number; a5: number }): Float32Array {
  const { p, a1, a2, a3, a4, a5 } = constants;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const sign = Math.sign(xi);
    const v = Math.abs(xi);
    const t = 1.0 / (1.0 + p * v);
    out[i] = sign * (1.0 - (((((a5 * t + a4) * t) + a3) * t + a2) * t + a1) * t * Math.exp(-v * v));
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
  const out = new Float32Array(x.length);
  transposeWithin(x, 0, out, 0, shape, perm);
  return out;
}

/** Inner runs at least this long (floats, contiguous in the source) are copied by `copyWithin`. */
const LONG_RUN = 16;

/**
 * {@link transpose} of the `size(shape)` floats of `x` from `xOffset` into `out` from
 * `outOffset`; when `x` and `out` are the same array (tfjs-wasm's heap), contiguous inner runs
 * are copied natively.
 */
export function transposeWithin(x: Float32Array, xOffset: number, out: Float32Array, outOffset: number, shape: readonly number[], perm: readonly number[]): void {
  const rank = shape.length;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return;
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
  let source = xOffset;
  const end = outOffset + size;
  const copyRuns = x === out && innerStride === 1 && innerSize >= LONG_RUN;
  for (let at = outOffset; at < end; ) {
    if (copyRuns) {
      out.copyWithin(at, source, source + innerSize);
      at += innerSize;
    } else {
      for (let j = 0, from = source; j < innerSize; j++, from += innerStride) out[at++] = x[from];
    }
    // Advance the odometer over the outer axes.
    for (let axis = rank - 2; axis >= 0; axis--) {
      counter[axis]++;
      source += sourceStride[axis];
      if (counter[axis] < outShape[axis]) break;
      source -= sourceStride[axis] * outShape[axis];
      counter[axis] = 0;
    }
  }
}

/**
 * Softmax over the last axis of `x` (rows of `width`), in the stock kernel's steps and
 * roundings (max, `exp(x - max)` in float32, a float64 sum rounded to float32, a divide),
 * so results are bit-identical; one pass per row instead of five kernels and their
 * temporaries.
 */
export function softmaxLastAxis(x: Float32Array, width: number): Float32Array {
  const out = new Float32Array(x.length);
  if (width === 0) return out;
  for (let start = 0; start < x.length; start += width) {
    const end = start + width;
    let max = x[start];
    for (let i = start; i < end; i++) {
      const value = x[i];
      if (value !== value || value > max) max = value; // NaN wins, as in tfjs's Max
    }
    let sum = 0;
    for (let i = start; i < end; i++) {
      out[i] = Math.exp(Math.fround(x[i] - max));
      sum += out[i];
    }
    const total = Math.fround(sum);
    for (let i = start; i < end; i++) out[i] = out[i] / total;
  }
  return out;
}

/**
 * `x` repeated `reps[i]` times along each axis (tfjs's `Tile`; the cpu kernel computes
 * every element's source index). Expands one axis at a time from the last, copying whole
 * blocks, so the work is a few memory copies.
 */
export function tile<T extends Float32Array | Int32Array | Uint8Array>(x: T, shape: readonly number[], reps: readonly number[]): T {
  let current: T = x;
  let size = x.length;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const times = reps[axis];
    if (times === 1) continue;
    const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const block = outer === 0 ? 0 : size / outer;
    const next = new (x.constructor as new (length: number) => T)(size * times);
    for (let o = 0; o < outer; o++) {
      const source = current.subarray(o * block, (o + 1) * block);
      for (let r = 0; r < times; r++) next.set(source, (o * times + r) * block);
    }
    current = next;
    size *= times;
  }
  return current === x ? (x.slice() as T) : current;
}
