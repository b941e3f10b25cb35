import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, assertInteger, formatShape } from '@tensorzoo/core';
import pngjs from 'pngjs';

/** Options of {@link imageGrid} and {@link imageGridPng}. */
export interface ImageGridOptions {
  /** Images per row. Default `ceil(sqrt(N))` (a square grid). */
  columns?: number;
  /** Value range of the pixels, mapped to black..white. Default `[0, 1]`; `[-1, 1]` for tanh generators. */
  range?: readonly [number, number];
  /** Screen pixels per image pixel (nearest neighbour). Default 2. */
  scale?: number;
  /** Gap between images, in screen pixels. Default 2. */
  gap?: number;
  /** Grey level 0-255 of the gaps and empty cells. Default 128. */
  background?: number;
}

/**
 * Tiles images `[N, H, W, C]` (C = 1 grey or 3 RGB; NHWC as every TensorZoo image) into one PNG.
 *
 * @param pixels the image values, row-major NHWC.
 * @returns PNG bytes.
 * @example
 * ```ts
 * await writeFile('samples.png', imageGridPng(await images.data(), images.shape, { range: [-1, 1] }));
 * ```
 */
export function imageGridPng(pixels: ArrayLike<number>, shape: readonly number[], options: ImageGridOptions = {}): Buffer {
  const where = 'imageGrid';
  if (shape.length !== 4 || (shape[3] !== 1 && shape[3] !== 3) || shape.slice(0, 3).some((d) => !Number.isInteger(d) || d < 1)) {
    throw new ShapeError('shape-mismatch', `${where}: images expected shape [N, H, W, 1 or 3], received ${formatShape(shape)}.`);
  }
  const [count, height, width, channels] = shape;
  if (pixels.length !== count * height * width * channels) {
    throw new ShapeError('shape-mismatch', `${where}: ${pixels.length} values do not fill images of shape ${formatShape(shape)}.`);
  }
  const columns = assertInteger(where, 'columns', options.columns ?? Math.ceil(Math.sqrt(count)));
  const scale = assertInteger(where, 'scale', options.scale ?? 2);
  const gap = assertInteger(where, 'gap', options.gap ?? 2, 0);
  const background = options.background ?? 128;
  const [low, high] = options.range ?? [0, 1];
  if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    throw new ArgumentError('bad-argument', `${where}: range ([${low}, ${high}]) must be two finite numbers, low < high.`);
  }
  const rows = Math.ceil(count / columns);
  const cellWidth = width * scale + gap;
  const cellHeight = height * scale + gap;
  const png = new pngjs.PNG({ width: columns * cellWidth + gap, height: rows * cellHeight + gap });
  png.data.fill(background);
  for (let offset = 3; offset < png.data.length; offset += 4) png.data[offset] = 255;
  const toByte = (value: number) => Math.round(255 * Math.min(1, Math.max(0, (value - low) / (high - low))));
  for (let image = 0; image < count; image++) {
    const left = gap + (image % columns) * cellWidth;
    const top = gap + Math.floor(image / columns) * cellHeight;
    for (let y = 0; y < height * scale; y++) {
      for (let x = 0; x < width * scale; x++) {
        const source = ((image * height + Math.floor(y / scale)) * width + Math.floor(x / scale)) * channels;
        const target = ((top + y) * png.width + left + x) * 4;
        for (let channel = 0; channel < 3; channel++) png.data[target + channel] = toByte(pixels[source + (channels === 3 ? channel : 0)]);
      }
    }
  }
  return pngjs.PNG.sync.write(png);
}

/** {@link imageGridPng} for a tensor `[N, H, W, C]` (read with `await data()`, not disposed). */
export async function imageGrid(images: tf.Tensor, options: ImageGridOptions = {}): Promise<Buffer> {
  if (!(images instanceof tf.Tensor)) throw new ArgumentError('bad-argument', `imageGrid: images must be a tf.Tensor, received ${typeof images}.`);
  return imageGridPng(await images.data(), images.shape, options);
}
