/**
 * The element-wise optimizer update of Adam / AdamW as a WebAssembly SIMD loop, four floats
 * per instruction. Each operation is the float32 operation of the composite tensor ops, in
 * their order (tfjs's cpu ops round every result to float32 too), so the numbers are
 * bit-identical to `compositeAdamUpdate` in @tensorzoo/optimizers:
 *
 * ```text
 * p = p · shrink                          (AdamW: 1 − lr·weightDecay; 1 otherwise, exact)
 * m = m·β1 + g·(1 − β1)
 * v = v·β2 + (g·g)·(1 − β2)
 * p = p − (m / (√v / √(1 − β2ᵗ) + ε)) · lr / (1 − β1ᵗ)
 * ```
 *
 * The module imports its memory: on `wasm` it is tfjs-wasm's own heap (the kernel reads and
 * writes the tensors where they are, no copies); on `cpu` it is a memory of its own that the
 * arrays are copied through. Elements past the last multiple of 4 are computed in JavaScript
 * with `Math.fround` after every operation (the same float32 results).
 * @internal
 * @packageDocumentation
 */
import { OP, SIMD, TYPE, countedLoop, functionsOnMemory, get, set, simd, singleFunctionModule, splatConstant, constant, v128Load, v128Store } from './wasm-assembler';

// Locals: 8 i32 parameters (byte addresses and the byte count), 8 f32 parameters, then the
// loop index and the v128 values.
const P = 0, G = 1, M = 2, V = 3, OUT_P = 4, OUT_M = 5, OUT_V = 6, BYTES = 7;
const SCALARS = [8, 9, 10, 11, 12, 13, 14, 15]; // beta1, 1 − beta1, beta2, 1 − beta2, shrink, step size, √(bias correction 2), eps
const I = 16;
const SPLAT = [17, 18, 19, 20, 21, 22, 23, 24];
const [BETA1, TAKE1, BETA2, TAKE2, SHRINK, STEP_SIZE, CORRECTION2, EPS] = SPLAT;
const PARAMETER = 25, GRADIENT = 26, AVERAGE = 27, SQUARES = 28;

const at = (base: number) => [...get(base), ...get(I), OP.i32Add];
const op = (code: readonly number[]) => simd(code);

function adamBody(): number[] {
  const splats = SCALARS.flatMap((scalar, index) => [...get(scalar), ...op(SIMD.f32x4Splat), ...set(SPLAT[index])]);
  const step = [
    // p = p·shrink; g
    ...at(P), ...v128Load(0), ...get(SHRINK), ...op(SIMD.f32x4Mul), ...set(PARAMETER),
    ...at(G), ...v128Load(0), ...set(GRADIENT),
    // m = m·β1 + g·(1 − β1)
    ...at(M), ...v128Load(0), ...get(BETA1), ...op(SIMD.f32x4Mul), ...get(GRADIENT), ...get(TAKE1), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Add), ...set(AVERAGE),
    // v = v·β2 + (g·g)·(1 − β2)
    ...at(V), ...v128Load(0), ...get(BETA2), ...op(SIMD.f32x4Mul),
    ...get(GRADIENT), ...get(GRADIENT), ...op(SIMD.f32x4Mul), ...get(TAKE2), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Add), ...set(SQUARES),
    ...at(OUT_M), ...get(AVERAGE), ...v128Store(0),
    ...at(OUT_V), ...get(SQUARES), ...v128Store(0),
    // p − (m / (√v / c2 + ε)) · stepSize
    ...at(OUT_P), ...get(PARAMETER),
    ...get(AVERAGE), ...get(SQUARES), ...op(SIMD.f32x4Sqrt), ...get(CORRECTION2), ...op(SIMD.f32x4Div), ...get(EPS), ...op(SIMD.f32x4Add), ...op(SIMD.f32x4Div),
    ...get(STEP_SIZE), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Sub), ...v128Store(0),
  ];
  return [...splats, ...countedLoop(I, BYTES, constant(16), step), OP.end];
}

/**
 * A module that imports its memory (`env.memory`) and exports one function `exportName`
 * taking `integers` i32 then `floats` f32 parameters, with one i32 and `vectors` v128 locals.
 */
function loopModule(exportName: string, integers: number, floats: number, vectors: number, body: number[]): Uint8Array<ArrayBuffer> {
  const parameters = [...Array<number>(integers).fill(TYPE.i32), ...Array<number>(floats).fill(TYPE.f32)];
  return singleFunctionModule(exportName, parameters, [[1, TYPE.i32], [vectors, TYPE.v128]], body);
}

/** The module: `adam` over an imported memory `env.memory`. @internal */
export function elementwiseModuleBytes(): Uint8Array<ArrayBuffer> {
  return loopModule('adam', 8, 8, 12, adamBody());
}

/** Which parts of torch's SGD step a specialised `sgd` loop has (one module per combination). */
export interface SgdFlags {
  decay: boolean;
  momentum: boolean;
  /** A momentum buffer from the previous step (without one, the buffer starts as `d`). */
  buffer: boolean;
  nesterov: boolean;
}

// sgd(p, g, buffer, outP, outBuffer, bytes, weightDecay, momentum, 1 − dampening, lr)
const S_P = 0, S_G = 1, S_BUFFER = 2, S_OUT_P = 3, S_OUT_BUFFER = 4, S_BYTES = 5;
const S_SCALARS = [6, 7, 8, 9];
const S_I = 10;
const [S_DECAY, S_MOMENTUM, S_KEEP, S_LR] = [11, 12, 13, 14];
const S_PARAMETER = 15, S_DIRECTION = 16, S_BUFFER_VALUE = 17;

/**
 * The loop of one SGD step, specialised to `flags`, each operation the float32 operation of
 * the composite ops in their order (sgd.ts):
 * `d = g + p·wd; b = b·momentum + d·(1 − dampening) (or d); d = nesterov ? d + b·momentum : b; p = p − d·lr`.
 */
function sgdBody(flags: SgdFlags): number[] {
  const splats = S_SCALARS.flatMap((scalar, index) => [...get(scalar), ...op(SIMD.f32x4Splat), ...set([S_DECAY, S_MOMENTUM, S_KEEP, S_LR][index])]);
  const atS = (base: number) => [...get(base), ...get(S_I), OP.i32Add];
  const step = [
    ...atS(S_P), ...v128Load(0), ...set(S_PARAMETER),
    ...atS(S_G), ...v128Load(0),
    ...(flags.decay ? [...get(S_PARAMETER), ...get(S_DECAY), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Add)] : []),
    ...set(S_DIRECTION),
  ];
  if (flags.momentum) {
    step.push(
      ...(flags.buffer
        ? [...atS(S_BUFFER), ...v128Load(0), ...get(S_MOMENTUM), ...op(SIMD.f32x4Mul), ...get(S_DIRECTION), ...get(S_KEEP), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Add)]
        : get(S_DIRECTION)),
      ...set(S_BUFFER_VALUE),
      ...atS(S_OUT_BUFFER), ...get(S_BUFFER_VALUE), ...v128Store(0),
      ...(flags.nesterov ? [...get(S_DIRECTION), ...get(S_BUFFER_VALUE), ...get(S_MOMENTUM), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Add)] : get(S_BUFFER_VALUE)),
      ...set(S_DIRECTION),
    );
  }
  step.push(...atS(S_OUT_P), ...get(S_PARAMETER), ...get(S_DIRECTION), ...get(S_LR), ...op(SIMD.f32x4Mul), ...op(SIMD.f32x4Sub), ...v128Store(0));
  return [...splats, ...countedLoop(S_I, S_BYTES, constant(16), step), OP.end];
}

/** The module with one function `sgd` for `flags`, over an imported memory `env.memory`. @internal */
export function sgdModuleBytes(flags: SgdFlags): Uint8Array<ArrayBuffer> {
  return loopModule('sgd', 6, 4, 7, sgdBody(flags));
}

/** `sgd(p, g, buffer, outP, outBuffer, bytes, weightDecay, momentum, keep, lr)` on byte addresses. */
export type SgdFunction = (p: number, g: number, buffer: number, outP: number, outBuffer: number, bytes: number, weightDecay: number, momentum: number, keep: number, lr: number) => void;

const sgdModules = new Map<string, WebAssembly.Module | null>();
const sgdInstances = new WeakMap<WebAssembly.Memory, Map<string, SgdFunction>>();

/** The `sgd` loop for `flags` on `memory`, or `undefined` without SIMD (or for a memory it cannot import). */
export function sgdOn(memory: WebAssembly.Memory, flags: SgdFlags): SgdFunction | undefined {
  const key = `${+flags.decay}${+flags.momentum}${+flags.buffer}${+flags.nesterov}`;
  let perMemory = sgdInstances.get(memory);
  const found = perMemory?.get(key);
  if (found) return found;
  if (!sgdModules.has(key)) {
    try {
      const bytes = sgdModuleBytes(flags);
      sgdModules.set(key, typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
    } catch {
      sgdModules.set(key, null);
    }
  }
  const module = sgdModules.get(key);
  if (!module) return undefined;
  try {
    const sgd = new WebAssembly.Instance(module, { env: { memory } }).exports.sgd as SgdFunction;
    if (!perMemory) sgdInstances.set(memory, (perMemory = new Map()));
    perMemory.set(key, sgd);
    return sgd;
  } catch {
    return undefined;
  }
}

/** Scalars of one Adam step, as the composite ops round them (float32). */
export interface AdamScalars {
  beta1: number;
  take1: number;
  beta2: number;
  take2: number;
  shrink: number;
  stepSize: number;
  correction2: number;
  eps: number;
}

/** `adam(p, g, m, v, outP, outM, outV, bytes, ...scalars)` on byte addresses of one memory. */
export type AdamFunction = (p: number, g: number, m: number, v: number, outP: number, outM: number, outV: number, bytes: number, ...scalars: number[]) => void;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or `undefined` where WebAssembly SIMD is unavailable or blocked. */
function elementwiseModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) {
    try {
      const bytes = elementwiseModuleBytes();
      compiled = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null; // e.g. a content security policy without 'wasm-unsafe-eval'
    }
  }
  return compiled ?? undefined;
}

const instances = new WeakMap<WebAssembly.Memory, AdamFunction>();

/** `adam` running on `memory` (one instance per memory), or `undefined` without SIMD (or for a memory it cannot import, e.g. a shared one). */
export function adamOn(memory: WebAssembly.Memory): AdamFunction | undefined {
  let adam = instances.get(memory);
  if (!adam) {
    const module = elementwiseModule();
    if (!module) return undefined;
    try {
      adam = new WebAssembly.Instance(module, { env: { memory } }).exports.adam as AdamFunction;
    } catch {
      return undefined;
    }
    instances.set(memory, adam);
  }
  return adam;
}

/** Byte addresses of one Adam step's tensors in a memory, and their element count. */
export interface AdamAddresses {
  parameter: number;
  gradient: number;
  expAvg: number;
  expAvgSq: number;
  outParameter: number;
  outExpAvg: number;
  outExpAvgSq: number;
  count: number;
}

/** One Adam step on tensors in `memory`: SIMD over the multiples of 4, JavaScript for the rest. */
export function adamInMemory(adam: AdamFunction, memory: WebAssembly.Memory, at: AdamAddresses, scalars: AdamScalars): void {
  const vectorCount = at.count & ~3;
  const s = scalars;
  adam(at.parameter, at.gradient, at.expAvg, at.expAvgSq, at.outParameter, at.outExpAvg, at.outExpAvgSq, vectorCount * 4, s.beta1, s.take1, s.beta2, s.take2, s.shrink, s.stepSize, s.correction2, s.eps);
  if (vectorCount === at.count) return;
  const view = (address: number) => new Float32Array(memory.buffer, address, at.count);
  adamTail(
    { parameter: view(at.parameter), gradient: view(at.gradient), expAvg: view(at.expAvg), expAvgSq: view(at.expAvgSq) },
    { parameter: view(at.outParameter), expAvg: view(at.outExpAvg), expAvgSq: view(at.outExpAvgSq) },
    scalars,
    vectorCount,
    at.count,
  );
}

let ownMemory: WebAssembly.Memory | undefined;

/**
 * One Adam step on plain arrays (the `cpu` backend), copied through a memory of this module's
 * own; `undefined` without WebAssembly SIMD.
 */
export function adamArrays(
  arrays: { parameter: Float32Array; gradient: Float32Array; expAvg: Float32Array; expAvgSq: Float32Array },
  scalars: AdamScalars,
): { parameter: Float32Array; expAvg: Float32Array; expAvgSq: Float32Array } | undefined {
  ownMemory ??= new WebAssembly.Memory({ initial: 1 });
  const adam = adamOn(ownMemory);
  if (!adam) return undefined;
  const count = arrays.parameter.length;
  const bytes = 7 * count * 4;
  if (ownMemory.buffer.byteLength < bytes) ownMemory.grow(Math.ceil((bytes - ownMemory.buffer.byteLength) / 65536));
  const floats = new Float32Array(ownMemory.buffer);
  const inputs = [arrays.parameter, arrays.gradient, arrays.expAvg, arrays.expAvgSq];
  inputs.forEach((values, index) => floats.set(values, index * count));
  const address = (index: number) => index * count * 4;
  adamInMemory(adam, ownMemory, { parameter: address(0), gradient: address(1), expAvg: address(2), expAvgSq: address(3), outParameter: address(4), outExpAvg: address(5), outExpAvgSq: address(6), count }, scalars);
  const output = (index: number) => floats.slice(index * count, (index + 1) * count);
  return { parameter: output(4), expAvg: output(5), expAvgSq: output(6) };
}

/** The same step for elements `[from, to)` of plain arrays, each operation rounded to float32. */
export function adamTail(
  arrays: { parameter: Float32Array; gradient: Float32Array; expAvg: Float32Array; expAvgSq: Float32Array },
  outputs: { parameter: Float32Array; expAvg: Float32Array; expAvgSq: Float32Array },
  s: AdamScalars,
  from: number,
  to: number,
): void {
  const f = Math.fround;
  for (let i = from; i < to; i++) {
    const p = f(arrays.parameter[i] * s.shrink);
    const g = arrays.gradient[i];
    const m = f(f(arrays.expAvg[i] * s.beta1) + f(g * s.take1));
    const v = f(f(arrays.expAvgSq[i] * s.beta2) + f(f(g * g) * s.take2));
    outputs.expAvg[i] = m;
    outputs.expAvgSq[i] = v;
    outputs.parameter[i] = f(p - f(f(m / f(f(f(Math.sqrt(v)) / s.correction2) + s.eps)) * s.stepSize));
  }
}

/** Float32 scalars of an Adam step (the values `tf.mul(x, scalar)` etc. would use). */
export function adamScalars(settings: { lr: number; step: number; beta1: number; beta2: number; eps: number; weightDecay: number; decoupled: boolean }): AdamScalars {
  const f = Math.fround;
  const { lr, step, beta1, beta2, eps, weightDecay, decoupled } = settings;
  return {
    beta1: f(beta1),
    take1: f(1 - beta1),
    beta2: f(beta2),
    take2: f(1 - beta2),
    shrink: decoupled && weightDecay !== 0 ? f(1 - lr * weightDecay) : 1,
    stepSize: f(lr / (1 - beta1 ** step)),
    correction2: f(Math.sqrt(1 - beta2 ** step)),
    eps: f(eps),
  };
}

// reluGrad(dy, x, out, bytes): out = dy · step(x), step(x) = x > 0 ? 1 : x is NaN ? NaN : 0
// (tfjs's `Step`, then `Multiply`).
const R_DY = 0, R_X = 1, R_OUT = 2, R_BYTES = 3, R_I = 4, R_ONE = 5, R_ZERO = 6, R_VALUE = 7;

function reluGradBody(): number[] {
  const atR = (base: number) => [...get(base), ...get(R_I), OP.i32Add];
  const step = [
    ...atR(R_X), ...v128Load(0), ...set(R_VALUE),
    ...atR(R_OUT),
    ...atR(R_DY), ...v128Load(0),
    // NaN lanes keep x (NaN); the others take 1 where x > 0, else 0.
    ...get(R_VALUE),
    ...get(R_ONE), ...get(R_ZERO), ...get(R_VALUE), ...get(R_ZERO), ...op(SIMD.f32x4Gt), ...op(SIMD.v128Bitselect),
    ...get(R_VALUE), ...get(R_VALUE), ...op(SIMD.f32x4Ne), ...op(SIMD.v128Bitselect),
    ...op(SIMD.f32x4Mul), ...v128Store(0),
  ];
  return [...splatConstant(1), ...set(R_ONE), ...countedLoop(R_I, R_BYTES, constant(16), step), OP.end];
}

/** The module with one function `reluGrad` over an imported memory `env.memory`. @internal */
export function reluGradModuleBytes(): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('reluGrad', Array<number>(4).fill(TYPE.i32), [[1, TYPE.i32], [3, TYPE.v128]], reluGradBody());
}

/** `reluGrad(dy, x, out, bytes)` on byte addresses (`bytes` a multiple of 16). */
export type ReluGradFunction = (dy: number, x: number, out: number, bytes: number) => void;

/** The `reluGrad` loop on `memory`, or `undefined` without SIMD (or for a memory it cannot import). */
export const reluGradOn: (memory: WebAssembly.Memory) => ReluGradFunction | undefined = /* @__PURE__ */ (() => {
  const on = functionsOnMemory<'reluGrad', ReluGradFunction>('reluGrad', reluGradModuleBytes);
  return (memory: WebAssembly.Memory) => on(memory, 'reluGrad');
})();

// multiply(a, b, out, bytes): out = a · b, float32 (tfjs's `Multiply`; GELU's gradient).
function multiplyBody(): number[] {
  const [a, b, out, bytes, i] = [0, 1, 2, 3, 4];
  const atM = (base: number) => [...get(base), ...get(i), OP.i32Add];
  return [...countedLoop(i, bytes, constant(16), [...atM(out), ...atM(a), ...v128Load(0), ...atM(b), ...v128Load(0), ...op(SIMD.f32x4Mul), ...v128Store(0)]), OP.end];
}

/** The module with one function `multiply` over an imported memory `env.memory`. @internal */
export function multiplyModuleBytes(): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('multiply', Array<number>(4).fill(TYPE.i32), [[1, TYPE.i32]], multiplyBody());
}

/** `multiply(a, b, out, bytes)` on byte addresses (`bytes` a multiple of 16). */
export type MultiplyFunction = (a: number, b: number, out: number, bytes: number) => void;

/** The `multiply` loop on `memory`, or `undefined` without SIMD (or for a memory it cannot import). */
export const multiplyOn: (memory: WebAssembly.Memory) => MultiplyFunction | undefined = /* @__PURE__ */ (() => {
  const on = functionsOnMemory<'multiply', MultiplyFunction>('multiply', multiplyModuleBytes);
  return (memory: WebAssembly.Memory) => on(memory, 'multiply');
})();

// leakyReluGrad(dy, x, out, bytes, alpha): out = x > 0 ? dy : dy · alpha (tfjs's Greater, Multiply, Select).
function leakyReluGradBody(): number[] {
  const [dy, x, out, bytes, alpha, i, alphas, zero, gradient] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const atL = (base: number) => [...get(base), ...get(i), OP.i32Add];
  const step = [
    ...atL(out),
    ...atL(dy), ...v128Load(0), ...set(gradient),
    ...get(gradient), ...get(gradient), ...get(alphas), ...op(SIMD.f32x4Mul),
    ...atL(x), ...v128Load(0), ...get(zero), ...op(SIMD.f32x4Gt), ...op(SIMD.v128Bitselect),
    ...v128Store(0),
  ];
  return [...get(alpha), ...op(SIMD.f32x4Splat), ...set(alphas), ...countedLoop(i, bytes, constant(16), step), OP.end];
}

/** The module with one function `leakyReluGrad` over an imported memory `env.memory`. @internal */
export function leakyReluGradModuleBytes(): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('leakyReluGrad', [...Array<number>(4).fill(TYPE.i32), TYPE.f32], [[1, TYPE.i32], [3, TYPE.v128]], leakyReluGradBody());
}

/** `leakyReluGrad(dy, x, out, bytes, alpha)` on byte addresses (`bytes` a multiple of 16). */
export type LeakyReluGradFunction = (dy: number, x: number, out: number, bytes: number, alpha: number) => void;

/** The `leakyReluGrad` loop on `memory`, or `undefined` without SIMD (or for a memory it cannot import). */
export const leakyReluGradOn: (memory: WebAssembly.Memory) => LeakyReluGradFunction | undefined = /* @__PURE__ */ (() => {
  const on = functionsOnMemory<'leakyReluGrad', LeakyReluGradFunction>('leakyReluGrad', leakyReluGradModuleBytes);
  return (memory: WebAssembly.Memory) => on(memory, 'leakyReluGrad');
})();
