/**
 * 2x2 max pooling with stride 2 (`MaxPool2d(2)`, the pooling of nearly every small CNN) and
 * its gradient as WebAssembly SIMD loops over NHWC float32, four channels per instruction and
 * no branch per element: each window's winner is found with vector compares and selects.
 *
 * The semantics are pool.ts's, bit for bit: scanning the window in row order, a value wins
 * when it is strictly greater than the best so far (which starts at -Infinity), so the first
 * maximum wins ties, NaN and -Infinity never win, and a window without a winner has maximum
 * -Infinity and passes no gradient. The gradient writes `0 + dy` where pool.ts adds `dy` into
 * zeros (so `-0` becomes `+0` in both). The windows do not overlap, so every input element
 * receives at most one gradient; elements no window covers (an odd last row or column) get 0.
 *
 * The module imports its memory: on `wasm` tfjs-wasm's heap (tensors are read and written in
 * place), on `cpu` a memory of its own that the arrays are copied through.
 *
 * ```text
 * pool(x, y_or_dy, dx, rows, outWidth, channelBytes, inRowBytes)   // one image, byte addresses
 *   for row, column, 4 channels:   a b / c d = the window's four values
 *     forward:  y  = the winner's value
 *     gradient: dx[winner] = 0 + dy; dx[others] = 0
 * ```
 * @internal
 * @packageDocumentation
 */
import type { backend_util } from '@tensorflow/tfjs-core';
import { OP, SIMD, TYPE, constant, countedLoop, functionsOnMemory, get, set, simd, singleFunctionModule, splatConstant, v128Load, v128Store } from './wasm-assembler';

type PoolInfo = backend_util.Conv2DInfo;

/** Which loop: the maxima (`y`) or the gradient (`dx` from `dy`). */
export type PoolKind = 'forward' | 'gradient';

// Parameters, then locals.
const X = 0, DY = 1, DX = 2, ROWS = 3, OUT_WIDTH = 4, CHANNEL_BYTES = 5, IN_ROW_BYTES = 6;
const ROW = 7, COLUMN = 8, CHANNEL = 9, ROW_BASE = 10, BASE = 11, DELTA = 12, DY_AT = 13, P = 14;
const VA = 15, VB = 16, VC = 17, VD = 18, BEST = 19, MA = 20, MB = 21, MC = 22, MD = 23, NEG_INF = 24, ZERO = 25, TAKEN = 26, GRAD = 27;

const op = (code: readonly number[]) => simd(code);
const add = (...parts: number[][]) => parts.flatMap((part, index) => (index === 0 ? part : [...part, OP.i32Add]));

function poolBody(kind: PoolKind): number[] {
  const load = (address: number[], into: number) => [...address, ...v128Load(0), ...set(into)];
  // BEST = bitselect(value, BEST, mask) where mask = value > BEST.
  const challenge = (value: number, mask: number, first: boolean) => [
    ...get(value), ...get(first ? NEG_INF : BEST), ...op(SIMD.f32x4Gt), ...set(mask),
    ...get(value), ...get(first ? NEG_INF : BEST), ...get(mask), ...op(SIMD.v128Bitselect), ...set(BEST),
  ];
  // dx at `address` = 0 + (dy & mask & ~TAKEN); then TAKEN |= mask.
  const route = (address: number[], mask: number, last: boolean) => [
    ...address, ...get(DELTA), OP.i32Add,
    ...get(ZERO), ...get(GRAD), ...get(mask), ...op(SIMD.v128And),
    ...(mask === MD ? [] : [...get(TAKEN), ...op(SIMD.v128AndNot)]),
    ...op(SIMD.f32x4Add), ...v128Store(0),
    ...(last ? [] : mask === MD ? [...get(MD), ...set(TAKEN)] : [...get(TAKEN), ...get(mask), ...op(SIMD.v128Or), ...set(TAKEN)]),
  ];
  const [a, b, c, d] = [get(P), add(get(P), get(CHANNEL_BYTES)), add(get(P), get(IN_ROW_BYTES)), add(get(P), get(IN_ROW_BYTES), get(CHANNEL_BYTES))];
  const vector = [
    ...get(BASE), ...get(CHANNEL), OP.i32Add, ...set(P),
    ...load(a, VA), ...load(b, VB), ...load(c, VC), ...load(d, VD),
    ...challenge(VA, MA, true), ...challenge(VB, MB, false), ...challenge(VC, MC, false),
    ...get(VD), ...get(BEST), ...op(SIMD.f32x4Gt), ...set(MD),
    ...(kind === 'forward'
      ? [...get(DY_AT), ...get(VD), ...get(BEST), ...get(MD), ...op(SIMD.v128Bitselect), ...v128Store(0)]
      : [...load(get(DY_AT), GRAD), ...route(d, MD, false), ...route(c, MC, false), ...route(b, MB, false), ...route(a, MA, true)]),
    ...get(DY_AT), ...constant(16), OP.i32Add, ...set(DY_AT),
  ];
  const column = [...get(ROW_BASE), ...get(COLUMN), ...get(CHANNEL_BYTES), OP.i32Mul, ...constant(1), OP.i32Shl, OP.i32Add, ...set(BASE), ...countedLoop(CHANNEL, CHANNEL_BYTES, constant(16), vector)];
  const row = [...get(X), ...get(ROW), ...get(IN_ROW_BYTES), OP.i32Mul, ...constant(1), OP.i32Shl, OP.i32Add, ...set(ROW_BASE), ...countedLoop(COLUMN, OUT_WIDTH, constant(1), column)];
  return [
    ...splatConstant(-Infinity), ...set(NEG_INF), ...splatConstant(0), ...set(ZERO),
    ...get(DX), ...get(X), OP.i32Sub, ...set(DELTA), ...get(DY), ...set(DY_AT),
    ...countedLoop(ROW, ROWS, constant(1), row),
    OP.end,
  ];
}

/** The module for `kind`: one function `pool` over an imported memory `env.memory`. @internal */
export function poolModuleBytes(kind: PoolKind): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('pool', Array<number>(7).fill(TYPE.i32), [[8, TYPE.i32], [13, TYPE.v128]], poolBody(kind));
}

/** `pool(x, yOrDy, dx, rows, outWidth, channelBytes, inRowBytes)` on byte addresses (one image). */
export type PoolFunction = (x: number, yOrDy: number, dx: number, rows: number, outWidth: number, channelBytes: number, inRowBytes: number) => void;

/** The `kind` loop running on `memory`, or `undefined` without WebAssembly SIMD (or for a memory it cannot import). */
export const poolOn: (memory: WebAssembly.Memory, kind: PoolKind) => PoolFunction | undefined = /* @__PURE__ */ functionsOnMemory('pool', poolModuleBytes);

/**
 * True when the loops apply: a 2x2 window with stride 2, no dilation, no padding before the
 * image, every window inside it, and channels a multiple of 4.
 */
export function isPool2x2(info: PoolInfo): boolean {
  return (
    info.filterHeight === 2 && info.filterWidth === 2 && info.strideHeight === 2 && info.strideWidth === 2 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && info.padInfo.top === 0 && info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight && info.outWidth * 2 <= info.inWidth && info.inChannels % 4 === 0 &&
    info.dataFormat === 'channelsLast'
  );
}

/** Byte addresses of the operands in one memory: `x`, `y` (forward) or `dy` (gradient), `dx` (gradient). */
export interface PoolAddresses {
  x: number;
  yOrDy: number;
  dx: number;
}

/** Runs `kind` over every image; for the gradient, zeros the elements no window covers first. */
export function poolInMemory(pool: PoolFunction, memory: WebAssembly.Memory, kind: PoolKind, at: PoolAddresses, info: PoolInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const inImage = inHeight * inWidth * inChannels * 4;
  const outImage = outHeight * outWidth * inChannels * 4;
  if (kind === 'gradient' && (outHeight * 2 < inHeight || outWidth * 2 < inWidth)) new Float32Array(memory.buffer, at.dx, batchSize * inImage / 4).fill(0);
  for (let image = 0; image < batchSize; image++) {
    pool(at.x + image * inImage, at.yOrDy + image * outImage, at.dx + image * inImage, outHeight, outWidth, inChannels * 4, inWidth * inChannels * 4);
  }
}

let ownMemory: WebAssembly.Memory | undefined;

/**
 * `kind` on plain arrays (the `cpu` backend), copied through a memory of this module's own:
 * the maxima `[N, H', W', C]` from `x`, or `dx` `[N, H, W, C]` from `x` and `dy`. `undefined`
 * without WebAssembly SIMD.
 */
export function poolArrays(kind: PoolKind, x: Float32Array, dyOrUndefined: Float32Array | undefined, info: PoolInfo): Float32Array | undefined {
  ownMemory ??= new WebAssembly.Memory({ initial: 1 });
  const pool = poolOn(ownMemory, kind);
  if (!pool) return undefined;
  const outCount = info.batchSize * info.outHeight * info.outWidth * info.inChannels;
  const bytes = (2 * x.length + outCount) * 4;
  if (ownMemory.buffer.byteLength < bytes) ownMemory.grow(Math.ceil((bytes - ownMemory.buffer.byteLength) / 65536));
  const floats = new Float32Array(ownMemory.buffer);
  floats.set(x, 0);
  const at = { x: 0, yOrDy: x.length * 4, dx: (x.length + outCount) * 4 };
  if (kind === 'gradient') floats.set(dyOrUndefined!, x.length);
  poolInMemory(pool, ownMemory, kind, at, info);
  return kind === 'forward' ? floats.slice(x.length, x.length + outCount) : floats.slice(x.length + outCount, 2 * x.length + outCount);
}
