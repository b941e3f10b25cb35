// Issue 10 items 2, 3 and 10: checkpoint loads are atomic (validated before anything
// changes), reject lost or foreign state, and carry SHA-256 checksums.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArgumentError,
  CheckpointError,
  Generator,
  checkOptimizerState,
  decodeCheckpoint,
  decodeSafetensors,
  encodeCheckpoint,
  loadCheckpoint,
} from '@tensorzoo/core';
import { adam } from '../../optimizers/src/index';
import { FuzzNet, makeBase, reencode, snapshot, type FuzzBase } from './checkpoint-fuzz-cases';

let base: FuzzBase;
let plain: Uint8Array; // the same checkpoint without checksums, so the checks behind them are reached
const directory = mkdtempSync(join(tmpdir(), 'tz-atomic-'));

beforeAll(async () => {
  base = await makeBase();
  plain = reencode(base.bytes, () => {});
});
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Loads `bytes` from a file into fresh objects; returns the error and whether anything changed. */
async function load(bytes: Uint8Array, name = 'bad.safetensors') {
  const path = join(directory, name);
  writeFileSync(path, bytes);
  const model = new FuzzNet(100);
  const optimizer = adam({ lr: 0.01 });
  // A loaded optimizer state and a drawn generator make "unchanged" meaningful.
  await decodeCheckpoint(base.bytes, model, { optimizer });
  const rng = new Generator(99);
  rng.uniform();
  const before = await snapshot(model, optimizer, rng);
  const tensors = tf.memory().numTensors;
  const error = await loadCheckpoint(path, model, { optimizer, rng }).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  const after = await snapshot(model, optimizer, rng);
  const leaked = tf.memory().numTensors - tensors;
  model.dispose();
  optimizer.dispose();
  return { error: error as CheckpointError | undefined, unchanged: JSON.stringify(before) === JSON.stringify(after), leaked, path };
}

async function expectRejected(bytes: Uint8Array, code: string, text: string) {
  const { error, unchanged, leaked, path } = await load(bytes);
  expect(CheckpointError.isInstance(error), String(error)).toBe(true);
  expect(error!.code).toBe(code);
  expect(error!.message.startsWith(`${path}: `)).toBe(true);
  expect(error!.message).toContain(text);
  expect(unchanged).toBe(true);
  expect(leaked).toBe(0);
}

const stored = (change: (state: Record<string, unknown>) => void) => reencode(base.bytes, (_tensors, state) => change(state));
const optimizerScalars = (state: Record<string, unknown>) => state.optimizer as Record<string, unknown>;
const rngState = (state: Record<string, unknown>) => state.rng as { words: unknown[]; spareNormal: unknown };

describe('atomic checkpoint loading (item 2)', () => {
  it('a bad generator state changes neither the weights nor the optimizer', async () => {
    await expectRejected(stored((state) => (rngState(state).words = [0, 0, 0, 0])), 'bad-rng-state', 'words are all zero');
  });

  it('an optimizer state the optimizer refuses leaves the weights as they were', async () => {
    // Adam refuses a state saved by SGD, after the weights would have been loaded.
    await expectRejected(stored((state) => (optimizerScalars(state).optimizer = 'sgd')), 'bad-optimizer-state', 'saved by "sgd"');
    await expectRejected(stored((state) => delete optimizerScalars(state)['first.weight.step']), 'bad-optimizer-state', 'first.weight');
  });

  it('a wrong weight shape changes nothing', async () => {
    const bytes = reencode(base.bytes, (tensors) => {
      const weight = tensors['first.weight'];
      tensors['first.weight'] = { ...weight, shape: [...weight.shape].reverse() } as typeof weight;
    });
    await expectRejected(bytes, 'shape-mismatch', '"first.weight" expected shape [3, 4]');
  });

  it('the intact file loads everything exactly', async () => {
    const model = new FuzzNet(100);
    const optimizer = adam({ lr: 0.01 });
    const rng = new Generator(1);
    const info = await decodeCheckpoint(plain, model, { optimizer, rng });
    expect([info.step, info.epoch, info.metadata.run]).toEqual([2, 1, 'fuzz']);
    expect(await snapshot(model, optimizer, rng)).toEqual(base.original);
    model.dispose();
    optimizer.dispose();
  });
});

describe('lost, foreign or malformed state is rejected (item 3)', () => {
  it('a missing optimizer slot', async () => {
    await expectRejected(reencode(base.bytes, (tensors) => delete tensors['optimizer/second.bias.exp_avg_sq']), 'bad-optimizer-state', 'same slots');
  });

  it('slots and scalars for parameters the model does not have', async () => {
    const slot = reencode(base.bytes, (tensors) => (tensors['optimizer/ghost.weight.exp_avg'] = { dtype: 'F32', shape: [2], data: new Float32Array(2) }));
    await expectRejected(slot, 'bad-optimizer-state', '"ghost.weight.exp_avg" belongs to no trainable parameter');
    await expectRejected(stored((state) => (optimizerScalars(state)['ghost.step'] = 1)), 'bad-optimizer-state', '"ghost.step" belongs to no trainable parameter');
  });

  it('a slot whose shape differs from its parameter', async () => {
    const bytes = reencode(base.bytes, (tensors) => (tensors['optimizer/second.bias.exp_avg'] = { dtype: 'F32', shape: [3], data: new Float32Array(3) }));
    await expectRejected(bytes, 'bad-optimizer-state', 'float32 [3], but its parameter is float32 [2]');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('a tensor named %s is an unknown name, not a prototype key, and leaks nothing', async (name) => {
    const bytes = reencode(base.bytes, (tensors) => Object.defineProperty(tensors, name, { value: { dtype: 'F32', shape: [1], data: new Float32Array(1) }, enumerable: true }));
    await expectRejected(bytes, 'state-dict-mismatch', `Unexpected: ${name}`);
    const slot = reencode(base.bytes, (tensors) => Object.defineProperty(tensors, `optimizer/${name}`, { value: { dtype: 'F32', shape: [1], data: new Float32Array(1) }, enumerable: true }));
    await expectRejected(slot, 'bad-optimizer-state', 'belongs to no trainable parameter');
  });

  it.each([['abc'], [{ value: 1 }], [true]])('a spareNormal of %j', async (spareNormal) => {
    await expectRejected(stored((state) => (rngState(state).spareNormal = spareNormal)), 'bad-rng-state', 'spareNormal');
  });

  it.each([
    ['step', -1],
    ['step', 1e300],
    ['step', 2.5],
    ['step', '3'],
    ['epoch', -5],
    ['epoch', null],
  ])('%s = %j', async (field, value) => {
    await expectRejected(stored((state) => (state[field] = value)), 'bad-metadata', `.${field} must be an integer in [0, 2^53)`);
  });

  it('encodeCheckpoint refuses a negative or fractional step', async () => {
    const model = new FuzzNet(1);
    await expect(encodeCheckpoint(model, { step: -1 })).rejects.toThrow(ArgumentError);
    await expect(encodeCheckpoint(model, { epoch: 0.5 })).rejects.toThrow(/epoch \(0.5\) must be a non-negative integer/);
    model.dispose();
  });

  it('checkOptimizerState accepts a real Adam state and names what is wrong', async () => {
    const model = new FuzzNet(100);
    const optimizer = adam({ lr: 0.01 });
    await decodeCheckpoint(base.bytes, model, { optimizer });
    const state = optimizer.getState();
    const parameters = new Map(model.namedParameters());
    expect(() => checkOptimizerState(state, parameters, 'resume')).not.toThrow();
    const extra = tf.zeros([3]);
    expect(() => checkOptimizerState({ tensors: { ...state.tensors, 'first.bias.velocity': extra }, scalars: state.scalars }, parameters, 'resume')).toThrow(
      /^resume: parameter "first\.\w+" has optimizer slots .*\[exp_avg, exp_avg_sq, velocity\]/,
    );
    tf.dispose([extra, ...Object.values(state.tensors)]);
    model.dispose();
    optimizer.dispose();
  });
});

describe('SHA-256 checksums (item 10)', () => {
  it('are written by default and match an independent SHA-256 of the data section', () => {
    const decoded = decodeSafetensors(base.bytes);
    const state = JSON.parse(decoded.metadata.tensorzoo);
    const dataStart = 8 + new DataView(base.bytes.buffer, base.bytes.byteOffset).getUint32(0, true);
    expect(state.sha256).toBe(createHash('sha256').update(base.bytes.subarray(dataStart)).digest('hex'));
    // The header hash covers the header with its own value as 64 zeros.
    const header = Buffer.from(base.bytes.subarray(8, dataStart)).toString('utf8').replace(state.headerSha256, '0'.repeat(64));
    expect(state.headerSha256).toBe(createHash('sha256').update(header, 'utf8').digest('hex'));
    expect(decoded.metadata.format).toBe('pt'); // still a plain safetensors file for PyTorch
  });

  it('a changed data byte is rejected with checksum-mismatch', async () => {
    const bytes = base.bytes.slice();
    bytes[bytes.length - 3] ^= 0x10;
    await expectRejected(bytes, 'checksum-mismatch', 'tensor data does not match its recorded SHA-256');
  });

  it('a changed metadata byte (a generator word digit) is rejected with checksum-mismatch', async () => {
    const text = Buffer.from(base.bytes).toString('latin1');
    const position = text.indexOf('words\\":[') + 'words\\":['.length;
    const bytes = base.bytes.slice();
    bytes[position] = bytes[position] === 0x31 ? 0x32 : 0x31;
    await expectRejected(bytes, 'checksum-mismatch', 'header does not match its recorded SHA-256');
  });

  it('checksum: false writes none; such files and PyTorch files load without one', async () => {
    const model = new FuzzNet(5);
    const bytes = await encodeCheckpoint(model, { checksum: false, step: 3 });
    const state = JSON.parse(decodeSafetensors(bytes).metadata.tensorzoo);
    expect(state).toEqual({ version: 1, step: 3, epoch: 0 });
    const copy = new FuzzNet(6);
    expect((await decodeCheckpoint(bytes, copy)).step).toBe(3);
    expect(Array.from(await copy.first.weight.data())).toEqual(Array.from(await model.first.weight.data()));
    [model, copy].forEach((module) => module.dispose());
  });

  it('user metadata with multi-byte characters keeps the checksums valid', async () => {
    const model = new FuzzNet(5);
    const bytes = await encodeCheckpoint(model, { metadata: { note: 'größe ✓ 模型', zeros: '0'.repeat(64) } });
    expect(JSON.parse(decodeSafetensors(bytes).metadata.tensorzoo).sha256).toMatch(/^[0-9a-f]{64}$/);
    const copy = new FuzzNet(6);
    expect((await decodeCheckpoint(bytes, copy)).metadata.note).toBe('größe ✓ 模型');
    [model, copy].forEach((module) => module.dispose());
  });
});
