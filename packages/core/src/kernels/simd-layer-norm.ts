/**
 * LayerNorm and its gradient (layer-norm.ts's `layerNormArrays` and `layerNormGradArrays`) as
 * WebAssembly loops: the element-wise parts over pairs of columns in float64 lanes, the row
 * sums in column order as scalars, so every float64 operation is the JavaScript's, in its
 * order: bit for bit.
 *
 * ```text
 * layerNormGrad(dy, x, mean, rstd, weight, dx, dweight64, dbias64, scratch, rows, columns)
 *   per row: x̂ = (x − mean)·rstd, g = dy·weight (or dy)          -> scratch (float64)
 *            dweight64 += dy·x̂, dbias64 += dy                      (affine only)
 *            Σg, Σg·x̂ in column order; dx = rstd·(g − Σg/C − x̂·Σg·x̂/C)
 * ```
 *
 * Byte addresses; `columns` even; `scratch` holds `4·columns` floats, `dweight64` and
 * `dbias64` are float64 accumulators of `columns` each (the caller zeroes them).
 * @internal
 * @packageDocumentation
 */
import { OP, TYPE, constant, countedLoop, functionsOnMemory, get, set, simd, singleFunctionModule, v128Load, v128Store } from './wasm-assembler';

/** With a weight (and the two parameter gradients) or without. */
export type LayerNormGradKind = 'affine' | 'plain';

const DY = 0, X = 1, MEAN = 2, RSTD = 3, W = 4, DX = 5, DW = 6, DB = 7, SCRATCH = 8, ROWS = 9, COLUMNS = 10;
const R = 11, C = 12, ROW_AT = 13, ROW_BYTES = 14, G_AT = 15;
const SUM_G = 16, SUM_GX = 17, COLUMNS_F = 18;
const MEAN_V = 19, RSTD_V = 20, XHAT = 21, G = 22, DY_V = 23, MEAN_G = 24, MEAN_GX = 25;

const f64x2 = { add: simd([0xf0, 0x01]), sub: simd([0xf1, 0x01]), mul: simd([0xf2, 0x01]), splat: simd([0x14]) };
const promote = simd([0x5f]); // f64x2.promote_low_f32x4
const demote = simd([0x5e]); // f32x4.demote_f64x2_zero
const F64_LOAD = 0x2b, F64_ADD = 0xa0, F64_MUL = 0xa2, F64_DIV = 0xa3, F32_LOAD = 0x2a, F64_PROMOTE_F32 = 0xbb, F64_CONVERT_I32_S = 0xb7;

/** Two floats at `address` as float64 lanes (v128.load64_zero, promote). */
const pairAt = (address: number[]) => [...address, ...simd([0x5d]), 2, 0, ...promote];
/** `base + C` (bytes of float32 columns). */
const plusColumn = (base: number) => [...get(base), ...get(C), OP.i32Add];
/** `base + 2·C` (the same column in float64). */
const plusColumn64 = (base: number) => [...get(base), ...get(C), ...constant(1), OP.i32Shl, OP.i32Add];
/** A row scalar (float32 at `base + 4·R`) as float64 lanes. */
const rowScalar = (base: number) => [...get(base), ...get(R), ...constant(2), OP.i32Shl, OP.i32Add, F32_LOAD, 2, 0, F64_PROMOTE_F32, ...f64x2.splat];

function gradBody(affine: boolean): number[] {
  const passA = [
    ...pairAt([...get(DY), ...get(ROW_AT), OP.i32Add, ...get(C), OP.i32Add]), ...set(DY_V),
    ...pairAt([...get(X), ...get(ROW_AT), OP.i32Add, ...get(C), OP.i32Add]), ...get(MEAN_V), ...f64x2.sub, ...get(RSTD_V), ...f64x2.mul, ...set(XHAT),
    ...get(DY_V), ...(affine ? [...pairAt(plusColumn(W)), ...f64x2.mul] : []), ...set(G),
    ...plusColumn64(SCRATCH), ...get(XHAT), ...v128Store(0),
    ...plusColumn64(G_AT), ...get(G), ...v128Store(0),
    ...(affine
      ? [
          ...plusColumn64(DW), ...plusColumn64(DW), ...v128Load(0), ...get(DY_V), ...get(XHAT), ...f64x2.mul, ...f64x2.add, ...v128Store(0),
          ...plusColumn64(DB), ...plusColumn64(DB), ...v128Load(0), ...get(DY_V), ...f64x2.add, ...v128Store(0),
        ]
      : []),
  ];
  // Σg and Σg·x̂ in column order, one float64 at a time (C steps by 4: one float32 column).
  const sums = [
    ...get(SUM_G), ...plusColumn64(G_AT), F64_LOAD, 3, 0, F64_ADD, ...set(SUM_G),
    ...get(SUM_GX), ...plusColumn64(G_AT), F64_LOAD, 3, 0, ...plusColumn64(SCRATCH), F64_LOAD, 3, 0, F64_MUL, F64_ADD, ...set(SUM_GX),
  ];
  const passB = [
    ...get(DX), ...get(ROW_AT), OP.i32Add, ...get(C), OP.i32Add,
    ...get(RSTD_V),
    ...plusColumn64(G_AT), ...v128Load(0), ...get(MEAN_G), ...f64x2.sub,
    ...plusColumn64(SCRATCH), ...v128Load(0), ...get(MEAN_GX), ...f64x2.mul, ...f64x2.sub,
    ...f64x2.mul, ...demote, ...simd([0x5b]), 2, 0, 0, // v128.store64_lane 0
  ];
  const row = [
    ...get(R), ...get(ROW_BYTES), OP.i32Mul, ...set(ROW_AT),
    ...rowScalar(MEAN), ...set(MEAN_V), ...rowScalar(RSTD), ...set(RSTD_V),
    0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...set(SUM_G), 0x44, 0, 0, 0, 0, 0, 0, 0, 0, ...set(SUM_GX), // f64.const 0
    ...countedLoop(C, ROW_BYTES, constant(8), passA),
    ...countedLoop(C, ROW_BYTES, constant(4), sums),
    ...get(SUM_G), ...get(COLUMNS_F), F64_DIV, ...f64x2.splat, ...set(MEAN_G),
    ...get(SUM_GX), ...get(COLUMNS_F), F64_DIV, ...f64x2.splat, ...set(MEAN_GX),
    ...countedLoop(C, ROW_BYTES, constant(8), passB),
  ];
  return [
    ...get(COLUMNS), ...constant(2), OP.i32Shl, ...set(ROW_BYTES),
    ...get(SCRATCH), ...get(COLUMNS), ...constant(3), OP.i32Shl, OP.i32Add, ...set(G_AT),
    ...get(COLUMNS), F64_CONVERT_I32_S, ...set(COLUMNS_F),
    ...countedLoop(R, ROWS, constant(1), row),
    OP.end,
  ];
}

/** The module for `kind`: one function `layerNormGrad` over an imported memory `env.memory`. @internal */
export function layerNormGradModuleBytes(kind: LayerNormGradKind): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('layerNormGrad', Array<number>(11).fill(TYPE.i32), [[5, TYPE.i32], [3, 0x7c], [7, TYPE.v128]], gradBody(kind === 'affine'));
}

/** `layerNormGrad(dy, x, mean, rstd, weight, dx, dweight64, dbias64, scratch, rows, columns)` on byte addresses. */
export type LayerNormGradFunction = (dy: number, x: number, mean: number, rstd: number, weight: number, dx: number, dweight: number, dbias: number, scratch: number, rows: number, columns: number) => void;

/** The `kind` loop on `memory`, or `undefined` without WebAssembly SIMD (or for a memory it cannot import). */
export const layerNormGradOn: (memory: WebAssembly.Memory, kind: LayerNormGradKind) => LayerNormGradFunction | undefined = /* @__PURE__ */ functionsOnMemory('layerNormGrad', layerNormGradModuleBytes);

// layerNorm(x, weight, bias, y, mean, rstd, rows, columns, eps): layer-norm.ts's `layerNormArrays`.
const FX = 0, FW = 1, FB = 2, FY = 3, FMEAN = 4, FRSTD = 5, FROWS = 6, FCOLUMNS = 7, FEPS = 8;
const FR = 9, FC = 10, FROW_AT = 11, FROW_BYTES = 12;
const FSUM = 13, FSQUARES = 14, FMEAN_F = 15, FRSTD_F = 16, FCOLUMNS_F = 17, FCENTRED = 18;
const FMEAN_V = 19, FRSTD_V = 20;
const F64_SUB = 0xa1, F64_SQRT = 0x9f, F32_STORE = 0x38, F32_DEMOTE_F64 = 0xb6;

function forwardBody(affine: boolean): number[] {
  const xAt = [...get(FX), ...get(FROW_AT), OP.i32Add, ...get(FC), OP.i32Add];
  const scalarX = [...xAt, F32_LOAD, 2, 0, F64_PROMOTE_F32];
  const zero = [0x44, 0, 0, 0, 0, 0, 0, 0, 0]; // f64.const 0
  const columnAt = (base: number) => [...get(base), ...get(FC), OP.i32Add];
  const output = [
    ...get(FY), ...get(FROW_AT), OP.i32Add, ...get(FC), OP.i32Add,
    ...pairAt(xAt), ...get(FMEAN_V), ...f64x2.sub, ...get(FRSTD_V), ...f64x2.mul,
    ...(affine ? [...pairAt(columnAt(FW)), ...f64x2.mul, ...pairAt(columnAt(FB)), ...f64x2.add] : []),
    ...demote, ...simd([0x5b]), 2, 0, 0, // v128.store64_lane 0
  ];
  const rowScalarAt = (base: number) => [...get(base), ...get(FR), ...constant(2), OP.i32Shl, OP.i32Add];
  const row = [
    ...get(FR), ...get(FROW_BYTES), OP.i32Mul, ...set(FROW_AT),
    ...zero, ...set(FSUM), ...zero, ...set(FSQUARES),
    ...countedLoop(FC, FROW_BYTES, constant(4), [...get(FSUM), ...scalarX, F64_ADD, ...set(FSUM)]),
    ...get(FSUM), ...get(FCOLUMNS_F), F64_DIV, ...set(FMEAN_F),
    ...countedLoop(FC, FROW_BYTES, constant(4), [...scalarX, ...get(FMEAN_F), F64_SUB, ...set(FCENTRED), ...get(FSQUARES), ...get(FCENTRED), ...get(FCENTRED), F64_MUL, F64_ADD, ...set(FSQUARES)]),
    // rstd = 1 / sqrt(squares / columns + eps)
    0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, ...get(FSQUARES), ...get(FCOLUMNS_F), F64_DIV, ...get(FEPS), F64_ADD, F64_SQRT, F64_DIV, ...set(FRSTD_F),
    ...rowScalarAt(FMEAN), ...get(FMEAN_F), F32_DEMOTE_F64, F32_STORE, 2, 0,
    ...rowScalarAt(FRSTD), ...get(FRSTD_F), F32_DEMOTE_F64, F32_STORE, 2, 0,
    ...get(FMEAN_F), ...f64x2.splat, ...set(FMEAN_V), ...get(FRSTD_F), ...f64x2.splat, ...set(FRSTD_V),
    ...countedLoop(FC, FROW_BYTES, constant(8), output),
  ];
  return [
    ...get(FCOLUMNS), ...constant(2), OP.i32Shl, ...set(FROW_BYTES),
    ...get(FCOLUMNS), F64_CONVERT_I32_S, ...set(FCOLUMNS_F),
    ...countedLoop(FR, FROWS, constant(1), row),
    OP.end,
  ];
}

/** The module for `kind`: one function `layerNorm` over an imported memory `env.memory`. @internal */
export function layerNormModuleBytes(kind: LayerNormGradKind): Uint8Array<ArrayBuffer> {
  return singleFunctionModule('layerNorm', [...Array<number>(8).fill(TYPE.i32), 0x7c], [[4, TYPE.i32], [6, 0x7c], [2, TYPE.v128]], forwardBody(kind === 'affine'));
}

/** `layerNorm(x, weight, bias, y, mean, rstd, rows, columns, eps)` on byte addresses (`columns` even). */
export type LayerNormFunction = (x: number, weight: number, bias: number, y: number, mean: number, rstd: number, rows: number, columns: number, eps: number) => void;

/** The `kind` forward loop on `memory`, or `undefined` without WebAssembly SIMD (or for a memory it cannot import). */
export const layerNormOn: (memory: WebAssembly.Memory, kind: LayerNormGradKind) => LayerNormFunction | undefined = /* @__PURE__ */ functionsOnMemory('layerNorm', layerNormModuleBytes);
