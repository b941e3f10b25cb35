/**
 * Float32 batched matrix products for the cpu backend's `BatchMatMul` (every Linear layer,
 * attention scores, and their gradients), on the blocked GEMM of the convolution kernels:
 * the WebAssembly SIMD module where available, else the TypeScript {@link gemm}.
 * @internal
 * @packageDocumentation
 */
import { gemm, packPanels, packRowMajorInMemory, PANEL } from './gemm';
import { simdGemm, type SimdGemm } from './simd-gemm';

/** Rows of `A` per block: the A and C blocks stay within a few hundred KiB. */
const BLOCK_ROWS = 256;

/**
 * Packed `B` up to this many bytes is read panel after panel for each row tile (it stays in
 * the L2 cache); beyond it, each panel is read once while all row tiles pass it (measured:
 * 64x1024x2048 6.7 vs 7.1 ms, 1024x2048x64 6.4 vs 7.6 ms).
 */
const PACKED_IN_L2 = 1 << 20;

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** The operands of one batched product. */
export interface MatMulShape {
  /** Batch size of the output; `a` and `b` have either this many matrices or one. */
  batch: number;
  aBatch: number;
  bBatch: number;
  /** `C` is `[batch, rows, columns]`; the product sums over `depth`. */
  rows: number;
  columns: number;
  depth: number;
  /** `a` holds `[depth, rows]` matrices instead of `[rows, depth]`. */
  transposeA: boolean;
  /** `b` holds `[columns, depth]` matrices instead of `[depth, columns]`. */
  transposeB: boolean;
}

/** `C[i] = op(A[i]) · op(B[i])` for each batch item (a single A or B is reused). */
export function batchMatMul(a: Float32Array, b: Float32Array, shape: MatMulShape): Float32Array {
  const { batch, aBatch, bBatch, rows, columns, depth, transposeA, transposeB } = shape;
  const out = new Float32Array(batch * rows * columns);
  if (rows === 0 || columns === 0) return out;
  const aSize = rows * depth;
  const bSize = depth * columns;
  // B(k, j) = b[offset + k·bRow + j·bColumn]; A(i, k) = a[offset + i·aRow + k·aDepth].
  const [bRow, bColumn] = transposeB ? [1, depth] : [columns, 1];
  const [aRow, aDepth] = transposeA ? [1, rows] : [depth, 1];
  const simd = simdGemm();
  if (simd && batch === 1 && transposeB && !transposeA && rows <= SWAP_MAX_ROWS && columns >= 2 * rows) {
    productOfTransposes(simd, a, b, rows, columns, depth, out);
    return out;
  }
  const panels = Math.ceil(columns / PANEL);
  const width = panels * PANEL;
  const blockRows = Math.min(BLOCK_ROWS, roundUp(rows, 4));
  let packedAt = -1;
  let packed: Float32Array | undefined;
  // SIMD memory: [packed B | A block | C block], as float32 offsets.
  const aAt = roundUp(panels * depth * PANEL, 4);
  const cAt = aAt + roundUp(blockRows * depth, 4);
  // A row-major B is copied in as is (after C) and packed there by the module's SIMD pack_panels.
  const rawAt = roundUp(cAt + blockRows * width, 4);
  if (simd) simd.reserve((rawAt + (transposeB ? 0 : bSize)) * 4);
  for (let item = 0; item < batch; item++) {
    const bItem = bBatch === 1 ? 0 : item;
    const aOffset = (aBatch === 1 ? 0 : item) * aSize;
    if (simd) {
      const memory = simd.floats();
      if (packedAt !== bItem) {
        if (transposeB) packPanels(b, bItem * bSize, depth, columns, bRow, bColumn, memory.subarray(0, aAt));
        else {
          memory.set(b.subarray(bItem * bSize, (bItem + 1) * bSize), rawAt);
          packRowMajorInMemory(simd.packPanels, memory, rawAt, depth, columns, columns, 0);
        }
        packedAt = bItem;
      }
      for (let first = 0; first < rows; first += blockRows) {
        const count = Math.min(blockRows, rows - first);
        const padded = roundUp(count, 4);
        // A block, row-major [padded, depth], zero rows at the end.
        if (!transposeA) {
          memory.set(a.subarray(aOffset + first * depth, aOffset + (first + count) * depth), aAt);
        } else {
          transposeInto(a, aOffset + first, rows, memory, aAt, depth, count);
        }
        memory.fill(0, aAt + count * depth, aAt + padded * depth);
        const product = aAt * 4 > PACKED_IN_L2 ? simd.storePanels : simd.store;
        product(aAt * 4, depth * 4, 4, 0, cAt * 4, width * 4, padded, panels, depth);
        const target = item * rows * columns + first * columns;
        if (width === columns) out.set(memory.subarray(cAt, cAt + count * columns), target);
        else for (let i = 0; i < count; i++) out.set(memory.subarray(cAt + i * width, cAt + i * width + columns), target + i * columns);
      }
    } else {
      if (packedAt !== bItem) {
        packed = packPanels(b, bItem * bSize, depth, columns, bRow, bColumn, packed);
        packedAt = bItem;
      }
      gemm(rows, columns, depth, a, aOffset, aRow, aDepth, packed!, out, item * rows * columns, columns, false);
    }
  }
  return out;
}

/** Largest `rows` of a product {@link productOfTransposes} computes (its `Cᵀ` in one block). */
const SWAP_MAX_ROWS = 256;

/**
 * `C = A·Bᵀ` (`A` `[rows, depth]`, `B` `[columns, depth]`: a `Linear` layer's forward
 * product) computed as `Cᵀ = B·Aᵀ` when `A` has few rows: `B` (the weight) is then the
 * streamed operand, copied as is, and only the small `A` is packed into panels (packing a
 * `[2048, 784]` weight costs ~1.6 ms, copying it ~0.3 ms), then `Cᵀ` is transposed into
 * `out`. Every element sums the same products in the same order as the unswapped kernel.
 */
function productOfTransposes(simd: SimdGemm, a: Float32Array, b: Float32Array, rows: number, columns: number, depth: number, out: Float32Array): void {
  const panels = Math.ceil(rows / PANEL);
  const width = panels * PANEL;
  const tiles = roundUp(columns, 4);
  // SIMD memory: [packed Aᵀ | B, zero rows to a multiple of 4 | Cᵀ], as float32 offsets.
  const bAt = roundUp(panels * depth * PANEL, 4);
  const cAt = bAt + tiles * depth;
  simd.reserve((cAt + tiles * width) * 4);
  const memory = simd.floats();
  packPanels(a, 0, depth, rows, 1, depth, memory.subarray(0, bAt)); // B'(k, i) = A(i, k)
  memory.set(b.subarray(0, columns * depth), bAt);
  memory.fill(0, bAt + columns * depth, cAt);
  const product = bAt * 4 > PACKED_IN_L2 ? simd.storePanels : simd.store;
  product(bAt * 4, depth * 4, 4, 0, cAt * 4, width * 4, tiles, panels, depth);
  // out[i, j] = Cᵀ[j, i]: eight rows of Cᵀ at a time, written as 8-float runs of out.
  let j = 0;
  for (; j + 8 <= columns; j += 8) {
    const c0 = cAt + j * width;
    for (let i = 0; i < rows; i++) {
      const to = i * columns + j;
      const from = c0 + i;
      out[to] = memory[from]; out[to + 1] = memory[from + width];
      out[to + 2] = memory[from + 2 * width]; out[to + 3] = memory[from + 3 * width];
      out[to + 4] = memory[from + 4 * width]; out[to + 5] = memory[from + 5 * width];
      out[to + 6] = memory[from + 6 * width]; out[to + 7] = memory[from + 7 * width];
    }
  }
  for (; j < columns; j++) for (let i = 0; i < rows; i++) out[i * columns + j] = memory[cAt + j * width + i];
}

/**
 * `target[targetOffset + i·depth + k] = source[sourceOffset + k·sourceStride + i]` for
 * `i < count`, `k < depth`: a transposed operand copied row-major. Eight target rows at a
 * time, so each source row is read in 32-byte runs instead of one float per cache line.
 */
export function transposeInto(source: Float32Array, sourceOffset: number, sourceStride: number, target: Float32Array, targetOffset: number, depth: number, count: number): void {
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    const r0 = targetOffset + i * depth;
    const r1 = r0 + depth, r2 = r1 + depth, r3 = r2 + depth, r4 = r3 + depth, r5 = r4 + depth, r6 = r5 + depth, r7 = r6 + depth;
    for (let k = 0, from = sourceOffset + i; k < depth; k++, from += sourceStride) {
      target[r0 + k] = source[from]; target[r1 + k] = source[from + 1];
      target[r2 + k] = source[from + 2]; target[r3 + k] = source[from + 3];
      target[r4 + k] = source[from + 4]; target[r5 + k] = source[from + 5];
      target[r6 + k] = source[from + 6]; target[r7 + k] = source[from + 7];
    }
  }
  for (; i < count; i++) {
    const row = targetOffset + i * depth;
    for (let k = 0, from = sourceOffset + i; k < depth; k++, from += sourceStride) target[row + k] = source[from];
  }
}
