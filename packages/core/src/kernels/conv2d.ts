/**
 * 2-D convolution and its two gradients as im2col + {@link gemm}, on raw NHWC float32
 * arrays. Backend-independent: the cpu and wasm kernel wrappers (register.ts) hand in the
 * arrays and the `Conv2DInfo` from tfjs's `backend_util.computeConv2DInfo`.
 *
 * With `P = N·H'·W'` output pixels, `K = kh·kw·C_in` patch values and `F = C_out`:
 * - forward:          `Y[P, F]  = cols[P, K] · W[K, F]` (tfjs's filter `[kh, kw, in, out]` is `W`)
 * - input gradient:   `dCols[P, K] = dY[P, F] · Wᵀ`, then scattered back (col2im)
 * - filter gradient:  `dW[K, F] = colsᵀ · dY`
 *
 * The pixels are processed in blocks of a few hundred rows so the patch matrix of a block
 * stays in the L2 cache and memory stays small. The products run in WebAssembly SIMD
 * (simd-gemm.ts) where available, in TypeScript ({@link gemm}) elsewhere.
 * @internal
 * @packageDocumentation
 */
import type { backend_util } from '@tensorflow/tfjs-core';
import { gemm, packPanels, packRowMajorInMemory, PANEL } from './gemm';
import { simdGemm, type SimdGemm } from './simd-gemm';

type ConvInfo = backend_util.Conv2DInfo;

/** Patch-matrix entries per block (256 KiB of float32). */
const BLOCK_VALUES = 1 << 18;

function blockRows(patchSize: number): number {
  return Math.max(4, Math.floor(BLOCK_VALUES / patchSize / 4) * 4);
}

/** True when the patch matrix is the input itself (1x1 kernel, stride 1, no padding). */
function isPointwise(info: ConvInfo): boolean {
  return (
    info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.padInfo.top === 0 && info.padInfo.left === 0 && info.outHeight === info.inHeight && info.outWidth === info.inWidth
  );
}

/**
 * Copies the patches of output pixels `[first, first + count)` into `cols` (`[count, K]`,
 * row `r` = pixel `first + r`, patch order `(ky, kx, c)` like the filter), zeros outside the image.
 */
export function im2col(x: Float32Array, info: ConvInfo, first: number, count: number, cols: Float32Array): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const patchSize = filterHeight * filterWidth * inChannels;
  const pixelsPerImage = outHeight * outWidth;
  for (let r = 0; r < count; r++) {
    const pixel = first + r;
    const batch = Math.floor(pixel / pixelsPerImage);
    const within = pixel - batch * pixelsPerImage;
    const outRow = Math.floor(within / outWidth);
    const outColumn = within - outRow * outWidth;
    const imageBase = batch * inHeight * inWidth * inChannels;
    let out = r * patchSize;
    for (let ky = 0; ky < filterHeight; ky++) {
      const inRow = outRow * strideHeight - padTop + ky * dilationHeight;
      if (inRow < 0 || inRow >= inHeight) {
        cols.fill(0, out, out + filterWidth * inChannels);
        out += filterWidth * inChannels;
        continue;
      }
      const rowBase = imageBase + inRow * inWidth * inChannels;
      for (let kx = 0; kx < filterWidth; kx++) {
        const inColumn = outColumn * strideWidth - padLeft + kx * dilationWidth;
        if (inColumn < 0 || inColumn >= inWidth) {
          cols.fill(0, out, out + inChannels);
        } else {
          const source = rowBase + inColumn * inChannels;
          for (let ch = 0; ch < inChannels; ch++) cols[out + ch] = x[source + ch];
        }
        out += inChannels;
      }
    }
  }
}

/**
 * Adds the patch gradients `dCols` (`[count, K]`, rows `rowStride` apart, from `offset`) of
 * pixels `[first, first + count)` into `dx`.
 */
export function col2imAdd(
  dCols: Float32Array,
  info: ConvInfo,
  first: number,
  count: number,
  dx: Float32Array,
  offset = 0,
  rowStride = info.filterHeight * info.filterWidth * info.inChannels,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const pixelsPerImage = outHeight * outWidth;
  for (let r = 0; r < count; r++) {
    const pixel = first + r;
    const batch = Math.floor(pixel / pixelsPerImage);
    const within = pixel - batch * pixelsPerImage;
    const outRow = Math.floor(within / outWidth);
    const outColumn = within - outRow * outWidth;
    const imageBase = batch * inHeight * inWidth * inChannels;
    let source = offset + r * rowStride;
    for (let ky = 0; ky < filterHeight; ky++) {
      const inRow = outRow * strideHeight - padTop + ky * dilationHeight;
      if (inRow < 0 || inRow >= inHeight) {
        source += filterWidth * inChannels;
        continue;
      }
      const rowBase = imageBase + inRow * inWidth * inChannels;
      for (let kx = 0; kx < filterWidth; kx++) {
        const inColumn = outColumn * strideWidth - padLeft + kx * dilationWidth;
        if (inColumn >= 0 && inColumn < inWidth) {
          const target = rowBase + inColumn * inChannels;
          for (let ch = 0; ch < inChannels; ch++) dx[target + ch] += dCols[source + ch];
        }
        source += inChannels;
      }
    }
  }
}

/** Forward convolution: `x` `[N, H, W, C_in]`, `filter` `[kh, kw, C_in, C_out]` -> `[N, H', W', C_out]`. */
export function conv2dForward(x: Float32Array, filter: Float32Array, info: ConvInfo): Float32Array {
  const simd = simdGemm();
  if (simd) return conv2dForwardSimd(simd, x, filter, info);
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const y = new Float32Array(pixels * outChannels);
  const packedFilter = packPanels(filter, 0, patchSize, outChannels, outChannels, 1); // W[K, F]
  if (isPointwise(info)) {
    gemm(pixels, outChannels, patchSize, x, 0, patchSize, 1, packedFilter, y, 0, outChannels, false);
    return y;
  }
  const rowsPerBlock = blockRows(patchSize);
  const cols = new Float32Array(Math.min(rowsPerBlock, pixels) * patchSize);
  for (let first = 0; first < pixels; first += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, pixels - first);
    im2col(x, info, first, count, cols);
    gemm(count, outChannels, patchSize, cols, 0, patchSize, 1, packedFilter, y, first * outChannels, outChannels, false);
  }
  return y;
}

/** Input gradient: `dy` `[N, H', W', C_out]`, `filter` `[kh, kw, C_in, C_out]` -> `dx` `[N, H, W, C_in]`. */
export function conv2dBackpropInput(dy: Float32Array, filter: Float32Array, info: ConvInfo): Float32Array {
  const simd = simdGemm();
  if (simd) return conv2dBackpropInputSimd(simd, dy, filter, info);
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  // Wᵀ(f, k) = filter[k·F + f]: depth F, columns K.
  const packedTranspose = packPanels(filter, 0, outChannels, patchSize, 1, outChannels);
  if (isPointwise(info)) {
    gemm(pixels, patchSize, outChannels, dy, 0, outChannels, 1, packedTranspose, dx, 0, patchSize, false);
    return dx;
  }
  const rowsPerBlock = blockRows(patchSize);
  const dCols = new Float32Array(Math.min(rowsPerBlock, pixels) * patchSize);
  for (let first = 0; first < pixels; first += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, pixels - first);
    gemm(count, patchSize, outChannels, dy, first * outChannels, outChannels, 1, packedTranspose, dCols, 0, patchSize, false);
    col2imAdd(dCols, info, first, count, dx);
  }
  return dx;
}

/** Filter gradient: `x` `[N, H, W, C_in]`, `dy` `[N, H', W', C_out]` -> `dW` `[kh, kw, C_in, C_out]`. */
export function conv2dBackpropFilter(x: Float32Array, dy: Float32Array, info: ConvInfo): Float32Array {
  const simd = simdGemm();
  if (simd) return conv2dBackpropFilterSimd(simd, x, dy, info);
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const dw = new Float32Array(patchSize * outChannels);
  const rowsPerBlock = blockRows(patchSize);
  const pointwise = isPointwise(info);
  const cols = pointwise ? x : new Float32Array(Math.min(rowsPerBlock, pixels) * patchSize);
  let packedDy: Float32Array | undefined;
  for (let first = 0; first < pixels; first += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, pixels - first);
    if (!pointwise) im2col(x, info, first, count, cols);
    const colsOffset = pointwise ? first * patchSize : 0;
    packedDy = packPanels(dy, first * outChannels, count, outChannels, outChannels, 1, packedDy); // dY block [count, F]
    // dW[k, f] += Σ_r cols[r, k] · dY[r, f]: A = colsᵀ, read with strides (1, K).
    gemm(patchSize, outChannels, count, cols, colsOffset, 1, patchSize, packedDy, dw, 0, outChannels, true);
  }
  return dw;
}

// --- WebAssembly SIMD versions ----------------------------------------------------------
// The same blocks, with the block's matrices in the SIMD module's memory: rows padded to a
// multiple of 4 and columns to a multiple of 8 (the kernel's tile), padding discarded.

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/** Float offsets of consecutive regions of the given sizes, 16-byte aligned, and the end. */
function regions(...sizes: number[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const size of sizes) {
    offsets.push(at);
    at += roundUp(size, 4);
  }
  return [...offsets, at];
}

/** Copies `count` rows of `columns` floats, `fromStride` apart in `from`, into `to` (packed). */
function copyRows(from: Float32Array, fromOffset: number, fromStride: number, to: Float32Array, toOffset: number, columns: number, count: number): void {
  if (fromStride === columns) {
    to.set(from.subarray(fromOffset, fromOffset + count * columns), toOffset);
    return;
  }
  for (let r = 0; r < count; r++) to.set(from.subarray(fromOffset + r * fromStride, fromOffset + r * fromStride + columns), toOffset + r * columns);
}

/** Patch runs shorter than this (floats) are copied by a loop rather than `copyWithin` (a call per run). */
const SHORT_RUN = 16;

/**
 * {@link im2col} with `x` already in `memory` (at float offset `xAt`) and `cols` there too (at
 * `colsAt`): each in-image stretch of a patch row (all `kw` taps when the dilation is 1) is one
 * `copyWithin`, a native copy, instead of a loop per float.
 */
function im2colInMemory(memory: Float32Array, xAt: number, info: ConvInfo, first: number, count: number, colsAt: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const patchRow = filterWidth * inChannels;
  const pixelsPerImage = outHeight * outWidth;
  const copy = (to: number, from: number, length: number) => {
    if (length >= SHORT_RUN) memory.copyWithin(to, from, from + length);
    else for (let i = 0; i < length; i++) memory[to + i] = memory[from + i];
  };
  // The first pixel's position; later ones step along (no divisions per pixel).
  let batch = Math.floor(first / pixelsPerImage);
  let outRow = Math.floor((first - batch * pixelsPerImage) / outWidth);
  let outColumn = first - batch * pixelsPerImage - outRow * outWidth;
  for (let r = 0; r < count; r++, outColumn++) {
    if (outColumn === outWidth) {
      outColumn = 0;
      if (++outRow === outHeight) {
        outRow = 0;
        batch++;
      }
    }
    const imageBase = xAt + batch * inHeight * inWidth * inChannels;
    const firstColumn = outColumn * strideWidth - padLeft;
    // Taps [kxFrom, kxTo) fall inside the image.
    const inside = dilationWidth === 1 && firstColumn >= 0 && firstColumn + filterWidth <= inWidth; // every tap in the image
    const kxFrom = inside ? 0 : Math.min(filterWidth, Math.max(0, Math.ceil(-firstColumn / dilationWidth)));
    const kxTo = inside ? filterWidth : Math.max(kxFrom, Math.min(filterWidth, Math.ceil((inWidth - firstColumn) / dilationWidth)));
    let out = colsAt + r * filterHeight * patchRow;
    for (let ky = 0; ky < filterHeight; ky++, out += patchRow) {
      const inRow = outRow * strideHeight - padTop + ky * dilationHeight;
      if (inRow < 0 || inRow >= inHeight || kxFrom === kxTo) {
        memory.fill(0, out, out + patchRow);
        continue;
      }
      const source = imageBase + (inRow * inWidth + firstColumn) * inChannels;
      if (inside && patchRow < SHORT_RUN) {
        for (let i = 0; i < patchRow; i++) memory[out + i] = memory[source + i];
        continue;
      }
      if (kxFrom > 0) memory.fill(0, out, out + kxFrom * inChannels);
      if (kxTo < filterWidth) memory.fill(0, out + kxTo * inChannels, out + patchRow);
      if (dilationWidth === 1) copy(out + kxFrom * inChannels, source + kxFrom * inChannels, (kxTo - kxFrom) * inChannels);
      else for (let kx = kxFrom; kx < kxTo; kx++) copy(out + kx * inChannels, source + kx * dilationWidth * inChannels, inChannels);
    }
  }
}

/**
 * {@link col2imAdd} within `memory`: patch gradients at float offset `dColsAt` (rows `rowStride`
 * apart) added into `dx` at `dxAt`, each in-image stretch of a patch row by the module's SIMD
 * `accumulate` when its length is a multiple of 4 floats, by a loop otherwise.
 */
function col2imInMemory(simd: Pick<SimdGemm, 'accumulate'>, memory: Float32Array, dColsAt: number, rowStride: number, info: ConvInfo, first: number, count: number, dxAt: number): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const patchRow = filterWidth * inChannels;
  const pixelsPerImage = outHeight * outWidth;
  const add = (to: number, from: number, length: number) => {
    if (length % 4 === 0 && length >= SHORT_RUN) simd.accumulate(to * 4, from * 4, length * 4);
    else for (let i = 0; i < length; i++) memory[to + i] += memory[from + i];
  };
  // The same walk over pixels and in-image taps as im2colInMemory's, written out in both: a
  // shared visitor (a callback or a precomputed table) cost 15-25% on one-channel inputs.
  let batch = Math.floor(first / pixelsPerImage);
  let outRow = Math.floor((first - batch * pixelsPerImage) / outWidth);
  let outColumn = first - batch * pixelsPerImage - outRow * outWidth;
  for (let r = 0; r < count; r++, outColumn++) {
    if (outColumn === outWidth) {
      outColumn = 0;
      if (++outRow === outHeight) {
        outRow = 0;
        batch++;
      }
    }
    const imageBase = dxAt + batch * inHeight * inWidth * inChannels;
    const firstColumn = outColumn * strideWidth - padLeft;
    const kxFrom = Math.min(filterWidth, Math.max(0, Math.ceil(-firstColumn / dilationWidth)));
    const kxTo = Math.max(kxFrom, Math.min(filterWidth, Math.ceil((inWidth - firstColumn) / dilationWidth)));
    let source = dColsAt + r * rowStride;
    for (let ky = 0; ky < filterHeight; ky++, source += patchRow) {
      const inRow = outRow * strideHeight - padTop + ky * dilationHeight;
      if (inRow < 0 || inRow >= inHeight || kxFrom === kxTo) continue;
      const target = imageBase + (inRow * inWidth + firstColumn) * inChannels;
      if (dilationWidth === 1) add(target + kxFrom * inChannels, source + kxFrom * inChannels, (kxTo - kxFrom) * inChannels);
      else for (let kx = kxFrom; kx < kxTo; kx++) add(target + kx * dilationWidth * inChannels, source + kx * inChannels, inChannels);
    }
  }
}

function conv2dForwardSimd(simd: SimdGemm, x: Float32Array, filter: Float32Array, info: ConvInfo): Float32Array {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const panels = Math.ceil(outChannels / PANEL);
  const width = panels * PANEL;
  const rowsPerBlock = Math.min(blockRows(patchSize), roundUp(pixels, 4));
  const [colsAt, filterAt, outAt, xAt, end] = regions(rowsPerBlock * patchSize, panels * patchSize * PANEL, rowsPerBlock * width, x.length);
  simd.reserve(end * 4);
  const memory = simd.floats();
  packPanels(filter, 0, patchSize, outChannels, outChannels, 1, memory.subarray(filterAt, outAt)); // W[K, F]
  memory.set(x, xAt);
  const y = new Float32Array(pixels * outChannels);
  for (let first = 0; first < pixels; first += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, pixels - first);
    const rows = roundUp(count, 4);
    im2colInMemory(memory, xAt, info, first, count, colsAt);
    memory.fill(0, colsAt + count * patchSize, colsAt + rows * patchSize);
    simd.store(colsAt * 4, patchSize * 4, 4, filterAt * 4, outAt * 4, width * 4, rows, panels, patchSize);
    copyRows(memory, outAt, width, y, first * outChannels, outChannels, count);
  }
  return y;
}

/** The SIMD module's functions the gradient loops below call, on the memory they work in. */
export type ConvFunctions = Pick<SimdGemm, 'store' | 'accumulate' | 'widenAdd' | 'packPanels'>;

/** Floats of scratch space {@link backpropInputInMemory} needs. @internal */
export function backpropInputScratch(info: ConvInfo): number {
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const width = roundUp(patchSize, PANEL);
  const rowsPerBlock = inputBlockRows(info);
  return regions(rowsPerBlock * info.outChannels, width * info.outChannels, rowsPerBlock * width).at(-1)!;
}

const inputBlockRows = (info: ConvInfo) =>
  Math.min(blockRows(info.filterHeight * info.filterWidth * info.inChannels), roundUp(info.batchSize * info.outHeight * info.outWidth, 4));

/**
 * The input gradient within one memory (`memory`, a float32 view of it; offsets in floats):
 * `dy` at `dyAt`, `filter` at `filterAt`, `dx` at `dxAt` (zero-filled here), scratch at
 * `scratchAt` ({@link backpropInputScratch} floats). Blocks of `dY` whose row count is a
 * multiple of 4 are read in place; the last one is copied and padded. @internal
 */
export function backpropInputInMemory(
  fns: ConvFunctions, memory: Float32Array, info: ConvInfo, dyAt: number, filterAt: number, dxAt: number, scratchAt: number,
): void {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const outChannels = info.outChannels;
  const panels = Math.ceil(patchSize / PANEL);
  const width = panels * PANEL;
  const rowsPerBlock = inputBlockRows(info);
  const [blockAt, packedAt, colsAt] = regions(rowsPerBlock * outChannels, width * outChannels, rowsPerBlock * width).map((offset) => scratchAt + offset);
  packPanels(memory, filterAt, outChannels, patchSize, 1, outChannels, memory.subarray(packedAt, colsAt)); // Wᵀ[F, K]
  memory.fill(0, dxAt, dxAt + info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  for (let first = 0; first < pixels; first += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, pixels - first);
    const rows = roundUp(count, 4);
    let aAt = dyAt + first * outChannels;
    if (rows !== count) {
      memory.copyWithin(blockAt, aAt, aAt + count * outChannels);
      memory.fill(0, blockAt + count * outChannels, blockAt + rows * outChannels);
      aAt = blockAt;
    }
    fns.store(aAt * 4, outChannels * 4, 4, packedAt * 4, colsAt * 4, width * 4, rows, panels, outChannels);
    col2imInMemory(fns, memory, colsAt, width, info, first, count, dxAt);
  }
}

function conv2dBackpropInputSimd(simd: SimdGemm, dy: Float32Array, filter: Float32Array, info: ConvInfo): Float32Array {
  const dxSize = info.batchSize * info.inHeight * info.inWidth * info.inChannels;
  const [dyAt, filterAt, dxAt, scratchAt, end] = regions(dy.length, filter.length, dxSize, backpropInputScratch(info));
  simd.reserve(end * 4);
  const memory = simd.floats();
  memory.set(dy, dyAt);
  memory.set(filter, filterAt);
  backpropInputInMemory(simd, memory, info, dyAt, filterAt, dxAt, scratchAt);
  return memory.slice(dxAt, dxAt + dxSize);
}

/** The filter gradient's blocks: rows of pixels, each block's sums float32 (at most 512 pixels: short enough to stay accurate). */
function filterGradientLayout(info: ConvInfo): { patchSize: number; panels: number; width: number; patchRows: number; rowsPerBlock: number; sizes: number[] } {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const panels = Math.ceil(info.outChannels / PANEL);
  const width = panels * PANEL;
  const patchRows = roundUp(patchSize, 4); // rows of dW computed; the extra ones read the next patch and are dropped
  const rowsPerBlock = Math.min(blockRows(patchSize), 512, roundUp(pixels, 4));
  // cols (+4: the last patch row's overrun), packed dY block, dW block, float64 totals (+2: 8-byte alignment).
  return { patchSize, panels, width, patchRows, rowsPerBlock, sizes: [rowsPerBlock * patchSize + 4, panels * rowsPerBlock * PANEL, patchRows * width, 2 * patchSize * width + 2] };
}

/** Floats of scratch space {@link backpropFilterInMemory} needs. @internal */
export function backpropFilterScratch(info: ConvInfo): number {
  return regions(...filterGradientLayout(info).sizes).at(-1)!;
}

/**
 * The filter gradient within one memory (offsets in floats): `x` at `xAt`, `dy` at `dyAt`,
 * scratch at `scratchAt` ({@link backpropFilterScratch} floats); blocks of pixels summed in
 * float64. Returns the totals, a float64 view of the memory: `dW[k, f]` at `k·width + f`
 * (`width` = C_out rounded up to 8; {@link filterFromTotals} rounds them to float32). @internal
 */
export function backpropFilterInMemory(fns: ConvFunctions, memory: Float32Array, info: ConvInfo, xAt: number, dyAt: number, scratchAt: number): { totals: Float64Array; width: number } {
  const pixels = info.batchSize * info.outHeight * info.outWidth;
  const outChannels = info.outChannels;
  const { patchSize, panels, width, patchRows, rowsPerBlock, sizes } = filterGradientLayout(info);
  const [colsAt, packedAt, dwAt, totalAt] = regions(...sizes).map((offset) => scratchAt + offset);
  const totalByte = roundUp(totalAt * 4, 8); // float64 alignment
  memory.fill(0, colsAt, dwAt);
  memory.fill(0, totalAt, totalAt + sizes[3]);
  for (let first = 0; first < pixels; first += rowsPerBlock) {
    const count = Math.min(rowsPerBlock, pixels - first);
    im2colInMemory(memory, xAt, info, first, count, colsAt);
    memory.fill(0, colsAt + count * patchSize, colsAt + count * patchSize + 4);
    packRowMajorInMemory(fns.packPanels, memory, dyAt + first * outChannels, count, outChannels, outChannels, packedAt); // dY block [count, F]
    // dW_block[k, f] = Σ_r cols[r, k] · dY[r, f]: A = colsᵀ, read with strides (1, K) floats.
    fns.store(colsAt * 4, 4, patchSize * 4, packedAt * 4, dwAt * 4, width * 4, patchRows, panels, count);
    fns.widenAdd(totalByte, dwAt * 4, patchSize * width * 4);
  }
  return { totals: new Float64Array(memory.buffer, totalByte, patchSize * width), width };
}

/** `dW` `[K, F]` from {@link backpropFilterInMemory}'s float64 totals, rounded to float32, into `dw` at `offset`. @internal */
export function filterFromTotals(totals: Float64Array, width: number, patchSize: number, outChannels: number, dw: Float32Array, offset = 0): void {
  for (let k = 0; k < patchSize; k++) for (let f = 0; f < outChannels; f++) dw[offset + k * outChannels + f] = totals[k * width + f];
}

function conv2dBackpropFilterSimd(simd: SimdGemm, x: Float32Array, dy: Float32Array, info: ConvInfo): Float32Array {
  const [xAt, dyAt, scratchAt, end] = regions(x.length, dy.length, backpropFilterScratch(info));
  simd.reserve(end * 4);
  const memory = simd.floats();
  memory.set(x, xAt);
  memory.set(dy, dyAt); // packed block by block by the module's SIMD pack_panels
  const { totals, width } = backpropFilterInMemory(simd, memory, info, xAt, dyAt, scratchAt);
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const dw = new Float32Array(patchSize * info.outChannels);
  filterFromTotals(totals, width, patchSize, info.outChannels, dw);
  return dw;
}
