// The 2,000 + 500 MNIST digits shipped as public/data/mnist-digits.bin (see scripts/make-data.mjs).
import { fetchBytes } from './model';

export const PIXELS = 784;

/** Digits of one split: labels and pixels in [0, 1], row-major `[size, 28, 28, 1]`. */
export interface Digits {
  size: number;
  labels: Int32Array;
  pixels: Float32Array;
}

let cached: Promise<{ train: Digits; test: Digits }> | undefined;

/** Loads (once) and decodes the shipped digits. */
export function loadDigits(baseUrl: string): Promise<{ train: Digits; test: Digits }> {
  cached ??= fetchBytes(baseUrl, 'data/mnist-digits.bin').then(decodeDigits);
  return cached;
}

function decodeDigits(bytes: Uint8Array): { train: Digits; test: Digits } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (magic !== 'TZMN') throw new Error(`mnist-digits.bin: expected the magic "TZMN", found "${magic}"`);
  const trainSize = view.getUint32(4, true);
  const testSize = view.getUint32(8, true);
  let offset = 12;
  const split = (size: number): Digits => {
    const labels = Int32Array.from(bytes.subarray(offset, offset + size));
    offset += size;
    const pixels = Float32Array.from(bytes.subarray(offset, offset + size * PIXELS), (value) => value / 255);
    offset += size * PIXELS;
    return { size, labels, pixels };
  };
  const train = split(trainSize);
  const test = split(testSize);
  return { train, test };
}

/** Rows `rows` of `digits` as one pixel array `[rows.length * 784]`, mapped by `scale` (e.g. to [-1, 1]). */
export function gatherPixels(digits: Digits, rows: ArrayLike<number>, scale: (value: number) => number = (value) => value): Float32Array {
  const out = new Float32Array(rows.length * PIXELS);
  for (let index = 0; index < rows.length; index++) {
    const source = digits.pixels.subarray(rows[index] * PIXELS, (rows[index] + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) out[index * PIXELS + p] = scale(source[p]);
  }
  return out;
}
