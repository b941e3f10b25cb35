// Checkpoint mutation fuzzing, shared by checkpoint-fuzz.node.test.ts (300 cases per CI run)
// and scripts/fuzz-checkpoints.mjs (1,000+ cases, prints the outcome table).
//
// A base checkpoint (two Linear layers, Adam after two steps, a Generator with a cached
// normal, step 2, epoch 1) is mutated in seeded, reproducible ways: bit and byte flips,
// truncation, appended bytes, a changed length field, digit edits inside the header, and
// re-encoded files with a semantic change (a deleted, renamed or added tensor, a bad step,
// generator or optimizer scalar). Each mutated file is loaded with loadCheckpoint into a
// fresh model, optimizer and generator, and the outcome is classified (byte-level changes
// hit the checksummed base file; re-encoded files carry no checksum, so the validation
// behind it is exercised too; deleting every slot of one parameter is left out: that file
// is indistinguishable from one whose parameter never had a gradient):
//   - 'typed-error':   rejected with a CheckpointError whose message names the file, and the
//                      model, optimizer and generator are exactly as before the load;
//   - 'identical':     loaded, and weights, optimizer state, generator state, step and epoch
//                      equal the original's exactly;
//   - 'other':         anything else (another error, a partial load, a silent change).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  CheckpointError,
  Generator,
  Linear,
  Module,
  decodeSafetensors,
  encodeCheckpoint,
  encodeSafetensors,
  loadCheckpoint,
  type Optimizer,
  type RawTensor,
} from '@tensorzoo/core';
// A real optimizer makes the fuzz meaningful (its setState validation is part of the load);
// imported by path because core's package does not depend on @tensorzoo/optimizers.
import { adam } from '../../optimizers/src/index';

export type FuzzOutcome = 'typed-error' | 'identical' | 'other';

export class FuzzNet extends Module {
  static override readonly moduleName = 'FuzzNet';
  first: Linear;
  second: Linear;
  constructor(seed: number) {
    super();
    this.first = new Linear(4, 3, { rng: seed });
    this.second = new Linear(3, 2, { rng: seed + 1 });
  }
  protected forward(x: tf.Tensor): tf.Tensor {
    return this.second.call(tf.relu(this.first.call(x)));
  }
}

/** A snapshot of everything a load may change, as plain numbers. */
export interface Snapshot {
  weights: Record<string, number[]>;
  optimizerTensors: Record<string, number[]>;
  optimizerScalars: string;
  rng: string;
}

export async function snapshot(model: Module<never, unknown, never>, optimizer: Optimizer, rng: Generator): Promise<Snapshot> {
  const weights: Record<string, number[]> = {};
  for (const [name, variable] of model.namedVariables()) weights[name] = Array.from(await variable.data());
  const state = optimizer.getState();
  const optimizerTensors: Record<string, number[]> = {};
  // Sorted: the order slots are created in is not part of the state.
  for (const name of Object.keys(state.tensors).sort()) optimizerTensors[name] = Array.from(await state.tensors[name].data());
  tf.dispose(Object.values(state.tensors));
  const scalars = Object.fromEntries(Object.entries(state.scalars).sort(([left], [right]) => (left < right ? -1 : 1)));
  return { weights, optimizerTensors, optimizerScalars: JSON.stringify(scalars), rng: JSON.stringify(rng.getState()) };
}

function sameSnapshot(left: Snapshot, right: Snapshot): boolean {
  return JSON.stringify(left) === JSON.stringify(right) && sameBits(left, right);
}

/** JSON turns NaN into null and loses -0; compare the bit patterns too. */
function sameBits(left: Snapshot, right: Snapshot): boolean {
  for (const group of ['weights', 'optimizerTensors'] as const) {
    for (const [name, values] of Object.entries(left[group])) {
      const other = right[group][name];
      if (!other || other.length !== values.length) return false;
      if (!values.every((value, index) => Object.is(value, other[index]))) return false;
    }
  }
  return true;
}

export interface FuzzBase {
  bytes: Uint8Array;
  original: Snapshot;
  step: number;
  epoch: number;
}

/** Builds the checkpoint every case mutates. */
export async function makeBase(): Promise<FuzzBase> {
  const model = new FuzzNet(3);
  const optimizer = adam({ lr: 0.01 });
  const x = tf.tensor2d([[1, 2, 3, 4], [0.5, -1, 2, 0], [3, 1, -2, 1]]);
  for (let step = 0; step < 2; step++) {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.call(x))) as tf.Scalar);
    const byName: Record<string, tf.Tensor> = {};
    for (const [name, variable] of model.namedParameters()) byName[name] = grads[variable.name];
    optimizer.step(model.parameterRecord(), byName);
    tf.dispose([value, ...Object.values(grads)]);
  }
  x.dispose();
  const rng = new Generator(11);
  rng.normal(); // leaves a cached spare normal in the state
  const bytes = await encodeCheckpoint(model, { optimizer, rng, step: 2, epoch: 1, metadata: { run: 'fuzz' } });
  const original = await snapshot(model, optimizer, rng);
  model.dispose();
  optimizer.dispose();
  return { bytes, original, step: 2, epoch: 1 };
}

/** A small seeded generator independent of the code under test (mulberry32). */
export function fuzzRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function headerLength(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
}

/**
 * Re-encodes a decoded file after `change`, without checksums (as a file saved with
 * `checksum: false`), so that the semantic checks behind the checksum are exercised.
 */
export function reencode(
  bytes: Uint8Array,
  change: (tensors: Record<string, RawTensor>, stored: Record<string, unknown>, metadata: Record<string, string>) => void,
): Uint8Array {
  const decoded = decodeSafetensors(bytes);
  const tensors = Object.assign(Object.create(null), decoded.tensors) as Record<string, RawTensor>;
  const metadata = { ...decoded.metadata };
  const stored = JSON.parse(metadata.tensorzoo) as Record<string, unknown>;
  delete stored.sha256;
  delete stored.headerSha256;
  const originalText = JSON.stringify(stored);
  metadata.tensorzoo = originalText;
  change(tensors, stored, metadata);
  // A change that rewrote the metadata text itself keeps it; otherwise `stored` is written back.
  if (metadata.tensorzoo === originalText) metadata.tensorzoo = JSON.stringify(stored);
  return encodeSafetensors(tensors, metadata);
}

type Mutation = (bytes: Uint8Array, random: () => number) => { bytes: Uint8Array; what: string };

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)];
const integerBelow = (n: number, random: () => number) => Math.floor(random() * n);

const BYTE_MUTATIONS: Mutation[] = [
  (bytes, random) => {
    const copy = bytes.slice();
    const index = integerBelow(copy.length, random);
    const bit = integerBelow(8, random);
    copy[index] ^= 1 << bit;
    return { bytes: copy, what: `flip bit ${bit} of byte ${index}` };
  },
  (bytes, random) => {
    const copy = bytes.slice();
    const index = 8 + integerBelow(headerLength(bytes), random);
    copy[index] = integerBelow(256, random);
    return { bytes: copy, what: `header byte ${index} = ${copy[index]}` };
  },
  (bytes, random) => {
    const copy = bytes.slice();
    const start = 8 + headerLength(bytes);
    const index = start + integerBelow(copy.length - start, random);
    copy[index] ^= 1 + integerBelow(255, random);
    return { bytes: copy, what: `data byte ${index} changed` };
  },
  (bytes, random) => {
    const length = integerBelow(bytes.length, random);
    return { bytes: bytes.slice(0, length), what: `truncated to ${length} bytes` };
  },
  (bytes, random) => {
    const extra = 1 + integerBelow(16, random);
    const copy = new Uint8Array(bytes.length + extra);
    copy.set(bytes);
    for (let index = bytes.length; index < copy.length; index++) copy[index] = integerBelow(256, random);
    return { bytes: copy, what: `${extra} bytes appended` };
  },
  (bytes, random) => {
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    const delta = pick([-16, -8, -1, 1, 8, 16, 1 << 20, 2 ** 31], random);
    const value = Math.max(0, headerLength(bytes) + delta);
    view.setUint32(0, value >>> 0, true);
    if (random() < 0.2) view.setUint32(4, 1 + integerBelow(1000, random), true);
    return { bytes: copy, what: `length field ${view.getUint32(0, true)}/${view.getUint32(4, true)}` };
  },
  (bytes, random) => {
    // Change one digit of the header: shapes, offsets, step, generator words, scalars.
    const copy = bytes.slice();
    const digits: number[] = [];
    for (let index = 8; index < 8 + headerLength(bytes); index++) if (copy[index] >= 48 && copy[index] <= 57) digits.push(index);
    const index = pick(digits, random);
    copy[index] = 48 + integerBelow(10, random);
    return { bytes: copy, what: `header digit at ${index} = ${String.fromCharCode(copy[index])}` };
  },
  (bytes, random) => {
    // Swap two header characters.
    const copy = bytes.slice();
    const first = 8 + integerBelow(headerLength(bytes), random);
    const second = 8 + integerBelow(headerLength(bytes), random);
    [copy[first], copy[second]] = [copy[second], copy[first]];
    return { bytes: copy, what: `swapped header bytes ${first} and ${second}` };
  },
];

const SEMANTIC_MUTATIONS: Array<{ what: string; change: Parameters<typeof reencode>[1] }> = [
  { what: 'generator words all zero', change: (_t, stored) => ((stored.rng as { words: number[] }).words = [0, 0, 0, 0]) },
  { what: 'generator word negative', change: (_t, stored) => ((stored.rng as { words: number[] }).words[2] = -1) },
  { what: 'generator word 2^32', change: (_t, stored) => ((stored.rng as { words: number[] }).words[1] = 2 ** 32) },
  { what: 'generator word 1.5', change: (_t, stored) => ((stored.rng as { words: number[] }).words[0] = 1.5) },
  { what: 'generator three words', change: (_t, stored) => (stored.rng as { words: number[] }).words.pop() },
  { what: 'spareNormal "abc"', change: (_t, stored) => ((stored.rng as { spareNormal: unknown }).spareNormal = 'abc') },
  { what: 'spareNormal an object', change: (_t, stored) => ((stored.rng as { spareNormal: unknown }).spareNormal = { big: 1 }) },
  { what: 'generator state missing', change: (_t, stored) => delete stored.rng },
  { what: 'step -1', change: (_t, stored) => (stored.step = -1) },
  { what: 'step 1e300', change: (_t, stored) => (stored.step = 1e300) },
  { what: 'step 2.5', change: (_t, stored) => (stored.step = 2.5) },
  { what: 'epoch -5', change: (_t, stored) => (stored.epoch = -5) },
  { what: 'epoch "1"', change: (_t, stored) => (stored.epoch = '1') },
  { what: 'version 2', change: (_t, stored) => (stored.version = 2) },
  { what: 'optimizer iterations -3', change: (_t, stored) => ((stored.optimizer as Record<string, unknown>).iterations = -3) },
  { what: 'optimizer name sgd', change: (_t, stored) => ((stored.optimizer as Record<string, unknown>).optimizer = 'sgd') },
  { what: 'optimizer step count missing', change: (_t, stored) => delete (stored.optimizer as Record<string, unknown>)['first.weight.step'] },
  { what: 'optimizer step count for unknown parameter', change: (_t, stored) => ((stored.optimizer as Record<string, unknown>)['ghost.weight.step'] = 2) },
  { what: 'optimizer scalars missing', change: (_t, stored) => delete stored.optimizer },
  { what: 'slot deleted', change: (tensors) => delete tensors['optimizer/second.bias.exp_avg_sq'] },
  { what: 'slot for unknown parameter', change: (tensors) => (tensors['optimizer/ghost.weight.exp_avg'] = { dtype: 'F32', shape: [2], data: new Float32Array(2) }) },
  { what: 'slot of wrong shape', change: (tensors) => (tensors['optimizer/second.bias.exp_avg'] = { dtype: 'F32', shape: [3], data: new Float32Array(3) }) },
  { what: 'unknown slot kind', change: (tensors) => (tensors['optimizer/second.bias.velocity'] = { dtype: 'F32', shape: [2], data: new Float32Array(2) }) },
  { what: 'slot as int32', change: (tensors) => (tensors['optimizer/second.bias.exp_avg'] = { dtype: 'I32', shape: [2], data: new Int32Array(2) }) },
  { what: 'weight deleted', change: (tensors) => delete tensors['second.bias'] },
  { what: 'tensor named __proto__', change: (tensors) => (tensors.__proto__ = { dtype: 'F32', shape: [1], data: new Float32Array(1) }) },
  { what: 'tensor named constructor', change: (tensors) => (tensors['constructor'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }) },
  { what: 'tensor named toString', change: (tensors) => (tensors['toString'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }) },
  { what: 'slot named optimizer/__proto__', change: (tensors) => (tensors['optimizer/__proto__'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }) },
  { what: 'weight as int32', change: (tensors) => (tensors['second.bias'] = { dtype: 'I32', shape: [2], data: new Int32Array(2) }) },
  { what: 'weight transposed', change: (tensors) => {
    const weight = tensors['first.weight'];
    tensors['first.weight'] = { ...weight, shape: [...weight.shape].reverse() } as RawTensor;
  } },
  { what: 'unknown weight', change: (tensors) => (tensors['third.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) }) },
  { what: 'tensorzoo metadata not JSON', change: (_t, _s, metadata) => (metadata.tensorzoo = '{not json') },
];

/** The `index`-th case of the run seeded with `seed`. */
export function mutate(base: Uint8Array, seed: number, index: number): { bytes: Uint8Array; what: string } {
  const random = fuzzRandom(seed * 1_000_003 + index);
  // One case in six is a semantic (re-encoded) change, the rest are byte-level.
  if (random() < 1 / 6) {
    const mutation = pick(SEMANTIC_MUTATIONS, random);
    return {
      bytes: reencode(base, mutation.change),
      what: mutation.what,
    };
  }
  return pick(BYTE_MUTATIONS, random)(base, random);
}

/** Loads `bytes` from a file in `directory` into fresh objects and classifies the outcome. */
export async function classify(base: FuzzBase, bytes: Uint8Array, directory: string, index: number): Promise<{ outcome: FuzzOutcome; detail: string }> {
  const path = join(directory, `case-${index}.safetensors`);
  writeFileSync(path, bytes);
  const model = new FuzzNet(100);
  const optimizer = adam({ lr: 0.01 });
  const rng = new Generator(99);
  const before = await snapshot(model, optimizer, rng);
  const tensorsBefore = tf.memory().numTensors;
  try {
    let info;
    try {
      info = await loadCheckpoint(path, model, { optimizer, rng });
    } catch (error) {
      const after = await snapshot(model, optimizer, rng);
      const leaked = tf.memory().numTensors - tensorsBefore;
      if (!CheckpointError.isInstance(error)) return { outcome: 'other', detail: `untyped ${String(error).slice(0, 200)}` };
      if (!error.message.includes(path)) return { outcome: 'other', detail: `message does not name the file: ${error.message.slice(0, 200)}` };
      if (!sameSnapshot(before, after)) return { outcome: 'other', detail: `partial load before ${error.code}: ${error.message.slice(0, 200)}` };
      if (leaked !== 0) return { outcome: 'other', detail: `${leaked} tensors leaked by a rejected load` };
      if (error.message.length > 2000) return { outcome: 'other', detail: `message of ${error.message.length} characters` };
      return { outcome: 'typed-error', detail: error.code };
    }
    const after = await snapshot(model, optimizer, rng);
    const slotCount = Object.keys(after.optimizerTensors).length;
    const leaked = tf.memory().numTensors - tensorsBefore - slotCount;
    if (!sameSnapshot(base.original, after)) return { outcome: 'other', detail: 'loaded, but the state differs from the original' };
    if (info.step !== base.step || info.epoch !== base.epoch) return { outcome: 'other', detail: `loaded step ${info.step} epoch ${info.epoch}` };
    if (leaked !== 0) return { outcome: 'other', detail: `${leaked} tensors leaked by the load` };
    return { outcome: 'identical', detail: 'identical' };
  } finally {
    model.dispose();
    optimizer.dispose();
  }
}
