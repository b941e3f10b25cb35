/**
 * The one fixture schema of the zoo's reference numbers, and loaders for it.
 *
 * A reference script (`scripts/reference/*.py`, helpers in `scripts/reference/common.py`)
 * writes every tensor as `{ "shape": [2, 3], "data": [row-major values] }` (booleans for a
 * bool tensor; an optional `"dtype"`). Tests import the JSON file as a module, which works
 * in Node, node-webgpu and the browser alike (Vite inlines it), and pass it through
 * {@link readFixture}, which checks every tensor entry:
 *
 * ```ts
 * import json from '../fixtures/gan.json';
 * const fixture = readFixture('gan.json', json);
 * const input = fixtureTensor(fixture.input);
 * ```
 * @packageDocumentation
 */
import * as tf from '@tensorflow/tfjs-core';
import { ArgumentError, type Module } from '@tensorzoo/core';

/** A tensor as the reference scripts write it: shape and row-major values. */
export interface FixtureTensor {
  shape: number[];
  data: Array<number | boolean>;
  /** Optional; default float32, or bool when `data` holds booleans. */
  dtype?: 'float32' | 'int32' | 'bool';
}

/**
 * Builds a tensor from a fixture entry. The dtype is `dtype` when given, else the entry's
 * own `dtype`, else `bool` for boolean data and `float32` otherwise.
 * @example
 * ```ts
 * const mask = fixtureTensor({ shape: [2], data: [true, false] }); // bool [2]
 * ```
 */
export function fixtureTensor(entry: FixtureTensor, dtype?: 'float32' | 'int32' | 'bool'): tf.Tensor {
  const kind = dtype ?? entry.dtype ?? (typeof entry.data[0] === 'boolean' ? 'bool' : 'float32');
  return tf.tensor(entry.data as number[], entry.shape, kind);
}

/**
 * Tensors of a PyTorch `state_dict` stored as fixture entries; `*num_batches_tracked`
 * buffers (int64 in PyTorch) become int32, everything else follows {@link fixtureTensor}.
 * The caller disposes them.
 */
export function stateDictTensors(state: Record<string, FixtureTensor>): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(state).map(([name, entry]) => [name, fixtureTensor(entry, name.endsWith('num_batches_tracked') ? 'int32' : undefined)]),
  );
}

/**
 * Loads a PyTorch `state_dict` from a fixture into `module` (strict: every name must match)
 * and disposes the temporary tensors.
 * @example
 * ```ts
 * loadTorchState(model, fixture.state_dict);
 * ```
 */
export function loadTorchState(module: Module<never, unknown, never>, state: Record<string, FixtureTensor>): void {
  const values = stateDictTensors(state);
  try {
    module.loadStateDict(values);
  } finally {
    tf.dispose(Object.values(values));
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function keyPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (parent ? `${parent}.${key}` : key) : `${parent}[${JSON.stringify(key)}]`;
}

function checkEntry(fixtureName: string, path: string, entry: Record<string, unknown>): void {
  const where = `fixture ${fixtureName}, ${path || 'top level'}`;
  const fail = (what: string): never => {
    throw new ArgumentError('bad-fixture', `${where}: ${what}. Expected { shape: number[], data: (number | boolean)[] } (scripts/reference/common.py writes this).`);
  };
  const { shape, data } = entry;
  if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && (size as number) >= 0)) fail(`shape is ${JSON.stringify(shape)}, not a list of sizes`);
  if ('values' in entry && !('data' in entry)) fail('the values are under "values"; the schema names them "data"');
  if (!Array.isArray(data)) fail(`data is ${data === undefined ? 'missing' : typeof data}`);
  const elements = (shape as number[]).reduce((product, size) => product * size, 1);
  if ((data as unknown[]).length !== elements) fail(`data has ${(data as unknown[]).length} values, shape ${JSON.stringify(shape)} needs ${elements}`);
  const kind = typeof (data as unknown[])[0];
  if ((data as unknown[]).some((value) => typeof value !== kind || (kind !== 'number' && kind !== 'boolean'))) fail('data mixes types or holds values that are neither numbers nor booleans');
}

function checkTree(fixtureName: string, path: string, value: unknown): void {
  if (Array.isArray(value)) {
    // Plain number lists (e.g. a loss history) are data, not entries: only descend into objects.
    value.forEach((item, index) => {
      if (typeof item === 'object' && item !== null) checkTree(fixtureName, keyPath(path, index), item);
    });
  } else if (isObject(value)) {
    if ('shape' in value && ('data' in value || 'values' in value)) checkEntry(fixtureName, path, value);
    else for (const [key, child] of Object.entries(value)) checkTree(fixtureName, keyPath(path, key), child);
  }
}

/**
 * Checks an imported JSON fixture and returns it unchanged (typed as imported): every
 * object with a `shape` must be a well-formed {@link FixtureTensor} (`data` present, as
 * many values as the shape needs, all numbers or all booleans).
 * @param fixtureName the file's name, for messages (`'attention.json'`).
 * @throws ArgumentError (`bad-fixture`) naming the fixture and the key of the malformed entry.
 * @example
 * ```ts
 * import json from '../fixtures/attention.json';
 * const fixture = readFixture('attention.json', json);
 * ```
 */
export function readFixture<Fixture>(fixtureName: string, json: Fixture): Fixture {
  if (!isObject(json) && !Array.isArray(json)) {
    throw new ArgumentError('bad-fixture', `fixture ${fixtureName}: expected a JSON object, got ${json === null ? 'null' : typeof json}.`);
  }
  checkTree(fixtureName, '', json);
  return json;
}
