/**
 * A depthwise convolution and its two gradients on raw NHWC float32 arrays: the gradients for
 * backends without them (stock tfjs-wasm has no `DepthwiseConv2dNativeBackpropInput/Filter`,
 * so MobileNet-style models cannot train there). The forward shares the tap walk and checks it
 * in the tests; as a cpu kernel it measured no faster than tfjs-cpu's end to end (MobileNetV2).
 *
 * Registered on wasm by register.ts (stock tfjs-wasm lacks them); wasm needs `DepthwiseConv2dNativeBackpropInput` ({dy, filter}, attrs
 * `inputShape`) and `DepthwiseConv2dNativeBackpropFilter` ({x, dy}, attrs `filterShape`) fast
 * paths in register.ts shaped like the Conv2D ones, with `computeConv2DInfo(..., depthwise = true)`;
 * registered that way, wasm gradients of MobileNetV2 blocks matched cpu's.
 * Backend-independent, like conv2d.ts: a kernel wrapper hands in the arrays and the
 * `Conv2DInfo` from `backend_util.computeConv2DInfo(..., depthwise = true)`.
 *
 * With channel multiplier `m` (filter `[kh, kw, C, m]`, output channel `c·m + q`):
 * - forward:         `y[b, oy, ox, c·m+q] = Σ_{ky,kx} x[b, oy·sh - top + ky·dh, ox·sw - left + kx·dw, c] · w[ky, kx, c, q]`
 * - input gradient:  every `dy · w` term scattered back to the input pixel it came from
 * - filter gradient: `dw[ky, kx, c, q] = Σ_{b,oy,ox} x[b, iy, ix, c] · dy[b, oy, ox, c·m+q]`
 *
 * Loops run over output pixels and taps, with the channels innermost (contiguous in NHWC).
 * @internal
 * @packageDocumentation
 */
import type { backend_util } from '@tensorflow/tfjs-core';

type ConvInfo = backend_util.Conv2DInfo;

/**
 * Calls `visit(dyOffset, xOffset, filterOffset)` for every (output pixel, tap) pair whose
 * input pixel lies inside the image; offsets point at channel 0 of each.
 */
function forEachTap(info: ConvInfo, visit: (dyOffset: number, xOffset: number, filterOffset: number) => void): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, filterHeight, filterWidth, padInfo } = info;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ky = 0; ky < filterHeight; ky++) {
        const iy = oy * strideHeight - padInfo.top + ky * dilationHeight;
        if (iy < 0 || iy >= inHeight) continue;
        for (let ox = 0; ox < outWidth; ox++) {
          const dyOffset = ((b * outHeight + oy) * outWidth + ox) * outChannels;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth - padInfo.left + kx * dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            visit(dyOffset, ((b * inHeight + iy) * inWidth + ix) * inChannels, (ky * filterWidth + kx) * outChannels);
          }
        }
      }
    }
  }
}

/** Gradient of a depthwise convolution with respect to its input: `dx` `[N, H, W, C]`. */
export function depthwiseBackpropInput(dy: Float32Array, filter: Float32Array, info: ConvInfo): Float32Array {
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  forEachTap(info, (dyOffset, xOffset, filterOffset) => {
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let q = 0; q < multiplier; q++) sum += dy[dyOffset + c * multiplier + q] * filter[filterOffset + c * multiplier + q];
      dx[xOffset + c] += sum;
    }
  });
  return dx;
}

/** Gradient of a depthwise convolution with respect to its filter: `dw` `[kh, kw, C, m]`. */
export function depthwiseBackpropFilter(x: Float32Array, dy: Float32Array, info: ConvInfo): Float32Array {
  const dw = new Float32Array(info.filterHeight * info.filterWidth * info.outChannels);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  forEachTap(info, (dyOffset, xOffset, filterOffset) => {
    for (let c = 0; c < channels; c++) {
      const value = x[xOffset + c];
      for (let q = 0; q < multiplier; q++) dw[filterOffset + c * multiplier + q] += value * dy[dyOffset + c * multiplier + q];
    }
  });
  return dw;
}

/** Depthwise convolution: `y` `[N, H', W', C·m]` from `x` `[N, H, W, C]` and `filter` `[kh, kw, C, m]`. */
export function depthwiseForward(x: Float32Array, filter: Float32Array, info: ConvInfo): Float32Array {
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  if (multiplier === 1) {
    forEachTap(info, (yOffset, xOffset, filterOffset) => {
      for (let c = 0; c < channels; c++) y[yOffset + c] += x[xOffset + c] * filter[filterOffset + c];
    });
    return y;
  }
  forEachTap(info, (yOffset, xOffset, filterOffset) => {
    for (let c = 0; c < channels; c++) {
      const value = x[xOffset + c];
      for (let q = 0; q < multiplier; q++) y[yOffset + c * multiplier + q] += value * filter[filterOffset + c * multiplier + q];
    }
  });
  return y;
}
