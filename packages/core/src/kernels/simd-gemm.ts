/**
 * The matrix product of gemm.ts as a 400-byte WebAssembly SIMD module, about 3-4 times
 * faster than the TypeScript loop. It is assembled here from named opcodes (no build
 * step, no binary blob), compiled synchronously on first use, and skipped where
 * WebAssembly SIMD is missing (the TypeScript {@link gemm} then runs instead).
 *
 * The exported function adds a product into `C`, 4 rows x 8 columns per tile:
 *
 * ```text
 * gemm(a, aRowStride, aDepthStride, b, c, ldc, rows, panels, depth)   // byte addresses/strides
 *   for i in 0, 4, .., rows - 4:          // rows: a multiple of 4
 *     for p in 0 .. panels - 1:           // B packed by packPanels: panel p at b + p·depth·32
 *       C[i..i+3, 8p..8p+7] += Σ_k A(i..i+3, k) · B(k, 8p..8p+7)
 * ```
 *
 * with `A(i, k)` the float32 at `a + i·aRowStride + k·aDepthStride` and `C` rows `ldc` bytes
 * apart. Eight `f32x4` accumulators hold the tile; each step loads one 8-wide row of `B`
 * and broadcasts one value of each of the 4 rows of `A` (`v128.load32_splat`: a load-port
 * broadcast, 26 -> 32 GFLOPS over `f32.load` + `f32x4.splat` on the 512^3 product here). Arithmetic is float32 (like
 * tfjs's own kernels).
 *
 * Where the runtime has relaxed SIMD (Chrome and Edge 114+, Firefox 146+; Node 22+, and Node 20 behind
 * `--experimental-wasm-relaxed-simd`), each multiply-add is one `f32x4.relaxed_madd`, a
 * fused multiply-add on CPUs with FMA (one rounding instead of two) and twice the arithmetic
 * per instruction; elsewhere the module is assembled with `f32x4.mul` + `f32x4.add`.
 * @internal
 * @packageDocumentation
 */

import { ArgumentError } from '../errors';
import { GemmThreadPool, MAX_THREADS, threadsUnavailableReason, type ProductFunction } from './gemm-threads';

import { OP, SIMD, constant, countedLoop, get, increment, leb, name, set, simd, sized, splatConstant, tee, v128Load, v128Store } from './wasm-assembler';

export { threadsUnavailableReason } from './gemm-threads';

// Local variable indices: the 9 parameters, then scratch i32s, then v128s.
const A = 0, A_ROW_STRIDE = 1, A_DEPTH_STRIDE = 2, B = 3, C = 4, LDC = 5, ROWS = 6, PANELS = 7, DEPTH = 8;
const I = 9, PANEL = 10, K = 11, A_AT = 12, B_AT = 13, C_TILE = 14, C_ROW = 15, A_ROW2 = 16, A_ROW3 = 17;
const I32_SCRATCH = 9;
const ACC = [18, 19, 20, 21, 22, 23, 24, 25]; // row r: ACC[2r] (columns 0-3), ACC[2r + 1] (4-7)
const B_LOW = 26, B_HIGH = 27, X = 28;
const V128_SCRATCH = 11;

/** Loads (or stores) the 4 x 8 tile at `C_TILE` into (from) the accumulators. */
function tileTransfer(store: boolean): number[] {
  const code: number[] = [...get(C_TILE), ...set(C_ROW)];
  for (let row = 0; row < 4; row++) {
    const address = row === 0 ? get(C_ROW) : [...get(C_ROW), ...get(LDC), OP.i32Add, ...tee(C_ROW)];
    for (const half of [0, 1]) {
      const at = half === 0 ? address : get(C_ROW);
      code.push(...(store ? [...at, ...get(ACC[2 * row + half]), ...v128Store(16 * half)] : [...at, ...v128Load(16 * half), ...set(ACC[2 * row + half])]));
    }
  }
  return code;
}

/** One depth step: `acc[r] += splat(A(i + r, k)) · B(k, 0..7)` for the 4 rows; one relaxed multiply-add each when `fused`. */
function depthStep(fused: boolean): number[] {
  const code: number[] = [...get(B_AT), ...v128Load(0), ...set(B_LOW), ...get(B_AT), ...v128Load(16), ...set(B_HIGH)];
  const rowAddress = [get(A_AT), [...get(A_AT), ...get(A_ROW_STRIDE), OP.i32Add], [...get(A_AT), ...get(A_ROW2), OP.i32Add], [...get(A_AT), ...get(A_ROW3), OP.i32Add]];
  for (let row = 0; row < 4; row++) {
    code.push(...rowAddress[row], ...simd([0x09]), 2, 0, ...set(X)); // v128.load32_splat
    for (const [half, bLocal] of [[0, B_LOW], [1, B_HIGH]]) {
      const acc = ACC[2 * row + half];
      if (fused) code.push(...get(X), ...get(bLocal), ...get(acc), ...simd(SIMD.f32x4RelaxedMadd), ...set(acc));
      else code.push(...get(acc), ...get(X), ...get(bLocal), ...simd(SIMD.f32x4Mul), ...simd(SIMD.f32x4Add), ...set(acc));
    }
  }
  code.push(...increment(B_AT, constant(32)), ...increment(A_AT, get(A_DEPTH_STRIDE)));
  return code;
}

/**
 * The function body of `gemm` (row tiles outer, panels inner: for a packed `B` that stays in
 * the L2 cache) or, with `panelsOuter`, of `gemm_panels` (each panel of `B` stays in the L1
 * cache while every row tile of `A` passes it: for a deep or wide `B`).
 */
function gemmBody(fused: boolean, panelsOuter: boolean, overwrite = false): number[] {
  // `overwrite` (gemm_store, gemm_panels_store): C = A·B, the tile starts from zeros instead of C.
  const start = overwrite ? ACC.flatMap((acc) => [...splatConstant(0), ...set(acc)]) : tileTransfer(false);
  const panelBody = [
    // C_TILE = c + i·ldc + panel·32
    ...get(C), ...get(I), ...get(LDC), OP.i32Mul, OP.i32Add, ...get(PANEL), ...constant(5), OP.i32Shl, OP.i32Add, ...set(C_TILE),
    ...start,
    // A_AT = a + i·aRowStride; B_AT = b + panel·depth·32
    ...get(A), ...get(I), ...get(A_ROW_STRIDE), OP.i32Mul, OP.i32Add, ...set(A_AT),
    ...get(B), ...get(PANEL), ...get(DEPTH), OP.i32Mul, ...constant(5), OP.i32Shl, OP.i32Add, ...set(B_AT),
    ...countedLoop(K, DEPTH, constant(1), depthStep(fused)),
    ...tileTransfer(true),
  ];
  return [
    ...get(A_ROW_STRIDE), ...constant(1), OP.i32Shl, ...set(A_ROW2),
    ...get(A_ROW2), ...get(A_ROW_STRIDE), OP.i32Add, ...set(A_ROW3),
    ...(panelsOuter
      ? countedLoop(PANEL, PANELS, constant(1), countedLoop(I, ROWS, constant(4), panelBody))
      : countedLoop(I, ROWS, constant(4), countedLoop(PANEL, PANELS, constant(1), panelBody))),
    OP.end,
  ];
}

/**
 * `accumulate(to, from, bytes)`: `to[i] += from[i]` over `bytes` (a multiple of 16) of float32,
 * four at a time (col2im's scatter-add of patch gradients, conv2d.ts).
 */
function accumulateBody(): number[] {
  const [to, from, bytes, offset] = [0, 1, 2, 3];
  const at = (base: number) => [...get(base), ...get(offset), OP.i32Add];
  return [...countedLoop(offset, bytes, constant(16), [...at(to), ...at(to), ...v128Load(0), ...at(from), ...v128Load(0), ...simd(SIMD.f32x4Add), ...v128Store(0)]), OP.end];
}

/**
 * `widen_add(to, from, bytes)`: `to[i] += float64(from[i])` for the `bytes / 4` float32 at
 * `from` (a multiple of 4 of them) into float64 at `to` (conv2d.ts sums its filter-gradient
 * blocks in float64).
 */
function widenAddBody(): number[] {
  const [to, from, bytes, offset] = [0, 1, 2, 3];
  const toAt = [...get(to), ...get(offset), ...constant(1), OP.i32Shl, OP.i32Add];
  const half = (at: number) => [
    ...toAt, ...toAt, ...v128Load(at),
    ...get(from), ...get(offset), OP.i32Add, ...simd([0x0a]), 2, ...leb(at / 2), // v128.load64_splat: 2 floats
    ...simd([0x5f]), ...simd([0xf0, 0x01]), // f64x2.promote_low_f32x4, f64x2.add
    ...v128Store(at),
  ];
  return [...countedLoop(offset, bytes, constant(16), [...half(0), ...half(16)]), OP.end];
}

/**
 * `pack_panels(src, rowStride, dst, depth, panels)`: packs the first `panels · 8` columns of a
 * row-major `B` (`depth` rows, `rowStride` bytes apart) into panels, as gemm.ts's `packPanels`
 * lays them out (panel `p` at `dst + p·depth·32`, row `k` of it at `+ k·32`): two 16-byte moves
 * per row and panel, 8 panels per sweep over the rows (as gemm.ts's `packRowMajor`).
 */
function packBody(): number[] {
  const [src, rowStride, dst, depth, panels] = [0, 1, 2, 3, 4];
  const [group, k, p, from, to, panelBytes, count] = [5, 6, 7, 8, 9, 10, 11];
  const move = [
    ...get(to), ...get(from), ...v128Load(0), ...v128Store(0),
    ...get(to), ...get(from), ...v128Load(16), ...v128Store(16),
    ...increment(from, constant(32)), ...increment(to, get(panelBytes)),
  ];
  const row = [
    // from = src + k·rowStride + group·32; to = dst + group·panelBytes + k·32
    ...get(src), ...get(k), ...get(rowStride), OP.i32Mul, OP.i32Add, ...get(group), ...constant(5), OP.i32Shl, OP.i32Add, ...set(from),
    ...get(dst), ...get(group), ...get(panelBytes), OP.i32Mul, OP.i32Add, ...get(k), ...constant(5), OP.i32Shl, OP.i32Add, ...set(to),
    ...countedLoop(p, count, constant(1), move),
  ];
  const sweep = [
    // count = min(8, panels - group)
    ...get(panels), ...get(group), OP.i32Sub, ...constant(8), ...get(panels), ...get(group), OP.i32Sub, ...constant(8), 0x49, 0x1b, ...set(count), // i32.lt_u, select
    ...countedLoop(k, depth, constant(1), row),
  ];
  return [...get(depth), ...constant(5), OP.i32Shl, ...set(panelBytes), ...countedLoop(group, panels, constant(8), sweep), OP.end];
}

/**
 * The whole module: functions `gemm` and `gemm_panels` (the same product in two loop orders),
 * `accumulate`, `widen_add`, `gemm_store` and `gemm_panels_store` (`C = A·B` instead of
 * `C += A·B`), `pack_panels` and one memory `memory`: its own, or imported (`'shared'`: the worker threads';
 * `'imported'`: any, e.g. tfjs-wasm's heap); with relaxed multiply-adds when `fused`. @internal
 */
export function moduleBytes(fused: boolean, memoryKind: 'own' | 'shared' | 'imported' = 'own'): Uint8Array<ArrayBuffer> {
  const sharedMemory = memoryKind === 'shared';
  const i32 = 0x7f;
  const v128 = 0x7b;
  const section = (id: number, bytes: number[]) => [id, ...sized(bytes)];
  const types = section(1, [3, 0x60, 9, ...Array<number>(9).fill(i32), 0, 0x60, 3, i32, i32, i32, 0, 0x60, 5, i32, i32, i32, i32, i32, 0]);
  // Own memory (1 page to start; grown from JavaScript), or an imported shared one (limits
  // flag 3: maximum given, shared) that worker threads import too.
  // Limits flags: 3 = maximum given and shared, 0 = a minimum only (any memory, e.g. tfjs-wasm's heap).
  const imports =
    memoryKind === 'own' ? [] : section(2, [1, ...name('env'), ...name('memory'), 0x02, ...(sharedMemory ? [0x03, ...leb(1), ...leb(SHARED_MAXIMUM_PAGES)] : [0x00, ...leb(1)])]);
  const functions = section(3, [7, 0, 0, 1, 1, 0, 0, 2]);
  const memory = memoryKind === 'own' ? section(5, [1, 0x00, 1]) : [];
  const exports = section(7, [
    8, ...name('gemm'), 0x00, 0, ...name('gemm_panels'), 0x00, 1, ...name('accumulate'), 0x00, 2, ...name('widen_add'), 0x00, 3,
    ...name('gemm_store'), 0x00, 4, ...name('gemm_panels_store'), 0x00, 5, ...name('pack_panels'), 0x00, 6, ...name('memory'), 0x02, 0,
  ]);
  const body = (panelsOuter: boolean, overwrite = false) => sized([2, I32_SCRATCH, i32, V128_SCRATCH, v128, ...gemmBody(fused, panelsOuter, overwrite)]);
  const code = section(10, [
    7, ...body(false), ...body(true), ...sized([1, 1, i32, ...accumulateBody()]), ...sized([1, 1, i32, ...widenAddBody()]), ...body(false, true), ...body(true, true),
    ...sized([1, 7, i32, ...packBody()]),
  ]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...types, ...imports, ...functions, ...memory, ...exports, ...code]);
}

/** Maximum size of the shared memory in 64 KiB pages: 4 GiB, the wasm32 limit (reserved address space, not allocated). */
const SHARED_MAXIMUM_PAGES = 65536;

/** The WebAssembly instruction set of the matrix product: relaxed SIMD (fused multiply-adds) or plain SIMD. */
export type SimdGemmKind = 'relaxed-simd' | 'simd';

/** A compiled instance and its memory, handed out by {@link simdGemm}. */
export interface SimdGemm {
  /** `'relaxed-simd'`: fused multiply-adds (`f32x4.relaxed_madd`); `'simd'`: `f32x4.mul` + `f32x4.add`. */
  kind: SimdGemmKind;
  /** `C += A·B` on byte addresses in {@link SimdGemm.memory} (see the module comment), row tiles outer. */
  run(a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number): void;
  /** The same product with panels of `B` outer (each panel read once, from the L1 cache). */
  runPanels(a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number): void;
  /** `C = A·B` (no zero-filled `C` needed), row tiles outer; bit for bit {@link SimdGemm.run} on a zeroed `C`. */
  store(a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number): void;
  /** `C = A·B`, panels of `B` outer. */
  storePanels(a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number): void;
  /** `to[i] += from[i]` for `bytes` (a multiple of 16) of float32 at byte addresses in the memory (on the calling thread). */
  accumulate(to: number, from: number, bytes: number): void;
  /** `to[i] += float64(from[i])`: `bytes` (a multiple of 16) of float32 at `from` into float64 at `to` (byte addresses, on the calling thread). */
  widenAdd(to: number, from: number, bytes: number): void;
  /** Packs the first `panels · 8` columns of a row-major `B` in the memory (byte addresses; see gemm.ts's `packPanels`), on the calling thread. */
  packPanels(src: number, rowStride: number, dst: number, depth: number, panels: number): void;
  /** Grows the memory to at least `bytes`; float32 views made before a growth go stale. */
  reserve(bytes: number): void;
  /** A float32 view of the whole memory (make it after {@link SimdGemm.reserve}). */
  floats(): Float32Array;
}

let compiled: SimdGemm | null | undefined;
/** The worker pool behind {@link compiled} when it runs on several threads. */
let pool: GemmThreadPool | undefined;
/** The instruction sets {@link compile} may use (tests narrow it to compare them). */
let allowed: readonly SimdGemmKind[] = ['relaxed-simd', 'simd'];
/** Threads asked for by {@link setNumThreads}; `undefined`: `TENSORZOO_NUM_THREADS`, else 1. */
let requestedThreads: number | undefined;

/** The SIMD matrix product, or `undefined` where WebAssembly SIMD is unavailable. */
export function simdGemm(): SimdGemm | undefined {
  if (compiled === undefined) compiled = compile();
  return compiled ?? undefined;
}

function compile(): SimdGemm | null {
  if (typeof WebAssembly !== 'object') return null;
  const threads = threadsToUse();
  for (const kind of allowed) {
    const built = (threads > 1 ? compileThreaded(kind, threads) : undefined) ?? compileKind(kind);
    if (built) return built;
  }
  return null;
}

/** Memory growth and views, the same for an own and a shared memory. */
function memoryAccess(memory: WebAssembly.Memory): Pick<SimdGemm, 'reserve' | 'floats'> {
  return {
    reserve(bytes) {
      const missing = bytes - memory.buffer.byteLength;
      if (missing > 0) memory.grow(Math.ceil(missing / 65536));
    },
    floats: () => new Float32Array(memory.buffer),
  };
}

function compileKind(kind: SimdGemmKind): SimdGemm | null {
  try {
    const bytes = moduleBytes(kind === 'relaxed-simd');
    if (!WebAssembly.validate(bytes)) return null;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    return {
      kind,
      run: instance.exports.gemm as SimdGemm['run'],
      runPanels: instance.exports.gemm_panels as SimdGemm['runPanels'],
      store: instance.exports.gemm_store as SimdGemm['store'],
      storePanels: instance.exports.gemm_panels_store as SimdGemm['storePanels'],
      accumulate: instance.exports.accumulate as SimdGemm['accumulate'],
      widenAdd: instance.exports.widen_add as SimdGemm['widenAdd'],
      packPanels: instance.exports.pack_panels as SimdGemm['packPanels'],
      ...memoryAccess(memory),
    };
  } catch {
    return null; // e.g. a content security policy without 'wasm-unsafe-eval'
  }
}

/** The module on a shared memory with `threads - 1` workers, or `undefined` where that fails. */
function compileThreaded(kind: SimdGemmKind, threads: number): SimdGemm | undefined {
  try {
    const bytes = moduleBytes(kind === 'relaxed-simd', 'shared');
    if (!WebAssembly.validate(bytes)) return undefined;
    const module = new WebAssembly.Module(bytes);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const locals = [exports.gemm, exports.gemm_panels, exports.gemm_store, exports.gemm_panels_store] as [ProductFunction, ProductFunction, ProductFunction, ProductFunction];
    const workers = new GemmThreadPool(module, memory, threads - 1);
    pool = workers;
    return {
      kind,
      run: (...args) => workers.run(0, locals, ...args),
      runPanels: (...args) => workers.run(1, locals, ...args),
      store: (...args) => workers.run(2, locals, ...args),
      storePanels: (...args) => workers.run(3, locals, ...args),
      accumulate: exports.accumulate as SimdGemm['accumulate'],
      widenAdd: exports.widen_add as SimdGemm['widenAdd'],
      packPanels: exports.pack_panels as SimdGemm['packPanels'],
      ...memoryAccess(memory),
    };
  } catch {
    return undefined; // no shared memory or no workers: one thread
  }
}

/** Drops the compiled product (and stops its workers); the next {@link simdGemm} builds anew. */
function discard(next: SimdGemm | null | undefined): void {
  pool?.terminate();
  pool = undefined;
  compiled = next;
}

/**
 * Turns the SIMD path off or on again, optionally limited to some instruction sets (tests
 * compare the paths; `['simd']` rules out relaxed SIMD). @internal
 */
export function setSimdEnabled(enabled: boolean, kinds: readonly SimdGemmKind[] = ['relaxed-simd', 'simd']): void {
  discard(enabled ? undefined : null);
  allowed = kinds;
}

/** Threads the product will run on: the request where threads work here, else 1. */
function threadsToUse(): number {
  const requested = requestedThreads ?? threadsFromEnvironment() ?? 1;
  return requested > 1 && threadsUnavailableReason() === undefined ? requested : 1;
}

/** `TENSORZOO_NUM_THREADS` in Node, when it is a whole number in [1, MAX_THREADS]. */
function threadsFromEnvironment(): number | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.TENSORZOO_NUM_THREADS;
  if (value === undefined || value === '') return undefined;
  const count = Number(value);
  return Number.isInteger(count) && count >= 1 && count <= MAX_THREADS ? count : undefined;
}

/**
 * Sets how many threads TensorZoo's matrix products use on the `cpu` and `wasm` backends
 * (every `Linear` layer, attention product and convolution there): the calling thread plus
 * `count - 1` workers sharing its WebAssembly memory. The default is 1 (no workers), or
 * the `TENSORZOO_NUM_THREADS` environment variable in Node.
 *
 * Results are bit-identical for every thread count: each output element is computed by one
 * thread, in the same order. Products under about two million multiply-adds stay on one
 * thread. Workers need `SharedArrayBuffer`: Node 20.16+ (`worker_threads`), or a browser
 * page that is cross-origin isolated (COOP/COEP headers). Where that is missing, products
 * run on one thread and this returns 1 ({@link threadsUnavailableReason} says why). In a
 * browser, workers start asynchronously: products use them once they are up.
 *
 * Like PyTorch's `torch.set_num_threads`; more threads than cores only adds overhead.
 * @param count whole number from 1 to 8.
 * @returns the threads that will be used: `count`, or 1 where threads are unavailable.
 * @throws ArgumentError when `count` is not a whole number from 1 to 8.
 * @example
 * ```ts
 * import { setNumThreads } from '@tensorzoo/core';
 * setNumThreads(2); // 2 on Node 20.16+; both cores for the MLP's products
 * ```
 */
export function setNumThreads(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_THREADS) {
    throw new ArgumentError('invalid-thread-count', `setNumThreads: expected a whole number of threads from 1 to ${MAX_THREADS}, received ${String(count)}.`);
  }
  if (count !== requestedThreads) {
    requestedThreads = count;
    if (compiled !== null) discard(undefined);
  }
  return threadsToUse();
}

/** What the worker pool has done (products split, chunks, chunks the workers took); `undefined` on one thread. @internal */
export function gemmThreadActivity(): { products: number; chunks: number; chunksByWorkers: number } | undefined {
  return pool?.activity();
}

/**
 * The threads TensorZoo's matrix products run on now: 1 plus the workers that have started
 * (see {@link setNumThreads}).
 * @example
 * ```ts
 * import { getNumThreads } from '@tensorzoo/core';
 * getNumThreads(); // 1 unless setNumThreads or TENSORZOO_NUM_THREADS asked for more
 * ```
 */
export function getNumThreads(): number {
  simdGemm();
  return 1 + (pool?.readyWorkers() ?? 0);
}

/**
 * The instruction set of the matrix product inside TensorZoo's fast `cpu` kernels (matMul,
 * convolutions): `'relaxed-simd'` (WebAssembly SIMD with fused multiply-adds: Chrome/Edge
 * 114+, Firefox 146+, Node 22+; Node 20 with `--experimental-wasm-relaxed-simd`), `'simd'` (WebAssembly
 * SIMD), or `'none'` (plain TypeScript, where WebAssembly is unavailable or blocked by a
 * content security policy). For benchmarks and bug reports.
 * @example
 * ```ts
 * import { gemmInstructionSet } from '@tensorzoo/core';
 * gemmInstructionSet(); // 'simd' in Node 20, 'relaxed-simd' in Chrome
 * ```
 */
export function gemmInstructionSet(): SimdGemmKind | 'none' {
  return simdGemm()?.kind ?? 'none';
}

/** True when the products run on worker threads too (a shared memory, {@link setNumThreads} above 1). @internal */
export function gemmUsesWorkers(): boolean {
  simdGemm();
  return pool !== undefined;
}

/** Alias used by the kernel tests. @internal */
export const simdGemmKind = gemmInstructionSet;
