// Makes the names-GPT demo's checkpoint from a `tensorzoo train gpt-names` run: the weights and
// the language-model metadata (config, tokenizer, generation hints) without the optimizer
// slots and training state, so the page downloads 110 kB instead of 340 kB.
//   node packages/cli/dist/bin.cjs train gpt-names --out runs/gpt-names
//   node apps/docs/scripts/export-demo-model.mjs runs/gpt-names/checkpoint.safetensors
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeSafetensors, encodeSafetensors, OPTIMIZER_PREFIX } from '@tensorzoo/core';

const source = process.argv[2];
if (!source) throw new Error('usage: node export-demo-model.mjs <checkpoint.safetensors>');
const { tensors, metadata } = decodeSafetensors(readFileSync(source));
const weights = Object.fromEntries(Object.entries(tensors).filter(([name]) => !name.startsWith(OPTIMIZER_PREFIX)));
const kept = Object.fromEntries(Object.entries(metadata).filter(([key]) => key === 'format' || key.startsWith('tensorzoo.')));
for (const key of ['tensorzoo.model', 'tensorzoo.tokenizer', 'tensorzoo.generation']) {
  if (!(key in kept)) throw new Error(`${source} has no ${key} metadata: use a gpt-names or gpt-text checkpoint.`);
}
const folder = fileURLToPath(new URL('../public/pretrained/', import.meta.url));
mkdirSync(folder, { recursive: true });
const bytes = encodeSafetensors(weights, kept);
writeFileSync(`${folder}gpt-names.safetensors`, bytes);
console.log(`wrote public/pretrained/gpt-names.safetensors: ${Object.keys(weights).length} tensors, ${bytes.byteLength} bytes`);
