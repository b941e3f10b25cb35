/**
 * GELU and its derivative (gelu.ts) as a WebAssembly SIMD loop over float64 lanes, 8 floats per
 * iteration as four independent pairs:
 * every operation of gelu.ts's JavaScript (A&S 7.1.26 `erf`, `exp(−x²/2)` by range reduction
 * and a degree-7 polynomial), in the same order and precision, so the results are bit for bit
 * gelu.ts's, without its per-element branches (the sign of `erf`, the table lookup).
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
import { geluInto } from './gelu';
import { OP, TYPE, constant, countedLoop, functionsOnMemory, get, leb, set, simd, singleFunctionModule, splatFloat64 } from './wasm-assembler';

const X = 0, Y = 1, D = 2, BYTES = 3, I = 4, FAR = 5;
/** The v128 locals of one pair of lanes; the loop runs two pairs (4 floats) side by side. */
interface Pair { XV: number; U: number; V: number; KF: number; R: number; ACC: number; G: number; T: number; S: number; CDF: number }
const pairLocals = (first: number): Pair => ({ XV: first, U: first + 1, V: first + 2, KF: first + 3, R: first + 4, ACC: first + 5, G: first + 6, T: first + 7, S: first + 8, CDF: first + 9 });
const PAIRS = [pairLocals(6), pairLocals(16), pairLocals(26), pairLocals(36)];

const f64 = {
  add: simd([0xf0, 0x01]), sub: simd([0xf1, 0x01]), mul: simd([0xf2, 0x01]), div: simd([0xf3, 0x01]),
  abs: simd([0xec, 0x01]), neg: simd([0xed, 0x01]), floor: simd([0x75]), lt: simd([0x49]), gt: simd([0x4a]),
};
const bitselect = simd([0x52]);
const or = simd([0x50]);

/** GELU of the 2 floats at byte offset `offset` of the current 4, with the locals of `L`, in gelu.ts's order. */
function pairStep(offset: number, L: Pair): number[] {
  const at = (base: number) => [...get(base), ...get(I), OP.i32Add];
  const times = (by: number) => [...get(L.ACC), ...get(by), ...f64.mul, ...set(L.ACC)];
  const plus = (value: number) => [...splatFloat64(value), ...get(L.ACC), ...f64.add, ...set(L.ACC)];
  return [
    // x (2 floats, promoted); u = x·√½; v = (−u)·u
    ...at(X), ...simd([0x5d]), 2, ...leb(offset), ...simd([0x5f]), ...set(L.XV), // v128.load64_zero, f64x2.promote_low_f32x4
    ...get(L.XV), ...splatFloat64(Math.SQRT1_2), ...f64.mul, ...set(L.U),
    ...get(L.U), ...f64.neg, ...get(L.U), ...f64.mul, ...set(L.V),
    ...get(FAR), ...get(L.V), ...splatFloat64(-87), ...f64.lt, ...or, ...set(FAR),
    // k = floor(v·log2(e) + 0.5); r = v − k·ln 2
    ...get(L.V), ...splatFloat64(Math.LOG2E), ...f64.mul, ...splatFloat64(0.5), ...f64.add, ...f64.floor, ...set(L.KF),
    ...get(L.V), ...get(L.KF), ...splatFloat64(Math.LN2), ...f64.mul, ...f64.sub, ...set(L.R),
    // p = 1 + r·(1 + r·(1/2 + r·(1/6 + r·(1/24 + r·(1/120 + r·(1/720 + r·(1/5040)))))))
    ...splatFloat64(1 / 5040), ...set(L.ACC),
    ...times(L.R), ...plus(1 / 720), ...times(L.R), ...plus(1 / 120), ...times(L.R), ...plus(1 / 24), ...times(L.R), ...plus(1 / 6),
    ...times(L.R), ...plus(0.5), ...times(L.R), ...plus(1), ...times(L.R), ...plus(1),
    // g = p · 2^k (exponent bits: (k + 1023) << 52)
    ...get(L.ACC),
    ...get(L.KF), ...simd([0xfc, 0x01]), ...simd([0xc7, 0x01]), // i32x4.trunc_sat_f64x2_s_zero, i64x2.extend_low_i32x4_s
    0x42, ...leb(1023), ...simd([0x12]), ...simd([0xce, 0x01]), // i64.const 1023 (its signed LEB128 is the unsigned one), i64x2.splat, i64x2.add
    ...constant(52), ...simd([0xcb, 0x01]), // i64x2.shl
    ...f64.mul, ...set(L.G),
    // t = 1 / (1 + 0.3275911·|u|)
    ...splatFloat64(1), ...splatFloat64(1), ...splatFloat64(0.3275911), ...get(L.U), ...f64.abs, ...f64.mul, ...f64.add, ...f64.div, ...set(L.T),
    // a = (((((1.061405429·t − 1.453152027)·t) + 1.421413741)·t − 0.284496736)·t + 0.254829592)·t·g
    ...splatFloat64(1.061405429), ...set(L.ACC), ...times(L.T), ...plus(-1.453152027), ...times(L.T), ...plus(1.421413741),
    ...times(L.T), ...plus(-0.284496736), ...times(L.T), ...plus(0.254829592), ...times(L.T), ...times(L.G),
    // sign(u): 1, −1, or u itself (±0, NaN)
    ...splatFloat64(1), ...splatFloat64(-1), ...get(L.U), ...get(L.U), ...splatFloat64(0), ...f64.lt, ...bitselect,
    ...get(L.U), ...splatFloat64(0), ...f64.gt, ...bitselect, ...set(L.S),
    // cdf = 0.5·(1 + sign·(1 − a))
    ...splatFloat64(0.5), ...splatFloat64(1), ...get(L.S), ...splatFloat64(1), ...get(L.ACC), ...f64.sub, ...f64.mul, ...f64.add, ...f64.mul, ...set(L.CDF),
    // y = x·cdf; derivative = cdf + x·g·(1/√(2π))
    ...at(Y), ...get(L.XV), ...get(L.CDF), ...f64.mul, ...simd([0x5e]), ...simd([0x5b]), 2, ...leb(offset), 0, // f32x4.demote_f64x2_zero, v128.store64_lane 0
    ...at(D), ...get(L.CDF), ...get(L.XV), ...get(L.G), ...f64.mul, ...splatFloat64(1 / Math.sqrt(2 * Math.PI)), ...f64.mul, ...f64.add,
    ...simd([0x5e]), ...simd([0x5b]), 2, ...leb(offset), 0,
  ];
}

function geluBody(): number[] {
  const step = PAIRS.flatMap((pair, index) => pairStep(8 * index, pair));
  return [...countedLoop(I, BYTES, constant(8 * PAIRS.length), step), ...get(FAR), ...simd([0x53]), OP.end]; // v128.any_true
}

/** The module: one function `gelu` over an imported memory `env.memory`. @internal */
export function geluModuleBytes(): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('gelu', Array<number>(4).fill(TYPE.i32), [[1, TYPE.i32], [1 + 10 * PAIRS.length, TYPE.v128]], geluBody(), [TYPE.i32]);
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
  const vectorCount = count & ~(2 * PAIRS.length - 1);
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
