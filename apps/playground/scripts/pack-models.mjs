// Copies the checkpoints written by `tensorzoo train <example> --out <runs>/<example>` into
// public/models/<example>.safetensors without their optimizer state (weights + metadata only:
// a third of the size; the app starts a fresh optimizer when it trains a loaded model).
// Usage: node scripts/pack-models.mjs <runs folder>   (default: ../../runs)
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors } from '@tensorzoo/core';

const EXAMPLES = ['cnn-mnist', 'gpt-names', 'vae-mnist', 'dcgan-mnist', 'seq2seq-reverse', 'regression'];
const runs = process.argv[2] ?? new URL('../../../runs', import.meta.url).pathname;
const outDir = new URL('../public/models/', import.meta.url);
await mkdir(outDir, { recursive: true });
let total = 0;
for (const example of EXAMPLES) {
  let bytes;
  try {
    bytes = await readFile(join(runs, example, 'checkpoint.safetensors'));
  } catch {
    console.log(`${example}: no checkpoint in ${runs}, skipped`);
    continue;
  }
  const { tensors, metadata } = decodeSafetensors(bytes);
  const weights = Object.fromEntries(Object.entries(tensors).filter(([name]) => !name.startsWith('optimizer/')));
  // Keep step/epoch, drop the optimizer scalars and generator state (they describe the dropped slots).
  const stored = JSON.parse(metadata.tensorzoo ?? '{"version":1,"step":0,"epoch":0}');
  const packed = encodeSafetensors(weights, { ...metadata, tensorzoo: JSON.stringify({ version: 1, step: stored.step, epoch: stored.epoch }) });
  await writeFile(new URL(`${example}.safetensors`, outDir), packed);
  total += packed.length;
  console.log(`${example}: ${Object.keys(weights).length} tensors, ${(packed.length / 1e3).toFixed(1)} kB (from ${(bytes.length / 1e3).toFixed(1)} kB)`);
}
console.log(`total ${(total / 1e6).toFixed(2)} MB`);
