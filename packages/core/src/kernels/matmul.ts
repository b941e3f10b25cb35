/**
 * Float32 batched matrix products for the cpu backend's `BatchMatMul` (every Linear layer,
 * attention scores, and their gradients), on the blocked GEMM of the convolution kernels:
 * the WebAssembly SIMD module where available, else the TypeScript {@link gemm}.
 * @internal
 * @packageDocumentation
 */
import { gemm, packPanels, PANEL } from './gemm';
import { simdGemm } from './simd-gemm';

/** Rows of `A` per block: the A and C blocks stay within a few hundred KiB. */
const BLOCK_ROWS = 256;

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
  const panels = Math.ceil(columns / PANEL);
  const width = panels * PANEL;
  const blockRows = Math.min(BLOCK_ROWS, roundUp(rows, 4));
  let packedAt = -1;
  let packed: Float32Array | undefined;
  // SIMD memory: [packed B | A block | C block], as float32 offsets.
  const aAt = roundUp(panels * depth * PANEL, 4);
  const cAt = aAt + roundUp(blockRows * depth, 4);
  if (simd) simd.reserve((cAt + blockRows * width) * 4);
  for (let item = 0; item < batch; item++) {
    const bItem = bBatch === 1 ? 0 : item;
    const aOffset = (aBatch === 1 ? 0 : item) * aSize;
    if (simd) {
      const memory = simd.floats();
      if (packedAt !== bItem) {
        packPanels(b, bItem * bSize, depth, columns, bRow, bColumn, memory.subarray(0, aAt));
        packedAt = bItem;
      }
      for (let first = 0; first < rows; first += blockRows) {
        const count = Math.min(blockRows, rows - first);
        const padded = roundUp(count, 4);
        // A block, row-major [padded, depth], zero rows at the end.
        if (!transposeA) {
          memory.set(a.subarray(aOffset + first * depth, aOffset + (first + count) * depth), aAt);
        } else {
          for (let i = 0; i < count; i++) {
            const row = aAt + i * depth;
            for (let k = 0; k < depth; k++) memory[row + k] = a[aOffset + k * rows + first + i];
          }
        }
        memory.fill(0, aAt + count * depth, aAt + padded * depth);
        memory.fill(0, cAt, cAt + padded * width);
        simd.run(aAt * 4, depth * 4, 4, 0, cAt * 4, width * 4, padded, panels, depth);
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
