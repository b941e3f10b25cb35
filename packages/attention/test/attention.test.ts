import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError } from '@tensorzoo/core';
import {
  BLOCKED_SCORE,
  KVCache,
  LearnedPositionalEncoding,
  MultiHeadAttention,
  RotaryPositionalEncoding,
  SinusoidalPositionalEncoding,
  attentionWeights,
  causalMask,
  scaledDotProductAttention,
} from '../src/index';
import { expectClose } from '@tensorzoo/core/testing';

const randomInput = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

describe('masks and scaledDotProductAttention', () => {
  it('causalMask is lower triangular, aligned bottom-right when there are more keys', async () => {
    // bool tensors read back as 1/0
    expect(await causalMask(3).array()).toEqual([
      [1, 0, 0],
      [1, 1, 0],
      [1, 1, 1],
    ]);
    expect(await causalMask(2, 4).array()).toEqual([
      [1, 1, 1, 0],
      [1, 1, 1, 1],
    ]);
    expect(() => causalMask(4, 2)).toThrow('causalMask: keyLength (2) must be >= queryLength (4).');
  });

  it('weights rows sum to 1 and blocked keys get exactly 0', async () => {
    const q = randomInput([2, 2, 5, 4], 1);
    const mask = tf.tensor([true, true, false, true, false], [1, 1, 1, 5], 'bool');
    const weights = attentionWeights(q, q, { mask, causal: true });
    const values = (await weights.array()) as number[][][][];
    for (const row of values.flat(2)) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    for (const row of values.flat(2)) expect(row[2]).toBe(0);
    expect(values[0][0][1][2]).toBe(0); // causal: query 1 cannot see key 2
    tf.dispose([q, mask, weights]);
  });

  it('a boolean mask equals the additive mask with -Infinity', async () => {
    const q = randomInput([2, 6, 4], 2);
    const allowed = tf.tensor([[true, false, true, true, false, true]], [1, 6], 'bool');
    const additive = tf.where(allowed, tf.scalar(0), tf.scalar(-Infinity));
    const a = scaledDotProductAttention(q, q, q, { mask: allowed });
    const b = scaledDotProductAttention(q, q, q, { mask: additive });
    await expectClose(a, await b.data(), { tolerance: 1e-6 });
    tf.dispose([q, allowed, additive, a, b]);
  });

  it('dropout is seeded and rescales the kept weights', async () => {
    const q = randomInput([1, 8, 4], 3);
    const a = scaledDotProductAttention(q, q, q, { dropout: 0.5, rng: 7 });
    const b = scaledDotProductAttention(q, q, q, { dropout: 0.5, rng: 7 });
    const plain = scaledDotProductAttention(q, q, q);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await plain.data()));
    tf.dispose([q, a, b, plain]);
  });

  it('rejects bad shapes, dtypes and masks with clear messages', () => {
    const q = tf.zeros([2, 5, 4]);
    const k = tf.zeros([2, 6, 3]);
    const ints = tf.zeros([5, 5], 'int32');
    const wrong = tf.zeros([4, 5], 'bool');
    expect(() => scaledDotProductAttention(q, k, k)).toThrow(ShapeError);
    expect(() => scaledDotProductAttention(q, k, k)).toThrow('scaledDotProductAttention: key expected shape [2, *, 4], received [2, 6, 3].');
    expect(() => scaledDotProductAttention(q, q, q, { mask: ints })).toThrow(
      "scaledDotProductAttention: mask expected dtype bool or float32, received int32; convert it with tf.cast(mask, 'bool').",
    );
    expect(() => attentionWeights(q, q, { mask: wrong })).toThrow('attentionWeights: mask [4, 5] must broadcast to the attention scores [2, 5, 5].');
    expect(() => scaledDotProductAttention(q, q, q, { dropout: 1 })).toThrow('scaledDotProductAttention: dropout (1) must be in [0, 1).');
    expect(() => scaledDotProductAttention(tf.zeros([5, 4]), q, q)).toThrow(ShapeError);
    tf.dispose([q, k, ints, wrong]);
  });

  it('leaks no tensors', () => {
    const q = randomInput([2, 2, 5, 4], 4);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) scaledDotProductAttention(q, q, q, { causal: true, dropout: 0.1, rng: i }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    q.dispose();
  });
});

describe('causal attention as an additive bias', () => {
  it('gives exactly the weights and gradients of where(causalMask, scores, BLOCKED_SCORE), KV-cache shapes included', async () => {
    for (const [queryLength, keyLength] of [[5, 5], [1, 6], [3, 7]]) {
      const query = tf.randomNormal([2, 3, queryLength, 4], 0, 3, 'float32', 1);
      const key = tf.randomNormal([2, 3, keyLength, 4], 0, 3, 'float32', 2);
      const weighting = tf.randomNormal([2, 3, queryLength, keyLength], 0, 1, 'float32', 3);
      const reference = (q: tf.Tensor, k: tf.Tensor) => {
        const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(4));
        return tf.softmax(tf.where(causalMask(queryLength, keyLength), scores, tf.scalar(BLOCKED_SCORE)));
      };
      const ours = (q: tf.Tensor, k: tf.Tensor) => attentionWeights(q, k, { causal: true });
      for (const [label, weights] of [['weights', (f: typeof ours) => f(query, key)], ['gradients', (f: typeof ours) => tf.grads((q: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(f(q, k), weighting)))([query, key])]] as const) {
        const expected = [weights(reference)].flat();
        const actual = [weights(ours)].flat();
        for (let index = 0; index < expected.length; index++) {
          expect(Array.from(await actual[index].data()), `${label} ${index} (${queryLength}x${keyLength})`).toEqual(Array.from(await expected[index].data()));
        }
        tf.dispose([...expected, ...actual]);
      }
      tf.dispose([query, key, weighting]);
    }
  });
});

describe('MultiHeadAttention', () => {
  it('validates its arguments', () => {
    expect(() => new MultiHeadAttention(10, 3)).toThrow('MultiHeadAttention: numHeads (3) must divide embedDim (10).');
    expect(() => new MultiHeadAttention(8, 2, { keyDim: 4, packed: true })).toThrow(ArgumentError);
    expect(() => new MultiHeadAttention(6, 2, { rotary: true })).toThrow('rotary embeddings need an even head size');
    const attention = new MultiHeadAttention(8, 2);
    const x = tf.zeros([2, 3, 6]);
    expect(() => attention.call(x)).toThrow('MultiHeadAttention: query expected shape [*, *, 8], received [2, 3, 6].');
    const y = tf.zeros([2, 3, 8]);
    const padding = tf.zeros([2, 4], 'bool');
    expect(() => attention.call(y, { keyPaddingMask: padding })).toThrow('MultiHeadAttention: keyPaddingMask [2, 4] must broadcast to the attention scores [2, 3].');
    tf.dispose([x, y, padding]);
    attention.dispose();
  });

  it('names parameters like PyTorch; bias: false drops the biases', () => {
    const noBias = new MultiHeadAttention(8, 2, { bias: false });
    expect(noBias.namedVariables().map(([name]) => name)).toEqual(['in_proj_weight', 'out_proj.weight']);
    const separate = new MultiHeadAttention(8, 2, { packed: false });
    expect(separate.namedVariables().map(([name]) => name)).toEqual([
      'q_proj_weight',
      'k_proj_weight',
      'v_proj_weight',
      'in_proj_bias',
      'out_proj.weight',
      'out_proj.bias',
    ]);
    noBias.dispose();
    separate.dispose();
  });

  it('padded keys do not change the output of other positions', async () => {
    const attention = new MultiHeadAttention(8, 2, { rng: 1 });
    const x = randomInput([1, 5, 8], 5);
    const changed = tf.concat([tf.slice(x, [0, 0, 0], [1, 3, 8]), randomInput([1, 2, 8], 6)], 1);
    const padding = tf.tensor([[false, false, false, true, true]], [1, 5], 'bool');
    const a = tf.slice(attention.call(x, { keyPaddingMask: padding }), [0, 0, 0], [1, 3, 8]);
    const b = tf.slice(attention.call(changed, { keyPaddingMask: padding }), [0, 0, 0], [1, 3, 8]);
    await expectClose(a, await b.data(), { tolerance: 1e-6 });
    tf.dispose([x, changed, padding, a, b]);
    attention.dispose();
  });

  it('dropout on the weights is active in training mode only', async () => {
    const attention = new MultiHeadAttention(8, 2, { dropout: 0.5, rng: 2 });
    const x = randomInput([1, 6, 8], 7);
    const trained = attention.call(x);
    attention.eval();
    const a = attention.call(x);
    const b = attention.call(x);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    expect(Array.from(await trained.data())).not.toEqual(Array.from(await a.data()));
    tf.dispose([x, trained, a, b]);
    attention.dispose();
  });
});

/** Feeds `x` [B, T, E] through `attention` in chunks of `sizes` with one cache. */
function incremental(attention: MultiHeadAttention, x: tf.Tensor, sizes: number[], cache: KVCache): tf.Tensor {
  const outputs: tf.Tensor[] = [];
  let start = 0;
  for (const size of sizes) {
    const [batch, , features] = x.shape as number[];
    const chunk = tf.slice(x, [0, start, 0], [batch, size, features]);
    outputs.push(attention.call(chunk, { causal: true, cache }));
    chunk.dispose();
    start += size;
  }
  const joined = tf.concat(outputs, 1);
  tf.dispose(outputs);
  return joined;
}

describe('KV cache', () => {
  for (const rotary of [false, true]) {
    it(`token-by-token decoding equals the full causal forward pass${rotary ? ' (rotary)' : ''}`, async () => {
      const attention = new MultiHeadAttention(16, 4, { rng: 3, rotary });
      attention.eval();
      const x = randomInput([2, 7, 16], 8);
      const full = attention.call(x, { causal: true });
      const cache = new KVCache();
      const stepwise = incremental(attention, x, [1, 1, 1, 1, 1, 1, 1], cache);
      expect(cache.length).toBe(7);
      await expectClose(stepwise, await full.data(), { tolerance: 1e-5 });
      cache.reset();
      const prefilled = incremental(attention, x, [4, 1, 2], cache);
      await expectClose(prefilled, await full.data(), { tolerance: 1e-5 });
      tf.dispose([x, full, stepwise, prefilled]);
      cache.dispose();
      attention.dispose();
    });
  }

  it('a static cache reuses cross-attention keys and values', async () => {
    const attention = new MultiHeadAttention(8, 2, { rng: 4 });
    const query = randomInput([2, 3, 8], 9);
    const memory = randomInput([2, 5, 8], 10);
    const cache = new KVCache({ mode: 'static' });
    const direct = attention.call({ query, key: memory });
    const first = attention.call({ query, key: memory }, { cache });
    const zeros = tf.zerosLike(memory);
    const second = attention.call({ query, key: zeros }, { cache }); // memory is ignored once cached
    expect(cache.length).toBe(5);
    await expectClose(first, await direct.data(), { tolerance: 1e-6 });
    await expectClose(second, await direct.data(), { tolerance: 1e-6 });
    tf.dispose([query, memory, zeros, direct, first, second]);
    cache.dispose();
    attention.dispose();
  });

  it('select() reorders and repeats batch rows', async () => {
    const cache = new KVCache();
    const keys = tf.tensor4d([1, 2], [2, 1, 1, 1]);
    cache.update(keys, keys);
    cache.select([1, 1, 0]);
    expect(cache.keys!.shape).toEqual([3, 1, 1, 1]);
    expect(Array.from(await cache.values!.data())).toEqual([2, 2, 1]);
    expect(() => cache.select([3])).toThrow('KVCache.select: rows must be a non-empty list of integers in [0, 3), received [3].');
    keys.dispose();
    cache.dispose();
  });

  it('rejects inconsistent updates and leaks nothing over many steps', () => {
    const attention = new MultiHeadAttention(8, 2, { rng: 5 });
    const cache = new KVCache();
    const token = randomInput([1, 1, 8], 11);
    attention.call(token, { causal: true, cache }).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) attention.call(token, { causal: true, cache }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(cache.length).toBe(21);
    const pair = randomInput([2, 1, 8], 12);
    expect(() => attention.call(pair, { cache })).toThrow('MultiHeadAttention: the cache holds batch 1, the input has batch 2.');
    const staticCache = new KVCache({ mode: 'static' });
    staticCache.update(tf.zeros([1, 2, 3, 4]), tf.zeros([1, 2, 3, 4]));
    expect(() => staticCache.update(tf.zeros([1, 2, 3, 4]), tf.zeros([1, 2, 3, 4]))).toThrow('a static cache is filled once');
    tf.dispose([token, pair]);
    cache.dispose();
    staticCache.dispose();
    attention.dispose();
  });
});

describe('positional encodings', () => {
  it('rotary: q·k depends only on the relative position', async () => {
    const rope = new RotaryPositionalEncoding(8);
    const q = randomInput([1, 1, 1, 8], 13);
    const k = randomInput([1, 1, 1, 8], 14);
    const score = async (queryPosition: number, keyPosition: number) => {
      const dot = tf.sum(tf.mul(rope.call(q, { offset: queryPosition }), rope.call(k, { offset: keyPosition })));
      const value = (await dot.data())[0];
      dot.dispose();
      return value;
    };
    expect(await score(5, 2)).toBeCloseTo(await score(13, 10), 4);
    expect(await score(5, 2)).not.toBeCloseTo(await score(5, 4), 2);
    tf.dispose([q, k]);
  });

  it('sinusoidal and learned encodings add a position table; offsets continue it', async () => {
    const sinusoidal = new SinusoidalPositionalEncoding(6);
    const zeros = tf.zeros([1, 4, 6]);
    const whole = sinusoidal.call(zeros);
    const tail = sinusoidal.call(tf.zeros([1, 2, 6]), { offset: 2 });
    await expectClose(tail, Array.from(await whole.data()).slice(12), { tolerance: 1e-6 });
    const learned = new LearnedPositionalEncoding(4, 6, { rng: 1 });
    const table = learned.call(zeros);
    await expectClose(table, await learned.weight.data(), { tolerance: 0 });
    expect(() => learned.call(tf.zeros([1, 2, 6]), { offset: 3 })).toThrow(
      'LearnedPositionalEncoding: positions 3..4 exceed maxLength (4); shorten the input or crop the context.',
    );
    expect(() => sinusoidal.call(zeros, { offset: -1 })).toThrow('SinusoidalPositionalEncoding: offset (-1) must be an integer >= 0.');
    tf.dispose([zeros, whole, tail, table]);
    learned.dispose();
  });
});
