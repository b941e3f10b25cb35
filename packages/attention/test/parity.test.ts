import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MultiHeadAttention,
  RotaryPositionalEncoding,
  scaledDotProductAttention,
  sinusoidalPositionalEncoding,
  type AttentionInput,
  type MultiHeadAttentionCallOptions,
} from '../src/index';
import fixtureJson from '../fixtures/attention.json';
import { expectClose, fixtureTensor, readFixture, reportMaxErrors, type FixtureTensor } from '@tensorzoo/core/testing';

const fixture = readFixture('attention.json', fixtureJson);

afterAll(() => reportMaxErrors('attention parity vs PyTorch float64'));

interface SdpaCase {
  q: FixtureTensor;
  k: FixtureTensor;
  v: FixtureTensor;
  causal: boolean;
  mask?: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grad_q: FixtureTensor;
  grad_k: FixtureTensor;
  grad_v: FixtureTensor;
}

interface MhaCase {
  state_dict?: Record<string, FixtureTensor>;
  query?: FixtureTensor;
  key?: FixtureTensor;
  value?: FixtureTensor;
  key_padding_mask?: FixtureTensor;
  attn_mask?: FixtureTensor;
  output: FixtureTensor;
  weights: FixtureTensor;
  head_weights: FixtureTensor;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
  grad_query: FixtureTensor;
}

describe('scaledDotProductAttention matches the hand-written PyTorch math', () => {
  for (const [name, recorded] of Object.entries(fixture.sdpa as Record<string, SdpaCase>)) {
    it(`${name}: output and gradients for q, k, v`, async () => {
      const [q, k, v, upstream] = [recorded.q, recorded.k, recorded.v, recorded.upstream].map((e) => fixtureTensor(e));
      const mask = recorded.mask ? fixtureTensor(recorded.mask) : undefined;
      const options = { causal: recorded.causal, mask };
      const output = scaledDotProductAttention(q, k, v, options);
      await expectClose(output, recorded.output, { tolerance: 1e-5, label: `sdpa ${name} output` });
      const gradients = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(scaledDotProductAttention(a, b, c, options), upstream)),
      )([q, k, v]);
      await expectClose(gradients[0], recorded.grad_q, { tolerance: 1e-5, label: `sdpa ${name} grad q` });
      await expectClose(gradients[1], recorded.grad_k, { tolerance: 1e-5, label: `sdpa ${name} grad k` });
      await expectClose(gradients[2], recorded.grad_v, { tolerance: 1e-5, label: `sdpa ${name} grad v` });
      tf.dispose([q, k, v, upstream, output, ...gradients]);
      mask?.dispose();
    });
  }
});

const self = fixture.mha_self as MhaCase;

function loadTorch(attention: MultiHeadAttention, stateDict: Record<string, FixtureTensor>): void {
  const values = Object.fromEntries(Object.entries(stateDict).map(([name, value]) => [name, fixtureTensor(value)]));
  attention.loadStateDict(values);
  tf.dispose(Object.values(values));
}

async function checkCase(label: string, attention: MultiHeadAttention, recorded: MhaCase, base: MhaCase, options: MultiHeadAttentionCallOptions) {
  attention.eval();
  const query = fixtureTensor((recorded.query ?? base.query)!);
  const key = recorded.key ? fixtureTensor(recorded.key) : undefined;
  const value = recorded.value ? fixtureTensor(recorded.value) : undefined;
  const upstream = fixtureTensor(recorded.upstream);
  const input = (q: tf.Tensor): AttentionInput => (key ? { query: q, key, value } : q);

  const { output, weights } = attention.callWithWeights(input(query), options);
  await expectClose(output, recorded.output, { tolerance: 1e-5, label: `${label} output` });
  await expectClose(weights, recorded.weights, { tolerance: 1e-5, label: `${label} weights (mean over heads)` });
  const perHead = attention.callWithWeights(input(query), { ...options, averageWeights: false });
  await expectClose(perHead.weights, recorded.head_weights, { tolerance: 1e-5, label: `${label} weights (per head)` });

  const loss = () => tf.sum(tf.mul(attention.call(input(query), options), upstream)) as tf.Scalar;
  const { value: lossValue, grads } = tf.variableGrads(loss, attention.parameters());
  for (const [name, variable] of attention.namedParameters()) {
    await expectClose(grads[variable.name], recorded.grads[name], { tolerance: 1e-5, label: `${label} grad ${name}` });
  }
  const queryGradient = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(attention.call(input(q), options), upstream)))(query);
  await expectClose(queryGradient, recorded.grad_query, { tolerance: 1e-5, label: `${label} grad query` });
  tf.dispose([query, upstream, output, weights, perHead.output, perHead.weights, lossValue, queryGradient, ...Object.values(grads)]);
  tf.dispose([key, value].filter((t): t is tf.Tensor => t !== undefined));
}

describe('MultiHeadAttention matches torch.nn.MultiheadAttention', () => {
  it('parameter names and order equal the state_dict (packed and separate)', () => {
    const packed = new MultiHeadAttention(16, 4);
    expect(packed.namedVariables().map(([name]) => name)).toEqual(Object.keys(self.state_dict!));
    const separate = new MultiHeadAttention(16, 4, { keyDim: 12, valueDim: 10 });
    expect(separate.namedVariables().map(([name]) => name)).toEqual(Object.keys((fixture.mha_cross_separate as MhaCase).state_dict!));
    expect(separate.namedVariables().map(([, v]) => v.shape)).toEqual(
      Object.values((fixture.mha_cross_separate as MhaCase).state_dict!).map((v) => v.shape),
    );
    packed.dispose();
    separate.dispose();
  });

  it('self-attention without masks', async () => {
    const attention = new MultiHeadAttention(16, 4);
    loadTorch(attention, self.state_dict!);
    await checkCase('mha self', attention, self, self, {});
    attention.dispose();
  });

  it('self-attention with key padding + causal masks (explicit bool attn_mask, and causal: true)', async () => {
    const attention = new MultiHeadAttention(16, 4);
    loadTorch(attention, self.state_dict!);
    const recorded = fixture.mha_self_masked as MhaCase;
    const keyPaddingMask = fixtureTensor(recorded.key_padding_mask!);
    const attentionMask = fixtureTensor(recorded.attn_mask!);
    await checkCase('mha self masked', attention, recorded, self, { keyPaddingMask, attentionMask });
    await checkCase('mha self masked (causal option)', attention, recorded, self, { keyPaddingMask, causal: true });
    tf.dispose([keyPaddingMask, attentionMask]);
    attention.dispose();
  });

  it('cross-attention, packed in_proj_weight, key padding', async () => {
    const recorded = fixture.mha_cross_packed as MhaCase;
    const attention = new MultiHeadAttention(16, 4);
    loadTorch(attention, recorded.state_dict!);
    const keyPaddingMask = fixtureTensor(recorded.key_padding_mask!);
    await checkCase('mha cross packed', attention, recorded, recorded, { keyPaddingMask });
    keyPaddingMask.dispose();
    attention.dispose();
  });

  it('cross-attention, separate q/k/v_proj_weight (kdim 12, vdim 10), key padding', async () => {
    const recorded = fixture.mha_cross_separate as MhaCase;
    const attention = new MultiHeadAttention(16, 4, { keyDim: 12, valueDim: 10 });
    loadTorch(attention, recorded.state_dict!);
    const keyPaddingMask = fixtureTensor(recorded.key_padding_mask!);
    await checkCase('mha cross separate', attention, recorded, recorded, { keyPaddingMask });
    keyPaddingMask.dispose();
    attention.dispose();
  });
});

describe('positional encodings match their formulas', () => {
  it('rotary (rotate-half layout, offset 3)', async () => {
    const input = fixtureTensor(fixture.rope.input);
    const output = new RotaryPositionalEncoding(8).call(input, { offset: fixture.rope.offset });
    await expectClose(output, fixture.rope.output, { tolerance: 1e-5, label: 'rope' });
    tf.dispose([input, output]);
  });

  it('sinusoidal (even dim; odd dim with offset)', async () => {
    for (const [name, recorded] of Object.entries(fixture.sinusoidal)) {
      const table = sinusoidalPositionalEncoding(recorded.length, recorded.dim, { offset: recorded.offset });
      await expectClose(table, recorded.table, { tolerance: 1e-5, label: `sinusoidal ${name}` });
      table.dispose();
    }
  });
});
