/**
 * A cache-friendly float32 matrix product in plain TypeScript, the engine of the fast
 * convolution kernels.
 *
 * `C[i, j] (+)= Σ_k A(i, k) · B(k, j)`, with `A` read through two strides (so it can be a
 * transposed view) and `B` first packed into column panels of {@link PANEL} columns, each
 * stored depth-major (`[k][8]`), so the inner loop reads `B` sequentially. The micro-kernel
 * keeps a 4 x 8 tile of `C` in local variables (V8 keeps them in registers or on the
 * stack, never in the array) and streams `A` and `B` once per tile. Products and sums are
 * computed in float64 (JavaScript numbers), rounded to float32 on store.
 *
 * Measured on one core of the development machine: about 3-4 GFLOPS for the shapes of
 * a small CNN, against about 0.2 GFLOPS for the naive triple loop.
 * @internal
 * @packageDocumentation
 */

/** Columns of `B` per packed panel (the micro-kernel's tile width). */
export const PANEL = 8;

/**
 * Packs a `depth x columns` matrix `B(k, j) = source[offset + k·rowStride + j·columnStride]`
 * into zero-padded panels of {@link PANEL} columns: `packed[(j / 8)·depth·8 + k·8 + (j % 8)]`.
 *
 * The two layouts products use get their own loops: row-major `B` (`columnStride` 1) is
 * read a row at a time, 8 panels together (one 32-float run per row instead of a jump of a
 * whole row per panel, which on power-of-two widths maps every load to the same cache set);
 * transposed `B` (`rowStride` 1) reads 8 contiguous columns side by side. Both unroll the
 * 8 columns of a full panel. Other strides take the general loop.
 * @param target reused when large enough.
 */
export function packPanels(
  source: Float32Array,
  offset: number,
  depth: number,
  columns: number,
  rowStride: number,
  columnStride: number,
  target?: Float32Array,
): Float32Array {
  const panels = Math.ceil(columns / PANEL);
  const size = panels * depth * PANEL;
  const packed = target && target.length >= size ? target : new Float32Array(size);
  const fullPanels = Math.floor(columns / PANEL);
  if (columnStride === 1) packRowMajor(source, offset, depth, rowStride, fullPanels, packed);
  else if (rowStride === 1) packColumnMajor(source, offset, depth, columnStride, fullPanels, packed);
  else packGeneral(source, offset, depth, columns, rowStride, columnStride, 0, fullPanels, packed);
  if (fullPanels < panels) packGeneral(source, offset, depth, columns, rowStride, columnStride, fullPanels, panels, packed);
  return packed;
}

/** Panels per sweep over the rows of a row-major `B`: 8 panels = 64 floats = 256 bytes per row. */
const PANEL_GROUP = 8;

/** Full panels `[0, fullPanels)` of a row-major `B` (`columnStride` 1). */
function packRowMajor(source: Float32Array, offset: number, depth: number, rowStride: number, fullPanels: number, packed: Float32Array): void {
  const panelSize = depth * PANEL;
  for (let group = 0; group < fullPanels; group += PANEL_GROUP) {
    const groupEnd = Math.min(fullPanels, group + PANEL_GROUP);
    for (let k = 0; k < depth; k++) {
      let from = offset + k * rowStride + group * PANEL;
      let to = group * panelSize + k * PANEL;
      for (let panel = group; panel < groupEnd; panel++, from += PANEL, to += panelSize) {
        packed[to] = source[from]; packed[to + 1] = source[from + 1];
        packed[to + 2] = source[from + 2]; packed[to + 3] = source[from + 3];
        packed[to + 4] = source[from + 4]; packed[to + 5] = source[from + 5];
        packed[to + 6] = source[from + 6]; packed[to + 7] = source[from + 7];
      }
    }
  }
}

/** Full panels `[0, fullPanels)` of a transposed `B` (`rowStride` 1: column `j` is contiguous). */
function packColumnMajor(source: Float32Array, offset: number, depth: number, columnStride: number, fullPanels: number, packed: Float32Array): void {
  let to = 0;
  for (let panel = 0; panel < fullPanels; panel++) {
    const s0 = offset + panel * PANEL * columnStride;
    const s1 = s0 + columnStride, s2 = s1 + columnStride, s3 = s2 + columnStride;
    const s4 = s3 + columnStride, s5 = s4 + columnStride, s6 = s5 + columnStride, s7 = s6 + columnStride;
    for (let k = 0; k < depth; k++, to += PANEL) {
      packed[to] = source[s0 + k]; packed[to + 1] = source[s1 + k];
      packed[to + 2] = source[s2 + k]; packed[to + 3] = source[s3 + k];
      packed[to + 4] = source[s4 + k]; packed[to + 5] = source[s5 + k];
      packed[to + 6] = source[s6 + k]; packed[to + 7] = source[s7 + k];
    }
  }
}

/** Panels `[firstPanel, endPanel)` for any strides, zero-padding columns past `columns`. */
function packGeneral(
  source: Float32Array,
  offset: number,
  depth: number,
  columns: number,
  rowStride: number,
  columnStride: number,
  firstPanel: number,
  endPanel: number,
  packed: Float32Array,
): void {
  let out = firstPanel * depth * PANEL;
  for (let panel = firstPanel; panel < endPanel; panel++) {
    const first = panel * PANEL;
    const width = Math.min(PANEL, columns - first);
    for (let k = 0; k < depth; k++) {
      const row = offset + k * rowStride + first * columnStride;
      let t = 0;
      for (; t < width; t++) packed[out + t] = source[row + t * columnStride];
      for (; t < PANEL; t++) packed[out + t] = 0;
      out += PANEL;
    }
  }
}

/**
 * `C[cOffset + i·ldc + j] (+)= Σ_k A[aOffset + i·aRowStride + k·aDepthStride] · B(k, j)` for
 * `i < rows`, `j < columns`, `k < depth`, where `packedB` comes from {@link packPanels}.
 * @param accumulate add to `C` instead of overwriting it.
 */
export function gemm(
  rows: number,
  columns: number,
  depth: number,
  a: Float32Array,
  aOffset: number,
  aRowStride: number,
  aDepthStride: number,
  packedB: Float32Array,
  c: Float32Array,
  cOffset: number,
  ldc: number,
  accumulate: boolean,
): void {
  const panels = Math.ceil(columns / PANEL);
  const tile = new Float64Array(4 * PANEL); // partial panels and leftover rows go through here
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const a0 = aOffset + i * aRowStride;
    const a1 = a0 + aRowStride;
    const a2 = a1 + aRowStride;
    const a3 = a2 + aRowStride;
    for (let panel = 0; panel < panels; panel++) {
      // 4 x 8 tile of C: row r, column t is `c{r}{t}`.
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
      let b = panel * depth * PANEL;
      let ak = 0;
      for (let k = 0; k < depth; k++, b += PANEL, ak += aDepthStride) {
        const x0 = a[a0 + ak], x1 = a[a1 + ak], x2 = a[a2 + ak], x3 = a[a3 + ak];
        let y = packedB[b];
        c00 += x0 * y; c10 += x1 * y; c20 += x2 * y; c30 += x3 * y;
        y = packedB[b + 1];
        c01 += x0 * y; c11 += x1 * y; c21 += x2 * y; c31 += x3 * y;
        y = packedB[b + 2];
        c02 += x0 * y; c12 += x1 * y; c22 += x2 * y; c32 += x3 * y;
        y = packedB[b + 3];
        c03 += x0 * y; c13 += x1 * y; c23 += x2 * y; c33 += x3 * y;
        y = packedB[b + 4];
        c04 += x0 * y; c14 += x1 * y; c24 += x2 * y; c34 += x3 * y;
        y = packedB[b + 5];
        c05 += x0 * y; c15 += x1 * y; c25 += x2 * y; c35 += x3 * y;
        y = packedB[b + 6];
        c06 += x0 * y; c16 += x1 * y; c26 += x2 * y; c36 += x3 * y;
        y = packedB[b + 7];
        c07 += x0 * y; c17 += x1 * y; c27 += x2 * y; c37 += x3 * y;
      }
      const j = panel * PANEL;
      const width = Math.min(PANEL, columns - j);
      const out = cOffset + i * ldc + j;
      if (width === PANEL && !accumulate) {
        c[out] = c00; c[out + 1] = c01; c[out + 2] = c02; c[out + 3] = c03;
        c[out + 4] = c04; c[out + 5] = c05; c[out + 6] = c06; c[out + 7] = c07;
        const o1 = out + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
        c[o1] = c10; c[o1 + 1] = c11; c[o1 + 2] = c12; c[o1 + 3] = c13;
        c[o1 + 4] = c14; c[o1 + 5] = c15; c[o1 + 6] = c16; c[o1 + 7] = c17;
        c[o2] = c20; c[o2 + 1] = c21; c[o2 + 2] = c22; c[o2 + 3] = c23;
        c[o2 + 4] = c24; c[o2 + 5] = c25; c[o2 + 6] = c26; c[o2 + 7] = c27;
        c[o3] = c30; c[o3 + 1] = c31; c[o3 + 2] = c32; c[o3 + 3] = c33;
        c[o3 + 4] = c34; c[o3 + 5] = c35; c[o3 + 6] = c36; c[o3 + 7] = c37;
      } else {
        tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
        tile[4] = c04; tile[5] = c05; tile[6] = c06; tile[7] = c07;
        tile[8] = c10; tile[9] = c11; tile[10] = c12; tile[11] = c13;
        tile[12] = c14; tile[13] = c15; tile[14] = c16; tile[15] = c17;
        tile[16] = c20; tile[17] = c21; tile[18] = c22; tile[19] = c23;
        tile[20] = c24; tile[21] = c25; tile[22] = c26; tile[23] = c27;
        tile[24] = c30; tile[25] = c31; tile[26] = c32; tile[27] = c33;
        tile[28] = c34; tile[29] = c35; tile[30] = c36; tile[31] = c37;
        storeTile(tile, 4, width, c, out, ldc, accumulate);
      }
    }
  }
  // Leftover rows (rows % 4), one at a time.
  for (; i < rows; i++) {
    const a0 = aOffset + i * aRowStride;
    for (let panel = 0; panel < panels; panel++) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
      let b = panel * depth * PANEL;
      let ak = a0;
      for (let k = 0; k < depth; k++, b += PANEL, ak += aDepthStride) {
        const x0 = a[ak];
        c00 += x0 * packedB[b]; c01 += x0 * packedB[b + 1]; c02 += x0 * packedB[b + 2]; c03 += x0 * packedB[b + 3];
        c04 += x0 * packedB[b + 4]; c05 += x0 * packedB[b + 5]; c06 += x0 * packedB[b + 6]; c07 += x0 * packedB[b + 7];
      }
      tile[0] = c00; tile[1] = c01; tile[2] = c02; tile[3] = c03;
      tile[4] = c04; tile[5] = c05; tile[6] = c06; tile[7] = c07;
      const j = panel * PANEL;
      storeTile(tile, 1, Math.min(PANEL, columns - j), c, cOffset + i * ldc + j, ldc, accumulate);
    }
  }
}

/** Writes (or adds) the first `width` columns of a `tileRows x 8` tile into `C`. */
function storeTile(
  tile: Float64Array,
  tileRows: number,
  width: number,
  c: Float32Array,
  out: number,
  ldc: number,
  accumulate: boolean,
): void {
  for (let r = 0; r < tileRows; r++) {
    const row = out + r * ldc;
    for (let t = 0; t < width; t++) c[row + t] = accumulate ? c[row + t] + tile[r * PANEL + t] : tile[r * PANEL + t];
  }
}

/** `pack_panels` of the SIMD module (simd-gemm.ts): full panels of a row-major `B`, byte addresses. */
export type PackFunction = (src: number, rowStride: number, dst: number, depth: number, panels: number) => void;

/**
 * {@link packPanels} of a row-major `B` (`columnStride` 1) whose values and target both lie
 * in `memory` (float offsets): the full panels by the SIMD module's `pack_panels`, the partial
 * last one here. The same layout and values.
 */
export function packRowMajorInMemory(pack: PackFunction, memory: Float32Array, offset: number, depth: number, columns: number, rowStride: number, target: number): void {
  const fullPanels = Math.floor(columns / PANEL);
  if (fullPanels > 0 && depth > 0) pack(offset * 4, rowStride * 4, target * 4, depth, fullPanels);
  const rest = columns - fullPanels * PANEL;
  if (rest > 0) {
    const at = target + fullPanels * depth * PANEL;
    packPanels(memory, offset + fullPanels * PANEL, depth, rest, rowStride, 1, memory.subarray(at, at + depth * PANEL));
  }
}
