// ImageNet preprocessing as torchvision does it (resize the shorter side with antialiased
// bilinear filtering, center crop, normalise), and top-k class names from logits.
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, ShapeError, describeValue, formatShape } from '@tensorzoo/core';
import { IMAGENET_CLASSES } from './imagenet-classes';
import { positiveInteger } from './validate';

/** ImageNet's per-channel RGB mean (torchvision's pretrained weights expect it). */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet's per-channel RGB standard deviation. */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

/**
 * Raw RGBA pixels, row by row, 4 bytes per pixel (alpha ignored): a browser `ImageData`, or
 * in Node the decoded bytes of a PNG/JPEG (e.g. `pngjs`'s `{ data, width, height }`).
 */
export interface RgbaImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/** A browser image that can be drawn on a canvas. */
export type DrawableImage = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap | OffscreenCanvas;

/** Options of {@link preprocessImage}; the defaults are torchvision's ImageNet evaluation transform. */
export interface PreprocessOptions {
  /** The shorter side is resized to this (the longer keeps the aspect ratio). Default `256`. */
  resizeTo?: number;
  /** Side of the square center crop taken after resizing. Default `224`. */
  cropSize?: number;
  /** Per-channel RGB mean subtracted from values in [0, 1]. Default {@link IMAGENET_MEAN}. */
  mean?: readonly [number, number, number];
  /** Per-channel RGB standard deviation divided by. Default {@link IMAGENET_STD}. */
  std?: readonly [number, number, number];
}

/**
 * Turns an image into a normalised model input `[1, cropSize, cropSize, 3]` float32, exactly
 * torchvision's `Resize(256) -> CenterCrop(224) -> ToTensor -> Normalize(mean, std)` on float
 * pixels (antialiased bilinear resize, as torchvision's `antialias=True` and PIL; PIL also
 * rounds the resized image to bytes, a difference of at most 0.5/255 per pixel).
 *
 * Accepts raw RGBA bytes (`ImageData`, or `{ data, width, height }` decoded in Node) and, in
 * browsers, a loaded `HTMLImageElement`, `ImageBitmap`, canvas or video frame (drawn on a
 * canvas first). The work runs in plain JavaScript (about 1 ms for 224x224), so the result
 * is the same on every backend.
 *
 * @throws ArgumentError for a malformed image or options, or a drawable image outside a browser.
 * @example
 * ```ts
 * const input = preprocessImage(imageElement);      // [1, 224, 224, 3]
 * const logits = model.eval().call(input);           // [1, 1000]
 * const [top5] = await topK(logits, 5);              // [{ index, label, probability, logit }, ...]
 * ```
 */
export function preprocessImage(source: RgbaImage | DrawableImage, options: PreprocessOptions = {}): tf.Tensor4D {
  const where = 'preprocessImage';
  const resizeTo = positiveInteger(where, 'resizeTo', options.resizeTo ?? 256);
  const cropSize = positiveInteger(where, 'cropSize', options.cropSize ?? 224);
  const mean = channelTriple(where, 'mean', options.mean ?? IMAGENET_MEAN);
  const std = channelTriple(where, 'std', options.std ?? IMAGENET_STD);
  if (std.some((value) => value <= 0)) throw new ArgumentError('bad-argument', `${where}: std ([${std.join(', ')}]) must be positive.`);
  const image = readPixels(source);
  const { width, height } = image;
  // torchvision: the shorter side becomes resizeTo, the longer int(resizeTo · long / short).
  const [outHeight, outWidth] =
    height <= width ? [resizeTo, Math.floor((resizeTo * width) / height)] : [Math.floor((resizeTo * height) / width), resizeTo];
  if (outHeight < cropSize || outWidth < cropSize) {
    throw new ArgumentError('bad-argument', `${where}: cropSize (${cropSize}) must not exceed the resized image ${outHeight}x${outWidth} (resizeTo ${resizeTo}).`);
  }
  const top = roundHalfToEven((outHeight - cropSize) / 2);
  const left = roundHalfToEven((outWidth - cropSize) / 2);
  // Only the cropped rows and columns of the resized image are computed.
  const rows = resampleWeights(height, outHeight, top, cropSize);
  const columns = resampleWeights(width, outWidth, left, cropSize);
  const output = new Float32Array(cropSize * cropSize * 3); // [H, W, 3]
  const rowBuffer = new Float64Array(width * 3); // one vertically filtered input row
  for (let y = 0; y < cropSize; y++) {
    rowBuffer.fill(0);
    const { start: rowStart, weights: rowWeights } = rows[y];
    for (let tap = 0; tap < rowWeights.length; tap++) {
      const weight = rowWeights[tap] / 255;
      const offset = (rowStart + tap) * width * 4;
      for (let x = 0; x < width; x++) {
        rowBuffer[x * 3] += weight * image.data[offset + x * 4];
        rowBuffer[x * 3 + 1] += weight * image.data[offset + x * 4 + 1];
        rowBuffer[x * 3 + 2] += weight * image.data[offset + x * 4 + 2];
      }
    }
    for (let x = 0; x < cropSize; x++) {
      const { start, weights } = columns[x];
      for (let channel = 0; channel < 3; channel++) {
        let sum = 0;
        for (let tap = 0; tap < weights.length; tap++) sum += weights[tap] * rowBuffer[(start + tap) * 3 + channel];
        output[(y * cropSize + x) * 3 + channel] = (sum - mean[channel]) / std[channel];
      }
    }
  }
  return tf.tensor4d(output, [1, cropSize, cropSize, 3]);
}

/** Filter taps of one output pixel: input indices `start .. start + weights.length - 1`. */
interface Taps {
  start: number;
  weights: Float64Array;
}

/**
 * Antialiased bilinear (triangle filter) resampling weights from `inSize` to `outSize` pixels,
 * for outputs `first .. first + count - 1`: PIL's and PyTorch's `antialias=True` scheme (the
 * filter widens by the scale factor when shrinking; plain bilinear with half-pixel centers
 * when enlarging; taps outside the image are dropped and the rest renormalised).
 */
function resampleWeights(inSize: number, outSize: number, first: number, count: number): Taps[] {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1;
  const inverseScale = scale >= 1 ? 1 / scale : 1;
  return Array.from({ length: count }, (_, index) => {
    const center = scale * (first + index + 0.5);
    const start = Math.max(Math.trunc(center - support + 0.5), 0);
    const end = Math.min(Math.trunc(center + support + 0.5), inSize);
    const weights = new Float64Array(Math.max(end - start, 0));
    let total = 0;
    for (let tap = 0; tap < weights.length; tap++) {
      const distance = Math.abs((tap + start - center + 0.5) * inverseScale);
      weights[tap] = distance < 1 ? 1 - distance : 0;
      total += weights[tap];
    }
    if (total > 0) for (let tap = 0; tap < weights.length; tap++) weights[tap] /= total;
    return { start, weights };
  });
}

/** Python's `round` (ties to even), which torchvision's center crop uses. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

function channelTriple(where: string, name: string, value: unknown): [number, number, number] {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((entry) => typeof entry === 'number' && Number.isFinite(entry))) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be three finite numbers [red, green, blue].`);
  }
  return [value[0], value[1], value[2]];
}

function isRgbaImage(source: unknown): source is RgbaImage {
  return typeof source === 'object' && source !== null && 'data' in source && 'width' in source && 'height' in source;
}

/** The RGBA bytes of any accepted source, checked. */
function readPixels(source: RgbaImage | DrawableImage): RgbaImage {
  const where = 'preprocessImage';
  if (isRgbaImage(source)) {
    const { data, width, height } = source;
    positiveInteger(where, 'image width', width);
    positiveInteger(where, 'image height', height);
    if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray) || data.length !== width * height * 4) {
      throw new ArgumentError(
        'bad-argument',
        `${where}: expected RGBA bytes (Uint8Array or Uint8ClampedArray) of width·height·4 = ${width * height * 4} entries, received ${describeValue(data)} of length ${(data as { length?: number })?.length}.`,
      );
    }
    return source;
  }
  const size = source as { naturalWidth?: number; naturalHeight?: number; videoWidth?: number; videoHeight?: number; width: number; height: number };
  const width = size.naturalWidth || size.videoWidth || size.width;
  const height = size.naturalHeight || size.videoHeight || size.height;
  if (!(width > 0 && height > 0)) {
    throw new ArgumentError('bad-argument', `${where}: the image has no pixels yet (${width}x${height}); wait for it to load (await image.decode()).`);
  }
  const canvas: HTMLCanvasElement | OffscreenCanvas | undefined =
    typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(width, height) : typeof document !== 'undefined' ? document.createElement('canvas') : undefined;
  if (!canvas) {
    throw new ArgumentError('bad-argument', `${where}: drawing an image needs a browser canvas; in Node pass decoded RGBA bytes { data, width, height }.`);
  }
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new ArgumentError('bad-argument', `${where}: could not get a 2d canvas context.`);
  context.drawImage(source as CanvasImageSource, 0, 0, width, height);
  return context.getImageData(0, 0, width, height);
}

/** One class of a {@link topK} result. */
export interface ClassScore {
  /** Class index into the logits. */
  index: number;
  /** Its name from `labels`. */
  label: string;
  /** Softmax probability over all classes. */
  probability: number;
  /** The raw logit. */
  logit: number;
}

/**
 * The `k` most likely classes of each image, best first, with softmax probabilities and names
 * (the 1,000 ImageNet classes by default).
 *
 * `logits` `[N, numClasses]` or `[numClasses]` -> one list of `k` {@link ClassScore}s per image.
 * @throws ArgumentError when `k` is not in [1, numClasses] or `labels` has another length; ShapeError for another rank.
 * @example
 * ```ts
 * const [best] = await topK(model.eval().call(preprocessImage(image)), 5);
 * best[0]; // { index: 207, label: 'golden retriever', probability: 0.91, logit: 14.2 }
 * ```
 */
export async function topK(logits: tf.Tensor, k = 5, labels: readonly string[] = IMAGENET_CLASSES): Promise<ClassScore[][]> {
  const where = 'topK';
  if (logits.rank !== 1 && logits.rank !== 2) {
    throw new ShapeError('bad-shape', `${where}: logits must be [numClasses] or [N, numClasses], received ${formatShape(logits.shape)}.`);
  }
  const numClasses = logits.shape[logits.rank - 1];
  positiveInteger(where, 'k', k);
  if (k > numClasses) throw new ArgumentError('bad-argument', `${where}: k (${k}) must be at most the number of classes (${numClasses}).`);
  if (labels.length !== numClasses) {
    throw new ArgumentError('bad-argument', `${where}: labels has ${labels.length} names but the logits have ${numClasses} classes; pass one name per class.`);
  }
  const values = await logits.data();
  const rows = logits.rank === 1 ? 1 : logits.shape[0];
  return Array.from({ length: rows }, (_, row) => {
    const scores = values.subarray(row * numClasses, (row + 1) * numClasses) as Float32Array;
    let max = -Infinity;
    for (const score of scores) max = Math.max(max, score);
    let total = 0;
    for (const score of scores) total += Math.exp(score - max);
    const order = Array.from({ length: numClasses }, (_, index) => index).sort((a, b) => scores[b] - scores[a] || a - b);
    return order.slice(0, k).map((index) => ({ index, label: labels[index], probability: Math.exp(scores[index] - max) / total, logit: scores[index] }));
  });
}
