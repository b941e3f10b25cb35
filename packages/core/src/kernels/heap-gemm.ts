/**
 * The `Linear` layer's products on `wasm` computed where tfjs-wasm keeps the tensors: the SIMD
 * product module (simd-gemm.ts) instantiated on tfjs-wasm's heap reads `A` in place (any row
 * and depth strides, so a transposed `A` needs no copy), packs `B` into a scratch tensor, and
 * writes `C` straight into the output tensor with `gemm_store` (no zero-fill, no copy out, no
 * JavaScript array). The copying path (matmul.ts) moved every operand in and out of the
 * module's own memory; for the MLP's weight gradient (`[1024, 64]·[64, 2048]`, 8 MB of output)
 * those copies cost more than the arithmetic.
 *
 * The arithmetic is the copying path's, operation for operation, so the results are bit for
 * bit the same. It runs on one thread: with worker threads ({@link setNumThreads}) the copying
 * path's shared memory is used instead.
 * @internal
 * @packageDocumentation
 */
import { packPanels, packRowMajorInMemory, PANEL, type PackFunction } from './gemm';
import { gemmInstructionSet, gemmUsesWorkers, moduleBytes, type SimdGemmKind } from './simd-gemm';

/** `C (=|+=) A·B` on byte addresses: see simd-gemm.ts. */
type Product = (a: number, aRowStride: number, aDepthStride: number, b: number, c: number, ldc: number, rows: number, panels: number, depth: number) => void;

/** The module's functions on one heap. */
export interface HeapGemm {
  store: Product;
  storePanels: Product;
  /** `C += A·B` (rows outer, panels outer). */
  add: Product;
  addPanels: Product;
  /** `to[i] += from[i]` over `bytes` (a multiple of 16). */
  accumulate(to: number, from: number, bytes: number): void;
  /** `to[i] += float64(from[i])`: `bytes` (a multiple of 16) of float32 at `from` into float64 at `to`. */
  widenAdd(to: number, from: number, bytes: number): void;
  /** Full panels of a row-major `B` (gemm.ts's {@link PackFunction}). */
  pack: PackFunction;
}

/** Packed `B` larger than this (bytes) is walked panel by panel (as matmul.ts does). */
const PACKED_IN_L2 = 1 << 20;

const compiled = new Map<SimdGemmKind, WebAssembly.Module | null>();
const instances = new WeakMap<WebAssembly.Memory, Map<SimdGemmKind, HeapGemm>>();

/**
 * The products on `memory` (tfjs-wasm's heap), with the instruction set the copying path uses;
 * `undefined` without WebAssembly SIMD, with worker threads, or where instantiation fails.
 */
export function heapGemmOn(memory: WebAssembly.Memory): HeapGemm | undefined {
  const kind = gemmInstructionSet();
  if (kind === 'none' || gemmUsesWorkers()) return undefined;
  let perMemory = instances.get(memory);
  const found = perMemory?.get(kind);
  if (found) return found;
  if (!compiled.has(kind)) {
    try {
      const bytes = moduleBytes(kind === 'relaxed-simd', 'imported');
      compiled.set(kind, WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null);
    } catch {
      compiled.set(kind, null);
    }
  }
  const module = compiled.get(kind);
  if (!module) return undefined;
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const gemm: HeapGemm = {
      store: exports.gemm_store as Product,
      storePanels: exports.gemm_panels_store as Product,
      add: exports.gemm as Product,
      addPanels: exports.gemm_panels as Product,
      accumulate: exports.accumulate as HeapGemm['accumulate'],
      widenAdd: exports.widen_add as HeapGemm['widenAdd'],
      pack: exports.pack_panels as PackFunction,
    };
    if (!perMemory) instances.set(memory, (perMemory = new Map()));
    perMemory.set(kind, gemm);
    return gemm;
  } catch {
    return undefined;
  }
}

/** Scratch and output space on the heap (register.ts's wasm `Heap`). */
export interface HeapSpace<Made = unknown> {
  memory: WebAssembly.Memory;
  /** A new float32 tensor and its byte address. */
  allocate(shape: number[]): { made: Made; address: number };
  /** Frees a tensor made by `allocate` that is not returned. */
  release(made: Made): void;
}

/** One product: `C[rows, columns] = A·B`, `A(i, k)` at `a + i·aRowStride + k·aDepthStride` (bytes), `B(k, j)` the float at `b/4 + k·bRow + j·bColumn`. */
export interface HeapProductShape {
  rows: number;
  columns: number;
  depth: number;
  a: number;
  aRowStride: number;
  aDepthStride: number;
  b: number;
  bRow: number;
  bColumn: number;
  /** Bytes between rows of `C` (default `columns · 4`: a contiguous `[rows, columns]`). */
  cRowStride?: number;
}

/**
 * `C = A·B` into the row-major `[rows, columns]` float32 matrix at byte address `c` (rows
 * `cRowStride` bytes apart); `rows` a
 * multiple of 4 and `columns` of 8 (the tile), which callers check. `B` is packed into scratch
 * space at byte address `packedAt` (at least {@link packedSize} floats), or into a scratch
 * tensor of its own. With `accumulate`, `C += A·B` (C holds a previous part of the sum: the
 * float32 accumulators are stored and reloaded exactly, so splitting the depth changes nothing).
 */
export function heapProduct<Made>(gemm: HeapGemm, space: HeapSpace<Made>, shape: HeapProductShape, c: number, packedAt?: number, accumulate = false): void {
  const { rows, columns, depth } = shape;
  const panels = columns / PANEL;
  const scratch = packedAt === undefined ? space.allocate([panels * depth * PANEL]) : undefined;
  const packed = packedAt ?? scratch!.address;
  try {
    const floats = new Float32Array(space.memory.buffer); // after the allocation (it may grow the heap)
    if (shape.bColumn === 1) packRowMajorInMemory(gemm.pack, floats, shape.b / 4, depth, columns, shape.bRow, packed / 4);
    else packPanels(floats, shape.b / 4, depth, columns, shape.bRow, shape.bColumn, floats.subarray(packed / 4, packed / 4 + panels * depth * PANEL));
    const panelsOuter = panels * depth * PANEL * 4 > PACKED_IN_L2;
    const product = accumulate ? (panelsOuter ? gemm.addPanels : gemm.add) : panelsOuter ? gemm.storePanels : gemm.store;
    product(shape.a, shape.aRowStride, shape.aDepthStride, packed, c, shape.cRowStride ?? columns * 4, rows, panels, depth);
  } finally {
    if (scratch) space.release(scratch.made);
  }
}

/** Floats of packed `B` for a product of `columns` (a multiple of 8) and `depth`: the scratch {@link heapProduct} may be given. */
export const packedSize = (columns: number, depth: number): number => Math.ceil(columns / PANEL) * depth * PANEL;

/**
 * `Cᵀ = A·B` for a product with few rows: `C` `[rows, columns]` at `c` from the product
 * `Cᵀ[columns, rows] = Bᵀ·Aᵀ` computed into a scratch tensor (matmul.ts's `productOfTransposes`:
 * `Bᵀ` read in place, only the small `Aᵀ` packed), then transposed into `C`. `columns` a
 * multiple of 4.
 */
export function heapProductOfTransposes<Made>(gemm: HeapGemm, space: HeapSpace<Made>, shape: HeapProductShape, c: number): void {
  const { rows, columns, depth } = shape;
  const panels = Math.ceil(rows / PANEL);
  const width = panels * PANEL;
  const packed = space.allocate([panels * depth * PANEL]);
  const transposed = space.allocate([columns * width]);
  try {
    const floats = new Float32Array(space.memory.buffer);
    // B'(k, i) = A(i, k); A' = Bᵀ: A'(j, k) = B(k, j).
    const aRow = shape.aRowStride / 4;
    const aDepth = shape.aDepthStride / 4;
    packPanels(floats, shape.a / 4, depth, rows, aDepth, aRow, floats.subarray(packed.address / 4, packed.address / 4 + panels * depth * PANEL));
    const product = panels * depth * PANEL * 4 > PACKED_IN_L2 ? gemm.storePanels : gemm.store;
    product(shape.b, shape.bColumn * 4, shape.bRow * 4, packed.address, transposed.address, width * 4, columns, panels, depth);
    const from = transposed.address / 4;
    const to = c / 4;
    for (let i = 0; i < rows; i++) {
      const row = to + i * columns;
      for (let j = 0, at = from + i; j < columns; j++, at += width) floats[row + j] = floats[at];
    }
  } finally {
    space.release(packed.made);
    space.release(transposed.made);
  }
}
