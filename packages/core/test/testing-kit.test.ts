// The test kit itself (@tensorzoo/core/testing): tolerance policy, fixture schema and loaders.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { Linear } from '../src/index';
import { closeTolerance, expectArgumentError, expectClose, fixtureTensor, loadTorchState, readFixture, stateDictTensors, thrown } from '../src/testing/index';

describe('expectClose', () => {
  it('applies |a - e| <= atol + rtol * |e| and returns the largest absolute error', async () => {
    const actual = tf.tensor1d([1.00001, 1000.009, 0]);
    const worst = await expectClose(actual, [1, 1000, 0], { atol: 1e-5, rtol: 1e-5, backend: 'cpu' });
    expect(worst).toBeCloseTo(0.009, 3);
    await expect(expectClose(actual, [1, 1000, 0], { atol: 1e-6, rtol: 1e-6, backend: 'cpu', label: 'strict' })).rejects.toThrow('strict element 0');
    actual.dispose();
  });

  it('checks the shape of a fixture tensor, and loosens to 1e-4 on other backends than cpu', async () => {
    const actual = tf.tensor2d([1, 2], [1, 2]);
    await expect(expectClose(actual, { shape: [2], data: [1, 2] }, { label: 'x' })).rejects.toThrow('x: shape');
    expect(closeTolerance({ tolerance: 0 }, 'cpu')).toEqual({ atol: 0, rtol: 0 });
    expect(closeTolerance({ tolerance: 0 }, 'webgpu')).toEqual({ atol: 1e-4, rtol: 1e-4 });
    expect(closeTolerance({ rtol: 1e-3 }, 'wasm')).toEqual({ atol: 1e-4, rtol: 1e-3 });
    actual.dispose();
  });
});

describe('fixtures', () => {
  it('readFixture names the fixture and the key of a malformed entry', () => {
    const good = { a: { b: [{ shape: [2], data: [1, 2] }] } };
    expect(readFixture('good.json', good)).toBe(good);
    expect(thrown(() => readFixture('old.json', { state_dict: { 'conv.weight': { shape: [1], values: [1] } } })).message).toBe(
      'fixture old.json, state_dict["conv.weight"]: the values are under "values"; the schema names them "data". Expected { shape: number[], data: (number | boolean)[] } (scripts/reference/common.py writes this).',
    );
    expect(thrown(() => readFixture('short.json', { cases: [{ input: { shape: [2, 2], data: [1, 2, 3] } }] })).message).toContain(
      'fixture short.json, cases[0].input: data has 3 values, shape [2,2] needs 4',
    );
    expectArgumentError(() => readFixture('null.json', null), 'fixture null.json: expected a JSON object, got null.');
  });

  it('fixtureTensor and stateDictTensors pick dtypes: bool from booleans, int32 for num_batches_tracked', () => {
    const mask = fixtureTensor({ shape: [2], data: [true, false] });
    expect(mask.dtype).toBe('bool');
    const state = stateDictTensors({ 'bn.num_batches_tracked': { shape: [], data: [3] }, 'bn.weight': { shape: [1], data: [0.5] } });
    expect([state['bn.num_batches_tracked'].dtype, state['bn.weight'].dtype]).toEqual(['int32', 'float32']);
    tf.dispose([mask, ...Object.values(state)]);
  });

  it('loadTorchState loads a state_dict and leaves no tensors behind', async () => {
    const layer = new Linear(2, 1, { rng: 1 });
    const before = tf.memory().numTensors;
    loadTorchState(layer, { weight: { shape: [1, 2], data: [3, 4] }, bias: { shape: [1], data: [5] } });
    expect(tf.memory().numTensors).toBe(before);
    const input = tf.tensor2d([[1, 1]]);
    const output = layer.call(input);
    expect(Array.from(await output.data())).toEqual([12]);
    tf.dispose([input, output]);
    layer.dispose();
  });
});
