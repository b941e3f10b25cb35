/**
 * GELU and its derivative (gelu.ts) as a WebAssembly SIMD loop over float32 lanes, 8 floats per
 * iteration as two independent quads: every operation of gelu.ts's JavaScript (A&S 7.1.26
 * `erf`, `exp(−x²/2)` by a Cody-Waite reduction and a degree-7 polynomial), in the same order,
 * each rounded to float32 as gelu.ts's `Math.fround` rounds it, so the results are bit for bit
 * gelu.ts's, without its per-element branches (the sign of `erf`).
 *
 * `2^k` is built from its exponent bits. Where `−x²/2 < −87` gelu.ts takes `Math.exp`; the loop
 * reports such lanes and the caller recomputes them with gelu.ts (they need |x| > 13).
 *
 * ```text
 * gelu(x, y, derivative, bytes) -> any |x| > 13   // byte addresses of float32; bytes: a multiple of 32
 * ```
 * @internal
 * @packageDocumentation
 */
import { GELU_FLOAT32, geluInto } from './gelu';
import { OP, TYPE, constant, countedLoop, functionsOnMemory, get, set, simd, singleFunctionModule, splatConstant, v128Load, v128Store } from './wasm-assembler';

const X = 0, Y = 1, D = 2, BYTES = 3, I = 4, FAR = 5;
/** The v128 locals of one quad of lanes; the loop runs two quads (8 floats) side by side. */
interface Quad { XV: number; U: number; V: number; KF: number; R: number; ACC: number; G: number; T: number; S: number; CDF: number }
const quadLocals = (first: number): Quad => ({ XV: first, U: first + 1, V: first + 2, KF: first + 3, R: first + 4, ACC: first + 5, G: first + 6, T: first + 7, S: first + 8, CDF: first + 9 });
const QUADS = [quadLocals(6), quadLocals(16)];

const f32x4 = {
  add: simd([0xe4, 0x01]), sub: simd([0xe5, 0x01]), mul: simd([0xe6, 0x01]), div: simd([0xe7, 0x01]),
  abs: simd([0xe0, 0x01]), neg: simd([0xe1, 0x01]), floor: simd([0x68]), lt: simd([0x43]), gt: simd([0x44]),
};
const bitselect = simd([0x52]);
const or = simd([0x50]);

/** GELU of the 4 floats at byte offset `offset` of the current 8, with the locals of `L`, in gelu.ts's order. */
function quadStep(offset: number, L: Quad): number[] {
  const c = GELU_FLOAT32;
  const at = (base: number) => [...get(base), ...get(I), OP.i32Add];
  const times = (by: number) => [...get(L.ACC), ...get(by), ...f32x4.mul, ...set(L.ACC)];
  const plus = (value: number) => [...get(L.ACC), ...splatConstant(value), ...f32x4.add, ...set(L.ACC)];
  const horner = (coefficients: readonly number[], variable: number) => [
    ...splatConstant(coefficients[0]), ...set(L.ACC),
    ...coefficients.slice(1).flatMap((coefficient) => [...times(variable), ...plus(coefficient)]),
  ];
  return [
    // x; u = x·√½; v = (−u)·u
    ...at(X), ...v128Load(offset), ...set(L.XV),
    ...get(L.XV), ...splatConstant(c.SQRT1_2), ...f32x4.mul, ...set(L.U),
    ...get(L.U), ...f32x4.neg, ...get(L.U), ...f32x4.mul, ...set(L.V),
    ...get(FAR), ...get(L.V), ...splatConstant(c.FAR), ...f32x4.lt, ...or, ...set(FAR),
    // k = floor(v·log2(e) + 0.5); r = (v − k·LN2_HI) − k·LN2_LO
    ...get(L.V), ...splatConstant(c.LOG2E), ...f32x4.mul, ...splatConstant(0.5), ...f32x4.add, ...f32x4.floor, ...set(L.KF),
    ...get(L.V), ...get(L.KF), ...splatConstant(c.LN2_HI), ...f32x4.mul, ...f32x4.sub, ...get(L.KF), ...splatConstant(c.LN2_LO), ...f32x4.mul, ...f32x4.sub, ...set(L.R),
    // p(r), Horner; g = p · 2^k (exponent bits: (k + 127) << 23)
    ...horner(c.EXP, L.R),
    ...get(L.ACC),
    ...get(L.KF), ...simd([0xf8, 0x01]), // i32x4.trunc_sat_f32x4_s
    OP.i32Const, ...[0xff, 0x00], ...simd([0x11]), ...simd([0xae, 0x01]), // i32.const 127 (signed LEB128), i32x4.splat, i32x4.add
    ...constant(23), ...simd([0xab, 0x01]), // i32x4.shl
    ...f32x4.mul, ...set(L.G),
    // t = 1 / (1 + ERF_P·|u|)
    ...splatConstant(1), ...splatConstant(1), ...splatConstant(c.ERF_P), ...get(L.U), ...f32x4.abs, ...f32x4.mul, ...f32x4.add, ...f32x4.div, ...set(L.T),
    // a = ((((ERF[0]·t + ERF[1])·t + ERF[2])·t + ERF[3])·t + ERF[4])·t·g
    ...horner(c.ERF, L.T), ...times(L.T), ...times(L.G),
    // sign(u): 1, −1, or u itself (±0, NaN)
    ...splatConstant(1), ...splatConstant(-1), ...get(L.U), ...get(L.U), ...splatConstant(0), ...f32x4.lt, ...bitselect,
    ...get(L.U), ...splatConstant(0), ...f32x4.gt, ...bitselect, ...set(L.S),
    // cdf = 0.5·(1 + sign·(1 − a))
    ...splatConstant(0.5), ...splatConstant(1), ...get(L.S), ...splatConstant(1), ...get(L.ACC), ...f32x4.sub, ...f32x4.mul, ...f32x4.add, ...f32x4.mul, ...set(L.CDF),
    // y = x·cdf; derivative = cdf + (x·g)·(1/√(2π))
    ...at(Y), ...get(L.XV), ...get(L.CDF), ...f32x4.mul, ...v128Store(offset),
    ...at(D), ...get(L.CDF), ...get(L.XV), ...get(L.G), ...f32x4.mul, ...splatConstant(c.INVERSE_SQRT_2PI), ...f32x4.mul, ...f32x4.add, ...v128Store(offset),
  ];
}

function geluBody(): number[] {
  const step = QUADS.flatMap((quad, index) => quadStep(16 * index, quad));
  return [...countedLoop(I, BYTES, constant(16 * QUADS.length), step), ...get(FAR), ...simd([0x53]), OP.end]; // v128.any_true
}

/** The module: one function `gelu` over an imported memory `env.memory`. @internal */
export function geluModuleBytes(): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('gelu', Array<number>(4).fill(TYPE.i32), [[1, TYPE.i32], [1 + 10 * QUADS.length, TYPE.v128]], geluBody(), [TYPE.i32]);
}

/** `gelu(x, y, derivative, bytes)` on byte addresses; nonzero when some lane needs gelu.ts's `Math.exp`. */
export type GeluFunction = (x: number, y: number, derivative: number, bytes: number) => number;

const on = /* @__PURE__ */ functionsOnMemory<'gelu', GeluFunction>('gelu', geluModuleBytes);

/** The `gelu` loop on `memory`, or `undefined` without WebAssembly SIMD (or for a memory it cannot import). */
export function geluOn(memory: WebAssembly.Memory): GeluFunction | undefined {
  return on(memory, 'gelu');
}

/**
 * GELU and its derivative of `count` float32 at byte address `x` into `y` and `derivative`
 * (all in `memory`): the loop over multiples of 4, gelu.ts for the rest and for the lanes the
 * loop reports. Bit for bit gelu.ts's `geluArrays`.
 */
export function geluInMemory(gelu: GeluFunction, memory: WebAssembly.Memory, x: number, y: number, derivative: number, count: number): void {
  const vectorCount = count & ~(4 * QUADS.length - 1);
  const far = gelu(x, y, derivative, vectorCount * 4);
  if (!far && vectorCount === count) return;
  const view = (address: number) => new Float32Array(memory.buffer, address, count);
  const [xs, ys, ds] = [view(x), view(y), view(derivative)];
  if (far) geluInto(xs, ys, ds, 0, vectorCount, true);
  geluInto(xs, ys, ds, vectorCount, count);
}

let ownMemory: WebAssembly.Memory | undefined;

/** {@link geluInMemory} on a plain array (the `cpu` backend) through a memory of this module's own; `undefined` without SIMD. */
export function geluArraysSimd(x: Float32Array): { y: Float32Array; derivative: Float32Array } | undefined {
  ownMemory ??= new WebAssembly.Memory({ initial: 1 });
  const gelu = geluOn(ownMemory);
  if (!gelu) return undefined;
  const count = x.length;
  const bytes = 3 * count * 4;
  if (ownMemory.buffer.byteLength < bytes) ownMemory.grow(Math.ceil((bytes - ownMemory.buffer.byteLength) / 65536));
  new Float32Array(ownMemory.buffer).set(x);
  geluInMemory(gelu, ownMemory, 0, count * 4, count * 8, count);
  const floats = new Float32Array(ownMemory.buffer);
  return { y: floats.slice(count, 2 * count), derivative: floats.slice(2 * count, 3 * count) };
}
