/**
 * Max pooling and its gradient on raw NHWC float32 arrays, with channels innermost so
 * every loop reads memory in order. Same results as tfjs's cpu kernels: the first
 * strictly greatest value of a window wins (ties and gradients go to it), padding never
 * wins, NaN never wins.
 *
 * The gradient records, during one pass over the windows, which input element won for
 * every output element, then adds `dy` there.
 * @internal
 * @packageDocumentation
 */
import type { backend_util } from '@tensorflow/tfjs-core';

type PoolInfo = backend_util.Conv2DInfo;

/**
 * For every output element, the index in `x` of its window's maximum (-1 when the window
 * has no candidate); `y` receives the maxima (-Infinity for those).
 */
function argmaxWindows(x: Float32Array, info: PoolInfo, y: Float32Array, winners: Int32Array | undefined): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth, dilationHeight, dilationWidth } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  y.fill(-Infinity);
  winners?.fill(-1);
  let out = 0; // first channel of the current output pixel
  for (let b = 0; b < batchSize; b++) {
    for (let outRow = 0; outRow < outHeight; outRow++) {
      const rowStart = outRow * strideHeight - padTop;
      for (let outColumn = 0; outColumn < outWidth; outColumn++, out += channels) {
        const columnStart = outColumn * strideWidth - padLeft;
        for (let windowRow = 0; windowRow < effectiveFilterHeight; windowRow += dilationHeight) {
          const inRow = rowStart + windowRow;
          if (inRow < 0 || inRow >= inHeight) continue;
          for (let windowColumn = 0; windowColumn < effectiveFilterWidth; windowColumn += dilationWidth) {
            const inColumn = columnStart + windowColumn;
            if (inColumn < 0 || inColumn >= inWidth) continue;
            const source = ((b * inHeight + inRow) * inWidth + inColumn) * channels;
            if (winners) {
              for (let ch = 0; ch < channels; ch++) {
                const value = x[source + ch];
                if (value > y[out + ch]) {
                  y[out + ch] = value;
                  winners[out + ch] = source + ch;
                }
              }
            } else {
              for (let ch = 0; ch < channels; ch++) {
                const value = x[source + ch];
                if (value > y[out + ch]) y[out + ch] = value;
              }
            }
          }
        }
      }
    }
  }
}

/** `x` `[N, H, W, C]` -> `[N, H', W', C]`, the maximum of each window. */
export function maxPoolForward(x: Float32Array, info: PoolInfo): Float32Array {
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.inChannels);
  argmaxWindows(x, info, y, undefined);
  return y;
}

/** Routes each output gradient of `dy` `[N, H', W', C]` to its window's maximum in `x` `[N, H, W, C]`. */
export function maxPoolBackprop(dy: Float32Array, x: Float32Array, info: PoolInfo): Float32Array {
  const winners = new Int32Array(dy.length);
  argmaxWindows(x, info, new Float32Array(dy.length), winners);
  const dx = new Float32Array(x.length);
  for (let i = 0; i < winners.length; i++) {
    const at = winners[i];
    if (at >= 0) dx[at] += dy[i];
  }
  return dx;
}
